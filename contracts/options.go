package contracts

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/errs"
	"github.com/orderhooks/orderhooks/schemas"
)

// Defaults, shared with the verify command's flags.
const (
	// DefaultSLO is the p99 latency responds-within-slo allows.
	DefaultSLO = 2 * time.Second
	// DefaultTimeout bounds each request (delivery or probe).
	DefaultTimeout = 10 * time.Second
	// DefaultSeed seeds the generated payloads when WithSeed is not given.
	DefaultSeed int64 = 1
	// DefaultOrders is how many orders each lifecycle scenario generates.
	DefaultOrders = 2
)

// Option configures a Suite.
type Option func(*config)

type config struct {
	probe          string
	compare        []string
	slo            time.Duration
	seed           int64
	only, skip     []string
	responseSchema *schemas.Schema
	schemas        *schemas.Set
	saveFailures   string
	timeout        time.Duration
	client         *http.Client
	clock          func() time.Time
	reproduce      func(check string, seed int64) string
	shrinkBudget   int
	deadline       time.Duration
	record         io.Writer
	sloSet         bool
	compareSet     bool
	shard          generator.Shard
}

func defaultConfig() config {
	return config{
		slo:          DefaultSLO,
		seed:         DefaultSeed,
		timeout:      DefaultTimeout,
		clock:        time.Now,
		shrinkBudget: DefaultShrinkBudget,
	}
}

// WithProbe reads the receiver's state of an order with a GET of template,
// an absolute URL or a path on the target's host containing {orderKey}
// (e.g. "/orders/{orderKey}"). Without it the state checks are skipped.
func WithProbe(template string) Option { return func(c *config) { c.probe = template } }

// WithCompare replaces the provider's default pointers compared between the
// last snapshot and the probed state. Each is "PTR" or "SNAPSHOT_PTR=PROBE_PTR".
func WithCompare(pointers ...string) Option {
	return func(c *config) { c.compare, c.compareSet = append([]string(nil), pointers...), true }
}

// WithSLO sets the p99 latency responds-within-slo allows (DefaultSLO).
func WithSLO(d time.Duration) Option { return func(c *config) { c.slo, c.sloSet = d, true } }

// WithSeed seeds every generated payload (DefaultSeed); a failure is
// reproduced by running its check alone with the same seed.
func WithSeed(seed int64) Option { return func(c *config) { c.seed = seed } }

// WithOnly runs only the named checks.
func WithOnly(names ...string) Option {
	return func(c *config) { c.only = append(c.only, names...) }
}

// WithSkip leaves out the named checks (they are reported as skipped).
func WithSkip(names ...string) Option {
	return func(c *config) { c.skip = append(c.skip, names...) }
}

// WithShard runs only the shard's part of the selected checks, so that n
// machines (Kubernetes Indexed Job pods, CI matrix jobs) share one suite:
// the checks are grouped by the orders they send (the provider's
// lifecycles, which accepts-valid-lifecycle, state-matches-snapshot,
// responds-within-slo and response-contract all judge, are one group;
// every other check sends orders of its own), and the groups are dealt
// to the shards in run order. Every order's whole lifecycle stays in one
// shard, and the n shards together run exactly the checks of the
// unsharded suite. Each shard sends its own preflight delivery.
func WithShard(s generator.Shard) Option { return func(c *config) { c.shard = s } }

// WithResponseSchema makes response-contract validate every 2xx response
// body against s (see schemas.Compile); without it that check is skipped.
func WithResponseSchema(s *schemas.Schema) Option { return func(c *config) { c.responseSchema = s } }

// WithSchemas generates the checks' payloads with the fields set documents
// beyond the embedded schemas (generator.WithSchemas: a drift overlay's
// undocumented fields), so that the receiver is tested with what the
// platform really sends.
func WithSchemas(set *schemas.Set) Option { return func(c *config) { c.schemas = set } }

// generatorOptions are the generator options of the configuration.
func (c *config) generatorOptions() []generator.Option {
	if c.schemas == nil {
		return nil
	}
	return []generator.Option{generator.WithSchemas(c.schemas)}
}

// WithSaveFailures shrinks the payloads that accepts-valid-lifecycle and
// accepts-edge-cases fail on and saves each as a scenario file in dir.
func WithSaveFailures(dir string) Option { return func(c *config) { c.saveFailures = dir } }

// WithTimeout bounds each delivery and probe (DefaultTimeout).
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithClient sends through client (TLS settings, proxies) instead of a
// default one; WithTimeout still bounds each request.
func WithClient(client *http.Client) Option { return func(c *config) { c.client = client } }

// WithClock replaces time.Now, which stamps Standard Webhooks deliveries
// (receivers reject timestamps far from their clock) and seeds delivery ids.
func WithClock(now func() time.Time) Option { return func(c *config) { c.clock = now } }

// WithReproduce sets how a failure's reproducing command is written, given
// the check name and seed (the verify command prints its own command line).
func WithReproduce(fn func(check string, seed int64) string) Option {
	return func(c *config) { c.reproduce = fn }
}

// WithShrinkBudget bounds the candidates tried when shrinking one failure
// (DefaultShrinkBudget); 0 saves the failing payload unshrunk.
func WithShrinkBudget(n int) Option { return func(c *config) { c.shrinkBudget = n } }

// WithDeadline bounds the whole run (0: no bound). When it passes, the
// running check is reported interrupted, the rest "not run", and the report
// fails (Report.Stopped says why).
func WithDeadline(d time.Duration) Option { return func(c *config) { c.deadline = d } }

// WithRecord writes every request and response of the run to w, one JSON
// line each (see RecordLine), as it happens: signatures are kept, secrets
// never appear (a response echoing one, or its key in hex or base64,
// shows [secret]).
func WithRecord(w io.Writer) Option { return func(c *config) { c.record = w } }

// check validates the options that do not depend on the provider.
func (c *config) check() error {
	bad := func(option string, value any, want string) error {
		return &OptionError{Package: "contracts", Option: option, Value: fmt.Sprint(value), Want: want, Err: ErrConfig}
	}
	switch {
	case c.slo <= 0:
		return bad("WithSLO", c.slo, "must be positive")
	case c.timeout <= 0:
		return bad("WithTimeout", c.timeout, "must be positive")
	case c.deadline < 0:
		return bad("WithDeadline", c.deadline, "must not be negative")
	case c.shrinkBudget < 0:
		return bad("WithShrinkBudget", c.shrinkBudget, "must not be negative")
	case c.clock == nil:
		return bad("WithClock", "nil", "a clock")
	}
	if err := checkNames("WithOnly", c.only); err != nil {
		return err
	}
	if err := checkNames("WithSkip", c.skip); err != nil {
		return err
	}
	for _, spec := range c.compare {
		if _, err := ParseComparison(spec); err != nil {
			want := strings.TrimPrefix(err.Error(), ErrPointer.Error()+" ")
			want = strings.TrimPrefix(want, strconv.Quote(spec)+": ") // the value is shown once
			return &OptionError{Package: "contracts", Option: "WithCompare", Value: spec, Want: want, Err: ErrPointer}
		}
	}
	return c.checkUsed()
}

// OptionError is the error of an option New refuses: a value out of its
// range, a check name that is none, or an option that can change nothing
// in the run the other options describe (rather than a silent no-op;
// Other names the option it conflicts with or needs). It matches
// ErrConfig.
type OptionError = errs.OptionError

// unusedOption is the OptionError of an option that changes nothing
// because of other.
func unusedOption(option, other, why string) error {
	return &OptionError{Package: "contracts", Option: option, Want: why, Other: other, Err: ErrConfig}
}

// checkUsed refuses options that no selected check uses, and checks both
// selected and skipped.
func (c *config) checkUsed() error {
	for _, n := range c.skip {
		switch {
		case slices.Contains(c.only, n):
			return unusedOption("WithSkip", "WithOnly", fmt.Sprintf("check %s is also selected to run; it cannot be both", n))
		case len(c.only) > 0:
			return unusedOption("WithSkip", "WithOnly", fmt.Sprintf("check %s is not among the checks selected to run, so skipping it changes nothing", n))
		}
	}
	runs := func(names ...string) bool {
		for _, n := range names {
			if (len(c.only) == 0 || slices.Contains(c.only, n)) && !slices.Contains(c.skip, n) {
				return true
			}
		}
		return false
	}
	selection := "WithOnly"
	if len(c.only) == 0 {
		selection = "WithSkip"
	}
	// unused refuses option when no selected check uses it (Check.Options).
	unused := func(option, what string) error {
		var users []string
		for _, ch := range registry {
			if slices.Contains(ch.Options, option) {
				users = append(users, ch.Name)
			}
		}
		if runs(users...) {
			return nil
		}
		if len(users) == 1 {
			return unusedOption(option, selection, users[0]+", the only check that uses it, does not run")
		}
		return unusedOption(option, selection, "no check that "+what+" runs ("+strings.Join(users, ", ")+")")
	}
	if c.compareSet && c.probe == "" {
		return unusedOption("WithCompare", "WithProbe", "the compared pointers are read from the receiver's state, which only a probe reads")
	}
	for _, o := range []struct {
		set          bool
		option, what string
	}{
		{c.compareSet, "WithCompare", "compares state"},
		{c.probe != "", "WithProbe", "reads the receiver's state"},
		{c.sloSet, "WithSLO", "judges latency"},
		{c.responseSchema != nil, "WithResponseSchema", "judges response bodies"},
		{c.saveFailures != "", "WithSaveFailures", "saves failures"},
	} {
		if o.set {
			if err := unused(o.option, o.what); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkSelected refuses a check selected by name (WithOnly) that cannot
// run with the other options and the provider, where it would only report
// skip: a state check without a probe (Phasio's ignores-stale-snapshot
// aside, which warns), response-contract without a response schema,
// rejects-stale-timestamp outside Standard Webhooks.
func (c *config) checkSelected(p Provider) error {
	provider := p.name
	for _, n := range c.only {
		ch, _ := lookup(n)
		switch {
		case ch.NeedsProbe && c.probe == "" && !(n == CheckStaleSnapshot && !p.orderedByTime()):
			return unusedOption("WithOnly", "WithProbe", n+" reads the receiver's state, which only a probe reads")
		case n == CheckResponseContract && c.responseSchema == nil:
			return unusedOption("WithOnly", "WithResponseSchema", n+" validates response bodies against a response schema, and none is given")
		case n == CheckStaleTimestamp && !p.signsTimestamp():
			return unusedOption("WithOnly", "Provider", n+" checks the standard profile only: "+provider+" deliveries carry no signed timestamp")
		}
	}
	return nil
}
