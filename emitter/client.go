package emitter

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/orderhooks/orderhooks/internal/errs"
	"github.com/orderhooks/orderhooks/internal/input"
	"github.com/orderhooks/orderhooks/wire"
)

// Delivery defaults, shared by the library and the CLI flags.
const (
	// DefaultTimeout bounds one request: connect, send, and read the response.
	DefaultTimeout = 10 * time.Second
	// DefaultMaxResponseBody is how much of a response body is kept.
	DefaultMaxResponseBody = 64 << 10
)

// ErrClientConfig is wrapped by NewClient for a bad TLS configuration.
var ErrClientConfig = errors.New("emitter: client configuration")

// ClientOptions configure NewClient.
type ClientOptions struct {
	// Timeout bounds each request (DefaultTimeout when zero).
	Timeout time.Duration
	// Insecure skips TLS certificate verification (for self-signed staging
	// receivers); verification is on by default.
	Insecure bool
	// CAFile adds the PEM certificates in this file (at most 4 MiB) to the
	// trusted roots.
	CAFile string
	// MaxConnsPerHost bounds connections to one receiver (0: no bound); the
	// idle pool keeps as many, so workers reuse their connections.
	MaxConnsPerHost int
}

// NewClient returns an HTTP client for deliveries: one timeout per request,
// connection reuse sized for concurrent workers, TLS verified by default, and
// no redirects followed (a webhook sender reports the 3xx instead).
func NewClient(o ClientOptions) (*http.Client, error) {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: o.Insecure} //nolint:gosec // opt-in --insecure
	if o.CAFile != "" {
		pem, err := input.ReadFile(o.CAFile, input.CAFile)
		if err != nil {
			return nil, errs.Mark(err, ErrClientConfig) // names the file
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, &OptionError{Package: "emitter", Option: "ClientOptions", Field: "CAFile", Value: o.CAFile,
				Want: "no PEM certificates found", Err: ErrClientConfig}
		}
		tlsConf.RootCAs = pool
	}
	idle := o.MaxConnsPerHost
	if idle <= 0 {
		idle = 64
	}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: o.Timeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       tlsConf,
		TLSHandshakeTimeout:   o.Timeout,
		ResponseHeaderTimeout: o.Timeout,
		MaxIdleConns:          idle * 4,
		MaxIdleConnsPerHost:   idle,
		MaxConnsPerHost:       o.MaxConnsPerHost,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
		// Webhook answers are small, and a sender that asks for gzip
		// pays for it on every request.
		DisableCompression: true,
		// A request's headers and body in one write, for most payloads.
		WriteBufferSize: 64 << 10,
		ReadBufferSize:  16 << 10,
	}
	return &http.Client{
		Transport:     ownTransport{tr},
		Timeout:       o.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, nil
}

// ownTransport marks the transport of a client NewClient made: an
// Emitter with such a client (or none) may send to plain http:// targets
// over its workers' own connections (h1.go), which a client made
// elsewhere, with its own transport, must not be bypassed for.
type ownTransport struct{ *http.Transport }

// ownClientTimeout returns the timeout of a client NewClient made, and
// whether c is one.
func ownClientTimeout(c *http.Client) (time.Duration, bool) {
	_, ok := c.Transport.(ownTransport)
	return c.Timeout, ok
}

// HandlerClient returns a client that serves every request in-process with
// h, whatever the URL's host: no port, no network. It lets the verifier and
// users' go tests target an http.Handler.
func HandlerClient(h http.Handler) *http.Client {
	return &http.Client{
		Transport:     handlerTransport{h},
		Timeout:       DefaultTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	var panicked any
	go func() {
		defer close(done)
		defer func() { panicked = recover() }()
		t.h.ServeHTTP(rec, req)
	}()
	select {
	case <-done:
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	if panicked != nil {
		return nil, fmt.Errorf("emitter: handler panicked: %v", panicked)
	}
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// Response is what came back for one delivery.
type Response struct {
	Status int
	Header http.Header
	// Body holds at most DefaultMaxResponseBody bytes; Truncated says more came.
	Body      []byte
	Truncated bool
	// BodyError says why the body could not be read whole (the connection
	// broke after the status line); the status stands all the same.
	BodyError error
	Latency   time.Duration
}

// Deliver POSTs one request to url with c and reads at most
// DefaultMaxResponseBody bytes of the answer. A transport error (refused,
// timeout, TLS) is returned as the error, with the latency so far. Once a
// status has come back the delivery has its answer: a body that then
// fails to arrive is Response.BodyError, not an error, so the emitter and
// the contract checks judge such an answer alike, by its status.
func Deliver(ctx context.Context, c *http.Client, url string, r *wire.Request) (*Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(r.Body))
	if err != nil {
		return nil, err
	}
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	if req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "orderhooks")
	}
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return &Response{Latency: time.Since(start)}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, DefaultMaxResponseBody+1))
	out := &Response{Status: resp.StatusCode, Header: resp.Header, Latency: time.Since(start)}
	if len(body) > DefaultMaxResponseBody {
		body, out.Truncated = body[:DefaultMaxResponseBody], true
		// Drain a little more so the connection can be reused.
		io.CopyN(io.Discard, resp.Body, 256<<10)
	}
	out.Body = body
	if err != nil {
		out.BodyError = fmt.Errorf("emitter: reading the response body: %w", err)
	}
	return out, nil
}
