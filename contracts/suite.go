package contracts

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/errs"
	"github.com/orderhooks/orderhooks/internal/redact"
	"github.com/orderhooks/orderhooks/wire"
)

// Suite is a configured contract suite for one provider. It is immutable
// and can run against many targets.
type Suite struct {
	shown    // the provider's secret [redacted] under fmt, JSON and slog
	provider Provider
	profile  wire.Profile
	cfg      config
	compare  []Comparison
	checks   []check // selected by WithOnly, in run order
}

// New checks the provider and options once, so configuration errors
// (wrapping ErrConfig) surface before anything is sent.
func New(p Provider, opts ...Option) (*Suite, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	s := &Suite{shown: redact.Show("contracts.Suite", "provider", p.name, "secret"), provider: p, cfg: cfg, profile: p.profile}
	if s.profile == nil && p.secret != "" {
		prof, err := buildProfile(p)
		if err != nil {
			return nil, err
		}
		s.profile = prof
	}
	ptrs := cfg.compare
	if ptrs == nil {
		ptrs = p.compare
	}
	for _, spec := range ptrs {
		c, err := ParseComparison(spec)
		if err != nil {
			return nil, err // the provider's defaults, checked by the tests
		}
		s.compare = append(s.compare, c)
	}
	if cfg.probe != "" {
		if _, err := newProber(cfg.probe, &url.URL{Scheme: "http", Host: "localhost"}, nil); err != nil {
			return nil, err
		}
	}
	if err := checkScenarios(p); err != nil {
		return nil, err
	}
	if err := cfg.checkSelected(p); err != nil {
		return nil, err
	}
	for _, c := range registry {
		if len(cfg.only) == 0 || slices.Contains(cfg.only, c.Name) {
			s.checks = append(s.checks, c)
		}
	}
	s.checks = shardChecks(s.checks, cfg.shard)
	return s, nil
}

// Checks lists the checks Run runs, in order (all of them unless WithOnly).
func (s *Suite) Checks() []Check {
	out := make([]Check, len(s.checks))
	for i, c := range s.checks {
		out[i] = c.Check
	}
	return out
}

// Run sends the preflight delivery (ErrUnreachable when it gets no
// answer), runs every selected check in order and returns the report. A
// run stops early when the receiver stops answering (MaxNoAnswer) or the
// deadline (WithDeadline) passes: the checks left are reported "not run"
// and the report fails. When ctx ends, the running check is reported
// interrupted and Run returns the report with ctx's error.
func (s *Suite) Run(ctx context.Context, t Target) (*Report, error) {
	se, err := s.Start(ctx, t)
	if err != nil {
		return nil, err
	}
	defer se.Close()
	for _, c := range s.checks {
		se.Check(c.Name)
	}
	return se.Report(), ctx.Err()
}

// Session is one run of a Suite against one target, for callers that run
// checks one at a time (e.g. as go test subtests). It is not safe for
// concurrent use.
type Session struct {
	shown   // the secrets [redacted] under fmt, JSON and slog
	suite   *Suite
	parent  context.Context // the caller's
	ctx     context.Context // parent with the run's deadline
	cancel  context.CancelFunc
	client  *http.Client
	url     string // the base URL (of the default route)
	routes  map[string]*route
	def     *route // for events without a route of their own
	target  string
	probe   *prober
	started time.Time
	base    time.Time // send time of a lifecycle's first event (Standard Webhooks)
	epoch   int64     // mixed into delivery ids so reruns with one seed are new messages
	life    *lifecycle
	results []Result

	current   string      // the check running, for the deliveries it sends
	log       []*delivery // every delivery, in send order
	noAnswer  int         // deliveries in a row without an answer
	answered  bool        // some delivery got an HTTP answer
	stop      *Stop       // why the run stopped early, once it has
	preflight []*delivery // one per route
	probed    bool        // probeMistakes ran
	variants  []variant   // its mistaken deliveries
	clock     *clockProbe // its timestamp probe (Standard Webhooks)
	recordErr error

	entities  int             // schema-driven entities generated so far
	keyOwner  map[string]int  // key → the entity first sent with it
	keyShared map[string]bool // keys sent for more than one entity
}

// errDeadline is the cause of a session context ended by WithDeadline.
var errDeadline = errors.New("contracts: the run's deadline was reached")

// Start prepares a session: it resolves the target and the probe and
// sends one valid delivery (the preflight) to see that the receiver
// answers; ErrUnreachable when MaxNoAnswer tries get no answer. Any HTTP
// answer will do: what came back is in Report.Preflight, and a rejection
// is diagnosed. The probe, when set, must answer too.
func (s *Suite) Start(ctx context.Context, t Target) (*Session, error) {
	se, err := s.session(ctx, t)
	if err != nil {
		return nil, err
	}
	if err := se.sendPreflight(); err != nil {
		se.Close()
		return nil, err
	}
	se.probeMistakes()
	if se.probe != nil {
		// Any HTTP answer (a 404 for this unknown key included) shows the
		// probe is there; a probe that cannot be reached would otherwise
		// surface as failed state checks.
		ctx, cancel := context.WithTimeout(se.ctx, s.cfg.timeout)
		r := se.probe.get(ctx, "orderhooks-reachability-check")
		cancel()
		if r.status == 0 && r.err != nil {
			se.Close()
			return nil, errs.Mark(fmt.Errorf("contracts: probe %s: unreachable: %w", redact.URL(r.url), r.err), ErrUnreachable)
		}
	}
	return se, nil
}

// session resolves the target, client and probe, without sending anything.
func (s *Suite) session(ctx context.Context, t Target) (*Session, error) {
	u, err := t.parse()
	if err != nil {
		return nil, err
	}
	se := &Session{shown: redact.Show("contracts.Session", "target", t.String(), "secret"), suite: s, parent: ctx, url: u.String(), target: t.String(), started: time.Now()}
	if err := se.resolveRoutes(t); err != nil {
		return nil, err
	}
	se.ctx, se.cancel = ctx, func() {}
	if s.cfg.deadline > 0 {
		se.ctx, se.cancel = context.WithTimeoutCause(ctx, s.cfg.deadline, errDeadline)
	}
	now := s.cfg.clock()
	se.base, se.epoch = now.Add(-time.Minute).Truncate(time.Second), now.UnixNano()
	switch {
	case t.handler != nil:
		se.client = emitter.HandlerClient(t.handler)
	case s.cfg.client != nil:
		se.client = s.cfg.client
	default:
		if se.client, err = s.cfg.defaultClient(); err != nil {
			se.cancel()
			return nil, fmt.Errorf("%w: %w", ErrConfig, err)
		}
	}
	if s.cfg.probe != "" {
		if se.probe, err = newProber(s.cfg.probe, u, se.client); err != nil {
			se.cancel()
			return nil, err
		}
		se.probe.timeout = s.cfg.timeout
	}
	return se, nil
}

// route is where deliveries of some events go and how they are signed.
type route struct {
	url     string
	profile wire.Profile
	secret  string // "" when unknown (a WithProfile provider)
}

// resolveRoutes sets the session's routes: the target's own (Routes), or
// one route of the URL or handler with the suite's profile.
func (se *Session) resolveRoutes(t Target) error {
	s := se.suite
	if t.routes == nil {
		if s.profile == nil {
			return fmt.Errorf("%w: %s needs the receiver's secret", ErrProvider, s.provider.name)
		}
		se.def = &route{url: se.url, profile: s.profile, secret: s.provider.secret}
		return nil
	}
	for _, tg := range t.routeList() {
		if tg.Profile.Name() != s.provider.name {
			return fmt.Errorf("%w: a %s route given for provider %s", ErrProvider, tg.Profile.Name(), s.provider.name)
		}
	}
	if d := t.routes.Default; d != nil {
		se.def = &route{url: d.URL, profile: d.Profile, secret: d.Secret}
	}
	se.routes = map[string]*route{}
	for ev, tg := range t.routes.ByEvent {
		se.routes[ev] = &route{url: tg.URL, profile: tg.Profile, secret: tg.Secret}
	}
	return nil
}

// route returns the route of an event's deliveries, nil when it has none
// (a targets file without a default, and an event it does not name).
func (se *Session) route(event string) *route {
	if r, ok := se.routes[event]; ok {
		return r
	}
	return se.def
}

// preflightEvents returns, for each route, the first generated event
// that goes there (the first lifecycle event for the default).
func (se *Session) preflightEvents() ([]*generator.Event, error) {
	var evs []*generator.Event
	for _, sc := range se.suite.provider.scenarios {
		got, err := se.generate("preflight", sc, false)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrScenario, err)
		}
		evs = append(evs, got...)
		if se.routes == nil {
			break
		}
	}
	var out []*generator.Event
	seen := map[*route]bool{}
	for _, ev := range evs {
		if r := se.route(ev.Event); r != nil && !seen[r] {
			seen[r] = true
			out = append(out, ev)
		}
	}
	return out, nil
}

// sendPreflight delivers, to every route, a valid event that goes there
// until it gets an answer (at most MaxNoAnswer tries each).
func (se *Session) sendPreflight() error {
	evs, err := se.preflightEvents()
	if err != nil {
		return err
	}
	g := se.ids("preflight")
	for _, ev := range evs {
		var d *delivery
		for range MaxNoAnswer {
			d = se.sendAs(rolePreflight, se.message(ev, 0, g), wire.FaultNone)
			if d.answered() || d.req == nil || se.ctx.Err() != nil {
				break
			}
		}
		se.preflight = append(se.preflight, d)
		switch {
		case d.answered():
			continue
		case se.parent.Err() != nil:
			return se.parent.Err()
		case se.ctx.Err() != nil:
			return errs.Mark(fmt.Errorf("contracts: %s: unreachable: no answer to a valid delivery before %w", redact.URL(d.url), context.Cause(se.ctx)), ErrUnreachable)
		case d.req == nil:
			return fmt.Errorf("%w: preflight: %w", ErrConfig, d.err)
		}
		return errs.Mark(fmt.Errorf("contracts: %s: unreachable: a valid delivery got no answer in %d tries (%s): %w",
			redact.URL(d.url), MaxNoAnswer, se.suite.cfg.timeout, d.err), ErrUnreachable)
	}
	return nil
}

// Close releases the session's deadline timer (WithDeadline); call it
// when done with a session from Start.
func (se *Session) Close() { se.cancel() }

// Check runs the check called name (selected or not) and records its
// result. Once the run has stopped (see Run), a check is not run but
// reported skipped with the reason.
func (se *Session) Check(name string) Result {
	c, ok := lookup(name)
	if !ok {
		return Result{Name: name, Status: StatusFail, Message: checkNames("Check", []string{name}).Error()}
	}
	se.noteStop()
	start := time.Now()
	var r Result
	switch {
	case slices.Contains(se.suite.cfg.skip, name):
		r = Result{Status: StatusSkip, Message: "skipped on request (--skip, WithSkip)"}
	case se.stop != nil:
		r = Result{Status: StatusSkip, Message: "not run: " + se.stop.Message}
	case c.NeedsProbe && se.probe == nil && !(name == CheckStaleSnapshot && !se.suite.provider.orderedByTime()):
		r = Result{Status: StatusSkip, Message: "needs a probe of the receiver's state (--probe)"}
	case c.NeedsProbe && !se.suite.provider.keyed():
		r = Result{Status: StatusSkip, Message: "needs an entity key the probe can ask for: the events name none (events.key, events.import.key)"}
	default:
		se.current = name
		r = se.runGuarded(c)
		se.current = ""
		if se.noteStop(); se.stop != nil && se.stop.Reason != StopNoAnswer {
			r = Result{Status: StatusInterrupted, Message: "interrupted: " + se.stop.Message, Deliveries: r.Deliveries}
		}
		// After the verdict: a stop while the diagnosis probes leaves it.
		se.probeMistakes()
	}
	r.Name, r.Duration = name, time.Since(start)
	if len(r.Evidence) > MaxEvidence {
		r.Evidence = r.Evidence[:MaxEvidence]
	}
	if (r.Status == StatusFail || r.Status == StatusInconclusive) && se.suite.cfg.reproduce != nil {
		r.Reproduce = se.suite.cfg.reproduce(name, se.suite.cfg.seed)
	}
	se.results = append(se.results, r)
	return r
}

// runGuarded runs a check; a panic (a bug) fails that check with its
// reason instead of ending the run and losing the report.
func (se *Session) runGuarded(c check) (r Result) {
	defer func() {
		if p := recover(); p != nil {
			r = Result{Status: StatusFail, Message: fmt.Sprintf("internal error (a bug in orderhooks; please report it with this line): %v", p)}
		}
	}()
	return c.run(se)
}

// noteStop records why the session's context ended, once it has.
func (se *Session) noteStop() {
	if se.stop != nil || se.ctx.Err() == nil {
		return
	}
	if se.parent.Err() == nil && errors.Is(context.Cause(se.ctx), errDeadline) {
		se.stop = &Stop{Reason: StopDeadline, Message: fmt.Sprintf("the run's deadline (%s) was reached", se.suite.cfg.deadline)}
		return
	}
	se.stop = &Stop{Reason: StopInterrupted, Message: "the run was interrupted"}
}

// Report returns the results so far.
func (se *Session) Report() *Report {
	se.noteStop()
	r := &Report{
		Provider:  se.suite.provider.name,
		Target:    se.target,
		Seed:      se.suite.cfg.seed,
		Stopped:   se.stop,
		Diagnosis: se.diagnose(),
		Checks:    slices.Clone(se.results),
		Sent:      se.sent(),
	}
	for _, d := range se.preflight {
		r.Preflight = append(r.Preflight, se.evidence(d, "an answer", d.got()))
	}
	r.Summary.Duration = time.Since(se.started)
	r.summarize()
	return r
}

// Verify is New followed by Run.
func Verify(ctx context.Context, t Target, p Provider, opts ...Option) (*Report, error) {
	s, err := New(p, opts...)
	if err != nil {
		return nil, err
	}
	return s.Run(ctx, t)
}

// lifecycleChecks judge the provider's lifecycles, which a session
// delivers once for all of them: they share a shard.
var lifecycleChecks = []string{CheckValidLifecycle, CheckStateMatches, CheckSLO, CheckResponseContract}

// shardChecks keeps the checks of shard: the checks are grouped by the
// orders they send and the groups dealt to the shards in order.
func shardChecks(checks []check, shard generator.Shard) []check {
	if shard.Whole() {
		return checks
	}
	var groups []string
	var out []check
	for _, c := range checks {
		g := c.Name
		if slices.Contains(lifecycleChecks, g) {
			g = "lifecycle"
		}
		i := slices.Index(groups, g)
		if i < 0 {
			i = len(groups)
			groups = append(groups, g)
		}
		if i%shard.Count == shard.Index {
			out = append(out, c)
		}
	}
	return out
}
