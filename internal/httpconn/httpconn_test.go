package httpconn

import (
	"net"
	"net/http"
	"testing"
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
