package capture

import (
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestWriterCheckpoints: SQLite never checkpoints the write-ahead log at
// the end of the writer's commits; the writer does, every
// checkpointPages pages it wrote, once the deliveries of the commit that
// crossed the mark are answered. While a checkpoint is held up, every
// delivery committed before it has its answer; afterwards the database
// file holds the rows, and the log stays bounded.
func TestWriterCheckpoints(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "c.db")
	s := openStore(t, path, func(c *config) { c.checkpointPages = 300 })
	var auto int
	if err := s.wdb.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&auto); err != nil || auto != 0 {
		t.Fatalf("the writer's connection has wal_autocheckpoint %d (%v), want 0", auto, err)
	}
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	s.beforeCheckpoint = func() {
		once.Do(func() {
			close(entered)
			<-release
		})
	}
	w := newWire(t)
	evs := events(t, 40)
	var answered atomic.Int64
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				if _, err := s.Put(ctx, w.delivery(t, evs[(g*50+i)%len(evs)], g*1000+i)); err != nil {
					t.Error(err)
					return
				}
				answered.Add(1)
			}
		}()
	}
	select {
	case <-entered:
	case <-time.After(time.Minute):
		t.Fatal("no checkpoint after a minute of writes")
	}
	// The writer is held in its first checkpoint: whatever it committed
	// before is answered.
	committed := s.committed.Load()
	for deadline := time.Now().Add(10 * time.Second); answered.Load() < committed && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if a := answered.Load(); a < committed {
		t.Errorf("%d deliveries committed before the checkpoint, %d answered while it was held up", committed, a)
	}
	close(release)
	wg.Wait()
	db, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	wal, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("400 deliveries in %d commits, %d checkpoints: database file %d bytes, log %d bytes",
		s.commits.Load(), s.checkpoints.Load(), db.Size(), wal.Size())
	if s.checkpoints.Load() < 2 {
		t.Errorf("%d checkpoints", s.checkpoints.Load())
	}
	if db.Size() < 400*5000 {
		t.Errorf("the database file holds %d bytes after 400 deliveries: the log was not checkpointed", db.Size())
	}
	if limit := int64(3 * 300 * 4096); wal.Size() > limit {
		t.Errorf("the log grew to %d bytes (checkpoints every 300 pages: at most %d)", wal.Size(), limit)
	}
}
