package generator

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/schemas"
)

func TestEdgeCases(t *testing.T) {
	for _, provider := range []string{ProviderPhasio, ProviderHappyColis} {
		t.Run(provider, func(t *testing.T) {
			t.Parallel()
			labels := map[string]int{}
			for seed := int64(1); seed <= int64(seeds(edgeSample, edgeSeeds)); seed++ {
				evs := generate(t, provider, WithEdge(), WithSeed(seed))
				if len(evs) != len(edgeCases) {
					t.Fatalf("seed %d: %d events, want one per edge case (%d)", seed, len(evs), len(edgeCases))
				}
				for _, ev := range evs {
					if ev.Variant != "edge" || !strings.HasPrefix(ev.Label, "edge: ") {
						t.Fatalf("event %d: variant %q label %q", ev.Seq, ev.Variant, ev.Label)
					}
					labels[ev.Label]++
					checkEvent(t, seed, ev, true, nil)
					checkEdgeCase(t, ev)
				}
			}
			if len(labels) != len(edgeCases) {
				t.Fatalf("edge cases seen: %v", labels)
			}
		})
	}
}

// checkEdgeCase checks each case did what its label says.
func checkEdgeCase(t *testing.T, ev *Event) {
	t.Helper()
	p := ev.Payload
	fail := func(why string) { t.Fatalf("event %d (%s): %s\n%s", ev.Seq, ev.Label, why, p) }
	switch ev.Label {
	case edgeCases[0].label:
		if ev.Provider == ProviderPhasio {
			for _, null := range []string{`"threadId":null`, `"actorType":null`, `"customReference":null`, `"totalPrice":null`, `"discountPercentage":null`, `"topUpAmount":null`, `"shipping":null`} {
				if !bytes.Contains(p, []byte(null)) {
					fail("missing " + null)
				}
			}
		} else if !bytes.Contains(p, []byte(`"seller":null`)) || !bytes.Contains(p, []byte(`"totalInsurance":null`)) || !bytes.Contains(p, []byte(`"taxId":null`)) {
			fail("nullable fields set")
		}
	case edgeCases[1].label:
		if !bytes.Contains(p, []byte(`"parts":[]`)) && !bytes.Contains(p, []byte(`"lines":[]`)) {
			fail("no empty array")
		}
	case edgeCases[2].label:
		if !bytes.Contains(p, []byte(`"totalPrice":0.00`)) && !bytes.Contains(p, []byte(`"totalTaxInclusive":0.00`)) {
			fail("total is not zero")
		}
	case edgeCases[3].label:
		if ev.Provider == ProviderPhasio {
			o, _ := decodePhasio(ev)
			if o.Pricing.TotalPrice.Float64() < 1e9 {
				fail("total below a billion")
			}
		} else if e, _ := decodeHappyColis(ev); e.Body.Total.Float64() < 1e6 {
			fail("total below a million")
		}
	case edgeCases[4].label:
		if n := bytes.Count(p, []byte(`"specificationId"`)) + bytes.Count(p, []byte(`"sku"`)); n != 200 {
			fail("not 200 parts or lines")
		}
	case edgeCases[5].label:
		if !bytes.Contains(p, []byte(`\"double\"`)) || !bytes.Contains(p, []byte(`back\\slash`)) || !bytes.Contains(p, []byte(`\n`)) {
			fail("no escaped characters")
		}
	case edgeCases[6].label:
		if !strings.ContainsFunc(string(p), func(r rune) bool { return r > 0x24f }) {
			fail("no non-Latin text")
		}
	default:
		fail("unknown label")
	}
}

func TestDriftFailsStrictSchemas(t *testing.T) {
	for _, provider := range []string{ProviderPhasio, ProviderHappyColis} {
		t.Run(provider, func(t *testing.T) {
			t.Parallel()
			kinds := map[string]int{}
			for seed := int64(1); seed <= int64(seeds(driftSample, driftSeeds)); seed++ {
				for _, ev := range generate(t, provider, WithDrift(), WithSeed(seed)) {
					if ev.Variant != "drift" || !strings.HasPrefix(ev.Label, "drift: ") {
						t.Fatalf("event %d: variant %q label %q", ev.Seq, ev.Variant, ev.Label)
					}
					err := checkSchema(ev)
					var ve *schemas.ValidationError
					if !errors.As(err, &ve) {
						t.Fatalf("seed %d: drifted payload (%s) passed the strict schema: %v", seed, ev.Label, err)
					}
					kind := strings.Fields(ev.Label)[1]
					kinds[kind]++
					// An added field is what the loose schema tolerates.
					loose, _ := schemas.ForEvent(provider, ev.Event, false)
					if looseErr := schemas.Validate(loose, ev.Payload); (looseErr == nil) != (kind == "added") {
						t.Fatalf("seed %d: %s: loose schema says %v", seed, ev.Label, looseErr)
					}
				}
			}
			if len(kinds) != 3 {
				t.Fatalf("drift kinds seen: %v", kinds)
			}
		})
	}
}

// TestDeterministic: same seed and options, same bytes; runs of one
// Generator may overlap; another seed gives other orders.
func TestDeterministic(t *testing.T) {
	jsonl := func(g *Generator) string {
		var buf bytes.Buffer
		w := NewEventWriter(&buf)
		if err := g.Run(func(ev *Event) error { return w.Write(ev) }); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		return buf.String()
	}
	s, _ := LoadScenario("phasio/quote-to-paid")
	opts := []Option{WithScenario(s), WithOrders(40), WithSeed(9)}
	a, _ := New(ProviderPhasio, opts...)
	want := jsonl(a)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, _ := New(ProviderPhasio, opts...)
			if got := jsonl(b); got != want {
				t.Error("same seed and options gave different output")
			}
			if got := jsonl(a); got != want {
				t.Error("a second run of one generator gave different output")
			}
		}()
	}
	wg.Wait()
	other, _ := New(ProviderPhasio, WithScenario(s), WithOrders(40), WithSeed(10))
	if jsonl(other) == want {
		t.Fatal("seeds 9 and 10 gave the same output")
	}
}

// TestStreamOrder: many interleaved lifecycles come out in time order with
// consecutive sequence numbers, each order's events in step order.
func TestStreamOrder(t *testing.T) {
	s, _ := LoadScenario("happycolis/fulfilment")
	evs := generate(t, ProviderHappyColis, WithScenario(s), WithOrders(500))
	if len(evs) != 500*len(s.Steps) {
		t.Fatalf("%d events, want %d", len(evs), 500*len(s.Steps))
	}
	step := map[string]int{}
	interleaved := false
	for i, ev := range evs {
		if ev.Seq != int64(i+1) {
			t.Fatalf("event %d has seq %d", i+1, ev.Seq)
		}
		if i > 0 && ev.At.Before(evs[i-1].At) {
			t.Fatalf("event %d at %s before event %d at %s", i+1, ev.At, i, evs[i-1].At)
		}
		if ev.Step != s.Steps[step[ev.OrderKey]].Name {
			t.Fatalf("order %s: step %q, want %q", ev.OrderKey, ev.Step, s.Steps[step[ev.OrderKey]].Name)
		}
		step[ev.OrderKey]++
		interleaved = interleaved || (i > 0 && step[evs[i-1].OrderKey] < len(s.Steps) && evs[i-1].OrderKey != ev.OrderKey)
	}
	if !interleaved {
		t.Fatal("lifecycles never overlapped")
	}
}

func TestOptionsErrors(t *testing.T) {
	hc, _ := LoadScenario("happycolis/fulfilment")
	qp, _ := LoadScenario("phasio/quote-to-paid")
	tests := []struct {
		name     string
		provider string
		opts     []Option
		want     string
	}{
		{"unknown provider", "shopify", nil, "provider shopify: not one of phasio, happycolis"},
		{"edge and drift", ProviderPhasio, []Option{WithEdge(), WithDrift()}, "exclude each other"},
		{"negative orders", ProviderPhasio, []Option{WithOrders(-1)}, "WithOrders -1: must not be negative"},
		{"scenario of another provider", ProviderPhasio, []Option{WithScenario(hc)}, "WithScenario happycolis/fulfilment: a happycolis scenario, not a phasio one (provider)"},
		{"kanban for happycolis", ProviderHappyColis, []Option{WithKanban(DefaultKanban())}, "Phasio's"},
		{"duplicate column", ProviderPhasio, []Option{WithKanban([]KanbanColumn{{"A", 1}, {"A", 2}})}, "has column \"A\" twice"},
		{"board too short for the scenario", ProviderPhasio, []Option{WithScenario(qp), WithKanban([]KanbanColumn{{"Todo", 1}, {"Done", 2}})}, "/steps/6/action: move: the order is already in the last column"},
		{"no board for moves", ProviderPhasio, []Option{WithScenario(qp), WithKanban(nil)}, "no Kanban board"},
		{"unknown currency", ProviderPhasio, []Option{WithLocalCurrency("XXX")}, "WithLocalCurrency XXX: not a currency"},
		{"interleave", ProviderPhasio, []Option{WithInterleave(0)}, "WithInterleave 0: must be at least 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.provider, tt.opts...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestKanbanAndStartOptions(t *testing.T) {
	s, _ := LoadScenario("phasio/precommitted")
	board := []KanbanColumn{{"Queued", 10}, {"Printing", 20}, {"Post-processing", 30}}
	start := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	evs := generate(t, ProviderPhasio, WithScenario(s), WithKanban(board), WithStart(start))
	last, _ := decodePhasio(evs[len(evs)-1])
	if *last.KanbanColumnName != "Post-processing" || *last.KanbanColumnSequence != 30 {
		t.Fatalf("ended in %s (%d)", *last.KanbanColumnName, *last.KanbanColumnSequence)
	}
	if last.CreatedDate != "2030-01-02T03:04:05" || evs[0].At.Before(start) {
		t.Fatalf("createdDate %s, first event at %s", last.CreatedDate, evs[0].At)
	}
	none := generate(t, ProviderPhasio, WithKanban([]KanbanColumn{}), WithOrders(50))
	for _, ev := range none {
		if !bytes.Contains(ev.Payload, []byte(`"kanbanColumnName":null`)) {
			t.Fatalf("a board with no columns put an order on one: %s", ev.Payload)
		}
	}
}
