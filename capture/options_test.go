package capture

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/internal/testkit/lessgc"
)

// The collector runs less often in this test binary (internal/testkit/lessgc).
func init() { lessgc.Set() }

// TestOptions: WithDropHeaders keeps more headers out of the store,
// WithExcerpt bounds the answers kept, WithBusyTimeout is the lock wait
// of every connection.
func TestOptions(t *testing.T) {
	t.Parallel()
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

// TestSync: WithSync reaches the writer's connection (PRAGMA synchronous:
// 1 NORMAL, 2 FULL), and Store.Sync reports what the connection does.
func TestSync(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		opts  []Option
		want  Sync
		level int
	}{{nil, SyncNormal, 1}, {[]Option{WithSync(SyncNormal)}, SyncNormal, 1}, {[]Option{WithSync(SyncFull)}, SyncFull, 2}} {
		s := openStore(t, filepath.Join(t.TempDir(), "c.db"), tt.opts...)
		var level int
		if err := s.wdb.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&level); err != nil || level != tt.level {
			t.Errorf("%v: the writer's synchronous is %d (%v), want %d", tt.want, level, err, tt.level)
		}
		if s.Sync() != tt.want {
			t.Errorf("Sync() = %v, want %v", s.Sync(), tt.want)
		}
	}
}
