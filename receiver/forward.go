package receiver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
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
	// ForwardQueues is how many queues of forwards wait for the app, each
	// sent by one worker, one forward at a time: a delivery goes to the
	// queue of its order key.
	ForwardQueues = 4
	// ForwardQueueLen is how many forwards wait in one queue, besides the
	// one its worker is sending.
	ForwardQueueLen = 64
)

// The errors of forwards that were never sent (Forwarded.Error says them).
var (
	// ErrForwardQueueFull: the delivery's queue (or the in-flight budget)
	// was full when it was answered.
	ErrForwardQueueFull = errors.New("forward queue full: the app is slower than the platform")
	// ErrNotForwarded: the receiver stopped before the forward's turn came.
	ErrNotForwarded = errors.New("not forwarded: receive stopped")
)

// ForwardTo says where and how a Receiver passes deliveries on to the
// user's app (WithForward), as `stripe listen --forward-to` does: each
// delivery the receiver accepted (answered 2xx: verified, and valid unless
// validation is off), once its answer has been sent to the platform.
//
// The platform is answered at once and never waits for the app: the
// handler queues the forward and returns, so the platform's connection is
// free for its next delivery, and the answer never carries the app's
// status (a slow or failing app is seen in the results and, with a
// capture store, kept next to each delivery, not by the platform's
// retries). Forwards wait in ForwardQueues queues of ForwardQueueLen,
// chosen by the delivery's order key (its message id without one), each
// sent by one worker: the deliveries of one order reach the app in the
// order they were answered, one at a time, while different orders
// proceed in parallel. A queued forward keeps its bytes counted in the
// in-flight budget (WithInflight) until it ends. When its queue is full,
// or the budget cannot take it, the delivery is still answered as decided
// and its forward is at once a failed one (ErrForwardQueueFull); nothing
// is dropped unrecorded. A backlog that fills the budget leaves no room
// to read the next deliveries, which are then answered 503 (busy, with
// Retry-After) until the app catches up. Duplicates are forwarded too. A
// forwarded delivery's receipt is reported when its forward ends: those
// of one order in the order they were answered, those of different
// orders possibly out of arrival order. Serve, once it has stopped
// answering, gives the queued forwards up to the client's timeout to end,
// then cancels the requests in flight and records each forward still
// queued as failed (ErrNotForwarded); serving the Receiver yourself, call
// FinishForwards, which also stops its workers.
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
	// reported: a capture store keeps the app's answer with it there. It
	// is called from the forwarding workers, several at once, and for
	// every forwarded delivery before Serve returns.
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

// shown is how ForwardTo prints itself: the URL with its userinfo
// redacted (an app's URL may carry credentials) and the re-signing
// profile by name, never its secret.
func (t ForwardTo) shown() redact.Shown {
	resign := "none"
	if t.Resign != nil {
		resign = t.Resign.Name() + " " + redact.Mark
	}
	return redact.Show("receiver.ForwardTo", "url", redact.URL(t.URL), "resign", resign)
}

// String, GoString, Format, MarshalJSON and LogValue show the URL, its
// userinfo redacted, and the re-signing profile's name.
func (t ForwardTo) String() string                { return t.shown().String() }
func (t ForwardTo) GoString() string              { return t.shown().GoString() }
func (t ForwardTo) Format(f fmt.State, verb rune) { t.shown().Format(f, verb) }
func (t ForwardTo) MarshalJSON() ([]byte, error)  { return t.shown().MarshalJSON() }
func (t ForwardTo) LogValue() slog.Value          { return t.shown().LogValue() }

// WithForward passes the deliveries the receiver accepts on to an app
// (see ForwardTo). New refuses a URL that is not http or https with a host.
func WithForward(to ForwardTo) Option {
	return func(c *config) { c.forward = &forwarder{to: to} }
}

// forwarder sends deliveries on, from its queues, and counts the results.
type forwarder struct {
	to         ForwardTo
	client     *http.Client
	ok, failed atomic.Int64

	// mu orders the sends to the queues with their closing.
	mu               sync.Mutex
	started, stopped bool
	queues           [ForwardQueues]chan *forwardJob
	workers          sync.WaitGroup
	// stopCtx is cancelled (stop) when the shutdown's grace is over: the
	// requests in flight are cancelled, the forwards left are not sent.
	stopCtx context.Context
	stop    context.CancelFunc
}

// forwardJob is a delivery waiting for its forward, with the bytes it
// holds in the in-flight budget. It is queued before the delivery's
// answer is written, so that the queue keeps the order of the answers;
// answered is closed once the answer has been sent (and rc says how).
type forwardJob struct {
	answered chan struct{}
	rc       Receipt
	reserved int64
}

// sent hands the job its receipt, once the answer has been sent.
func (j *forwardJob) sent(rc Receipt) {
	j.rc = rc
	close(j.answered)
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
// A panic (a bug, in re-signing say) is its forward's error: it runs in a
// worker, where nothing else would recover it and the whole receiver
// would stop.
func (f *forwarder) forward(ctx context.Context, c *Capture, now func() time.Time) (out Forwarded) {
	out = Forwarded{URL: redact.URL(f.to.URL)}
	defer func() {
		if p := recover(); p != nil {
			out.Status, out.Answer, out.Error = 0, nil, fmt.Sprintf("internal error (a bug in orderhooks; please report it): %v", p)
		}
	}()
	header, body, err := f.request(c, now)
	if err == nil {
		out.Status, out.Answer, out.Latency, err = f.post(ctx, header, body)
	}
	switch {
	case err != nil && ctx.Err() != nil:
		out.Error = errStoppedInFlight
	case err != nil:
		out.Error = redact.Text(err.Error())
	}
	return out
}

// errStoppedInFlight is the error of a forward cancelled by the shutdown
// while the app had not answered.
const errStoppedInFlight = "receive stopped before the app answered"

// unsent is the result of a forward that was not sent, for err.
func (f *forwarder) unsent(err error) Forwarded {
	return Forwarded{URL: redact.URL(f.to.URL), Error: err.Error()}
}

// grace is how long the queued forwards have to end once Serve stops:
// the client's timeout.
func (f *forwarder) grace() time.Duration {
	if f.client.Timeout > 0 {
		return f.client.Timeout
	}
	return DefaultForwardTimeout
}

// queueOf is the queue of a delivery: by its order key, so that the
// deliveries of one order are forwarded in turn, else by its message id.
func queueOf(c *Capture) int {
	h := fnv.New32a()
	if c.Key != "" {
		_, _ = h.Write([]byte(c.Provider))
		_, _ = h.Write([]byte{0})
		_, _ = h.Write([]byte(c.Key))
	} else {
		_, _ = h.Write([]byte(c.ID))
	}
	return int(h.Sum32() % ForwardQueues)
}

// queueForward queues the forward of an accepted delivery, before its
// answer is written (see forwardJob). It returns ErrForwardQueueFull when
// its queue is full or the in-flight budget cannot hold its bytes,
// ErrNotForwarded once forwarding has finished.
func (r *Receiver) queueForward(c *Capture) (*forwardJob, error) {
	f := r.cfg.forward
	n := int64(len(c.Body) + len(c.Payload))
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stopped {
		return nil, ErrNotForwarded
	}
	if !f.started {
		f.started = true
		f.stopCtx, f.stop = context.WithCancel(context.Background())
		for i := range f.queues {
			f.queues[i] = make(chan *forwardJob, ForwardQueueLen)
			f.workers.Add(1)
			go r.forwardQueue(f.queues[i])
		}
	}
	if !r.reserve(n) {
		return nil, ErrForwardQueueFull
	}
	j := &forwardJob{answered: make(chan struct{}), reserved: n}
	select {
	case f.queues[queueOf(c)] <- j:
		return j, nil
	default:
		r.inflight.Add(-n)
		return nil, ErrForwardQueueFull
	}
}

// forwardQueue is the worker of one queue: it forwards its deliveries one
// at a time, in the order they were queued, until the queue is closed and
// empty. Once the grace is over, the forwards left are recorded unsent.
func (r *Receiver) forwardQueue(q <-chan *forwardJob) {
	f := r.cfg.forward
	defer f.workers.Done()
	for j := range q {
		<-j.answered
		var out Forwarded
		if f.stopCtx.Err() != nil {
			out = f.unsent(ErrNotForwarded)
		} else {
			out = f.forward(f.stopCtx, j.rc.Capture, r.cfg.now)
		}
		r.forwardEnded(j.rc, out)
		r.inflight.Add(-j.reserved)
	}
}

// forwardEnded counts a forward's result, hands it to Done and reports
// the delivery's receipt with it.
func (r *Receiver) forwardEnded(rc Receipt, out Forwarded) {
	f := r.cfg.forward
	if out.OK() {
		f.ok.Add(1)
	} else {
		f.failed.Add(1)
	}
	rc.Forward = &out
	if f.to.Done != nil {
		f.to.Done(context.Background(), rc.Stored, out)
	}
	r.report(rc)
}

// FinishForwards ends forwarding (WithForward) and returns once every
// forward has been recorded: deliveries answered from now on are not
// forwarded (ErrNotForwarded), the queued forwards are sent until ctx is
// done, then the requests in flight are cancelled and the forwards still
// queued recorded as failed (ErrNotForwarded), each passed to Done and
// reported. Serve calls it once it has stopped answering, with the
// client's timeout as the grace (a later Serve forwards again); call it
// after http.Server.Shutdown when serving the Receiver yourself. It waits
// at most DefaultShutdownTimeout more once ctx is done, and says so in
// its error when the forwards have not all ended by then (a Done function
// that does not return). Without forwarding it does nothing.
func (r *Receiver) FinishForwards(ctx context.Context) error {
	f := r.cfg.forward
	if f == nil {
		return nil
	}
	f.mu.Lock()
	if !f.stopped && f.started {
		for _, q := range f.queues {
			close(q)
		}
	}
	f.stopped = true
	started := f.started
	f.mu.Unlock()
	if !started {
		return nil
	}
	done := make(chan struct{})
	go func() {
		f.workers.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		f.stop()
		timer := time.NewTimer(finishWait)
		defer timer.Stop()
		select {
		case <-done:
		case <-timer.C:
			return fmt.Errorf("receiver: forwards still under way %s after they were cancelled (a Done function that does not return?)", finishWait)
		}
	}
	f.stop()
	return nil
}

// finishWait bounds FinishForwards' wait once its context is done.
var finishWait = DefaultShutdownTimeout

// resumeForwards lets a Receiver whose forwarding was finished (by an
// earlier Serve) forward again: its workers start with the next forward.
func (r *Receiver) resumeForwards() {
	f := r.cfg.forward
	if f == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stopped {
		f.stopped, f.started = false, false
	}
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
	answer, err := io.ReadAll(io.LimitReader(resp.Body, ForwardExcerpt))
	if err != nil {
		// The status came, the answer did not whole: not a success.
		return resp.StatusCode, answer, time.Since(start), fmt.Errorf("answered %d, then the answer was cut short: %w", resp.StatusCode, err)
	}
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
