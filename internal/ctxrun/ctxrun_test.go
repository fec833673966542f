package ctxrun_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/internal/ctxrun"
)

func TestDo(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	live, stop := context.WithCancel(context.Background())
	defer stop()
	blocked := func() (int, error) { <-release; return 1, nil }
	tests := []struct {
		name    string
		ctx     context.Context
		f       func() (int, error)
		cancel  func() // called 20 ms after Do starts
		want    int
		wantErr error
	}{
		{"background runs f", context.Background(), func() (int, error) { return 7, nil }, nil, 7, nil},
		{"f's error", live, func() (int, error) { return 0, errors.ErrUnsupported }, nil, 0, errors.ErrUnsupported},
		{"done before", cancelled, func() (int, error) { t.Error("f ran under a done context"); return 1, nil }, nil, 0, context.Canceled},
		{"done while f runs", live, blocked, stop, 0, context.Canceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.cancel != nil {
				timer := time.AfterFunc(20*time.Millisecond, tc.cancel)
				defer timer.Stop()
			}
			got, err := ctxrun.Do(tc.ctx, tc.f)
			if got != tc.want || !errors.Is(err, tc.wantErr) {
				t.Errorf("Do = %d, %v; want %d, %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

// TestGoWaitAgain: a wait that gives up leaves the call running, a later
// wait gets its results, and every wait after that gets the same results.
func TestGoWaitAgain(t *testing.T) {
	release := make(chan struct{})
	call := ctxrun.Go(func() (int, error) { <-release; return 7, errors.ErrUnsupported })
	short, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if ok, v, err := call.Wait(short); ok || v != 0 || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait before the call returns = %v, %d, %v; want false, 0, %v", ok, v, err, context.DeadlineExceeded)
	}
	close(release)
	for i := range 2 {
		if ok, v, err := call.Wait(context.Background()); !ok || v != 7 || !errors.Is(err, errors.ErrUnsupported) {
			t.Fatalf("Wait %d after the call returned = %v, %d, %v; want true, 7, %v", i+1, ok, v, err, errors.ErrUnsupported)
		}
	}
}
