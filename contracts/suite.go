package contracts

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/orderhooks/orderhooks/emitter"
)

// Suite is a configured contract suite for one provider. It is immutable
// and can run against many targets.
type Suite struct {
	provider Provider
	profile  emitter.Profile
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
	s := &Suite{provider: p, cfg: cfg, profile: p.profile}
	if s.profile == nil {
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
			return nil, err
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
	for _, c := range registry {
		if len(cfg.only) == 0 || slices.Contains(cfg.only, c.Name) {
			s.checks = append(s.checks, c)
		}
	}
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

// Run checks that the target is reachable (ErrUnreachable otherwise), runs
// every selected check in order and returns the report. When ctx ends, Run
// returns the report of the checks that finished and ctx's error.
func (s *Suite) Run(ctx context.Context, t Target) (*Report, error) {
	se, err := s.Start(ctx, t)
	if err != nil {
		return nil, err
	}
	for _, c := range s.checks {
		if ctx.Err() != nil {
			break
		}
		se.Check(c.Name)
	}
	return se.Report(), ctx.Err()
}

// Session is one run of a Suite against one target, for callers that run
// checks one at a time (e.g. as go test subtests). It is not safe for
// concurrent use.
type Session struct {
	suite   *Suite
	ctx     context.Context
	client  *http.Client
	url     string
	target  string
	probe   *prober
	started time.Time
	base    time.Time // send time of a lifecycle's first event (Standard Webhooks)
	epoch   int64     // mixed into delivery ids so reruns with one seed are new messages
	life    *lifecycle
	results []Result
}

// Start prepares a session: it resolves the target and the probe and, for
// a URL, makes one request to check the receiver answers at all.
func (s *Suite) Start(ctx context.Context, t Target) (*Session, error) {
	u, err := t.parse()
	if err != nil {
		return nil, err
	}
	se := &Session{suite: s, ctx: ctx, url: u.String(), target: t.String(), started: time.Now()}
	now := s.cfg.clock()
	se.base, se.epoch = now.Add(-time.Minute).Truncate(time.Second), now.UnixNano()
	switch {
	case t.handler != nil:
		se.client = emitter.HandlerClient(t.handler)
	case s.cfg.client != nil:
		se.client = s.cfg.client
	default:
		if se.client, err = s.cfg.defaultClient(); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrConfig, err)
		}
	}
	if s.cfg.probe != "" {
		if se.probe, err = newProber(s.cfg.probe, u, se.client); err != nil {
			return nil, err
		}
	}
	if t.handler == nil {
		if err := se.reachable(); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrUnreachable, se.url, err)
		}
		if se.probe != nil {
			// Any HTTP answer (a 404 for this unknown key included) shows the
			// probe is there; a probe that cannot be reached would otherwise
			// surface as failed state checks.
			ctx, cancel := context.WithTimeout(ctx, s.cfg.timeout)
			r := se.probe.get(ctx, "orderhooks-reachability-check")
			cancel()
			if r.status == 0 && r.err != nil {
				return nil, fmt.Errorf("%w: probe %s: %w", ErrUnreachable, r.url, r.err)
			}
		}
	}
	return se, nil
}

// Check runs the check called name (selected or not) and records its result.
func (se *Session) Check(name string) Result {
	c, ok := lookup(name)
	if !ok {
		return Result{Name: name, Status: StatusFail, Message: checkNames([]string{name}).Error()}
	}
	start := time.Now()
	var r Result
	switch {
	case slices.Contains(se.suite.cfg.skip, name):
		r = Result{Status: StatusSkip, Message: "skipped on request (--skip, WithSkip)"}
	case c.NeedsProbe && se.probe == nil && !(name == CheckStaleSnapshot && se.suite.provider.name == ProviderPhasio):
		r = Result{Status: StatusSkip, Message: "needs a probe of the receiver's state (--probe)"}
	default:
		r = c.run(se)
	}
	r.Name, r.Duration = name, time.Since(start)
	if len(r.Evidence) > MaxEvidence {
		r.Evidence = r.Evidence[:MaxEvidence]
	}
	if r.Status == StatusFail && se.suite.cfg.reproduce != nil {
		r.Reproduce = se.suite.cfg.reproduce(name, se.suite.cfg.seed)
	}
	se.results = append(se.results, r)
	return r
}

// Report returns the results so far.
func (se *Session) Report() *Report {
	r := &Report{
		Provider: se.suite.provider.name,
		Target:   se.target,
		Seed:     se.suite.cfg.seed,
		Checks:   slices.Clone(se.results),
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
