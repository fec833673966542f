package capture

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/internal/testkit/sweep"
)

// TestDurability kills a process that is storing deliveries from 8
// goroutines (SIGKILL, mid-run) and reopens the store, read-only and to
// write: the integrity check passes and every delivery the child's Put
// returned nil for is there, byte for byte. Every other run the child
// kills itself during a checkpoint of the write-ahead log (a few
// milliseconds after one starts), the rest are killed by the parent at a
// random point. CAPTURE_KILLS repeats it (.ci/run: 20 runs of 2,000
// deliveries each).
func TestDurability(t *testing.T) {
	t.Parallel()
	if os.Getenv("CAPTURE_CHILD") != "" {
		t.Skip("the child process of TestDurability")
	}
	runs, err := sweep.Size("CAPTURE_KILLS", 1, 20)
	if err != nil {
		t.Fatal(err)
	}
	target := 400
	if sweep.Long() || os.Getenv("CAPTURE_KILLS") != "" {
		target = 2000
	}
	for run := 0; run < runs; run++ {
		path := filepath.Join(t.TempDir(), "killed.db")
		// Kill somewhere between a fifth and four fifths of the run.
		kill := target/5 + int(time.Now().UnixNano()%int64(target*3/5))
		how := "killed"
		if run%2 == 1 {
			kill, how = 0, "killed itself during a checkpoint"
		}
		acked := runChild(t, path, target, kill)
		if len(acked) < kill {
			t.Fatalf("run %d: the child acknowledged %d deliveries before it was killed, want at least %d", run, len(acked), kill)
		}
		r, err := OpenReadOnly(path)
		if err != nil {
			t.Fatalf("run %d: reopening read-only after SIGKILL: %v", run, err)
		}
		r.Close()
		s, err := Open(path)
		if err != nil {
			t.Fatalf("run %d: reopening after SIGKILL: %v", run, err)
		}
		if err := s.Check(ctx); err != nil {
			t.Fatalf("run %d: integrity check after SIGKILL: %v", run, err)
		}
		for id, sum := range acked {
			d, err := s.Get(ctx, id)
			if err != nil {
				t.Fatalf("run %d: delivery %d acknowledged, then lost: %v", run, id, err)
			}
			if got := fmt.Sprintf("%s %x", d.DeliveryID, sha256.Sum256(d.Body)); got != sum {
				t.Fatalf("run %d: delivery %d is %s, the child stored %s", run, id, got, sum)
			}
		}
		n, _ := s.Count(ctx, Filter{})
		t.Logf("run %d: %s after %d acknowledged deliveries; %d in the store, all acknowledged ones intact", run, how, len(acked), n)
		s.Close()
	}
}

// runChild runs the child until it has acknowledged kill deliveries,
// SIGKILLs it and returns what it acknowledged: id → "deliveryID bodyhash".
// With kill 0 the child kills itself during a checkpoint.
func runChild(t *testing.T, path string, total, kill int) map[int64]string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestDurabilityChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "CAPTURE_CHILD="+path, "CAPTURE_CHILD_TOTAL="+strconv.Itoa(total))
	if kill == 0 {
		cmd.Env = append(cmd.Env, "CAPTURE_CHILD_SELF_KILL=1")
	}
	sc, stderr := testkit.Start(t, cmd)
	acked := map[int64]string{}
	killed := false
	deadline := time.AfterFunc(2*time.Minute, func() { cmd.Process.Kill() })
	defer deadline.Stop()
	for sc.Scan() {
		line := sc.Text()
		id, sum, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			continue // test framework output
		}
		acked[n] = sum
		if kill > 0 && len(acked) >= kill && !killed {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	if kill == 0 && errors.As(err, &exit) {
		ws, ok := exit.Sys().(syscall.WaitStatus)
		killed = ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
	}
	if !killed {
		t.Fatalf("the child ended before it was killed (%v): %s", err, stderr.String())
	}
	return acked
}

// TestDurabilityChild is the child of TestDurability: it stores
// deliveries from 8 goroutines and prints "ID DELIVERYID BODYHASH" for each
// one Put returned nil for.
func TestDurabilityChild(t *testing.T) {
	path := os.Getenv("CAPTURE_CHILD")
	if path == "" {
		t.Skip("run by TestDurability")
	}
	total, _ := strconv.Atoi(os.Getenv("CAPTURE_CHILD_TOTAL"))
	// Checkpoints ten times as often as CheckpointPages makes them: each
	// run is killed during one more often. Put waits as long as the
	// parent does (2 minutes), not DefaultPutTimeout: on 2 busy cores a
	// write can take longer than 5 s, and a Put given up is no
	// acknowledged delivery to check.
	s, err := Open(path, func(c *config) {
		c.checkpointPages = CheckpointPages / 10
		c.put = 2 * time.Minute
	})
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("CAPTURE_CHILD_SELF_KILL") != "" {
		// SIGKILL a few milliseconds into one of the first ten
		// checkpoints: while the log is synced, copied into the file, or
		// the file synced.
		at, n := 1+rand.IntN(10), 0
		s.beforeCheckpoint = func() {
			if n++; n == at {
				go func() {
					time.Sleep(time.Duration(rand.IntN(4000)) * time.Microsecond)
					syscall.Kill(os.Getpid(), syscall.SIGKILL)
				}()
			}
		}
	}
	w := newWire(t)
	evs := events(t, 200)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < total; i += 8 {
				d := w.delivery(t, evs[i%len(evs)], i)
				id, err := s.Put(ctx, d)
				if err != nil {
					t.Error(err)
					return
				}
				line := fmt.Sprintf("%d %s %x\n", id, d.DeliveryID, sha256.Sum256(d.Body))
				mu.Lock()
				os.Stdout.WriteString(line) // unbuffered: the parent sees it at once
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	// The parent kills before this point; should it not, keep running.
	time.Sleep(time.Minute)
}
