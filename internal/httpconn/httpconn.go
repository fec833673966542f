// Package httpconn counts a server's connections that are in the middle
// of a request, so that a graceful stop waits for those only.
//
// http.Server.Shutdown also waits for connections that were opened but
// have not sent a request yet (HTTP clients dial spares), up to five
// seconds after they opened: a stop bounded by about that much fails for
// no request at all. A server that sets ConnState to Active.Track can stop
// accepting, wait until Count is 0 (bounded), then Close: Stop.
package httpconn

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// Active counts connections in the middle of a request (http.StateActive).
// The zero value is ready; Track is an http.Server's ConnState.
type Active struct {
	mu     sync.Mutex
	states map[net.Conn]http.ConnState
	n      int
}

// Track records c's new state.
func (a *Active) Track(c net.Conn, st http.ConnState) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.states == nil {
		a.states = map[net.Conn]http.ConnState{}
	}
	if a.states[c] == http.StateActive {
		a.n--
	}
	if st == http.StateActive {
		a.n++
	}
	if st == http.StateClosed || st == http.StateHijacked {
		delete(a.states, c)
	} else {
		a.states[c] = st
	}
}

// Count is the number of connections in the middle of a request.
func (a *Active) Count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.n
}

// poll is how often Stop looks at the count.
const poll = 5 * time.Millisecond

// Stop stops srv, whose ConnState is a.Track, serving on ln: it stops
// accepting (closing ln; srv.Serve then returns) and keeping connections
// alive, waits at most timeout for the requests being answered, then
// closes every connection. It returns how many requests were still being
// answered when it gave up waiting (0 when none was).
func (a *Active) Stop(srv *http.Server, ln net.Listener, timeout time.Duration) int {
	srv.SetKeepAlivesEnabled(false)
	_ = ln.Close() // Serve's accept error is expected
	for end := time.Now().Add(timeout); a.Count() > 0 && time.Now().Before(end); {
		time.Sleep(poll)
	}
	busy := a.Count()
	_ = srv.Close()
	return busy
}
