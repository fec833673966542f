package emitter

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/orderhooks/orderhooks/drift"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/redact"
	"github.com/orderhooks/orderhooks/schemas"
	"github.com/orderhooks/orderhooks/wire"
)

// worker delivers its jobs one after the other: the orders (and strict
// FIFO targets) pinned to it keep their order, retries included.
type worker struct {
	e     *Emitter
	ctx   context.Context
	in    chan *job
	st    *stats
	rec   *recorder
	pace  *pacer
	rnd   *rand.Rand
	block map[*Target]string // strict FIFO targets blocked, and by what
	// h1 is the worker's own connections for the direct path (nil when
	// the emitter was given a client), direct each target's view of it
	// (nil: the target goes through net/http).
	h1     *h1Client
	direct map[*Target]*h1Target
	// body is where Build writes the bodies it makes for the direct
	// path (wire.Message.Buf): the worker sends one request at a time,
	// each copied into the connection's write buffer, and the recorder
	// writes its record before the attempt returns, so the next Build may
	// reuse the memory instead of allocating a body per delivery. noBody:
	// a body that had room was made elsewhere (a profile that sends the
	// payload itself, stamped or not), so the worker keeps no buffer.
	body   []byte
	noBody bool
}

// maxBodyBuf bounds the body buffer a worker keeps.
const maxBodyBuf = 1 << 20

func newWorker(e *Emitter, ctx context.Context, st *stats, rec *recorder, pace *pacer, seed int64) *worker {
	w := &worker{e: e, ctx: ctx, in: make(chan *job, queueSize), st: st, rec: rec, pace: pace,
		rnd: rand.New(rand.NewPCG(uint64(seed), 0x6a6974746572)), block: map[*Target]string{}}
	if e.direct {
		w.h1, w.direct = newH1Client(e.directTimeout), map[*Target]*h1Target{}
	}
	return w
}

// send makes one attempt: over the worker's own connection when the
// target allows the direct path, else through the client.
func (w *worker) send(ctx context.Context, j *job) (*Response, error) {
	if d := w.directTo(j.target); d != nil {
		return w.h1.deliver(ctx, d, j.req)
	}
	return Deliver(ctx, w.e.client, j.target.URL, j.req)
}

// directTo returns the direct path's view of t, nil when t goes through
// the client.
func (w *worker) directTo(t *Target) *h1Target {
	if w.h1 == nil {
		return nil
	}
	d, ok := w.direct[t]
	if !ok {
		d = directTarget(t)
		w.direct[t] = d
	}
	return d
}

// build makes j's request. On the direct path the body is made in the
// worker's buffer (net/http may still read a request body after the
// answer came, so that path gets a body of its own).
func (w *worker) build(j *job) (*wire.Request, error) {
	msg := &wire.Message{Event: j.ev, ID: j.id, Time: w.e.cfg.now()}
	direct := w.directTo(j.target) != nil && !w.noBody
	if direct {
		msg.Buf = w.body
	}
	req, err := j.target.Profile.Build(msg, j.faults.request())
	if err != nil || !direct {
		return req, err
	}
	switch n := len(req.Body); {
	case n == 0 || sameMemory(req.Body, w.body):
	case n <= cap(w.body):
		w.body, w.noBody = nil, true
	case n <= maxBodyBuf && !sameMemory(req.Body, j.ev.Payload):
		// Made elsewhere for want of room: sized for the next ones.
		w.body = make([]byte, 0, min(n+n/4, maxBodyBuf))
	}
	return req, nil
}

// sameMemory reports whether a and b start at the same byte.
func sameMemory(a, b []byte) bool {
	return len(a) > 0 && cap(b) > 0 && &a[0] == &b[:1][0]
}

// loop runs until the producer closes in; once the run is interrupted
// the remaining jobs are dropped unsent (and unnumbered).
func (w *worker) loop() {
	if w.h1 != nil {
		defer w.h1.close()
	}
	for j := range w.in {
		if w.ctx.Err() == nil && !w.st.over() {
			w.deliver(j)
		}
	}
}

// deliver makes one delivery (and its duplicate), counting and recording
// it. A panic (a bug) fails this delivery, recorded with the reason,
// instead of the whole run.
func (w *worker) deliver(j *job) {
	defer func() {
		if r := recover(); r != nil {
			w.unsent(j, fmt.Sprintf("not sent: internal error (a bug in orderhooks; please report it): %v", r))
		}
	}()
	if by, ok := w.block[j.target]; ok {
		w.st.blocked.Add(1)
		w.unsent(j, fmt.Sprintf("not sent: the FIFO queue of %s is blocked by message %s", redact.URL(j.target.URL), by))
		return
	}
	if w.e.cfg.validate {
		if err := validatePayload(w.e.cfg.schemas, j.ev); err != nil {
			w.st.invalid.Add(1)
			w.unsent(j, "not sent: invalid payload: "+err.Error())
			return
		}
	}
	if j.delay > 0 && sleep(w.ctx, j.delay) != nil {
		return
	}
	if j.req == nil {
		req, err := w.build(j)
		if err != nil {
			w.unsent(j, "not sent: "+err.Error())
			return
		}
		j.req = req
		w.addHeaders(req.Header)
	}
	obs := w.e.cfg.observer
	if obs != nil {
		obs.Sending(j.ev)
	}
	status, sent, cause := w.attempts(j)
	if sent == 0 {
		if obs != nil {
			obs.Delivered(Delivered{Event: j.ev})
		}
		return // interrupted before the first attempt: not a delivery
	}
	w.st.finished(status, j.faults, cause)
	if obs != nil {
		obs.Delivered(Delivered{Event: j.ev, Status: status, Valid: j.faults.request() == wire.FaultNone, Sent: true})
	}
	// A forgery's rejection is the expected outcome, and a platform never
	// sends forgeries: only a valid delivery that failed blocks the queue.
	if !ok2xx(status) && strictFIFO(j.target) && !w.e.cfg.unblock && j.faults.request() == wire.FaultNone {
		w.block[j.target] = fmt.Sprintf("%s (delivery %d)", j.id, j.n)
	}
	if j.dup && w.ctx.Err() == nil {
		dup := *j
		dup.n, dup.dup, dup.delay = 0, false, 0
		dup.faults = dup.faults.with(wire.FaultDuplicate)
		w.deliver(&dup)
	}
}

func ok2xx(status int) bool { return status >= 200 && status < 300 }

// addHeaders sets the configured extra headers and the default
// User-Agent, so the record shows the headers as sent.
func (w *worker) addHeaders(h http.Header) {
	for k, vs := range w.e.cfg.header {
		h[k] = append([]string(nil), vs...)
	}
	if h.Get("User-Agent") == "" {
		h.Set("User-Agent", "orderhooks")
	}
}

// unsent numbers, counts and records a delivery that was not sent. No
// fault was injected into it, so none is counted or recorded.
func (w *worker) unsent(j *job, why string) {
	if j.n == 0 {
		j.n = w.st.number.Add(1)
	}
	w.st.finished(0, 0, "")
	if obs := w.e.cfg.observer; obs != nil {
		obs.Delivered(Delivered{Event: j.ev, Valid: true})
	}
	if w.rec != nil {
		w.rec.write(&Record{Time: w.e.cfg.now(), Delivery: j.n, ID: j.id, URL: redact.URL(j.target.URL), Event: j.ev,
			Error: redact.Text(why)})
	}
}

// attempts sends j until it is answered 2xx, gets a final answer, runs
// out of retries or the run is interrupted, and returns the last status
// (0: no answer, then cause says why), and how many attempts were sent.
func (w *worker) attempts(j *job) (status, sent int, cause string) {
	for attempt := 1; ; attempt++ {
		if w.pace.wait(w.ctx) != nil {
			return status, attempt - 1, cause
		}
		resp, err := w.attempt(j, attempt)
		status, cause = 0, ""
		if resp != nil {
			status = resp.Status
		}
		if status == 0 && err != nil {
			cause = failureCause(err)
		}
		switch {
		case ok2xx(status):
			return status, attempt, cause
		case w.ctx.Err() != nil || attempt > w.e.cfg.retries || !retryable(status, err):
			return status, attempt, cause
		case sleep(w.ctx, w.retryWait(attempt, resp)) != nil:
			return status, attempt, cause
		}
	}
}

// attempt sends j once, numbering the delivery on its first attempt, and
// counts and records the attempt.
func (w *worker) attempt(j *job, attempt int) (*Response, error) {
	if j.n == 0 {
		j.n = w.st.number.Add(1)
	}
	started := w.e.cfg.now()
	ctx, cancel := w.ctx, context.CancelFunc(func() {})
	if w.e.ownTimeout {
		ctx, cancel = context.WithTimeout(w.ctx, w.e.cfg.timeout)
	}
	resp, err := w.send(ctx, j)
	cancel()
	w.st.attempts.Add(1)
	if attempt > 1 {
		w.st.retries.Add(1)
	}
	if resp != nil && resp.Status != 0 {
		w.st.latency(resp.Latency)
	}
	if w.rec != nil {
		r := &Record{Time: started, Delivery: j.n, ID: j.id, Attempt: attempt, URL: redact.URL(j.target.URL), Event: j.ev,
			Faults: j.faults.list(), Delay: j.delay,
			Request: &RecordedRequest{Header: recordedHeader(j.req.Header, w.e.cfg.header), Body: j.req.Body}}
		if resp != nil {
			r.Latency = resp.Latency
			if resp.Status != 0 {
				r.Response = recordedResponse(resp, j.target.Secret, w.e.cfg.header)
			}
			if resp.BodyError != nil {
				r.Error = redact.Text(resp.BodyError.Error())
			}
		}
		if err != nil {
			r.Error = redact.Text(err.Error())
		}
		w.rec.write(r)
	}
	return resp, err
}

// retryable: connection errors, timeouts, 408, 429 and 5xx may pass on a
// second try; any other answer is final.
func retryable(status int, err error) bool {
	if status == 0 {
		return err != nil
	}
	return status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500
}

// retryWait is the wait before retry number attempt: the answer's
// Retry-After if it has one, else exponential backoff with jitter.
func (w *worker) retryWait(attempt int, resp *Response) time.Duration {
	if resp != nil && resp.Header != nil {
		// An HTTP date is the server's wall clock, not the message clock.
		if d, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return min(d, MaxRetryAfter)
		}
	}
	d := w.e.cfg.backoff
	for i := 1; i < attempt && d < MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, MaxBackoff)
	if d <= 1 {
		return d
	}
	return d/2 + time.Duration(w.rnd.Int64N(int64(d/2)+1))
}

// retryAfter parses a Retry-After value: delay seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(min(s, int64(MaxRetryAfter/time.Second))) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// validatePayload checks an event's payload against its schema in set
// (the embedded schemas when nil); events without a schema pass.
func validatePayload(set *schemas.Set, ev *generator.Event) error {
	name, err := schemas.ForEvent(ev.Provider, ev.Event, false)
	if err != nil {
		return nil // an event without a schema (ErrUnknownSchema)
	}
	if set != nil {
		return set.Validate(name, ev.Payload)
	}
	if checker.ValidEmbedded(name, ev.Payload) {
		return nil // the validator would find nothing either, at several times the cost
	}
	return schemas.MustGet(name).ValidateJSON(ev.Payload)
}

// checker answers first whether a payload is valid, in one pass over its
// bytes; the validator then says how an invalid one breaks its schema.
var checker = drift.NewChecker()
