package capture

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/corpus"
	"github.com/orderhooks/orderhooks/schemas"
	"github.com/orderhooks/orderhooks/wire"
)

var ctx = context.Background()

func openStore(t testing.TB, path string, opts ...Option) *Store {
	t.Helper()
	s, err := Open(path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// fixture builds deliveries as a receiver would store them: requests built
// by the emitter's profiles (encrypted and signed for Phasio), verified.
type fixture struct {
	profiles map[string]wire.Profile
}

func newWire(t testing.TB) *fixture {
	t.Helper()
	w := &fixture{profiles: map[string]wire.Profile{}}
	for _, p := range []string{generator.ProviderPhasio, generator.ProviderHappyColis} {
		secret, err := wire.NewSecret(p, strings.NewReader(strings.Repeat("s", 64)))
		if err != nil {
			t.Fatal(err)
		}
		if w.profiles[p], err = wire.New(p, []string{secret}); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func (w *fixture) delivery(t testing.TB, ev *generator.Event, n int) *Delivery {
	t.Helper()
	id := fmt.Sprintf("00000000-0000-4000-8000-%012d", n)
	req, err := w.profiles[ev.Provider].Build(&wire.Message{Event: ev, ID: id, Time: ev.At}, wire.FaultNone)
	if err != nil {
		t.Fatal(err)
	}
	h := req.Header.Clone()
	h.Set("Authorization", "Bearer not-to-be-stored")
	h.Set("Cookie", "session=not-to-be-stored")
	h.Set("User-Agent", "Platform-Hookshot/1.0")
	d := &Delivery{ReceivedAt: ev.At, RemoteAddr: "203.0.113.7:41234", Method: http.MethodPost, Host: "hooks.example",
		Path: "/webhooks/" + ev.Provider, Header: h, Body: req.Body, Provider: ev.Provider, Event: ev.Event, Key: ev.OrderKey,
		DeliveryID: id, Signature: SignatureOK, SchemaChecked: true, Payload: ev.Payload, Status: 200, Outcome: "applied",
		Answer: []byte(`{"ok":true,"outcome":"applied"}` + "\n"), Handled: 350 * time.Microsecond}
	if ev.Provider == generator.ProviderPhasio {
		d.Decryption = DecryptionOK
	}
	return d
}

func events(t testing.TB, n int) []*generator.Event {
	t.Helper()
	evs, err := corpus.Clean(n, 7)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func TestPutGetList(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "capture.db")
	s := openStore(t, path)
	w := newWire(t)
	evs := events(t, 60)
	var ids []int64
	for i, ev := range evs {
		d := w.delivery(t, ev, i)
		switch i {
		case 3:
			d.Signature, d.Status, d.Outcome, d.Reason, d.Payload, d.Key = SignatureBad, 401, "rejected", "signature mismatch", nil, ""
		case 4:
			d.Violations = []schemas.Violation{{Pointer: "/parts/0/quantity", Message: "must be >= 1, got 0"}}
			d.Status, d.Outcome = 400, "rejected"
		case 5:
			d.Forward = &Forward{URL: "http://127.0.0.1:3000/hooks", Status: 500, Latency: 4 * time.Millisecond, Answer: []byte("boom")}
		}
		id, err := s.Put(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] != ids[i-1]+1 {
			t.Fatalf("ids not consecutive: %v", ids)
		}
	}

	got, err := s.Get(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	want := w.delivery(t, evs[0], 0)
	if !bytes.Equal(got.Body, want.Body) || !bytes.Equal(got.Payload, want.Payload) || got.Event != want.Event ||
		got.Key != want.Key || got.DeliveryID != want.DeliveryID || !got.ReceivedAt.Equal(want.ReceivedAt) ||
		got.Status != 200 || got.Handled != want.Handled || got.Verdict() != VerdictOK || got.Host != "hooks.example" {
		t.Errorf("Get = %+v", got)
	}
	for _, h := range []string{"Authorization", "Cookie"} {
		if got.Header.Get(h) != "" {
			t.Errorf("%s was stored", h)
		}
	}
	sigHeader := map[string]string{generator.ProviderPhasio: "X-Phasio-Signature", generator.ProviderHappyColis: "X-Happycolis-Webhook-Signature"}[evs[0].Provider]
	if got.Header.Get(sigHeader) == "" || got.Header.Get("User-Agent") == "" {
		t.Errorf("headers %v: the signature and other headers must be kept", got.Header)
	}
	// The stored request verifies again: the signature check of later.
	if _, err := w.profiles[got.Provider].Verify(got.Header, got.Body); err != nil {
		t.Errorf("stored request does not verify: %v", err)
	}
	if _, err := s.Get(ctx, 999999); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
	bad, _ := s.Get(ctx, ids[3])
	if bad.Verdict() != VerdictSignatureBad || bad.Payload != nil || bad.Reason != "signature mismatch" {
		t.Errorf("rejected delivery: %+v", bad)
	}
	fw, _ := s.Get(ctx, ids[5])
	if fw.Forward == nil || fw.Forward.Status != 500 || fw.Forward.Latency != 4*time.Millisecond || string(fw.Forward.Answer) != "boom" {
		t.Errorf("forward: %+v", fw.Forward)
	}

	// Pages, newest first, through the cursor.
	var seen []int64
	o := ListOptions{Limit: 25}
	for {
		p, err := s.List(ctx, Filter{}, o)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range p.Deliveries {
			seen = append(seen, d.ID)
		}
		if p.Next == 0 {
			break
		}
		o.Before = p.Next
	}
	if len(seen) != len(ids) || seen[0] != ids[len(ids)-1] || seen[len(seen)-1] != ids[0] {
		t.Errorf("pages listed %d deliveries (%v…), want %d newest first", len(seen), seen[:3], len(ids))
	}
	var keyless int64 // the rejected delivery has no key
	if evs[3].OrderKey == evs[0].OrderKey {
		keyless = 1
	}
	for _, tt := range []struct {
		name string
		f    Filter
		want int64
	}{
		{"signature", Filter{Verdict: VerdictSignature}, 1},
		{"signature-bad", Filter{Verdict: VerdictSignatureBad}, 1},
		{"schema", Filter{Verdict: VerdictSchemaInvalid}, 1},
		{"4xx", Filter{StatusClass: 4}, 2},
		{"401", Filter{Status: 401}, 1},
		{"app error", Filter{AppError: true}, 1},
		{"provider", Filter{Provider: evs[0].Provider}, countOf(evs, func(e *generator.Event) bool { return e.Provider == evs[0].Provider })},
		{"event", Filter{Event: evs[0].Event}, countOf(evs, func(e *generator.Event) bool { return e.Event == evs[0].Event })},
		{"key", Filter{Key: evs[0].OrderKey}, countOf(evs, func(e *generator.Event) bool { return e.OrderKey == evs[0].OrderKey }) - keyless},
	} {
		n, err := s.Count(ctx, tt.f)
		if err != nil || n != tt.want {
			t.Errorf("Count(%s) = %d, %v; want %d", tt.name, n, err, tt.want)
		}
		p, _ := s.List(ctx, tt.f, ListOptions{Limit: MaxLimit})
		if int64(len(p.Deliveries)) != tt.want {
			t.Errorf("List(%s) has %d deliveries, want %d", tt.name, len(p.Deliveries), tt.want)
		}
	}

	// A timeline: one key's deliveries in order.
	tl, err := s.Timeline(ctx, "", evs[0].OrderKey)
	if err != nil || len(tl.Deliveries) == 0 || tl.Deliveries[0].ID != ids[0] {
		t.Fatalf("timeline: %v %+v", err, tl)
	}
	if err := s.SetForward(ctx, ids[1], Forward{URL: "http://127.0.0.1:3000", Status: 204, Latency: time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	if d, _ := s.Get(ctx, ids[1]); d.Forward == nil || d.Forward.Status != 204 {
		t.Errorf("SetForward not stored: %+v", d.Forward)
	}
	if err := s.SetForward(ctx, 999999, Forward{Status: 200}); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetForward unknown id: %v", err)
	}
	if last, _ := s.LastID(ctx); last != ids[len(ids)-1] {
		t.Errorf("LastID = %d", last)
	}

	// Reopened, read-only: the same.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, w.delivery(t, evs[0], 0)); !errors.Is(err, ErrClosed) {
		t.Errorf("Put after Close: %v", err)
	}
	ro, err := OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if n, _ := ro.Count(ctx, Filter{}); n != int64(len(ids)) {
		t.Errorf("reopened: %d deliveries", n)
	}
	if _, err := ro.Put(ctx, w.delivery(t, evs[0], 0)); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Put read-only: %v", err)
	}
	if !bytes.Equal(ro.Salt(), s.Salt()) || len(ro.Salt()) < 16 {
		t.Error("the salt changed on reopening")
	}
}

func countOf(evs []*generator.Event, keep func(*generator.Event) bool) int64 {
	var n int64
	for _, e := range evs {
		if keep(e) {
			n++
		}
	}
	return n
}

// TestConcurrentPuts: many goroutines put at once; every delivery is
// stored once, under its own id.
func TestConcurrentPuts(t *testing.T) {
	t.Parallel()
	s := openStore(t, filepath.Join(t.TempDir(), "c.db"))
	w := newWire(t)
	evs := events(t, 40)
	var mu sync.Mutex
	ids := map[int64]string{}
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				d := w.delivery(t, evs[(g*25+i)%len(evs)], g*1000+i)
				id, err := s.Put(ctx, d)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				ids[id] = d.DeliveryID
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(ids) != 400 {
		t.Fatalf("%d distinct ids, want 400", len(ids))
	}
	for id, did := range ids {
		d, err := s.Get(ctx, id)
		if err != nil || d.DeliveryID != did {
			t.Fatalf("delivery %d: %v %q, want %q", id, err, d.DeliveryID, did)
		}
	}
}

func TestOpenRefuses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	link := func(name, target string) string {
		p := filepath.Join(dir, name)
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// A foreign SQLite database.
	foreign := filepath.Join(dir, "app.db")
	db, err := sql.Open("sqlite", foreign)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE users (id INTEGER); CREATE TABLE orders (id INTEGER)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	// A store of a newer orderhooks.
	newer := filepath.Join(dir, "newer.db")
	s := openStore(t, newer)
	s.Close()
	raw, _ := sql.Open("sqlite", newer)
	if _, err := raw.Exec(fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion+1)); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	// A store whose pages are damaged past the header.
	damaged := filepath.Join(dir, "damaged.db")
	s = openStore(t, damaged)
	s.Close()
	b, _ := os.ReadFile(damaged)
	for i := 100; i < len(b); i++ {
		b[i] = 0xA5
	}
	os.WriteFile(damaged, b, 0o644)

	for _, tt := range []struct {
		name, path string
		err        error
		msg        string
	}{
		{"text", write("notes.txt", []byte("shopping list\n")), ErrNotStore, "not an SQLite database"},
		{"json", write("orders.jsonl", []byte(`{"seq":1}`+"\n")), ErrNotStore, "not an SQLite database"},
		{"short sqlite header", write("cut.db", sqliteMagic), ErrCorrupt, "cut short"},
		{"foreign", foreign, ErrNotStore, "another application (tables: orders, users)"},
		{"newer", newer, ErrNewerVersion, fmt.Sprintf("store version %d, this orderhooks reads versions up to %d", SchemaVersion+1, SchemaVersion)},
		{"damaged", damaged, ErrCorrupt, "damaged"},
		{"directory", dir, ErrNotStore, "not a regular file"},
		{"no directory", filepath.Join(dir, "missing", "c.db"), ErrNotStore, "its directory does not exist"},
		{"link to no directory", link("link.db", filepath.Join("missing", "c.db")), ErrNotStore, "its directory does not exist"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := fileState(tt.path)
			for _, open := range []func(string, ...Option) (*Store, error){Open, OpenReadOnly} {
				s, err := open(tt.path)
				if err == nil {
					s.Close()
					t.Fatal("opened")
				}
				var se *Error
				if !errors.Is(err, tt.err) || !errors.Is(err, ErrStore) || !errors.As(err, &se) || !strings.Contains(err.Error(), tt.path) || !strings.Contains(err.Error(), tt.msg) {
					t.Errorf("err = %v, want %v with %q", err, tt.err, tt.msg)
				}
			}
			if after := fileState(tt.path); after != before {
				t.Errorf("the file changed: %s → %s", before, after)
			}
		})
	}
	if _, err := OpenReadOnly(filepath.Join(dir, "none.db")); !errors.Is(err, ErrNotStore) {
		t.Errorf("read-only open of a missing file: %v", err)
	}
	// An empty file is a store yet to be made: read-only, it says so.
	empty := write("empty.db", nil)
	if _, err := OpenReadOnly(empty); !errors.Is(err, ErrNotStore) || !strings.Contains(err.Error(), "empty.db: not an orderhooks capture store: an empty file") {
		t.Errorf("read-only open of an empty file: %v", err)
	}
}

// fileState is a file's content hash and the names beside it.
func fileState(p string) string {
	b, err := os.ReadFile(p)
	sibs, _ := filepath.Glob(p + "-*")
	return fmt.Sprintf("%x %v %v", sha256.Sum256(b), err != nil, sibs)
}

// TestMigration: a store of an older version is migrated when opened for
// writing, its deliveries kept; a migration that fails leaves it as it was.
func TestMigration(t *testing.T) {
	defer func(m [][]string) { migrations = m }(migrations)
	path := filepath.Join(t.TempDir(), "old.db")
	s := openStore(t, path)
	w := newWire(t)
	ev := events(t, 1)[0]
	if _, err := s.Put(ctx, w.delivery(t, ev, 1)); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// This orderhooks knows a version 2 that adds a column.
	migrations = append(migrations, []string{`ALTER TABLE deliveries ADD COLUMN note TEXT NOT NULL DEFAULT ''`})
	setVersion := func(v int) { schemaVersionForTest(t, v) }
	setVersion(2)
	defer setVersion(1)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var v int
	s.db.QueryRow("PRAGMA user_version").Scan(&v)
	var note string
	if err := s.db.QueryRow("SELECT note FROM deliveries WHERE id = 1").Scan(&note); err != nil || v != 2 {
		t.Errorf("not migrated: version %d, %v", v, err)
	}
	if d, err := s.Get(ctx, 1); err != nil || d.DeliveryID == "" {
		t.Errorf("delivery lost in the migration: %v", err)
	}
	s.Close()

	// A version 3 whose migration fails half-way: nothing changes.
	migrations = append(migrations, []string{`ALTER TABLE deliveries ADD COLUMN other TEXT`, `THIS IS NOT SQL`})
	setVersion(3)
	before := fileState(path)
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), "migrating the store to version 3") {
		t.Errorf("failed migration: %v", err)
	}
	setVersion(2)
	s = openStore(t, path)
	if err := s.db.QueryRow("SELECT other FROM deliveries").Scan(new(sql.NullString)); err == nil {
		t.Error("half a migration was committed")
	}
	_ = before
}

// TestWriteFailures: a full store or a read-only file makes Put fail
// (the receiver answers 503); reads go on, and writing resumes when
// there is room again.
func TestWriteFailures(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	evs := events(t, 30)
	t.Run("full", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "full.db")
		s := openStore(t, path, WithMaxBytes(256<<10))
		var err error
		stored := 0
		for i := 0; i < 1000 && err == nil; i++ {
			_, err = s.Put(ctx, w.delivery(t, evs[i%len(evs)], i))
			if err == nil {
				stored++
			}
		}
		if !errors.Is(err, ErrFull) || !errors.Is(err, ErrStore) || !strings.Contains(err.Error(), path) {
			t.Fatalf("Put on a full store: %v", err)
		}
		if n, _ := s.Count(ctx, Filter{}); n != int64(stored) || stored == 0 {
			t.Errorf("%d stored, count %d", stored, n)
		}
		s.Close()
		s = openStore(t, path) // no cap now
		if _, err := s.Put(ctx, w.delivery(t, evs[0], 5000)); err != nil {
			t.Errorf("Put once there is room: %v", err)
		}
		if err := s.Check(ctx); err != nil {
			t.Error(err)
		}
	})
	t.Run("read-only file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "ro.db")
		s := openStore(t, path)
		if _, err := s.Put(ctx, w.delivery(t, evs[0], 1)); err != nil {
			t.Fatal(err)
		}
		s.Close()
		undo := makeReadOnly(t, path)
		defer undo()
		s, err := Open(path)
		if err != nil {
			t.Fatalf("opening a read-only store to write: %v (it should open; each Put then fails)", err)
		}
		defer s.Close()
		if _, err := s.Put(ctx, w.delivery(t, evs[1], 2)); !errors.Is(err, ErrReadOnly) {
			t.Errorf("Put on a read-only file: %v", err)
		}
		if n, err := s.Count(ctx, Filter{}); n != 1 || err != nil {
			t.Errorf("reading a read-only store: %d, %v", n, err)
		}
	})
}

// makeReadOnly makes a file unwritable even for root (chattr +i), or by
// its mode for other users.
func makeReadOnly(t *testing.T, path string) func() {
	t.Helper()
	if os.Geteuid() != 0 {
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			os.Chmod(p, 0o444)
		}
		return func() {}
	}
	var undo []string
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if _, err := os.Stat(p); err != nil {
			continue
		}
		if out, err := exec.Command("chattr", "+i", p).CombinedOutput(); err != nil {
			t.Skipf("cannot make the file read-only as root here (chattr: %v %s)", err, out)
		}
		undo = append(undo, p)
	}
	return func() {
		for _, p := range undo {
			exec.Command("chattr", "-i", p).Run()
		}
	}
}

func schemaVersionForTest(t *testing.T, v int) {
	t.Helper()
	currentVersion = v
}

// TestWatch: a watcher sees each delivery as it is committed, through this
// Store at once and through another handle on the file (another process,
// say) by polling.
func TestWatch(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "watch.db")
	s := openStore(t, path)
	w := newWire(t)
	evs := events(t, 10)
	if _, err := s.Put(ctx, w.delivery(t, evs[0], 0)); err != nil {
		t.Fatal(err)
	}
	other, err := OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	start, _ := s.LastID(ctx)
	for _, watcher := range []*Store{s, other} {
		got := make(chan int64, 100)
		wctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() {
			done <- watcher.Watch(wctx, start, func(batch []Summary) error {
				for _, d := range batch {
					got <- d.ID
				}
				return nil
			})
		}()
		expect := func(id int64) {
			select {
			case g := <-got:
				if g != id {
					t.Errorf("watch gave %d, want %d", g, id)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("delivery %d not seen within 5 s", id)
			}
		}
		var want []int64
		for i := 1; i <= 3; i++ {
			id, err := s.Put(ctx, w.delivery(t, evs[i], i))
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, id)
			if watcher == s {
				// Seen before the next is stored: the next one is
				// announced to a Watch already waiting.
				expect(id)
			}
		}
		if watcher != s {
			for _, id := range want {
				expect(id)
			}
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Watch returned %v after its context ended", err)
		}
		start = want[len(want)-1]
	}
	// A Watch whose context has ended returns nil, its query refused.
	ended, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Watch(ended, 0, func([]Summary) error { t.Error("Watch called fn after its context ended"); return nil }); err != nil {
		t.Errorf("Watch with an ended context: %v", err)
	}
}

// TestWatchConcurrentWriters: a watcher on its own read-only handle (an
// inspector's process) sees every delivery exactly once and in id order
// while two writers (two receiving processes) commit batches of them at
// once: ids follow commit order, so a cursor on the last id seen never
// passes a row that is yet to be committed.
func TestWatchConcurrentWriters(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "watch.db")
	writers := []*Store{openStore(t, path), openStore(t, path)}
	w := newWire(t)
	evs := events(t, 20)
	watcher, err := OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer watcher.Close()
	const perWriter, senders = 60, 4
	wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	seen := make(chan []int64, 1)
	batches := 0
	go func() {
		var ids []int64
		watcher.Watch(wctx, 0, func(batch []Summary) error {
			batches++
			for _, d := range batch {
				ids = append(ids, d.ID)
			}
			if len(ids) >= 2*perWriter {
				return errEnoughSeen
			}
			return nil
		})
		seen <- ids
	}()
	stored := make(chan int64, 2*perWriter)
	var wg sync.WaitGroup
	start := time.Now()
	for wi, s := range writers {
		for g := range senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := g; i < perWriter; i += senders {
					id, err := s.Put(ctx, w.delivery(t, evs[i%len(evs)], wi*perWriter+i))
					if err != nil {
						t.Error(err)
						return
					}
					stored <- id
					// Spread over a few of the watcher's polls: a Put
					// every WatchInterval/5 from start, however long the
					// Puts take on a busy machine.
					time.Sleep(time.Until(start.Add(time.Duration(i/senders+1) * WatchInterval / 5)))
				}
			}()
		}
	}
	wg.Wait()
	close(stored)
	ids := <-seen
	if batches < 3 {
		t.Fatalf("the watcher read %d batches: the cursor was hardly used", batches)
	}
	want := map[int64]bool{}
	for id := range stored {
		want[id] = true
	}
	if len(ids) != len(want) {
		t.Fatalf("the watcher saw %d deliveries, %d were stored", len(ids), len(want))
	}
	for i, id := range ids {
		if !want[id] {
			t.Fatalf("the watcher saw %d, not stored (or seen twice)", id)
		}
		delete(want, id)
		if i > 0 && id <= ids[i-1] {
			t.Fatalf("the watcher saw %d after %d", id, ids[i-1])
		}
	}
}

var errEnoughSeen = errors.New("seen enough")

// TestCloseLeavesOneFile: after Close the database file alone holds every
// delivery (the write-ahead log is folded into it and removed), so a user
// who copies capture.db once receive has stopped copies everything.
func TestCloseLeavesOneFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "capture.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	w := newWire(t)
	for i, ev := range events(t, 30) {
		if _, err := s.Put(ctx, w.delivery(t, ev, i)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.List(ctx, Filter{}, ListOptions{}); err != nil { // the readers have been used
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		t.Errorf("after Close a write-ahead log of %d bytes is left beside the store", fi.Size())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	copyPath := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(copyPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	c := openStore(t, copyPath)
	if n, err := c.Count(ctx, Filter{}); err != nil || n != 30 {
		t.Errorf("a copy of the closed store's file holds %d deliveries (%v), want 30", n, err)
	}
}
