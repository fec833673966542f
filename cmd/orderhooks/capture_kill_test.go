package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/capture"
	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/internal/testkit/sweep"
	"github.com/orderhooks/orderhooks/wire"
)

// ackLog is an emitter record that notes the message ids answered 2xx,
// and closes reached once at of them were.
type ackLog struct {
	mu      sync.Mutex
	buf     []byte
	acked   map[string]bool
	at      int
	reached chan struct{}
}

func (a *ackLog) Write(p []byte) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.buf = append(a.buf, p...)
	for {
		i := bytes.IndexByte(a.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		var rec emitter.Record
		if json.Unmarshal(a.buf[:i], &rec) == nil && rec.Response != nil && rec.Response.Status/100 == 2 {
			a.acked[rec.ID] = true
			if len(a.acked) == a.at {
				close(a.reached)
			}
		}
		a.buf = a.buf[i+1:]
	}
}

func (a *ackLog) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.acked)
}

// TestReceiveStoreSIGKILL kills a real `orderhooks receive --store`
// process with SIGKILL in the middle of a run (8 senders at once),
// reopens the store and checks it: PRAGMA integrity_check is ok and every
// delivery that was answered 2xx is in it, with the body that was sent.
// The default run kills once in a 500-delivery run; ORDERHOOKS_LONG=1
// makes the runs 2,000 deliveries and ORDERHOOKS_CAPTURE_KILLS=N (both in
// .ci/run) repeats it N times, the kill at another point each time.
func TestReceiveStoreSIGKILL(t *testing.T) {
	t.Parallel() // after the sequential tests (the docs test changes directory)
	bin := orderhooksBinary(t)
	runs, err := sweep.Size("ORDERHOOKS_CAPTURE_KILLS", 1, 10)
	if err != nil {
		t.Fatal(err)
	}
	total := sweep.N(500, 2000)
	secret := testSecret(t, generator.ProviderPhasio, 's')
	p, err := wire.New(generator.ProviderPhasio, []string{secret})
	if err != nil {
		t.Fatal(err)
	}
	gen, err := generator.New(generator.ProviderPhasio, generator.WithOrders(total))
	if err != nil {
		t.Fatal(err)
	}
	var evs []*generator.Event
	if err := gen.Run(func(ev *generator.Event) error { evs = append(evs, ev); return nil }); err != nil {
		t.Fatal(err)
	}
	for run := 0; run < runs; run++ {
		db := filepath.Join(t.TempDir(), "killed.db")
		cmd := exec.Command(bin, "receive", "--provider", "phasio", "--secret", "env:S", "--listen", "127.0.0.1:0", "--store", db)
		cmd.Env = append(os.Environ(), "S="+secret)
		url, _ := testkit.StartServer(t, cmd)
		if !strings.HasPrefix(url, "http://") {
			t.Fatalf("run %d: receive printed %q first", run, url)
		}
		// Kill somewhere between a fifth and four fifths of the run.
		kill := total/5 + int(time.Now().UnixNano()%int64(total*3/5))
		log := &ackLog{acked: map[string]bool{}, at: kill, reached: make(chan struct{})}
		em, err := emitter.New(emitter.OneTarget(p, url+"/hooks"), emitter.WithRecord(log), emitter.WithRetries(0),
			emitter.WithTimeout(5*time.Second), emitter.WithConcurrency(8), emitter.WithValidate(false))
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, _ = em.Run(context.Background(), func(yield func(*generator.Event) error) error {
				for _, ev := range evs {
					if err := yield(ev); err != nil {
						return err
					}
				}
				return nil
			})
		}()
		select {
		case <-log.reached:
		case <-done: // the run ended before: the count below says so
		case <-time.After(2 * time.Minute):
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait() // killed
		<-done
		acked := log.count()
		if acked < kill {
			t.Fatalf("run %d: %d deliveries answered 2xx before the kill, want at least %d", run, acked, kill)
		}
		s, err := capture.Open(db)
		if err != nil {
			t.Fatalf("run %d: reopening after SIGKILL: %v", run, err)
		}
		if err := s.Check(context.Background()); err != nil {
			t.Fatalf("run %d: integrity check after SIGKILL: %v", run, err)
		}
		stored := map[string]bool{}
		err = s.Each(context.Background(), capture.Filter{}, func(d *capture.Delivery) error {
			if _, err := p.Verify(d.Header, d.Body); err != nil {
				return fmt.Errorf("delivery %d: the stored request does not verify: %w", d.ID, err)
			}
			stored[d.DeliveryID] = true
			return nil
		})
		s.Close()
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		log.mu.Lock()
		for id := range log.acked {
			if !stored[id] {
				t.Errorf("run %d: message %s was answered 2xx and is not in the store", run, id)
			}
		}
		log.mu.Unlock()
		t.Logf("run %d: killed after %d deliveries answered 2xx; %d in the store, every acknowledged one among them", run, acked, len(stored))
	}
}
