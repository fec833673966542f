package browserkit

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestWithin: a step that answers gives its value; one that stops when
// given up is waited for until then; one that heeds nothing is left behind
// after the grace, and within says which.
func TestWithin(t *testing.T) {
	const timeout, grace = 50 * time.Millisecond, 50 * time.Millisecond
	if v, err := within(timeout, grace, func() {}, func() (int, error) { return 7, nil }); v != 7 || err != nil {
		t.Errorf("a quick step: %d, %v", v, err)
	}
	boom := errors.New("boom")
	if _, err := within(timeout, grace, func() {}, func() (int, error) { return 0, boom }); err != boom {
		t.Errorf("a failing step: %v", err)
	}
	// The two that wait, side by side.
	t.Run("stops when given up", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		start := time.Now()
		_, err := within(timeout, grace, cancel, func() (int, error) {
			<-ctx.Done()
			return 0, ctx.Err()
		})
		took := time.Since(start)
		if err == nil || err.Error() != "no answer within 50ms" || took < timeout || took > 5*time.Second {
			t.Errorf("a step that stops when given up: %v after %v", err, took)
		}
	})
	t.Run("heeds nothing", func(t *testing.T) {
		t.Parallel()
		stuck := make(chan struct{})
		defer close(stuck)
		start := time.Now()
		_, err := within(timeout, grace, func() {}, func() (int, error) {
			<-stuck
			return 0, nil
		})
		took := time.Since(start)
		if err == nil || err.Error() != "no answer within 50ms, nor 50ms after it was given up" || took < timeout+grace || took > 5*time.Second {
			t.Errorf("a step that heeds nothing: %v after %v", err, took)
		}
	})
}

// failures is a test that records its failures instead of failing: Fatalf
// ends the goroutine that calls it, as testing.T's does.
type failures struct {
	testing.TB
	mu    sync.Mutex
	lines []string
}

func (f *failures) Helper() {}

func (f *failures) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lines = append(f.lines, fmt.Sprintf(format, args...))
}

func (f *failures) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	runtime.Goexit()
}

func (f *failures) Fatal(args ...any) {
	f.Errorf("%s", fmt.Sprint(args...))
	runtime.Goexit()
}

// fails runs step as a test of its own and returns the lines it failed
// with and how long it took; it fails t when step is still running after
// limit.
func fails(t *testing.T, limit time.Duration, step func(tb testing.TB)) ([]string, time.Duration) {
	t.Helper()
	f := &failures{TB: t}
	done := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		step(f)
	}()
	select {
	case <-done:
	case <-time.After(limit):
		t.Fatalf("still waiting on the browser after %v", limit)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lines, time.Since(start)
}

// TestBrowserStuck stops the browser's process (SIGSTOP) under an open
// page: a script evaluated there, and a new tab, each fail the test in one
// line naming the step and the page within the step's bounds, instead of
// waiting on the browser for ever.
func TestBrowserStuck(t *testing.T) {
	// A browser of its own, started with the usual bounds; its steps are
	// then bounded by 2 s and 1 s.
	b := launch(chromium(t), Timeout, Grace)
	t.Cleanup(func() {
		if err := b.close(); err != nil {
			t.Error(err)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	b.timeout, b.grace = 2*time.Second, time.Second
	p := b.Page(t)
	const page = "data:text/html,<title>stuck</title><p>a page"
	p.Navigate(page)
	if got := Eval[string](p, `document.title`); got != "stuck" {
		t.Fatalf("title %q", got)
	}

	proc := chromedp.FromContext(b.ctx).Browser.Process()
	if err := proc.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	resume := sync.OnceFunc(func() {
		if err := proc.Signal(syscall.SIGCONT); err != nil && !errors.Is(err, os.ErrProcessDone) {
			t.Error(err)
		}
	})
	defer resume()
	// A step: timeout and grace, then 2 s and 1 s asking the page where
	// it is; 15 s is far more.
	const limit = 15 * time.Second
	lines, took := fails(t, limit, func(tb testing.TB) {
		p.t = tb
		defer func() { p.t = t }()
		Eval[string](p, `document.title`)
	})
	want := `browser: evaluating document.title (page ` + page + `, last opened: the page does not answer): no answer within 2s`
	if len(lines) != 1 || lines[0] != want {
		t.Errorf("a script in a stopped browser failed with %q after %v, want %q", lines, took, want)
	}
	t.Logf("the script failed after %v: %s", took.Round(time.Millisecond), lines)

	lines, took = fails(t, limit, func(tb testing.TB) { b.Page(tb) })
	if len(lines) != 1 || lines[0] != "browser: opening a tab: no answer within 2s" {
		t.Errorf("a tab of a stopped browser failed with %q after %v", lines, took)
	}
	t.Logf("the new tab failed after %v: %s", took.Round(time.Millisecond), lines)
	resume()
}
