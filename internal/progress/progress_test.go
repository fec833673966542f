package progress

import (
	"bytes"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// lockedBuffer is written by the Line's goroutine and read by the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestLine(t *testing.T) {
	texts := []string{"sent 10 long text", "sent 20"}
	for _, tt := range []struct {
		name string
		tty  bool
	}{{"terminal", true}, {"not a terminal", false}} {
		t.Run(tt.name, func(t *testing.T) {
			var out lockedBuffer
			var n atomic.Int32
			l := Start(&out, tt.tty, time.Millisecond, func() string {
				return texts[min(int(n.Add(1))-1, 1)]
			})
			for deadline := time.Now().Add(5 * time.Second); tt.tty && n.Load() < 2 && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
			}
			l.Stop()
			l.Stop()
			got := out.String()
			if !tt.tty {
				if got != "" || n.Load() != 0 {
					t.Fatalf("wrote %q off a terminal", got)
				}
				return
			}
			if !strings.HasPrefix(got, "\rsent 10 long text\rsent 20          ") || !strings.HasSuffix(got, "\rsent 20\n") {
				t.Fatalf("line %q: want redraws with \\r, blanks over longer text, and a final newline", got)
			}
			if strings.Count(got, "\n") != 1 {
				t.Fatalf("line %q ends more than once", got)
			}
		})
	}
}

// Lines writes one plain line per interval and a last one at Stop, no
// carriage return among them.
func TestLines(t *testing.T) {
	var out lockedBuffer
	var n atomic.Int32
	l := Lines(&out, time.Millisecond, func() string { return "sent " + strings.Repeat("x", int(n.Add(1))) })
	for deadline := time.Now().Add(5 * time.Second); strings.Count(out.String(), "\n") < 3 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	l.Stop()
	l.Stop()
	got := out.String()
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(lines) < 4 || strings.Contains(got, "\r") || !strings.HasSuffix(got, "\n") || lines[len(lines)-1] != "sent "+strings.Repeat("x", int(n.Load())) {
		t.Fatalf("got %q", got)
	}
	Lines(nil, time.Millisecond, func() string { t.Error("nil writer drawn"); return "" }).Stop()
}
