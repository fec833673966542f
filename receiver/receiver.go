package receiver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/orderhooks/orderhooks/drift"
	"github.com/orderhooks/orderhooks/internal/errs"
	"github.com/orderhooks/orderhooks/internal/redact"
	"github.com/orderhooks/orderhooks/provider"
	"github.com/orderhooks/orderhooks/schemas"
	"github.com/orderhooks/orderhooks/wire"
)

// shown is how a receiver prints itself: its secret never (see
// redact.Shown).
type shown = redact.Shown

// Receiver defaults and limits.
const (
	// DefaultBodyLimit bounds a request body; larger ones get 413.
	DefaultBodyLimit = 4 << 20
	// MaxBodyLimit bounds WithBodyLimit.
	MaxBodyLimit = 256 << 20
	// DefaultInflight bounds the bytes of the bodies being read at
	// once; a delivery that would go over is answered 503 with
	// Retry-After, unread, so a flood of large requests costs at most this.
	DefaultInflight = 64 << 20
	// DefaultConns bounds the connections Serve holds open at
	// once; more wait in the listen queue.
	DefaultConns = 512
	// MaxConns bounds WithConns: each connection holds a file descriptor
	// and buffers.
	MaxConns = 100_000
	// DefaultDedupWindow is how many recent message ids a Receiver remembers
	// to spot duplicates; older ids are forgotten, so memory stays bounded.
	DefaultDedupWindow = 1 << 16
)

type config struct {
	limit     int64
	inflight  int64
	conns     int
	validate  bool
	window    int
	record    io.Writer
	onReceipt func(Receipt)
	now       func() time.Time
	capture   CaptureFunc
	forward   *forwarder
}

// Option configures New.
type Option func(*config)

// OptionError is the error of an option New refuses: its Go name, value
// and what is expected. It wraps ErrOptions.
type OptionError = errs.OptionError

// ErrOptions is wrapped by New's errors about options.
var ErrOptions = errors.New("receiver: bad option")

// WithBodyLimit sets the largest accepted body in bytes (default DefaultBodyLimit).
func WithBodyLimit(n int64) Option {
	return func(c *config) { c.limit = n }
}

// WithInflight sets how many bytes of request bodies are read at
// once, over all requests (default DefaultInflight, at least the
// body limit).
func WithInflight(n int64) Option {
	return func(c *config) { c.inflight = n }
}

// WithConns sets how many connections Serve keeps open at once
// (default DefaultConns).
func WithConns(n int) Option {
	return func(c *config) { c.conns = n }
}

// WithValidation turns schema validation of payloads on or off (default on).
func WithValidation(on bool) Option {
	return func(c *config) { c.validate = on }
}

// WithDedupWindow sets how many recent message ids are remembered (default DefaultDedupWindow).
func WithDedupWindow(n int) Option {
	return func(c *config) { c.window = n }
}

// WithRecord writes one JSON line per delivery to w (a Receipt:
// time, id, event, order key, status, outcome, reason; never a payload or
// secret). Each line is one Write call; the first write error is kept
// (see Receiver.Err) and stops recording.
func WithRecord(w io.Writer) Option {
	return func(c *config) { c.record = w }
}

// WithReceiptFunc calls fn for every delivery, one call at a time, after
// the answer is sent, and for a forwarded delivery after its forward
// ended (for `orderhooks receive` lines).
func WithReceiptFunc(fn func(Receipt)) Option {
	return func(c *config) { c.onReceipt = fn }
}

// WithClock sets the clock of Receipt.Time (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// Receiver is the verifying receiver: an http.Handler that accepts POSTed
// deliveries on any path and serves GET /orders/{key}. Each delivery is
// verified by the profile (401 for signature, decryption and timestamp
// problems, 400 for a malformed body), its payload validated against
// schemas.ForEvent (400, and 400 for an event name the provider does not
// send, see ErrUnknownEvent), and
// answered with JSON: {"ok":true,"outcome":"applied"} or
// {"ok":false,"error":"signature mismatch"}. A message id seen before is a
// duplicate and a snapshot older (Received.Time) than the stored one is
// stale: both are answered 200 and not applied. Safe for concurrent use.
type Receiver struct {
	shown   // its profile's secret [redacted] under fmt, JSON and slog
	profile wire.Profile
	// def is the profile's definition: its events, keys and schemas (nil
	// for a profile of no definition: nothing is validated, keys are a
	// top-level id).
	def   *provider.Definition
	cfg   config
	store *store
	mux   *http.ServeMux
	n     counters
	// inflight is the body bytes being read now; handlers the deliveries
	// being handled, which Serve waits for before it returns.
	inflight, handlers atomic.Int64
	// reserved counts the body bytes ever reserved, for Serve's release
	// of memory after a burst.
	reserved atomic.Int64
	receipts receiptOrder

	outMu  sync.Mutex // serializes records and receipt callbacks
	recErr error

	storeMu       sync.Mutex
	firstStoreErr string
}

// counters are the live values behind Stats.
type counters struct {
	received, applied, duplicates, stale, unauthorized, badRequest, tooLarge atomic.Int64
	busy, internal, unanswered, notStored                                    atomic.Int64
}

// Stats counts a Receiver's deliveries by how they were answered.
type Stats struct {
	Received     int64 `json:"received"`
	Applied      int64 `json:"applied"`
	Duplicates   int64 `json:"duplicates"`
	Stale        int64 `json:"stale"`
	Unauthorized int64 `json:"unauthorized"` // 401
	BadRequest   int64 `json:"badRequest"`   // 400: malformed or schema-invalid
	TooLarge     int64 `json:"tooLarge"`     // 413
	Busy         int64 `json:"busy"`         // 503: too many body bytes in flight
	Internal     int64 `json:"internal"`     // 500: a bug, recovered
	// Unanswered counts deliveries (counted above as answered) whose
	// answer could not be sent: the connection was gone.
	Unanswered int64 `json:"unanswered"`
	// NotStored counts deliveries answered 503 because the WithCapture
	// function could not keep them (a full disk, a read-only store);
	// StoreError is the first reason.
	NotStored  int64  `json:"notStored,omitempty"`
	StoreError string `json:"storeError,omitempty"`
	// Forwarded counts the deliveries passed on to the app (WithForward)
	// whose forward has ended, by the app's answer: ForwardOK 2xx,
	// ForwardFailed any other status, no answer, or not sent (its queue
	// full, the receiver stopped first).
	Forwarded     int64 `json:"forwarded,omitempty"`
	ForwardOK     int64 `json:"forwardOK,omitempty"`
	ForwardFailed int64 `json:"forwardFailed,omitempty"`
	// Orders is how many orders have a snapshot.
	Orders int `json:"orders"`
}

// New returns a Receiver verifying with p. Limits out of their range are
// refused with an *OptionError: the body limit must be within
// 1..MaxBodyLimit, the in-flight bytes at least the body limit, the
// connections within 1..MaxConns, the dedup window positive.
func New(p wire.Profile, opts ...Option) (*Receiver, error) {
	cfg := config{limit: DefaultBodyLimit, inflight: DefaultInflight, conns: DefaultConns,
		validate: true, window: DefaultDedupWindow, now: time.Now}
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.check(p); err != nil {
		return nil, err
	}
	r := &Receiver{shown: redact.Show("receiver.Receiver", "provider", p.Name(), "secret"), profile: p, def: definitionOf(p),
		cfg: cfg, store: newStore(cfg.window), mux: http.NewServeMux()}
	r.mux.HandleFunc("POST /", r.deliver)
	r.mux.HandleFunc("GET /orders/{key}", r.order)
	return r, nil
}

// check refuses options New cannot work with.
func (c *config) check(p wire.Profile) error {
	bad := func(option string, value any, want string) error {
		return &OptionError{Package: "receiver", Option: option, Value: fmt.Sprint(value), Want: want, Err: ErrOptions}
	}
	switch {
	case p == nil:
		return bad("profile", "nil", "a wire.Profile")
	case c.limit < 1 || c.limit > MaxBodyLimit:
		return bad("WithBodyLimit", c.limit, fmt.Sprintf("must be between 1 and %d bytes", MaxBodyLimit))
	case c.inflight < c.limit:
		return &OptionError{Package: "receiver", Option: "WithInflight", Value: fmt.Sprint(c.inflight),
			Want: fmt.Sprintf("must be at least the body limit (%d bytes)", c.limit), Other: "WithBodyLimit", Err: ErrOptions}
	case c.conns < 1 || c.conns > MaxConns:
		return bad("WithConns", c.conns, fmt.Sprintf("must be between 1 and %d", MaxConns))
	case c.window < 1:
		return bad("WithDedupWindow", c.window, "must be positive")
	case c.now == nil:
		return bad("WithClock", "nil", "a clock")
	}
	if c.forward != nil {
		if err := c.forward.check(); err != nil {
			return &OptionError{Package: "receiver", Option: "WithForward", Value: redact.URL(c.forward.to.URL),
				Want: "an http:// or https:// URL", Err: ErrOptions}
		}
	}
	return nil
}

// ServeHTTP routes deliveries and order reads.
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) { r.mux.ServeHTTP(w, req) }

// Stats returns the counters so far.
func (r *Receiver) Stats() Stats {
	st := Stats{
		Received:     r.n.received.Load(),
		Applied:      r.n.applied.Load(),
		Duplicates:   r.n.duplicates.Load(),
		Stale:        r.n.stale.Load(),
		Unauthorized: r.n.unauthorized.Load(),
		BadRequest:   r.n.badRequest.Load(),
		TooLarge:     r.n.tooLarge.Load(),
		Busy:         r.n.busy.Load(),
		Internal:     r.n.internal.Load(),
		Unanswered:   r.n.unanswered.Load(),
		NotStored:    r.n.notStored.Load(),
		StoreError:   r.storeErr(),
		Orders:       r.store.len(),
	}
	if f := r.cfg.forward; f != nil {
		// Forwarded is the sum, so that the three agree even while
		// forwards are ending.
		st.ForwardOK, st.ForwardFailed = f.ok.Load(), f.failed.Load()
		st.Forwarded = st.ForwardOK + st.ForwardFailed
	}
	return st
}

// Order returns the newest snapshot of the order with key, as GET
// /orders/{key} serves it.
func (r *Receiver) Order(key string) ([]byte, bool) { return r.store.get(key) }

// Err returns the first error writing the record, if any.
func (r *Receiver) Err() error {
	r.outMu.Lock()
	defer r.outMu.Unlock()
	return r.recErr
}

// Outcome says what a Receiver did with a delivery.
type Outcome string

// Receipt outcomes.
const (
	Applied   Outcome = "applied"   // stored as the order's newest snapshot
	Duplicate Outcome = "duplicate" // message id seen before; answered 2xx, not applied
	Stale     Outcome = "stale"     // older than the stored snapshot; answered 2xx, not applied
	Rejected  Outcome = "rejected"  // answered 4xx
)

// Receipt is one delivery as a Receiver saw it; it is also the record line.
type Receipt struct {
	Time     time.Time `json:"time"`
	ID       string    `json:"id,omitempty"`
	Event    string    `json:"event,omitempty"`
	OrderKey string    `json:"orderKey,omitempty"`
	Status   int       `json:"status"`
	Outcome  Outcome   `json:"outcome"`
	Reason   string    `json:"reason,omitempty"`
	// ResponseError says why the answer never reached the sender (the
	// connection closed first): the sender saw no Status.
	ResponseError string `json:"responseError,omitempty"`
	// Stored is the delivery's id where the WithCapture function kept it
	// (0: not kept); StoreError says why it was not, when it was answered
	// 503 for that.
	Stored     int64  `json:"stored,omitempty"`
	StoreError string `json:"storeError,omitempty"`
	// Forward is what the app answered when the delivery was passed on
	// (WithForward); nil when it was not.
	Forward *Forwarded `json:"forward,omitempty"`
	// Payload is the verified plaintext payload (nil when rejected); it is
	// not part of the record.
	Payload json.RawMessage `json:"-"`
	// Capture is the whole delivery as judged, with WithCapture or
	// WithForward (nil otherwise); it is not part of the record.
	Capture *Capture `json:"-"`

	change change // what applying it did to the order's snapshot
}

// String formats a receipt as one line: time, status, outcome, event, order
// key, message id and the reason of a rejection.
func (rc Receipt) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %d %s", rc.Time.UTC().Format("2006-01-02T15:04:05.000Z"), rc.Status, rc.Outcome)
	for _, f := range [][2]string{{"event", rc.Event}, {"order", rc.OrderKey}, {"id", rc.ID}} {
		if f[1] != "" {
			fmt.Fprintf(&b, " %s=%s", f[0], f[1])
		}
	}
	if rc.Reason != "" {
		fmt.Fprintf(&b, " reason=%q", rc.Reason)
	}
	if rc.ResponseError != "" {
		fmt.Fprintf(&b, " unanswered=%q", rc.ResponseError)
	}
	return b.String()
}

// deliver handles one POSTed delivery. Its receipt is reported once the
// answer has been handed to the connection, and says so if it could not
// be: a receipt never claims an answer the sender did not get. With a
// capture function the delivery is kept before it is answered (503 when
// it cannot be); with a forward target its forward is queued after, and
// its receipt reported when the forward ends.
func (r *Receiver) deliver(w http.ResponseWriter, req *http.Request) {
	r.handlers.Add(1)
	defer r.handlers.Add(-1)
	r.n.received.Add(1)
	rc := Receipt{Time: r.cfg.now(), Outcome: Rejected}
	var c *Capture
	if r.cfg.capture != nil || r.cfg.forward != nil {
		c = &Capture{Time: rc.Time, RemoteAddr: req.RemoteAddr, Method: req.Method, Host: req.Host, Path: req.URL.Path,
			Header: req.Header.Clone(), Provider: r.profile.Name()}
		rc.Capture = c
	}
	rc.Status, rc.Reason = r.safeAccept(req, &rc, c)
	answer := replyBody(rc)
	if c != nil {
		c.Event, c.ID, c.Key = rc.Event, rc.ID, rc.OrderKey
		c.Status, c.Outcome, c.Reason, c.Answer, c.Handled = rc.Status, rc.Outcome, rc.Reason, answer, r.cfg.now().Sub(rc.Time)
	}
	if r.cfg.capture != nil {
		// Kept even when the sender hangs up: the answer may still have
		// reached it. The capture function bounds its own wait.
		id, err := r.cfg.capture(context.WithoutCancel(req.Context()), c)
		if err != nil {
			r.notStored(&rc, err)
			answer = replyBody(rc)
		} else {
			rc.Stored = id
		}
	}
	switch {
	case rc.StoreError != "":
		r.n.notStored.Add(1)
		w.Header().Set("Retry-After", "1")
	case rc.Status == http.StatusRequestEntityTooLarge:
		r.n.tooLarge.Add(1)
	case rc.Status == http.StatusUnauthorized:
		r.n.unauthorized.Add(1)
	case rc.Status == http.StatusBadRequest:
		r.n.badRequest.Add(1)
	case rc.Status == http.StatusServiceUnavailable:
		r.n.busy.Add(1)
		w.Header().Set("Retry-After", "1")
	case rc.Status == http.StatusInternalServerError:
		r.n.internal.Add(1)
	case rc.Outcome == Applied:
		r.n.applied.Add(1)
	case rc.Outcome == Duplicate:
		r.n.duplicates.Add(1)
	case rc.Outcome == Stale:
		r.n.stale.Add(1)
	}
	if r.cfg.forward != nil && c.Verified() && rc.Status < 300 {
		// Queued before the answer is written, in the order of the
		// answers; reported by its queue's worker once the forward ends,
		// or at once when it cannot be queued.
		job, err := r.queueForward(c)
		if err != nil {
			r.reply(w, &rc, answer)
			r.forwardEnded(rc, r.cfg.forward.unsent(err))
			return
		}
		// Handed to its worker even when writing the answer panics (a
		// handler aborted by what wraps it): the worker waits for it, and
		// so would FinishForwards, for ever.
		defer func() {
			if p := recover(); p != nil {
				rc.ResponseError = fmt.Sprintf("the answer was not sent: %v", p)
				r.n.unanswered.Add(1)
				job.sent(rc)
				panic(p)
			}
			job.sent(rc)
		}()
		r.reply(w, &rc, answer)
		return
	}
	prev, mine := r.receipts.take()
	defer close(mine)
	r.reply(w, &rc, answer)
	prev.wait()
	r.report(rc)
}

// reply writes a delivery's answer, noting in rc when it could not be sent.
func (r *Receiver) reply(w http.ResponseWriter, rc *Receipt, answer []byte) {
	if err := writeReply(w, rc.Status, answer); err != nil {
		rc.ResponseError = "the answer was not sent: " + err.Error()
		r.n.unanswered.Add(1)
	}
}

// notStored turns the answer into 503: the delivery could not be kept,
// so the platform must send it again. Its message id is forgotten, so
// that the redelivery is applied (and kept), not taken for a duplicate,
// and the snapshot it applied is taken back: the order's state (what a
// probe reads, what a later delivery is judged stale against) holds only
// deliveries that were answered 2xx.
func (r *Receiver) notStored(rc *Receipt, err error) {
	if rc.Outcome == Applied || rc.Outcome == Stale {
		r.store.forget(rc.ID)
	}
	r.store.undo(rc.change)
	rc.StoreError = err.Error()
	rc.Status, rc.Outcome = http.StatusServiceUnavailable, Rejected
	rc.Reason = "not stored, retry: " + rc.StoreError
	r.storeMu.Lock()
	if r.firstStoreErr == "" {
		r.firstStoreErr = rc.StoreError
	}
	r.storeMu.Unlock()
}

func (r *Receiver) storeErr() string {
	r.storeMu.Lock()
	defer r.storeMu.Unlock()
	return r.firstStoreErr
}

// receiptOrder keeps receipts in the order their answers were decided,
// although each is reported only once its answer is sent: a sender that
// waits for one answer before the next delivery sees its receipts in
// order. A receipt waits for the one before it at most receiptOrderWait,
// so a connection that stalls its answer cannot hold up the others.
// Forwarded deliveries are not in this chain: each is reported by its
// queue's worker when its forward ends, in the order of its queue (those
// of one order in the order they were answered, those of different orders
// possibly out of arrival order), so that one slow forward holds up no
// other queue.
type receiptOrder struct {
	mu   sync.Mutex
	last turn
}

// turn is closed when its receipt has been reported.
type turn chan struct{}

// receiptOrderWait bounds how long a receipt waits for the one before it.
const receiptOrderWait = time.Second

func (o *receiptOrder) take() (prev, mine turn) {
	mine = make(turn)
	o.mu.Lock()
	prev, o.last = o.last, mine
	o.mu.Unlock()
	return prev, mine
}

func (t turn) wait() {
	if t == nil {
		return
	}
	select {
	case <-t:
		return
	default:
	}
	timer := time.NewTimer(receiptOrderWait)
	defer timer.Stop()
	select {
	case <-t:
	case <-timer.C:
	}
}

// safeAccept is accept, a panic (a bug) answered 500 with the reason
// rather than dropping the connection and the delivery with it.
func (r *Receiver) safeAccept(req *http.Request, rc *Receipt, c *Capture) (status int, reason string) {
	defer func() {
		if p := recover(); p != nil {
			status, reason = http.StatusInternalServerError, fmt.Sprintf("internal error (a bug in orderhooks; please report it): %v", p)
		}
	}()
	return r.accept(req, rc, c)
}

// accept verifies, validates and applies a delivery, filling rc (and c,
// when the delivery is captured or forwarded), and returns the status and
// (for 4xx and 5xx) the reason. What the headers alone can refuse is
// refused before the body is read; the body is read only within the
// in-flight budget.
func (r *Receiver) accept(req *http.Request, rc *Receipt, c *Capture) (int, string) {
	if hv, ok := r.profile.(wire.HeaderVerifier); ok {
		if err := hv.VerifyHeader(req.Header); err != nil {
			if c != nil {
				r.verdicts(c, err)
			}
			return verifyStatus(err), reason(err)
		}
	}
	if req.ContentLength > r.cfg.limit {
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("body larger than %d bytes", r.cfg.limit)
	}
	need := req.ContentLength
	if need < 0 {
		need = r.cfg.limit // chunked: as much as it may grow to
	}
	if !r.reserve(need) {
		return http.StatusServiceUnavailable, fmt.Sprintf("busy: more than %d bytes of bodies in flight, retry", r.cfg.inflight)
	}
	defer r.inflight.Add(-need)
	body, status, err := readBody(req, r.cfg.limit)
	if err != nil {
		return status, err.Error()
	}
	got, err := r.profile.Verify(req.Header, body)
	if c != nil {
		c.Body = body
		r.verdicts(c, err)
	}
	if err != nil {
		return verifyStatus(err), reason(err)
	}
	rc.ID, rc.Event = got.ID, got.Event
	if c != nil || r.cfg.validate {
		if e, ok := r.validJSON(got.Event, got.Payload); ok {
			// Valid against its schema, so JSON: nothing to decode.
			rc.OrderKey = r.def.EntityKeyJSON(e, got.Payload)
			if c != nil {
				c.Received, c.Payload, c.SchemaChecked = got, got.Payload, true
			}
			return r.apply(got, rc)
		}
	}
	doc, err := schemas.Decode(got.Payload)
	if err != nil {
		if c != nil {
			c.Malformed = true
		}
		return http.StatusBadRequest, "payload is not JSON: " + strings.TrimPrefix(err.Error(), schemas.ErrInvalidJSON.Error()+": ")
	}
	rc.OrderKey = r.orderKey(got.Event, doc)
	// A captured payload is validated whatever happens next, so that the
	// capture says whether it was valid; otherwise duplicates are not.
	var invalid error
	if c != nil {
		c.Received, c.Payload = got, got.Payload
		invalid = r.validate(got.Event, got.Payload, doc)
		var ve *schemas.ValidationError
		switch {
		case errors.As(invalid, &ve):
			c.SchemaChecked, c.Violations = true, ve.Violations
		case invalid == nil:
			c.SchemaChecked = true
		}
	}
	if got.ID != "" && r.store.seen(got.ID) {
		rc.Outcome = Duplicate
		return http.StatusOK, ""
	}
	if r.cfg.validate {
		if c == nil {
			invalid = r.validate(got.Event, got.Payload, doc)
		}
		if errors.Is(invalid, schemas.ErrInternal) {
			return http.StatusInternalServerError, reason(invalid)
		} else if invalid != nil {
			return http.StatusBadRequest, reason(invalid)
		}
	}
	return r.apply(got, rc)
}

// apply applies a delivery found valid (or not validated) and answers it.
func (r *Receiver) apply(got *wire.Received, rc *Receipt) (int, string) {
	if got.ID != "" && r.store.seen(got.ID) {
		rc.Outcome = Duplicate
		return http.StatusOK, ""
	}
	rc.Outcome, rc.change = r.store.apply(got, rc.OrderKey)
	rc.Payload = got.Payload
	return http.StatusOK, ""
}

// validJSON asks the one-pass check whether payload is valid against
// the schema of a listed event: ok is true only when it is (so the
// payload is JSON). Anything else (an event carried from another
// definition, an unknown one, a schema that does not compile, a payload
// the check refuses) takes the decoding path, which says why.
func (r *Receiver) validJSON(event string, payload []byte) (*provider.Event, bool) {
	if r.def == nil {
		return nil, false
	}
	e, ok := r.def.ListedWire(event)
	if !ok {
		return nil, false
	}
	s, err := e.Schema()
	if err != nil {
		return nil, false
	}
	return e, checker.Valid(s, payload)
}

// reason is the phrase a refused delivery is answered with: err's message
// without its package prefix ("signature mismatch").
func reason(err error) string {
	return strings.TrimPrefix(wire.Reason(err), "receiver: ")
}

// reserve takes n bytes of the in-flight budget, if there are that many.
func (r *Receiver) reserve(n int64) bool {
	for {
		cur := r.inflight.Load()
		if cur+n > r.cfg.inflight {
			return false
		}
		if r.inflight.CompareAndSwap(cur, cur+n) {
			r.reserved.Add(n)
			return true
		}
	}
}

// readBody reads a body of at most limit bytes into a buffer of its
// declared size (no doubling while it grows); a larger body gives 413.
func readBody(req *http.Request, limit int64) ([]byte, int, error) {
	tooLarge := fmt.Errorf("body larger than %d bytes", limit)
	if req.ContentLength > limit {
		return nil, http.StatusRequestEntityTooLarge, tooLarge
	}
	var body []byte
	var err error
	if req.ContentLength >= 0 {
		body = make([]byte, req.ContentLength)
		_, err = io.ReadFull(req.Body, body)
	} else {
		body, err = io.ReadAll(io.LimitReader(req.Body, limit+1))
	}
	switch {
	case err != nil:
		return nil, http.StatusBadRequest, fmt.Errorf("reading the body: %w", err)
	case int64(len(body)) > limit:
		return nil, http.StatusRequestEntityTooLarge, tooLarge
	}
	return body, 0, nil
}

// verifyStatus maps Verify errors: authenticity problems are 401, the rest 400.
func verifyStatus(err error) int {
	for _, s := range []error{wire.ErrMissingSignature, wire.ErrSignatureMismatch, wire.ErrDecrypt, wire.ErrPayloadTooShort, wire.ErrStaleTimestamp} {
		if errors.Is(err, s) {
			return http.StatusUnauthorized
		}
	}
	return http.StatusBadRequest
}

// ErrUnknownEvent is the reason a validating Receiver rejects an event
// name its provider does not send.
var ErrUnknownEvent = errors.New("receiver: unknown event")

// definitionOf is a profile's definition: a compiled definition's, else
// the built-in definition of its name (nil when there is none).
func definitionOf(p wire.Profile) *provider.Definition {
	if d, ok := p.(interface{ Definition() *provider.Definition }); ok {
		return d.Definition()
	}
	def, _ := provider.Builtin(p.Name())
	return def
}

// orderKey is the entity key of a delivery's decoded payload, where the
// definition says its event keeps it.
func (r *Receiver) orderKey(event string, doc any) string {
	if r.def == nil {
		return provider.KeyOf(doc, []string{"/id"})
	}
	e, _ := r.def.ResolvePayload(event, doc)
	return r.def.EntityKey(e, doc)
}

// validate checks a decoded payload against its event's schema; an event
// name the provider does not send is rejected rather than applied
// unchecked.
func (r *Receiver) validate(event string, payload []byte, doc any) error {
	if r.def == nil {
		return nil
	}
	e, ok := r.def.ResolvePayload(event, doc)
	if !ok {
		return fmt.Errorf("%w %q (%s: %s)", ErrUnknownEvent, event, r.profile.Name(), strings.Join(r.def.WireNames(doc), ", "))
	}
	s, err := e.Schema()
	if err != nil {
		return fmt.Errorf("%w: %w", schemas.ErrInternal, err)
	}
	if checker.Valid(s, payload) {
		return nil // the validator would find nothing either, at six times the cost
	}
	return s.Validate(doc)
}

// checker answers first whether a payload is valid; the validator then
// says how an invalid one breaks its schema.
var checker = drift.NewChecker()

// order serves GET /orders/{key}.
func (r *Receiver) order(w http.ResponseWriter, req *http.Request) {
	snap, ok := r.store.get(req.PathValue("key"))
	if !ok {
		writeJSON(w, http.StatusNotFound, reply{Error: "unknown order"})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(snap)
}

// report records the receipt and hands it to the callback.
func (r *Receiver) report(rc Receipt) {
	if r.cfg.record == nil && r.cfg.onReceipt == nil {
		return
	}
	r.outMu.Lock()
	defer r.outMu.Unlock()
	if r.cfg.record != nil && r.recErr == nil {
		line, _ := json.Marshal(rc) // a Receipt always encodes
		if _, err := r.cfg.record.Write(append(line, '\n')); err != nil {
			r.recErr = fmt.Errorf("receiver: writing the receipt record: %w", err)
		}
	}
	if r.cfg.onReceipt != nil {
		r.cfg.onReceipt(rc)
	}
}

// reply is a Receiver's JSON answer: {"ok":true,"outcome":"applied"} or
// {"ok":false,"error":"signature mismatch"}.
type reply struct {
	OK      bool    `json:"ok"`
	Outcome Outcome `json:"outcome,omitempty"`
	Error   string  `json:"error,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v reply) {
	b, _ := json.Marshal(v)                    // a reply always encodes
	_ = writeReply(w, status, append(b, '\n')) // the client may be gone; nothing to do
}

// replyBody is the JSON answer of a delivery's receipt.
func replyBody(rc Receipt) []byte {
	rep := reply{OK: true, Outcome: rc.Outcome}
	if rc.Reason != "" {
		rep = reply{Error: rc.Reason}
	}
	b, _ := json.Marshal(rep) // a reply always encodes
	return append(b, '\n')
}

// writeReply sends the answer whole (with its Content-Length, so nothing
// is left to write once the handler returns) and flushes it to the
// connection, returning the error when it could not be sent.
func writeReply(w http.ResponseWriter, status int, b []byte) error {
	rc := http.NewResponseController(w)
	// A sender that does not read its answers cannot hold this handler.
	_ = rc.SetWriteDeadline(time.Now().Add(receiverWriteTimeout)) // unsupported in-process: nothing to bound
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	if _, err := w.Write(b); err != nil {
		return err
	}
	if err := rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	return nil
}
