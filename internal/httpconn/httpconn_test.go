package httpconn

import (
	"net"
	"net/http"
	"testing"
	"time"
)

// TestActive: only connections in the middle of a request count, and a
// connection counts once however often it is reported active.
func TestActive(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	var act Active
	steps := []struct {
		c    net.Conn
		st   http.ConnState
		want int
	}{
		{a, http.StateNew, 0},
		{a, http.StateActive, 1},
		{b, http.StateNew, 1},
		{b, http.StateActive, 2},
		{a, http.StateIdle, 1},
		{a, http.StateActive, 2},
		{a, http.StateActive, 2},
		{b, http.StateHijacked, 1},
		{a, http.StateClosed, 0},
	}
	for i, s := range steps {
		act.Track(s.c, s.st)
		if got := act.Count(); got != s.want {
			t.Fatalf("step %d (%v): count %d, want %d", i, s.st, got, s.want)
		}
	}
}

// TestStop: a spare connection (no request) does not hold the stop; a
// request still being answered does, until the timeout, and is counted.
func TestStop(t *testing.T) {
	for _, tt := range []struct {
		name     string
		inFlight bool
		timeout  time.Duration
		want     int
	}{
		// Waiting for the spare would take the whole 10 s.
		{"spare connection", false, 10 * time.Second, 0},
		{"request in flight", true, 100 * time.Millisecond, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			release := make(chan struct{})
			defer close(release)
			entered := make(chan struct{})
			var act Active
			srv := &http.Server{ConnState: act.Track, Handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
				close(entered)
				<-release
			})}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- srv.Serve(ln) }()
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if tt.inFlight {
				if _, err := c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
					t.Fatal(err)
				}
				select {
				case <-entered:
				case <-time.After(10 * time.Second):
					t.Fatal("the request did not reach the handler within 10s")
				}
			} else {
				time.Sleep(50 * time.Millisecond) // accepted
			}
			start := time.Now()
			busy := act.Stop(srv, ln, tt.timeout)
			<-done
			if busy != tt.want {
				t.Errorf("Stop = %d requests still being answered, want %d", busy, tt.want)
			}
			if el := time.Since(start); !tt.inFlight && el > tt.timeout/2 {
				t.Errorf("Stop took %s with no request being answered", el)
			}
		})
	}
}
