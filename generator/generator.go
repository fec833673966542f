package generator

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/orderhooks/orderhooks/internal/errs"
	"github.com/orderhooks/orderhooks/schemas"
)

// Defaults, also the CLI's flag defaults.
const (
	// DefaultSeed seeds runs that set no seed (neither WithSeed nor the
	// scenario's seed).
	DefaultSeed = 1
	// DefaultOrders 0 means one run of the scenario (its orders count, 1
	// by default), or one order per edge case with WithEdge.
	DefaultOrders = 0
	// DefaultStart is the time the first order arrives (RFC 3339). It is a
	// fixed date so output never depends on the wall clock.
	DefaultStart = "2025-06-15T08:00:00Z"
	// DefaultInterleave is how many orders' lifecycles are under way at
	// once: their events interleave in time order, as real traffic does.
	DefaultInterleave = 1024
)

// ErrOptions is wrapped for options that do not fit together.
var ErrOptions = errors.New("generator: bad options")

// OptionError is the error of an option New refuses (or, as Option
// "provider", of a provider it does not know): its Go name, value and
// what is expected. It wraps ErrOptions or ErrProvider.
type OptionError = errs.OptionError

// Generator produces a deterministic stream of webhook events: the same
// provider, seed and options give byte-identical events on every machine.
// A Generator is immutable; Run may be called any number of times, also
// concurrently.
type Generator struct {
	provider   string
	seed       int64
	plans      []*plan // one; single-event Phasio mode draws one of two
	orders     int
	edge       bool
	drift      bool
	start      time.Time
	local      string
	interleave int
	single     bool
	idBase     int64 // Phasio order ids start above it; 0: seeded
	extras     extras
}

type config struct {
	seed       int64
	seedSet    bool
	scenario   *Scenario
	orders     int
	edge       bool
	drift      bool
	kanban     []KanbanColumn
	kanbanSet  bool
	start      time.Time
	local      string
	interleave int
	idBase     int64
	schemas    *schemas.Set
	keySlot    keySlot
	ctx        context.Context // FromDefinition: nil, never interrupted
}

// Option configures New.
type Option func(*config)

// WithSeed sets the seed (over the scenario's own).
func WithSeed(seed int64) Option { return func(c *config) { c.seed, c.seedSet = seed, true } }

// WithScenario plays s instead of single Order Created / order/created
// events.
func WithScenario(s *Scenario) Option { return func(c *config) { c.scenario = s } }

// WithOrders sets how many orders to generate in all (scenarios acting on
// several orders at once run as often as needed); 0 keeps the default.
func WithOrders(n int) Option { return func(c *config) { c.orders = n } }

// WithEdge generates schema-valid edge cases instead of typical orders:
// every nullable field null, empty arrays, zero and huge amounts, 200 parts
// or lines, long and non-Latin strings; each event names its case in Label.
func WithEdge() Option { return func(c *config) { c.edge = true } }

// WithDrift changes every payload the way a platform's contract drifts (an
// unknown field added, a field renamed, a type changed), labelling each
// event with the change. Drifted payloads fail the strict schemas.
func WithDrift() Option { return func(c *config) { c.drift = true } }

// WithKanban sets the Phasio Kanban board; an empty board means none is
// configured (kanbanColumnName stays null).
func WithKanban(columns []KanbanColumn) Option {
	return func(c *config) {
		c.kanban, c.kanbanSet = append([]KanbanColumn{}, columns...), true
	}
}

// WithStart sets when the first order arrives (default DefaultStart),
// between MinStart and MaxStart.
func WithStart(t time.Time) Option { return func(c *config) { c.start = t } }

// The range of WithStart: event times are Unix-second timestamps on the
// wire and RFC 3339 (years up to 9999) in payloads, and a lifecycle needs
// room to run.
var (
	MinStart = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	MaxStart = time.Date(2999, 12, 31, 23, 59, 59, 0, time.UTC)
)

// maxEventTime is the last time an event can carry (RFC 3339 has four
// year digits).
var maxEventTime = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)

// WithLocalCurrency sets the Phasio manufacturer's currency for
// totalLocalPrice (default DefaultLocalCurrency).
func WithLocalCurrency(code string) Option { return func(c *config) { c.local = code } }

// WithInterleave sets how many lifecycles run at once (default
// DefaultInterleave; 1 plays orders one after the other).
func WithInterleave(n int) Option { return func(c *config) { c.interleave = n } }

// MaxOrderIDStep is the most a Phasio order id grows from one order to
// the next: a run of n orders above base n uses ids up to base + n ×
// MaxOrderIDStep, so runs whose bases lie further apart share no order.
const MaxOrderIDStep = 25

// WithOrderIDBase makes the Phasio order ids of a run start above base
// (the first order gets base+1 to base+MaxOrderIDStep) instead of at a
// seeded start between 10000 and 90000, so several runs (e.g. one per
// scenario) can share a receiver without sharing an order. HappyColis
// order ids are UUIDs drawn from the seed: New refuses the option there.
func WithOrderIDBase(base int64) Option { return func(c *config) { c.idBase = base } }

// WithKeySlot makes the entity keys of a definition's run
// (FromDefinition) come from the slot-th of slots equal parts of each
// key's distinct values, starting shift values into the part (shift is
// taken within the part's first tenth), so that runs in different slots
// share no key while the schema has a part's worth of values for each;
// with the same shift a run takes the same keys alone as among others.
// Without it a run starts at a place drawn from its seed. The named
// generators' keys are their own: New refuses the option.
func WithKeySlot(slot, slots int, shift int64) Option {
	return func(c *config) { c.keySlot = keySlot{slot: slot, slots: slots, shift: shift, set: true} }
}

// WithContext stops FromDefinition when ctx is done: it returns ctx's
// error at once, even while a schema compiles or a payload is generated
// (that work ends in the background, its result dropped). New and the
// named generators' sources take no context: a Source stops when its
// yield returns an error.
func WithContext(ctx context.Context) Option { return func(c *config) { c.ctx = ctx } }

// keySlot is WithKeySlot's part of the key space.
type keySlot struct {
	slot, slots int
	shift       int64
	set         bool
}

// New returns a generator of provider's webhooks (ProviderPhasio or
// ProviderHappyColis).
func New(provider string, opts ...Option) (*Generator, error) {
	if _, err := machineFor(provider); err != nil {
		return nil, err
	}
	start, _ := time.Parse(time.RFC3339, DefaultStart)
	c := config{start: start, local: DefaultLocalCurrency, interleave: DefaultInterleave}
	for _, o := range opts {
		o(&c)
	}
	if err := c.check(provider); err != nil {
		return nil, err
	}
	g := &Generator{provider: provider, seed: DefaultSeed, edge: c.edge, drift: c.drift,
		start: c.start.UTC(), local: c.local, interleave: c.interleave, idBase: c.idBase}
	if c.schemas != nil {
		x, err := newExtras(c.schemas)
		if err != nil {
			return nil, err
		}
		g.extras = x
	}
	var board []KanbanColumn
	if c.kanbanSet {
		board = c.kanban
	}
	if s := c.scenario; s != nil {
		if s.Provider != provider {
			return nil, &OptionError{Package: "generator", Option: "WithScenario", Value: s.Name,
				Want: fmt.Sprintf("a %s scenario, not a %s one", s.Provider, provider), Other: "provider", Err: ErrOptions}
		}
		p, err := s.compile(board)
		if err != nil {
			return nil, err
		}
		g.plans = []*plan{p}
		if s.Seed != 0 {
			g.seed = s.Seed
		}
	} else {
		g.single = true
		for _, s := range singleScenarios(provider, c.edge) {
			p, err := s.compile(board)
			if err != nil {
				return nil, err
			}
			g.plans = append(g.plans, p)
		}
	}
	if c.seedSet {
		g.seed = c.seed
	}
	g.orders = c.orders
	if g.orders == 0 {
		g.orders = g.plans[0].batch
		if c.edge {
			g.orders *= len(edgeCases)
		}
	}
	return g, nil
}

// singleScenarios are the one-step lifecycles of single-event mode: a new
// quote, or (Phasio, not for edge cases) an order the manufacturer commits.
func singleScenarios(provider string, edge bool) []*Scenario {
	mk := func(event, action string) *Scenario {
		return &Scenario{Version: ScenarioVersion, Provider: provider, Steps: []Step{{Event: event, Action: action}}}
	}
	if provider == ProviderHappyColis {
		return []*Scenario{mk(HappyColisCreated, ActionCreate)}
	}
	if edge {
		return []*Scenario{mk(PhasioOrderCreated, ActionCreateQuote)}
	}
	return []*Scenario{mk(PhasioOrderCreated, ActionCreateQuote), mk(PhasioOrderCreated, ActionCreateOrder)}
}

// checkBoard says what is wrong with a Kanban board, if anything.
// check refuses options that do not fit together or out of their range.
func (c *config) check(provider string) error {
	bad := func(option string, value any, want string) error {
		return &OptionError{Package: "generator", Option: option, Value: fmt.Sprint(value), Want: want, Err: ErrOptions}
	}
	switch {
	case c.edge && c.drift:
		return &OptionError{Package: "generator", Option: "WithEdge", Want: "edge cases and drift exclude each other", Other: "WithDrift", Err: ErrOptions}
	case c.orders < 0:
		return bad("WithOrders", c.orders, "must not be negative")
	case c.start.Before(MinStart) || c.start.After(MaxStart):
		return bad("WithStart", c.start.Format(time.RFC3339), fmt.Sprintf("must be between %s and %s",
			MinStart.Format(time.RFC3339), MaxStart.Format(time.RFC3339)))
	case c.interleave < 1:
		return bad("WithInterleave", c.interleave, "must be at least 1")
	case c.keySlot.set:
		return bad("WithKeySlot", c.keySlot.slot, "applies to a definition's run (FromDefinition); "+provider+" makes its own keys")
	case !knownCurrency(c.local):
		return bad("WithLocalCurrency", c.local, "not a currency the generator knows")
	case c.kanbanSet && provider != ProviderPhasio:
		return bad("WithKanban", "", fmt.Sprintf("Kanban boards are Phasio's, not %s's", provider))
	case c.idBase != 0 && provider != ProviderPhasio:
		return bad("WithOrderIDBase", c.idBase, fmt.Sprintf("order id bases are Phasio's; %s order ids are UUIDs", provider))
	case c.idBase < 0 || c.idBase > math.MaxInt64/2:
		return bad("WithOrderIDBase", c.idBase, fmt.Sprintf("must be between 0 and %d", int64(math.MaxInt64/2)))
	}
	if err := checkBoard(c.kanban); err != nil {
		return bad("WithKanban", "", err.Error())
	}
	return nil
}

func checkBoard(board []KanbanColumn) error {
	seen := map[string]bool{}
	for i, c := range board {
		switch {
		case c.Name == "":
			return fmt.Errorf("column %d of the Kanban board has no name", i+1)
		case seen[c.Name]:
			return fmt.Errorf("the Kanban board has column %q twice", c.Name)
		case c.Sequence < 0:
			return fmt.Errorf("column %q of the Kanban board has a negative sequence", c.Name)
		}
		seen[c.Name] = true
	}
	return nil
}

// Provider returns the provider the generator produces events for.
func (g *Generator) Provider() string { return g.provider }

// Seed returns the seed in effect.
func (g *Generator) Seed() int64 { return g.seed }

// Orders returns how many orders a run generates.
func (g *Generator) Orders() int { return g.orders }

// Events returns how many events Run generates: every order plays every
// step of its scenario once (saturating at math.MaxInt64).
func (g *Generator) Events() int64 {
	steps := int64(len(g.plans[0].steps))
	if int64(g.orders) > math.MaxInt64/steps {
		return math.MaxInt64
	}
	return int64(g.orders) * steps
}

// Source returns the generator as a Source.
func (g *Generator) Source() Source { return g.Run }

// Run generates the events, in time order, calling yield for each and
// stopping at the first error yield returns (which Run returns). Memory
// stays flat however many orders are generated: only the lifecycles under
// way (see WithInterleave) are held.
func (g *Generator) Run(yield func(*Event) error) error {
	w := newWorld(g.provider, g.seed, g.local)
	if g.idBase > 0 {
		w.orderID = g.idBase
	}
	clock := newRNG()
	clock.seed(g.seed, streamWorld+1)
	meanGap := 3 * 60e3 // a lifecycle begins every 3 minutes on average
	if g.single {
		meanGap = 90e3
	}
	batch := g.plans[0].batch
	runs := g.orders / batch // rounded up below; orders+batch-1 could overflow
	if g.orders%batch != 0 {
		runs++
	}
	var h runHeap
	scratch := make([]byte, 0, 4096)
	arrival, last := g.start, g.start
	var seq int64
	for started := 0; ; {
		if started < runs && len(h) < g.interleave && (len(h) == 0 || !h[0].next.Before(arrival)) {
			size := min(batch, g.orders-started*batch)
			rn, err := g.newRun(w, started, size, maxTime(arrival, last))
			if err != nil {
				return err
			}
			heap.Push(&h, rn)
			started++
			arrival = arrival.Add(time.Duration(clock.expMillis(meanGap)) * time.Millisecond)
			continue
		}
		if len(h) == 0 {
			return nil
		}
		rn := h[0]
		ev, err := rn.emit(g, &scratch)
		if err != nil {
			return err
		}
		if rn.done() {
			heap.Pop(&h)
		} else {
			heap.Fix(&h, 0)
		}
		seq++
		ev.Seq = seq
		last = ev.At
		if g.extras != nil {
			if err := g.extras.apply(ev, g.seed); err != nil {
				return fmt.Errorf("generator: the fields of the schema set: %w", err)
			}
		}
		if err := yield(ev); err != nil {
			return err
		}
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// runHeap orders the lifecycles under way by their next event, then by
// when they started, so the stream is deterministic.
type runHeap []*run

func (h runHeap) Len() int { return len(h) }
func (h runHeap) Less(i, j int) bool {
	if !h[i].next.Equal(h[j].next) {
		return h[i].next.Before(h[j].next)
	}
	return h[i].index < h[j].index
}
func (h runHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *runHeap) Push(x any)   { *h = append(*h, x.(*run)) }
func (h *runHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return x
}
