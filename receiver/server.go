package receiver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/orderhooks/orderhooks/internal/httpconn"
	"github.com/orderhooks/orderhooks/internal/redact"
	"github.com/orderhooks/orderhooks/wire"
)

// Server timeouts of Receiver.Serve.
const (
	// DefaultShutdownTimeout bounds how long Serve waits for in-flight
	// deliveries once its context is done.
	DefaultShutdownTimeout = 5 * time.Second
	receiverHeaderTimeout  = 10 * time.Second
	receiverReadTimeout    = 30 * time.Second
	receiverIdleTimeout    = 90 * time.Second
	receiverWriteTimeout   = 10 * time.Second
	// receiverHeaderBytes bounds a request's headers (net/http's default
	// is 1 MiB a connection).
	receiverHeaderBytes = 64 << 10
	shutdownPoll        = 5 * time.Millisecond
)

// Serve answers HTTP on ln until ctx is done, then shuts down gracefully:
// it stops accepting, lets in-flight deliveries finish (within
// DefaultShutdownTimeout) so their receipts are reported, closes the
// remaining connections and waits for their handlers, then lets the
// queued forwards end (FinishForwards, within the forward client's
// timeout) before returning. It
// holds at most the configured number of connections (WithConns)
// and 64 KiB of headers per request.
func (r *Receiver) Serve(ctx context.Context, ln net.Listener) error {
	var active httpconn.Active
	r.resumeForwards()
	ln = newLimitListener(ln, r.cfg.conns)
	srv := &http.Server{
		Handler:           r,
		ReadHeaderTimeout: receiverHeaderTimeout,
		ReadTimeout:       receiverReadTimeout,
		IdleTimeout:       receiverIdleTimeout,
		MaxHeaderBytes:    receiverHeaderBytes,
		ConnState:         active.Track,
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	go r.releaseMemory(ctx)
	select {
	case err := <-done:
		return fmt.Errorf("receiver: %w", err)
	case <-ctx.Done():
	}
	// http.Server.Shutdown would wait up to 5s for connections that were
	// opened but never sent a request (HTTP clients dial spares); only
	// connections in the middle of a request matter here.
	busy := active.Stop(srv, ln, DefaultShutdownTimeout)
	<-done
	// A handler whose connection was just closed under it still reports
	// its receipt (marked unanswered); wait for it, briefly: its writes
	// fail at once.
	for end := time.Now().Add(DefaultShutdownTimeout); r.handlers.Load() > 0 && time.Now().Before(end); {
		time.Sleep(shutdownPoll)
	}
	// The queued forwards, now that nothing more is queued: within the
	// client's timeout, then cancelled and recorded as not forwarded.
	var ferr error
	if f := r.cfg.forward; f != nil {
		fctx, cancel := context.WithTimeout(context.Background(), f.grace())
		ferr = r.FinishForwards(fctx)
		cancel()
	}
	if busy > 0 {
		return errors.Join(fmt.Errorf("receiver shutdown: %d requests still in flight after %s", busy, DefaultShutdownTimeout), ferr)
	}
	return ferr
}

// releaseEvery and releaseAfter: every releaseEvery, when at least
// releaseAfter bytes of bodies were read since the last look and none is
// being read now, Serve hands the garbage of the burst back to the
// operating system. Without it the bodies of a flood stay resident until
// the runtime's next forced collection (minutes) and longer.
const (
	releaseEvery = 2 * time.Second
	releaseAfter = 32 << 20
)

// releaseMemory returns memory to the operating system after bursts of
// body bytes, until ctx is done.
func (r *Receiver) releaseMemory(ctx context.Context) {
	t := time.NewTicker(releaseEvery)
	defer t.Stop()
	last := r.reserved.Load()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if now := r.reserved.Load(); now-last >= releaseAfter && r.inflight.Load() == 0 {
			last = now
			debug.FreeOSMemory()
		}
	}
}

// limitListener holds at most n accepted connections open at once; Accept
// waits for one to close (the others queue in the kernel's backlog).
type limitListener struct {
	net.Listener
	slots     chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

func newLimitListener(ln net.Listener, n int) *limitListener {
	return &limitListener{Listener: ln, slots: make(chan struct{}, n), done: make(chan struct{})}
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitConn{Conn: c, release: func() { <-l.slots }}, nil
}

func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// limitConn gives its slot back once, when closed.
type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// Server is a Receiver listening on a loopback port, like
// httptest.Server. The caller should call Close when finished.
type Server struct {
	shown // its profile's secret [redacted] under fmt, JSON and slog
	*Receiver
	// URL is the base URL, http://ipaddr:port with no trailing slash.
	URL string

	cancel    context.CancelFunc
	done      chan error
	closeOnce sync.Once
	closeErr  error
}

// Start starts New(p, opts...) on 127.0.0.1:0, or [::1]:0
// when IPv4 loopback is unavailable.
func Start(p wire.Profile, opts ...Option) (*Server, error) {
	r, err := New(p, opts...)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		if ln, err = net.Listen("tcp6", "[::1]:0"); err != nil {
			return nil, fmt.Errorf("receiver: no loopback address to listen on: %w", err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		shown:    redact.Show("receiver.Server", "url", "http://"+ln.Addr().String(), "secret"),
		Receiver: r,
		URL:      "http://" + ln.Addr().String(),
		cancel:   cancel,
		done:     make(chan error, 1),
	}
	go func() { s.done <- s.Serve(ctx, ln) }()
	return s, nil
}

// Close stops the server, waiting for in-flight deliveries and their
// forwards (see Serve), and returns
// the first error of serving or recording. Later calls return the same.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.cancel()
		if s.closeErr = <-s.done; s.closeErr == nil {
			s.closeErr = s.Err()
		}
	})
	return s.closeErr
}
