package emitter

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/errs"
	"github.com/orderhooks/orderhooks/internal/ids"
	"github.com/orderhooks/orderhooks/internal/progress"
	"github.com/orderhooks/orderhooks/internal/redact"
	"github.com/orderhooks/orderhooks/internal/splitmix"
	"github.com/orderhooks/orderhooks/provider"
	"github.com/orderhooks/orderhooks/schemas"
	"github.com/orderhooks/orderhooks/wire"
)

// Engine defaults, shared by the library and the CLI flags.
const (
	// DefaultConcurrency is how many workers deliver at once.
	DefaultConcurrency = 8
	// MaxConcurrency bounds WithConcurrency: each worker costs memory and
	// a connection, and no receiver test needs more in parallel.
	MaxConcurrency = 10_000
	// MaxRetries bounds WithRetries.
	MaxRetries = 100
	// DefaultRetries is how many times a failed attempt is retried.
	DefaultRetries = 3
	// DefaultBackoff is the wait before the first retry; it doubles with
	// each retry (up to MaxBackoff), with jitter.
	DefaultBackoff = 500 * time.Millisecond
	// MaxBackoff caps the computed backoff.
	MaxBackoff = time.Minute
	// MaxRetryAfter caps how long a Retry-After answer makes a worker wait.
	MaxRetryAfter = 5 * time.Minute
	// DefaultSeed seeds fault choices, jitter and message ids.
	DefaultSeed = generator.DefaultSeed
	// MinRate and MaxRate bound WithRate (besides 0, no limit): one
	// request an hour at the slowest, and beyond a million a second the
	// limit would not limit.
	MinRate = 1.0 / 3600
	MaxRate = 1e6
	// progressInterval is how often the progress line is redrawn.
	progressInterval = 200 * time.Millisecond
	// queueSize is each worker's backlog; the source waits when it is full,
	// so memory stays flat however long the run.
	queueSize = 64
)

// Errors of New and Run.
var (
	// ErrOptions is wrapped by New for options that make no sense.
	ErrOptions = errors.New("emitter: bad options")
	// ErrInterrupted is wrapped by Run when its context ended first; the
	// Summary is still returned.
	ErrInterrupted = errors.New("emitter: run interrupted")
	// ErrProviderMismatch is matched by a ProviderError.
	ErrProviderMismatch = errors.New("emitter: event of another platform")
	// errDurationOver stops the source when WithDuration's time is up.
	errDurationOver = errors.New("emitter: the run's duration is over")
)

// ProviderError stops a run at an event its target's profile cannot carry
// (a HappyColis envelope sent as a Phasio order, say): every later
// delivery would fail the same way.
type ProviderError struct {
	// Line is the event's line in a replayed file (0 when unknown).
	Line int
	// Provider is the event's platform, Profile the target profile's name.
	Provider, Profile string
}

func (e *ProviderError) Error() string {
	at := ""
	if e.Line > 0 {
		at = fmt.Sprintf("line %d: ", e.Line)
	}
	return fmt.Sprintf("emitter: %sa %s event for the %s profile", at, e.Provider, e.Profile)
}

// Is makes errors.Is(err, ErrProviderMismatch) hold.
func (e *ProviderError) Is(target error) bool { return target == ErrProviderMismatch }

// carries reports whether a profile can deliver an event of provider: its
// own platform's, or any for the Standard Webhooks profile.
func carries(profile, provider string) bool {
	return profile == provider || profile == wire.ProviderStandard
}

type config struct {
	concurrency int
	rate        float64
	retries     int
	backoff     time.Duration
	timeout     time.Duration
	client      *http.Client
	header      http.Header
	faults      Faults
	seed        int64
	record      io.Writer
	progress    io.Writer
	validate    bool
	schemas     *schemas.Set
	unblock     bool
	now         func() time.Time
	clockSet    bool
	total       int64
	duration    time.Duration
	observer    Observer
	lines       io.Writer
	linesEvery  time.Duration
}

// Option configures New.
type Option func(*config)

// WithConcurrency sets how many deliveries run at once (default
// DefaultConcurrency, at most MaxConcurrency). Workers start when the
// first order is pinned to them, so a high bound costs nothing unused.
func WithConcurrency(n int) Option { return func(c *config) { c.concurrency = n } }

// WithRate caps attempts per second over all workers (0, the default: no
// cap; otherwise between MinRate and MaxRate).
func WithRate(perSecond float64) Option { return func(c *config) { c.rate = perSecond } }

// WithRetries sets how many times an attempt is retried after a
// connection error, a timeout, 408, 429 or 5xx (default DefaultRetries,
// at most MaxRetries). Other answers are final.
func WithRetries(n int) Option { return func(c *config) { c.retries = n } }

// WithBackoff sets the wait before the first retry (default
// DefaultBackoff); retry k waits backoff·2^(k-1), capped at MaxBackoff,
// jittered to between half and all of it, unless the answer carried a
// Retry-After (seconds or HTTP date), which is obeyed up to MaxRetryAfter.
func WithBackoff(d time.Duration) Option { return func(c *config) { c.backoff = d } }

// WithTimeout bounds each attempt (default DefaultTimeout).
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithClient sets the HTTP client (default: NewClient with the timeout and
// a connection pool of the concurrency's size). HandlerClient delivers to
// an http.Handler in-process. With a client NewClient made (or the
// default), each worker sends to plain http:// targets that no proxy
// stands before over a connection of its own, written and read on its
// goroutine (request line, headers and body in one write): the same
// requests and the same reading of the answers, for about half the
// sender's CPU per request; https://, proxied targets and any other
// client go through the client.
func WithClient(c *http.Client) Option { return func(cf *config) { cf.client = c } }

// WithHeader adds headers to every request, over the profile's own. Each
// must pass CheckHeader.
func WithHeader(h http.Header) Option { return func(c *config) { c.header = h.Clone() } }

// WithTotal tells the progress line how many events the source will yield
// (generator.Generator.Events, the lines of a file), so it can show the
// share done and an ETA; 0 (the default) means unknown.
func WithTotal(events int64) Option { return func(c *config) { c.total = events } }

// WithDuration ends the run after d (0, the default: when the source
// ends): the source is read no further, deliveries not yet started are
// dropped unsent and uncounted, and those under way finish. Ending so is
// no interruption: the summary is complete and Run returns no error. With
// an endless source (a generator of unbounded orders) it is a soak test.
func WithDuration(d time.Duration) Option { return func(c *config) { c.duration = d } }

// WithProgressLines writes the progress line as a plain line every
// interval on w (a CI log, where a redrawn line cannot be), and once more
// when the run ends.
func WithProgressLines(w io.Writer, every time.Duration) Option {
	return func(c *config) { c.lines, c.linesEvery = w, every }
}

// Observer follows each delivery, e.g. to reconcile what a receiver
// applied with what it acknowledged (contracts.Reconciler). Its methods
// are called from the workers, concurrently for different orders; the
// deliveries of one order (but for a strict FIFO target's, all of them)
// are made by one worker, so an order's calls come one at a time, in
// delivery order. They must return quickly: the worker waits.
type Observer interface {
	// Sending is called before a delivery's first attempt.
	Sending(ev *generator.Event)
	// Delivered is called when a delivery ended, sent or not.
	Delivered(d Delivered)
}

// Delivered is one delivery as it ended.
type Delivered struct {
	// Event is what was delivered; it must not be changed.
	Event *generator.Event
	// Status is the final HTTP status (0: no answer, or not sent).
	Status int
	// Valid is false for a forgery (tamper, bad-signature, wrong-key),
	// which the receiver must not apply.
	Valid bool
	// Sent is false for a delivery never sent (blocked, invalid).
	Sent bool
}

// OK reports whether the receiver acknowledged a valid delivery (2xx):
// it must then hold the delivered snapshot, or a newer one.
func (d Delivered) OK() bool { return d.Valid && d.Sent && ok2xx(d.Status) }

// WithObserver calls o for every delivery (see Observer).
func WithObserver(o Observer) Option { return func(c *config) { c.observer = o } }

// WithFaults sets the faults to inject (default none).
func WithFaults(f Faults) Option { return func(c *config) { c.faults = f } }

// WithSeed seeds fault choices, retry jitter and message ids (default
// DefaultSeed): the same seed and events give the same faults, and, with
// the same clock (WithClock), the same ids.
func WithSeed(seed int64) Option { return func(c *config) { c.seed = seed } }

// WithRecord writes one Record per attempt to w as JSONL, each line
// flushed when its attempt ends (see ReadRecords).
func WithRecord(w io.Writer) Option { return func(c *config) { c.record = w } }

// WithProgress redraws a live progress line on w (a terminal): sent, 2xx,
// failed, retries, rate and p50/p99 latency; the line ends when Run does.
func WithProgress(w io.Writer) Option { return func(c *config) { c.progress = w } }

// WithValidate validates each payload against its schema
// (schemas.ForEvent) before sending; an invalid payload is not sent and
// its delivery fails (Summary.Invalid). Events without a schema are sent.
func WithValidate(on bool) Option { return func(c *config) { c.validate = on } }

// WithSchemas validates with another schema set (the embedded schemas
// with an overlay applied, schemas.Overlay.Apply) instead of the embedded
// ones.
func WithSchemas(set *schemas.Set) Option { return func(c *config) { c.schemas = set } }

// WithUnblock changes what a strict FIFO target (HappyColis) does after a
// delivery exhausts its retries: by default the queue stays blocked, as
// the platform's does, and the target's later deliveries are not sent
// (Summary.Blocked); with WithUnblock(true) the queue moves on.
func WithUnblock(on bool) Option { return func(c *config) { c.unblock = on } }

// WithClock sets the clock of message times and record times (default
// time.Now). Its time when Run starts is mixed into message ids, so two
// runs send different ids, as a platform does; with the default clock a
// random number is mixed in too (two runs started in the same nanosecond,
// by two processes, still differ), while a pinned clock reproduces ids.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now, c.clockSet = now, true }
}

// Emitter delivers events to targets: signed by each target's profile,
// concurrently, with retries, rate limit, fault injection and a record.
//
// Ordering: events of one order never overtake each other and never run
// concurrently, because each order is pinned to one worker (by a hash of
// its order key) that delivers its events one after the other, retries
// included; different orders run in parallel on different workers. A
// strict FIFO target (HappyColis: one queue per integration) is pinned to
// one worker as a whole, so all its events go one at a time in source
// order and a failing delivery holds everything behind it until it
// succeeds or exhausts its retries (see WithUnblock).
//
// An Emitter is immutable; Run may be called several times.
type Emitter struct {
	shown   // its targets' secrets and its headers [redacted] under fmt, JSON and slog
	targets Targets
	cfg     config
	client  *http.Client
	// ownTimeout: the client does not bound requests to the timeout
	// itself, so each attempt gets a context deadline.
	ownTimeout bool
	// direct: the client is one NewClient made, so the workers may send
	// to plain http:// targets over their own connections (h1.go), each
	// attempt bounded by directTimeout.
	direct        bool
	directTimeout time.Duration
}

// OptionError is the error of an option New or Replay refuses: its Go name
// (Option, and Field of a struct option such as WithFaults), the value and
// what is expected. It wraps ErrOptions.
type OptionError = errs.OptionError

// check refuses option values the engine cannot work with.
func (c *config) check() error {
	bad := func(option string, value any, want string) error {
		return &OptionError{Package: "emitter", Option: option, Value: fmt.Sprint(value), Want: want, Err: ErrOptions}
	}
	switch {
	case c.concurrency < 1 || c.concurrency > MaxConcurrency:
		return bad("WithConcurrency", c.concurrency, fmt.Sprintf("must be between 1 and %d", MaxConcurrency))
	case c.rate != 0 && !(c.rate >= MinRate && c.rate <= MaxRate): // NaN fails both
		return bad("WithRate", c.rate, fmt.Sprintf("0 (no limit) or between %.6g and %.0f requests per second", MinRate, MaxRate))
	case c.retries < 0 || c.retries > MaxRetries:
		return bad("WithRetries", c.retries, fmt.Sprintf("must be between 0 and %d", MaxRetries))
	case c.backoff < 0:
		return bad("WithBackoff", c.backoff, "must not be negative")
	case c.timeout <= 0:
		return bad("WithTimeout", c.timeout, "must be positive")
	case c.duration < 0:
		return bad("WithDuration", c.duration, "must not be negative")
	case c.lines != nil && c.linesEvery <= 0:
		return bad("WithProgressLines", c.linesEvery, "must be positive")
	}
	if err := c.faults.check(); err != nil {
		return err
	}
	for k, vs := range c.header {
		for _, v := range vs {
			if err := CheckHeader(k, v); err != nil {
				return errs.Mark(err, ErrOptions)
			}
		}
	}
	return nil
}

// New returns an Emitter delivering to t (OneTarget for a single URL).
func New(t Targets, opts ...Option) (*Emitter, error) {
	cfg := config{
		concurrency: DefaultConcurrency,
		retries:     DefaultRetries,
		backoff:     DefaultBackoff,
		timeout:     DefaultTimeout,
		seed:        DefaultSeed,
		now:         time.Now,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if err := t.check(); err != nil {
		return nil, err
	}
	e := &Emitter{shown: redact.Show("emitter.Emitter", "secrets"), targets: t, cfg: cfg, client: cfg.client}
	if e.client == nil {
		c, err := NewClient(ClientOptions{Timeout: cfg.timeout, MaxConnsPerHost: cfg.concurrency})
		if err != nil {
			return nil, err
		}
		e.client = c
	}
	e.ownTimeout = e.client.Timeout <= 0 || e.client.Timeout > cfg.timeout
	if timeout, ok := ownClientTimeout(e.client); ok {
		e.direct, e.directTimeout = true, min(timeout, cfg.timeout)
	}
	return e, nil
}

// item is one delivery to make, before faults: an event, or (exact
// replay) a recorded request to send again byte for byte.
type item struct {
	ev    *generator.Event
	id    string        // message id; derived from the seed, run epoch and Seq when empty
	line  int           // line in the replayed file, for errors (0: unknown)
	exact *wire.Request // send these bytes instead of building
	wait  time.Duration
}

// job is one delivery handed to a worker.
type job struct {
	n      int64 // delivery number, given when it is sent or found unsendable
	ev     *generator.Event
	id     string
	target *Target
	req    *wire.Request
	faults faultSet
	delay  time.Duration
	dup    bool // send a duplicate right after
	// pos is the source position, for reorder's hold window; held marks a
	// job waiting for its order's next event.
	pos  int64
	held bool
}

// Run delivers every event of src and returns what happened. It returns
// when every delivery has ended; when ctx ends first, requests in flight
// are cancelled (and recorded), queued events are dropped, and the
// partial Summary is returned with an error wrapping ErrInterrupted. A
// source error stops the run too, after the queued deliveries.
func (e *Emitter) Run(ctx context.Context, src generator.Source) (*Summary, error) {
	if err := e.requireProfiles(); err != nil {
		return nil, err
	}
	return e.run(ctx, func(yield func(item) error) error {
		return src(func(ev *generator.Event) error { return yield(item{ev: ev}) })
	})
}

// run is Run over items: the producer (this goroutine) draws faults,
// applies reorder and hands jobs to the workers.
func (e *Emitter) run(ctx context.Context, items func(yield func(item) error) error) (*Summary, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	st := newStats(e.cfg.total)
	var rec *recorder
	if e.cfg.record != nil {
		rec = newRecorder(e.cfg.record)
	}
	if e.cfg.duration > 0 {
		st.end = st.start.Add(e.cfg.duration)
	}
	if e.cfg.progress != nil {
		line := progress.Start(e.cfg.progress, true, progressInterval, st.progressLine)
		defer line.Stop()
	}
	if e.cfg.lines != nil {
		lines := progress.Lines(e.cfg.lines, e.cfg.linesEvery, st.progressLine)
		defer lines.Stop()
	}
	var pace *pacer
	if e.cfg.rate > 0 {
		pace = &pacer{interval: time.Duration(float64(time.Second) / e.cfg.rate)}
	}
	p := &producer{e: e, ctx: ctx, st: st, workers: make([]*worker, e.cfg.concurrency),
		draw: newFaultDraw(e.cfg.faults, e.cfg.seed), held: map[string]*job{}, start: time.Now(), run: e.runID(),
		newWorker: func(i int) *worker { return newWorker(e, ctx, st, rec, pace, e.cfg.seed+int64(i)) }}
	err := items(p.add)
	if err == nil || errors.Is(err, errDurationOver) {
		err = p.flush()
	}
	p.close()
	sum := st.summary()
	if ctx.Err() != nil && (err == nil || errors.Is(err, ctx.Err())) {
		sum.Interrupted = true
		return sum, fmt.Errorf("%w: %w", ErrInterrupted, context.Cause(ctx))
	}
	if err == nil {
		err = rec.error()
	}
	return sum, err
}

// runID is mixed into the run's message ids: the clock's time at the
// start of the run and, unless the clock was pinned (WithClock), random
// bits, so that no two runs share an id.
func (e *Emitter) runID() uint64 {
	id := uint64(e.cfg.now().UnixNano())
	if !e.cfg.clockSet {
		var b [8]byte
		_, _ = crand.Read(b[:]) // never fails on supported platforms
		id ^= binary.BigEndian.Uint64(b[:])
	}
	return id
}

// producer turns items into jobs in source order. Only it draws faults,
// so fault choices do not depend on scheduling.
type producer struct {
	e         *Emitter
	ctx       context.Context
	st        *stats
	workers   []*worker // started on first use
	newWorker func(i int) *worker
	wg        sync.WaitGroup
	draw      *faultDraw
	pos       int64
	start     time.Time
	// run distinguishes this run's message ids from any other run's.
	run uint64
	// maxSeq is the highest source seq so far: an event whose seq is not
	// higher (a second file concatenated, a hand-written file) is
	// renumbered after it, so seqs stay unique within the run.
	maxSeq int64
	// held are reordered jobs waiting for their order's next event, by
	// order key; queue keeps them in source order for the hold window.
	held  map[string]*job
	queue []*job
}

func (p *producer) add(it item) error {
	if err := p.ctx.Err(); err != nil {
		return err
	}
	if p.st.over() {
		return errDurationOver
	}
	if it.wait > 0 {
		if err := sleep(p.ctx, time.Until(p.start.Add(it.wait))); err != nil {
			return err
		}
	}
	if it.ev == nil {
		return fmt.Errorf("%w: nil event", wire.ErrBadMessage)
	}
	tg, err := p.e.targets.For(it.ev.Event)
	if err != nil {
		return err
	}
	if it.exact == nil && tg.Profile != nil && !carries(tg.Profile.Name(), it.ev.Provider) {
		return &ProviderError{Line: it.line, Provider: it.ev.Provider, Profile: tg.Profile.Name()}
	}
	p.pos++
	ev := it.ev
	// Recorded deliveries keep their ids, and a recording repeats a seq
	// on purpose (a duplicate); other events' ids derive from their
	// position, and their seqs are made unique.
	if it.id == "" && ev.Seq <= p.maxSeq {
		c := *ev // the source's event stays as it was
		c.Seq = p.maxSeq + 1
		ev = &c
		p.st.renumbered.Add(1)
	}
	p.maxSeq = max(p.maxSeq, ev.Seq)
	j := &job{ev: ev, id: it.id, target: tg, req: it.exact, pos: p.pos}
	if j.id == "" {
		j.id = messageID(p.e.cfg.seed, p.run, p.pos)
		if tg.Profile != nil {
			j.id = wire.MessageID(tg.Profile, j.id)
		}
	}
	reorder := p.draw.chance(p.e.cfg.faults.Reorder)
	j.faults, j.delay = p.draw.next()
	if j.faults.has(wire.FaultDuplicate) {
		j.faults &^= bit(wire.FaultDuplicate)
		j.dup = true
	}
	key := ev.OrderKey
	if prev := p.held[key]; prev != nil {
		delete(p.held, key)
		prev.held = false
		prev.faults = prev.faults.with(wire.FaultReorder)
		if err := p.dispatch(j); err != nil {
			return err
		}
		return p.dispatch(prev)
	}
	if reorder {
		j.held = true
		p.held[key] = j
		p.queue = append(p.queue, j)
	} else if err := p.dispatch(j); err != nil {
		return err
	}
	return p.release(p.pos - reorderWindow)
}

// release sends held jobs from before source position pos, in source
// order. They found no later event of their order to swap with, but
// events after them went first all the same: they carry the reorder
// fault too.
func (p *producer) release(pos int64) error {
	for len(p.queue) > 0 && p.queue[0].pos <= pos {
		j := p.queue[0]
		p.queue[0] = nil
		p.queue = p.queue[1:]
		if !j.held {
			continue
		}
		delete(p.held, j.ev.OrderKey)
		j.held = false
		j.faults = j.faults.with(wire.FaultReorder)
		if err := p.dispatch(j); err != nil {
			return err
		}
	}
	return nil
}

// flush sends the jobs still held at the end of the source.
func (p *producer) flush() error { return p.release(p.pos) }

// dispatch queues a job on its worker, starting the worker if needed.
func (p *producer) dispatch(j *job) error {
	i := p.shard(j)
	w := p.workers[i]
	if w == nil {
		w = p.newWorker(i)
		p.workers[i] = w
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			w.loop()
		}()
	}
	select {
	case w.in <- j:
		return nil
	case <-p.ctx.Done():
		return p.ctx.Err()
	}
}

// close lets the workers finish their queues and waits for them.
func (p *producer) close() {
	for _, w := range p.workers {
		if w != nil {
			close(w.in)
		}
	}
	p.wg.Wait()
}

// shard pins an order (or a whole strict FIFO target) to one worker.
func (p *producer) shard(j *job) int {
	h := fnv.New32a()
	if strictFIFO(j.target) {
		h.Write([]byte(j.target.URL))
	} else {
		h.Write([]byte(j.ev.OrderKey))
	}
	return int(h.Sum32() % uint32(len(p.workers)))
}

// strictFIFO reports whether a target's platform delivers through one
// blocking queue per integration, as its definition says (HappyColis:
// ordering fifo, a failure blocks).
func strictFIFO(t *Target) bool {
	if t.Profile == nil {
		return false
	}
	d, ok := t.Profile.(interface{ Definition() *provider.Definition })
	if !ok {
		return t.Profile.Name() == generator.ProviderHappyColis
	}
	dl := d.Definition().Delivery()
	return dl.Ordering == provider.OrderingFIFO && dl.OnFailure == provider.OnFailureBlock
}

// messageID derives a message id (a version 4 UUID) from the seed, the
// run and the event's position in the source: unique within a run
// whatever the events (retries and duplicates keep their delivery's id),
// fresh in the next run, reproducible with a pinned clock.
func messageID(seed int64, run uint64, pos int64) string {
	a := splitmix.Mix(uint64(seed) ^ splitmix.Mix(uint64(pos)^splitmix.Mix(run)))
	b := splitmix.Mix(a)
	var u [16]byte
	binary.BigEndian.PutUint64(u[:8], a)
	binary.BigEndian.PutUint64(u[8:], b)
	return ids.UUID(u)
}

// pacer spaces attempts over all workers to the rate limit; a pacer that
// fell behind does not burst to catch up.
type pacer struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time
}

func (p *pacer) wait(ctx context.Context) error {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	now := time.Now()
	t := p.next
	if t.Before(now) {
		t = now
	}
	p.next = t.Add(p.interval)
	p.mu.Unlock()
	return sleep(ctx, t.Sub(now))
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
