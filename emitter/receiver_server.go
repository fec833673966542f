package emitter

import (
	"context"
	"errors"
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
)

// Serve answers HTTP on ln until ctx is done, then shuts down gracefully:
// in-flight deliveries finish (within DefaultShutdownTimeout) and their
// receipts are reported before Serve returns.
func (r *Receiver) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           r,
		ReadHeaderTimeout: receiverHeaderTimeout,
		ReadTimeout:       receiverReadTimeout,
		IdleTimeout:       receiverIdleTimeout,
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("emitter: receiver: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), DefaultShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if err != nil {
		_ = srv.Close() // still busy: cut the remaining connections
		err = fmt.Errorf("emitter: receiver shutdown: %w", err)
	}
	if serr := <-done; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = fmt.Errorf("emitter: receiver: %w", serr)
	}
	return err
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
