// Package httpconn counts a server's connections that are in the middle
// of a request, so that a graceful stop waits for those only.
//
// http.Server.Shutdown also waits for connections that were opened but
// have not sent a request yet (HTTP clients dial spares), up to five
// seconds after they opened: a stop bounded by about that much fails for
// no request at all. A server that sets ConnState to Active.Track can stop
// accepting, wait until Count is 0 (bounded), then Close.
package httpconn

import (
	"net"
	"net/http"
	"sync"
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
