package capture

import (
	"path/filepath"
	"testing"
	"time"
)

// TestOptions: WithDropHeaders keeps more headers out of the store,
// WithExcerpt bounds the answers kept, WithBusyTimeout is the lock wait
// of every connection.
func TestOptions(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "c.db"), WithDropHeaders("X-Api-Key"), WithExcerpt(5), WithBusyTimeout(1234*time.Millisecond))
	w := newWire(t)
	d := w.delivery(t, events(t, 1)[0], 1)
	d.Header.Set("X-Api-Key", "not-to-be-stored")
	d.Answer = []byte("0123456789")
	id, err := s.Put(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Header.Get("X-Api-Key") != "" || got.Header.Get("User-Agent") == "" || string(got.Answer) != "01234" {
		t.Errorf("headers %v, answer %q", got.Header, got.Answer)
	}
	var ms int
	if err := s.db.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&ms); err != nil || ms != 1234 {
		t.Errorf("busy_timeout %d, %v", ms, err)
	}
}
