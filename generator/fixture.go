package generator

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/orderhooks/orderhooks/generator/happycolis"
	"github.com/orderhooks/orderhooks/generator/phasio"
)

// FixtureOption shapes the order PhasioOrder or HappyColisOrder builds.
type FixtureOption func(*fixture)

type fixture struct {
	steps []Step
	spec  partSpec
	err   string
}

func (f *fixture) then(action string) { f.steps = append(f.steps, Step{Action: action}) }

// Accepted makes the Phasio quote accepted without payment (UNPAID, no
// order number).
func Accepted() FixtureOption { return func(f *fixture) { f.then(ActionAccept) } }

// Confirmed commits the Phasio order by purchase order (CONFIRMED, order
// number, first Kanban column).
func Confirmed() FixtureOption { return func(f *fixture) { f.then(ActionConfirm) } }

// Paid makes the Phasio order paid (PAID, order number, first Kanban
// column).
func Paid() FixtureOption { return func(f *fixture) { f.then(ActionPay) } }

// InColumn moves the committed Phasio order to the named column of the
// default Kanban board (paying it first if it is not committed).
func InColumn(name string) FixtureOption {
	return func(f *fixture) {
		committed := false
		for _, st := range f.steps {
			committed = committed || st.Action == ActionPay || st.Action == ActionConfirm
		}
		if !committed {
			f.then(ActionPay)
		}
		if name != DefaultKanban()[0].Name {
			f.steps = append(f.steps, Step{Action: ActionMove, To: name})
		}
	}
}

// Parts sets the number of parts and their technology ("" for any; see
// Technologies). For HappyColis it sets the number of lines.
func Parts(n int, technology string) FixtureOption {
	return func(f *fixture) {
		f.spec.parts = n
		if technology != "" && technologyByName[technology] == nil {
			f.err = fmt.Sprintf("unknown technology %q (known: %s)", technology, strings.Join(Technologies(), ", "))
		}
		f.spec.technology = technology
	}
}

// Country sets the customer's (Phasio) or buyer's (HappyColis) country,
// ISO 3166-1 alpha-2; currency, tax, address and phone follow it.
func Country(code string) FixtureOption {
	return func(f *fixture) {
		if countryByCode[code] == nil {
			f.err = fmt.Sprintf("unsupported country %q", code)
		}
		f.spec.country = code
	}
}

// Opened opens the HappyColis order (state OPENED).
func Opened() FixtureOption { return func(f *fixture) { f.then(ActionOpen) } }

// Dispatched takes the HappyColis order to fulfilment: opened, lines
// accepted then IN_PROGRESS, locked, fulfillmentRequestedAt set.
func Dispatched() FixtureOption {
	return func(f *fixture) { f.then(ActionOpen); f.then(ActionAcceptLines); f.then(ActionRequestFulfillment) }
}

// Completed takes the HappyColis order to the end: every line FULFILLED,
// state COMPLETED.
func Completed() FixtureOption {
	return func(f *fixture) {
		Dispatched()(f)
		f.then(ActionFulfillLines)
		f.then(ActionComplete)
	}
}

// Cancelled cancels the opened HappyColis order: every line CANCELED.
func Cancelled() FixtureOption {
	return func(f *fixture) { f.then(ActionOpen); f.then(ActionCancel) }
}

// Technologies lists the Phasio manufacturing technologies the generator
// uses, sorted.
func Technologies() []string {
	out := make([]string, 0, len(technologies))
	for _, t := range technologies {
		out = append(out, t.name)
	}
	sort.Strings(out)
	return out
}

// PhasioOrder returns a realistic Phasio order for unit tests: the same seed
// and options always give the same order, e.g.
// PhasioOrder(7, Paid(), Parts(3, "CNC Machining")). Without state options
// it is a fresh quote. Its JSON() is the webhook payload. It panics on
// options that do not fit, which are mistakes in the calling test.
func PhasioOrder(seed int64, opts ...FixtureOption) *phasio.Order {
	f, r, start := newFixture(seed, opts)
	po := newPhasioOrder(r, newWorld(ProviderPhasio, seed, DefaultLocalCurrency), start, f.spec)
	po.phase.board = DefaultKanban()
	playFixture(f, phasioMachine{}, Step{Action: ActionCreateQuote}, func(st *Step) error { return po.apply(r, st, start) })
	return &po.o
}

// HappyColisOrder returns a realistic HappyColis message for unit tests, in
// the state the options give (default: just created, DRAFT), with the
// header of the event that state is announced by.
func HappyColisOrder(seed int64, opts ...FixtureOption) *happycolis.Envelope {
	f, r, start := newFixture(seed, opts)
	h := newHCOrder(r, newWorld(ProviderHappyColis, seed, DefaultLocalCurrency).merchant, start, f.spec)
	at := start.Add(time.Second)
	event := HappyColisCreated
	playFixture(f, happyColisMachine{}, Step{Action: ActionCreate}, func(st *Step) error {
		at = at.Add(time.Minute)
		event = eventOf(st.Action)
		return h.apply(r, st, at)
	})
	h.stamp(r, event, at)
	return &h.env
}

// eventOf is the HappyColis event that announces an action's result.
func eventOf(action string) string {
	switch action {
	case ActionCreate:
		return HappyColisCreated
	case ActionOpen:
		return HappyColisOpened
	case ActionComplete:
		return HappyColisCompleted
	case ActionCancel:
		return HappyColisCancelled
	}
	return HappyColisUpdated
}

func newFixture(seed int64, opts []FixtureOption) (*fixture, *rng, time.Time) {
	f := &fixture{}
	for _, o := range opts {
		o(f)
	}
	if f.err != "" {
		panic("generator: fixture: " + f.err)
	}
	r := newRNG()
	r.seed(seed, streamRuns)
	start, _ := time.Parse(time.RFC3339, DefaultStart)
	return f, r, start
}

func playFixture(f *fixture, m machine, create Step, apply func(*Step) error) {
	for _, st := range append([]Step{create}, f.steps...) {
		if _, ok := findAction(m, st.Action); !ok {
			panic(fmt.Sprintf("generator: fixture: %s does not apply to this provider (its actions: %s)", st.Action, actionNames(m)))
		}
		if err := apply(&st); err != nil {
			panic("generator: fixture: " + err.Error())
		}
	}
}
