package generator

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/orderhooks/orderhooks/generator/happycolis"
	"github.com/orderhooks/orderhooks/generator/phasio"
	"github.com/orderhooks/orderhooks/internal/testkit/lessgc"
	"github.com/orderhooks/orderhooks/internal/testkit/sweep"
)

// The collector runs less often in this test binary (internal/testkit/lessgc).
func init() { lessgc.Set() }

// Property tests: every payload valid against the strict schemas and every
// invariant of invariants_test.go holding, over a representative sample of
// seeds by default and thousands with ORDERHOOKS_LONG=1 (.ci/run), where
// TestSampleIsRepresentative also proves the sample reaches every statement
// of the generator the full sweep reaches. Shards run in parallel.

const (
	singleSeeds    = 10_000 // single Phasio orders
	hcSingleSeeds  = 3_000  // single HappyColis orders
	lifecycleSeeds = 400    // per built-in scenario
	edgeSeeds      = 100    // edge-case runs per platform
	driftSeeds     = 300    // drift runs per platform
	shards         = 8
)

// The default run's sample of each sweep: its first seeds, as many as
// reach every statement of the generator the full sweep reaches
// (TestSampleIsRepresentative). A lifecycle runs the single orders' code
// several times over, so ten seeds of each scenario do; the single Phasio
// orders need 320 (seed 311 is the first whose part's surface area is
// clamped to its plausible maximum).
const (
	singleSample    = 320
	hcSingleSample  = 120
	lifecycleSample = 10
	edgeSample      = 10
	driftSample     = 30
)

// seeds returns how many seeds a sweep checks in this run: its sample by
// default, all full of them under ORDERHOOKS_LONG=1.
func seeds(sample, full int) int {
	return sweep.N(sample, full)
}

// TestSampleIsRepresentative (ORDERHOOKS_LONG=1): the property tests pass
// with the full sweep, and the default sample reaches every statement of
// the generator's packages the full sweep reaches.
func TestSampleIsRepresentative(t *testing.T) {
	sweep.Representative(t, "^(TestPropertySingleOrders|TestPropertyLifecycles|TestEdgeCases|TestDriftFailsStrictSchemas)$", "./...")
}

// forSeeds runs fn for seeds 1..n in parallel shards.
func forSeeds(t *testing.T, n int, fn func(t *testing.T, seed int64)) {
	for s := range shards {
		t.Run(fmt.Sprintf("shard%d", s), func(t *testing.T) {
			t.Parallel()
			for seed := int64(s + 1); seed <= int64(n); seed += shards {
				fn(t, seed)
				if t.Failed() {
					return
				}
			}
		})
	}
}

func generate(t *testing.T, provider string, opts ...Option) []*Event {
	t.Helper()
	g, err := New(provider, opts...)
	if err != nil {
		t.Fatal(err)
	}
	var evs []*Event
	if err := g.Run(func(ev *Event) error { evs = append(evs, ev); return nil }); err != nil {
		t.Fatal(err)
	}
	return evs
}

func TestPropertySingleOrders(t *testing.T) {
	tests := []struct {
		provider, event string
		sample, seeds   int
	}{
		{ProviderPhasio, PhasioOrderCreated, singleSample, singleSeeds},
		{ProviderHappyColis, HappyColisCreated, hcSingleSample, hcSingleSeeds},
	}
	for _, tt := range tests {
		t.Run(tt.provider, func(t *testing.T) {
			forSeeds(t, seeds(tt.sample, tt.seeds), func(t *testing.T, seed int64) {
				evs := generate(t, tt.provider, WithSeed(seed))
				if len(evs) != 1 || evs[0].Event != tt.event {
					t.Fatalf("seed %d: %d events, want one %s", seed, len(evs), tt.event)
				}
				checkEvent(t, seed, evs[0], false, nil)
			})
		})
	}
}

// TestPropertyLifecycles plays the built-in scenarios and those of
// testdata/scenarios, which between them use every action.
func TestPropertyLifecycles(t *testing.T) {
	all := Scenarios()
	files, _ := filepath.Glob(filepath.Join("testdata", "scenarios", "*.yaml"))
	for _, f := range files {
		s, err := LoadScenario(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, s)
	}
	used := map[string]bool{}
	for _, s := range all {
		for _, st := range s.Steps {
			used[s.Provider+" "+st.Action] = true
		}
	}
	for _, m := range []struct {
		provider string
		actions  []action
	}{{ProviderPhasio, phasioActions}, {ProviderHappyColis, happyColisActions}} {
		for _, a := range m.actions {
			if !used[m.provider+" "+a.name] {
				t.Errorf("no scenario plays %s %s", m.provider, a.name)
			}
		}
	}
	for _, s := range all {
		t.Run(s.Name, func(t *testing.T) {
			forSeeds(t, seeds(lifecycleSample, lifecycleSeeds), func(t *testing.T, seed int64) {
				evs := generate(t, s.Provider, WithScenario(s), WithSeed(seed))
				if want := len(s.Steps) * max(1, s.Orders); len(evs) != want {
					t.Fatalf("seed %d: %d events, want %d", seed, len(evs), want)
				}
				checkLifecycle(t, seed, s, evs)
			})
		})
	}
}

// checkEvent checks one event's payload against the strict schemas and
// the provider's invariants (board: the Kanban board, nil for the default).
func checkEvent(t *testing.T, seed int64, ev *Event, edge bool, board []KanbanColumn) {
	t.Helper()
	err := checkSchema(ev)
	if err == nil && ev.Provider == ProviderPhasio {
		var o *phasio.Order
		if o, err = decodePhasio(ev); err == nil {
			err = checkPhasioOrder(o, edge, board)
		}
	} else if err == nil {
		var e *happycolis.Envelope
		if e, err = decodeHappyColis(ev); err == nil {
			err = checkHappyColis(e, edge)
		}
	}
	if err != nil {
		t.Fatalf("seed %d event %d (%s): %v\n%s", seed, ev.Seq, ev.Label, err, ev.Payload)
	}
}

// checkLifecycle checks each event and each order's sequence of events.
func checkLifecycle(t *testing.T, seed int64, s *Scenario, evs []*Event) {
	t.Helper()
	backwards := map[string]bool{} // steps that may move an order back
	for _, st := range s.Steps {
		backwards[st.label()] = st.Backwards
	}
	phasioOrders := map[string]*phasioHistory{}
	hcOrders := map[string]*hcHistory{}
	for _, ev := range evs {
		if ev.Scenario != s.Name || ev.Step == "" {
			t.Fatalf("seed %d event %d: scenario %q step %q", seed, ev.Seq, ev.Scenario, ev.Step)
		}
		checkEvent(t, seed, ev, false, s.Kanban)
		var err error
		switch s.Provider {
		case ProviderPhasio:
			o, _ := decodePhasio(ev)
			if phasioOrders[ev.OrderKey] == nil {
				phasioOrders[ev.OrderKey] = &phasioHistory{}
			}
			err = phasioOrders[ev.OrderKey].next(ev, o, backwards[ev.Step])
		default:
			e, _ := decodeHappyColis(ev)
			if hcOrders[ev.OrderKey] == nil {
				hcOrders[ev.OrderKey] = &hcHistory{}
			}
			err = hcOrders[ev.OrderKey].next(e)
		}
		if err != nil {
			t.Fatalf("seed %d %s event %d (%s %s): %v", seed, s.Name, ev.Seq, ev.Step, ev.Event, err)
		}
	}
	if n := len(phasioOrders) + len(hcOrders); n != max(1, s.Orders) {
		t.Fatalf("seed %d: %d orders, want %d", seed, n, max(1, s.Orders))
	}
}
