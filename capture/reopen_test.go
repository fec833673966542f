package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestReopenMidCheckpoint: a store left in the middle of a checkpoint (the
// process killed while the write-ahead log was being copied into the
// database file) opens, with every delivery, for writing and for reading.
// A checkpoint copies the log's pages in page order, so page 1 comes
// first: its header then gives the store's new size while the file has
// not grown yet, and a look at the database file alone, without its log,
// finds it malformed. The log holds every page, and a real open reads it.
func TestReopenMidCheckpoint(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "capture.db")
	s := openStore(t, path)
	w := newWire(t)
	const n = 60 // about 640 pages of log: the writer checkpoints at CheckpointPages
	for i, ev := range events(t, n) {
		if _, err := s.Put(ctx, w.delivery(t, ev, i)); err != nil {
			t.Fatal(err)
		}
	}
	// The files as a killed process leaves them (the store is still open:
	// Close would fold the log into the file).
	db, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	wal, err := os.ReadFile(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	// The checkpoint's first write: the log's newest page 1 over the
	// file's.
	page := int(binary.BigEndian.Uint32(wal[8:12]))
	var page1 []byte
	for off := 32; off+24+page <= len(wal); off += 24 + page {
		if binary.BigEndian.Uint32(wal[off:off+4]) == 1 {
			page1 = wal[off+24 : off+24+page]
		}
	}
	if page1 == nil {
		t.Fatal("no page 1 in the write-ahead log")
	}
	if grown := int(binary.BigEndian.Uint32(page1[28:32])); grown*page <= len(db) {
		t.Fatalf("the log's page 1 gives %d pages, the file has %d: the store did not grow", grown, len(db)/page)
	}
	copy(db, page1)

	for _, open := range []struct {
		name string
		fn   func(string, ...Option) (*Store, error)
	}{{"Open", Open}, {"OpenReadOnly", OpenReadOnly}} {
		t.Run(open.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "killed.db")
			if err := os.WriteFile(p, db, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p+"-wal", wal, 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := open.fn(p)
			if err != nil {
				t.Fatalf("a store killed mid-checkpoint: %v", err)
			}
			defer c.Close()
			if err := c.Check(ctx); err != nil {
				t.Fatal(err)
			}
			if got, err := c.Count(ctx, Filter{}); err != nil || got != n {
				t.Errorf("%d deliveries (%v), want %d", got, err, n)
			}
		})
	}
}

// TestReopenDamagedWithLog: a damaged store with its write-ahead log
// beside it is refused as damaged too, and neither file is changed (a
// connection that may write folds the log into the file when it closes).
func TestReopenDamagedWithLog(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "capture.db")
	s := openStore(t, path)
	w := newWire(t)
	for i, ev := range events(t, 20) {
		if _, err := s.Put(ctx, w.delivery(t, ev, i)); err != nil {
			t.Fatal(err)
		}
	}
	db, _ := os.ReadFile(path)
	wal, _ := os.ReadFile(path + "-wal")
	for i := 100; i < len(db); i++ {
		db[i] = 0xA5
	}
	for _, open := range []func(string, ...Option) (*Store, error){Open, OpenReadOnly} {
		p := filepath.Join(t.TempDir(), "damaged.db")
		if err := os.WriteFile(p, db, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p+"-wal", wal, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := open(p)
		if err == nil {
			c.Close()
			t.Fatal("opened")
		}
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("err = %v, want ErrCorrupt", err)
		}
		for _, f := range []struct {
			name string
			was  []byte
		}{{p, db}, {p + "-wal", wal}} {
			if now, err := os.ReadFile(f.name); err != nil || !bytes.Equal(now, f.was) {
				t.Errorf("%s changed (%d bytes, was %d; %v)", filepath.Base(f.name), len(now), len(f.was), err)
			}
		}
	}
}
