package receiver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/platform"
	"github.com/orderhooks/orderhooks/internal/redact"
	"github.com/orderhooks/orderhooks/wire"
)

// Forwarding defaults.
const (
	// DefaultForwardTimeout bounds one request to the app, answer included.
	DefaultForwardTimeout = 10 * time.Second
	// ForwardExcerpt bounds the app's answer kept in Forwarded.Answer.
	ForwardExcerpt = 4 << 10
)

// ForwardTo says where and how a Receiver passes deliveries on to the
// user's app (WithForward), as `stripe listen --forward-to` does: each
// delivery the receiver accepted (answered 2xx: verified, and valid unless
// validation is off), once its answer has been sent to the platform.
// The answer is flushed to the platform before the forward, so it never
// carries the app's status: a slow or failing app is seen in the results
// (and, with a capture store, kept next to each delivery), not by the
// platform's retries. The forward runs in the request's handler, though:
// the platform's connection is held until it ends (bounded by the client's
// timeout), so a platform that sends several deliveries on one connection
// waits for the app before its next one is read.
type ForwardTo struct {
	// URL is the app's webhook endpoint (http or https).
	URL string
	// Resign, when set, rebuilds each request with this profile from the
	// verified payload: signed with its secret (the app's local one) and,
	// for Phasio, encrypted again, with the delivery's message id, stamped
	// at forwarding time. Nil forwards byte for byte: the captured body and
	// the headers that make the message (not those of the hop it came
	// through: Host, Content-Length, Connection, X-Forwarded-*…).
	Resign wire.Profile
	// Client sends the requests (default: DefaultForwardTimeout, TLS
	// verified, redirects not followed). Its own timeout applies; without
	// one, DefaultForwardTimeout.
	Client *http.Client
	// Done, when set, is called with each result and the delivery's id
	// from the WithCapture function (0 without one), before the receipt is
	// reported: a capture store keeps the app's answer with it there.
	Done func(ctx context.Context, id int64, f Forwarded)
}

// Forwarded is what the app answered one forwarded delivery.
type Forwarded struct {
	URL string `json:"url"`
	// Status is the app's HTTP status (0 when no answer came).
	Status int `json:"status,omitempty"`
	// Latency is from sending the request to reading the answer.
	Latency time.Duration `json:"latencyNs"`
	// Answer is the start of the app's response body (at most
	// ForwardExcerpt bytes); not part of the receipt record.
	Answer []byte `json:"-"`
	// Error says why no answer came (refused, timed out, a request that
	// could not be rebuilt).
	Error string `json:"error,omitempty"`
}

// OK reports whether the app answered 2xx.
func (f Forwarded) OK() bool { return f.Error == "" && f.Status >= 200 && f.Status < 300 }

// WithForward passes the deliveries the receiver accepts on to an app
// (see ForwardTo). New refuses a URL that is not http or https with a host.
func WithForward(to ForwardTo) Option {
	return func(c *config) { c.forward = &forwarder{to: to} }
}

// forwarder sends deliveries on and counts the results.
type forwarder struct {
	to               ForwardTo
	client           *http.Client
	sent, ok, failed atomic.Int64
}

// check validates the target and fills in the defaults.
func (f *forwarder) check() error {
	u, err := url.Parse(f.to.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("not an http:// or https:// URL")
	}
	f.client = f.to.Client
	if f.client == nil {
		f.client = &http.Client{
			Timeout: DefaultForwardTimeout,
			// The app's answer is what counts, not where it points.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	return nil
}

// forward sends one verified delivery to the app and returns its answer.
func (f *forwarder) forward(ctx context.Context, c *Capture, now func() time.Time) Forwarded {
	f.sent.Add(1)
	out := Forwarded{URL: redact.URL(f.to.URL)}
	header, body, err := f.request(c, now)
	if err == nil {
		out.Status, out.Answer, out.Latency, err = f.post(ctx, header, body)
	}
	if err != nil {
		out.Error = redact.Text(err.Error())
	}
	if out.OK() {
		f.ok.Add(1)
	} else {
		f.failed.Add(1)
	}
	return out
}

// request is the request passed on: as received, or rebuilt by Resign.
func (f *forwarder) request(c *Capture, now func() time.Time) (http.Header, []byte, error) {
	if f.to.Resign == nil {
		return wire.MessageHeaders(c.Header), c.Body, nil
	}
	ev, err := eventOf(c)
	if err != nil {
		return nil, nil, err
	}
	req, err := f.to.Resign.Build(&wire.Message{Event: ev, ID: c.ID, Time: now()}, wire.FaultNone)
	if err != nil {
		return nil, nil, fmt.Errorf("re-signing: %s", wire.Reason(err))
	}
	return req.Header, req.Body, nil
}

// eventOf is the event a verified delivery carried, in the generator's
// form: the platform's provider and event name (a Standard Webhooks
// delivery carries a Phasio order or a HappyColis envelope).
func eventOf(c *Capture) (*generator.Event, error) {
	var compact bytes.Buffer
	if err := json.Compact(&compact, c.Payload); err != nil {
		return nil, fmt.Errorf("payload is not JSON: %w", err)
	}
	provider, event := c.Provider, c.Event
	if provider == wire.ProviderStandard {
		var doc any
		_ = json.Unmarshal(c.Payload, &doc) // JSON: compacted above
		provider, event = platform.Origin(c.Event, doc)
	}
	return &generator.Event{Provider: provider, Event: event, OrderKey: c.Key, At: c.Time, Payload: compact.Bytes()}, nil
}

// post sends the request and reads the start of the answer.
func (f *forwarder) post(ctx context.Context, header http.Header, body []byte) (int, []byte, time.Duration, error) {
	if f.client.Timeout == 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultForwardTimeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.to.URL, bytes.NewReader(body))
	if err != nil {
		return 0, nil, 0, err
	}
	for k, vs := range header {
		req.Header[k] = append([]string(nil), vs...)
	}
	if req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := f.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL, which the result names once
		}
		return 0, nil, time.Since(start), err
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, ForwardExcerpt))
	// Drain a little more so the connection can be reused.
	_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
	return resp.StatusCode, answer, time.Since(start), nil
}

// String is the app's answer as a receive line shows it:
// "app 200 4ms", "app error: connection refused".
func (f Forwarded) String() string {
	if f.Error != "" {
		return "app error: " + strings.TrimPrefix(f.Error, "dial tcp ")
	}
	return fmt.Sprintf("app %d %s", f.Status, roundLatency(f.Latency))
}

// roundLatency prints a latency as people read it: 4ms, 120µs, 1.2s.
func roundLatency(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(100 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(time.Millisecond).String()
	}
	return d.Round(time.Microsecond).String()
}
