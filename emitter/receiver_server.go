package emitter

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Server timeouts of Receiver.Serve.
const (
	// DefaultShutdownTimeout bounds how long Serve waits for in-flight
	// deliveries once its context is done.
	DefaultShutdownTimeout = 5 * time.Second
	receiverHeaderTimeout  = 10 * time.Second
	receiverReadTimeout    = 30 * time.Second
	receiverIdleTimeout    = 90 * time.Second
	shutdownPoll           = 5 * time.Millisecond
)

// Serve answers HTTP on ln until ctx is done, then shuts down gracefully:
// it stops accepting, lets in-flight deliveries finish (within
// DefaultShutdownTimeout) so their receipts are reported, and closes the
// remaining connections before returning.
func (r *Receiver) Serve(ctx context.Context, ln net.Listener) error {
	var active activeConns
	srv := &http.Server{
		Handler:           r,
		ReadHeaderTimeout: receiverHeaderTimeout,
		ReadTimeout:       receiverReadTimeout,
		IdleTimeout:       receiverIdleTimeout,
		ConnState:         active.track,
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("emitter: receiver: %w", err)
	case <-ctx.Done():
	}
	// http.Server.Shutdown would wait up to 5s for connections that were
	// opened but never sent a request (HTTP clients dial spares); only
	// connections in the middle of a request matter here.
	srv.SetKeepAlivesEnabled(false)
	_ = ln.Close() // stop accepting; Serve's accept error is expected and dropped
	deadline := time.Now().Add(DefaultShutdownTimeout)
	for active.count() > 0 && time.Now().Before(deadline) {
		time.Sleep(shutdownPoll)
	}
	busy := active.count()
	_ = srv.Close() // idle and never-used connections
	<-done
	if busy > 0 {
		return fmt.Errorf("emitter: receiver shutdown: %d requests still in flight after %s", busy, DefaultShutdownTimeout)
	}
	return nil
}

// activeConns counts connections in the middle of a request.
type activeConns struct {
	mu     sync.Mutex
	states map[net.Conn]http.ConnState
	n      int
}

func (a *activeConns) track(c net.Conn, st http.ConnState) {
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

func (a *activeConns) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.n
}

// ReceiverServer is a Receiver listening on a loopback port, like
// httptest.Server. The caller should call Close when finished.
type ReceiverServer struct {
	*Receiver
	// URL is the base URL, http://ipaddr:port with no trailing slash.
	URL string

	cancel    context.CancelFunc
	done      chan error
	closeOnce sync.Once
	closeErr  error
}

// StartReceiver starts NewReceiver(p, opts...) on 127.0.0.1:0, or [::1]:0
// when IPv4 loopback is unavailable.
func StartReceiver(p Profile, opts ...ReceiverOption) (*ReceiverServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		if ln, err = net.Listen("tcp6", "[::1]:0"); err != nil {
			return nil, fmt.Errorf("emitter: receiver: no loopback address to listen on: %w", err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &ReceiverServer{
		Receiver: NewReceiver(p, opts...),
		URL:      "http://" + ln.Addr().String(),
		cancel:   cancel,
		done:     make(chan error, 1),
	}
	go func() { s.done <- s.Serve(ctx, ln) }()
	return s, nil
}

// Close stops the server, waiting for in-flight deliveries, and returns
// the first error of serving or recording. Later calls return the same.
func (s *ReceiverServer) Close() error {
	s.closeOnce.Do(func() {
		s.cancel()
		if s.closeErr = <-s.done; s.closeErr == nil {
			s.closeErr = s.Err()
		}
	})
	return s.closeErr
}
