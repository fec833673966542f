package generator

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/generator/happycolis"
	"github.com/orderhooks/orderhooks/generator/phasio"
)

// signature sums up an event's lifecycle state in a line: Phasio event,
// payment status, whether it has an order number, Kanban column; HappyColis
// event, state, line status, lock.
func signature(t *testing.T, ev *Event) string {
	t.Helper()
	or := func(s *string) string {
		if s == nil {
			return "-"
		}
		return *s
	}
	if ev.Provider == ProviderPhasio {
		o, err := decodePhasio(ev)
		if err != nil {
			t.Fatal(err)
		}
		num := "-"
		if o.OrderNumber != nil {
			num = "#"
		}
		return strings.Join([]string{ev.Event, or(o.PaymentStatus), num, or(o.KanbanColumnName)}, " ")
	}
	e, err := decodeHappyColis(ev)
	if err != nil {
		t.Fatal(err)
	}
	lines := "-"
	if len(e.Body.Lines) > 0 {
		lines = e.Body.Lines[0].Status
	}
	lock := "unlocked"
	if e.Body.Locked {
		lock = "locked"
	}
	return strings.Join([]string{ev.Event, e.Body.State, lines, lock}, " ")
}

// TestBuiltinScenarioStories checks each built-in plays the lifecycle the
// issue describes, for several seeds.
func TestBuiltinScenarioStories(t *testing.T) {
	repeat := func(n int, s string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = s
		}
		return out
	}
	cat := func(parts ...[]string) []string {
		var out []string
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	tests := map[string][]string{
		"phasio/quote-to-paid": {
			"ORDER - - -",
			"ORDER_UPDATED - - -",
			"QUOTE_CONVERTED PAID # New Orders",
			"ORDER PAID # New Orders",
			"ORDER_UPDATED PAID # New Orders",
			"ORDER_UPDATED PAID # In Progress",
			"ORDER_UPDATED PAID # Quality Check",
			"ORDER_UPDATED PAID # Shipped",
			"ORDER_UPDATED PAID # Completed",
		},
		"phasio/po-invoice": {
			"QUOTE_CONVERTED UNPAID - -",
			"QUOTE_CONVERTED CONFIRMED # New Orders",
			"ORDER CONFIRMED # New Orders",
			"ORDER_UPDATED CONFIRMED # New Orders",
			"ORDER_UPDATED CONFIRMED # In Progress",
			"ORDER_UPDATED CONFIRMED # Quality Check",
			"ORDER_UPDATED CONFIRMED # Shipped",
			"ORDER_UPDATED PAID # Shipped",
			"ORDER_UPDATED PAID # Completed",
		},
		"phasio/precommitted": {
			"ORDER PAID # New Orders",
			"QUOTE_CONVERTED PAID # New Orders",
			"ORDER_UPDATED PAID # New Orders",
			"ORDER_UPDATED PAID # In Progress",
			"ORDER_UPDATED PAID # Quality Check",
		},
		"phasio/batch-update": cat(
			repeat(5, "ORDER CONFIRMED # New Orders"),
			repeat(5, "ORDER_UPDATED CONFIRMED # New Orders"),
			repeat(5, "ORDER_UPDATED CONFIRMED # In Progress"),
		),
		"happycolis/fulfilment": {
			"order/created DRAFT PENDING unlocked",
			"order/opened OPENED PENDING unlocked",
			"order/updated OPENED ACCEPTED unlocked",
			"order/updated OPENED IN_PROGRESS locked",
			"order/updated OPENED FULFILLED unlocked",
			"order/completed COMPLETED FULFILLED unlocked",
		},
		"happycolis/cancellation": {
			"order/created DRAFT PENDING unlocked",
			"order/opened OPENED PENDING unlocked",
			"order/updated OPENED ACCEPTED unlocked",
			"order/cancelled OPENED CANCELED unlocked",
		},
	}
	if len(tests) != len(Scenarios()) {
		t.Fatalf("%d stories for %d built-in scenarios", len(tests), len(Scenarios()))
	}
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			s, err := LoadScenario(name)
			if err != nil {
				t.Fatal(err)
			}
			for seed := int64(1); seed <= 20; seed++ {
				evs := generate(t, s.Provider, WithScenario(s), WithSeed(seed))
				if len(evs) != len(want) {
					t.Fatalf("seed %d: %d events, want %d", seed, len(evs), len(want))
				}
				for i, ev := range evs {
					if got := signature(t, ev); got != want[i] {
						t.Fatalf("seed %d event %d: %q, want %q", seed, i+1, got, want[i])
					}
				}
			}
		})
	}
}

// TestQuoteRevisionChangesParts: the revision step changes parts or
// quantities, and the price follows.
func TestQuoteRevisionChangesParts(t *testing.T) {
	s, _ := LoadScenario("phasio/quote-to-paid")
	changed := 0
	for seed := int64(1); seed <= 50; seed++ {
		evs := generate(t, ProviderPhasio, WithScenario(s), WithSeed(seed))
		a, _ := decodePhasio(evs[0])
		b, _ := decodePhasio(evs[1])
		if string(mustJSON(t, a.Parts)) == string(mustJSON(t, b.Parts)) {
			t.Fatalf("seed %d: the revision left the parts as they were", seed)
		}
		if *a.Pricing.TotalPrice != *b.Pricing.TotalPrice {
			changed++
		}
	}
	if changed < 45 {
		t.Fatalf("only %d of 50 revisions changed the total", changed)
	}
}

// TestPOInvoiceReference: the confirm step's reference to the accepted
// quote's number is resolved and kept on every later event.
func TestPOInvoiceReference(t *testing.T) {
	s, _ := LoadScenario("phasio/po-invoice")
	evs := generate(t, ProviderPhasio, WithScenario(s))
	first, _ := decodePhasio(evs[0])
	for _, ev := range evs[1:] {
		o, _ := decodePhasio(ev)
		if o.CustomReference == nil || *o.CustomReference != "PO for "+first.QuoteNumber {
			t.Fatalf("event %d: customReference %v, want %q", ev.Seq, o.CustomReference, "PO for "+first.QuoteNumber)
		}
	}
}

// TestInvariantCheckersCatchBreakage proves the checkers the property tests
// rely on reject broken orders.
func TestInvariantCheckersCatchBreakage(t *testing.T) {
	phasioBreaks := map[string]func(o *phasio.Order){
		"total off by a cent":  func(o *phasio.Order) { *o.Pricing.TotalPrice++ },
		"tax off by a cent":    func(o *phasio.Order) { o.Pricing.TaxAmount++ },
		"quantity changed":     func(o *phasio.Order) { o.Parts[0].Quantity++ },
		"wrong material":       func(o *phasio.Order) { o.Parts[0].Material = "PLA" },
		"infill on CNC":        func(o *phasio.Order) { o.Parts[0].Infill = ptr("20%") },
		"steps misnumbered":    func(o *phasio.Order) { o.Parts[0].ProductionSteps[0].Sequence = 2 },
		"volume above hull":    func(o *phasio.Order) { *o.Parts[0].Volume = *o.Parts[0].ConvexHullVolume + 1 },
		"wall too thick":       func(o *phasio.Order) { *o.Parts[0].MinimumWallThickness = *o.Parts[0].Width },
		"area below a sphere":  func(o *phasio.Order) { *o.Parts[0].Area = 1 },
		"order number foreign": func(o *phasio.Order) { o.OrderNumber = ptr("ORD-XYZ-00001") },
		"wrong currency": func(o *phasio.Order) {
			o.Pricing.Currency = "SEK"
			_ = o.Reprice(DefaultLocalCurrency)
		},
		"paid without number": func(o *phasio.Order) { o.OrderNumber = nil },
	}
	for name, brk := range phasioBreaks {
		t.Run("phasio/"+name, func(t *testing.T) {
			o := PhasioOrder(3, Paid(), Parts(2, "CNC Machining"), Country("US"))
			if err := checkPhasioOrder(o, false, nil); err != nil {
				t.Fatalf("fixture already fails: %v", err)
			}
			brk(o)
			if err := checkPhasioOrder(o, false, nil); err == nil {
				t.Fatalf("checker accepted an order with %s", name)
			}
		})
	}
	hcBreaks := map[string]func(e *happycolis.Envelope){
		"line total off":         func(e *happycolis.Envelope) { e.Body.Lines[0].Total++ },
		"order total off":        func(e *happycolis.Envelope) { e.Body.Total++ },
		"overfulfilled":          func(e *happycolis.Envelope) { e.Body.Lines[0].FulfilledQuantity = e.Body.Lines[0].Quantity + 1 },
		"locked when dispatched": func(e *happycolis.Envelope) { e.Body.Locked = false; e.Body.FulfillmentRequestedAt = nil },
		"wrong header state":     func(e *happycolis.Envelope) { e.Header.Type = HappyColisCompleted },
		"received after sending": func(e *happycolis.Envelope) { e.Body.ReceivedAt = e.Header.Date.Add(1) },
		"vat rate of elsewhere":  func(e *happycolis.Envelope) { e.Body.Lines[0].VatRate = 2500; e.Body.Retotal() },
	}
	for name, brk := range hcBreaks {
		t.Run("happycolis/"+name, func(t *testing.T) {
			e := HappyColisOrder(3, Dispatched(), Parts(2, ""), Country("FR"))
			if err := checkHappyColis(e, false); err != nil {
				t.Fatalf("fixture already fails: %v", err)
			}
			brk(e)
			if err := checkHappyColis(e, false); err == nil {
				t.Fatalf("checker accepted a message with %s", name)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestOrderIDBase: WithOrderIDBase puts a run's Phasio order ids above the
// base, at most MaxOrderIDStep apart, so runs with bases far enough apart
// share no order; HappyColis (UUID keys) and bad bases are refused.
func TestOrderIDBase(t *testing.T) {
	sc, err := LoadScenario("phasio/batch-update")
	if err != nil {
		t.Fatal(err)
	}
	g, err := New(ProviderPhasio, WithScenario(sc), WithOrders(30), WithOrderIDBase(500000))
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	if err := g.Run(func(ev *Event) error { keys[ev.OrderKey] = true; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 30 {
		t.Fatalf("%d orders, want 30", len(keys))
	}
	for k := range keys {
		id, err := strconv.ParseInt(k, 10, 64)
		if err != nil || id <= 500000 || id > 500000+30*MaxOrderIDStep {
			t.Errorf("order id %s outside (500000, %d]", k, 500000+30*MaxOrderIDStep)
		}
	}
	for name, opts := range map[string][]Option{
		"happycolis":    {WithOrderIDBase(1000)},
		"negative base": {WithOrderIDBase(-1)},
	} {
		provider := ProviderPhasio
		if name == "happycolis" {
			provider = ProviderHappyColis
		}
		if _, err := New(provider, opts...); !errors.Is(err, ErrOptions) {
			t.Errorf("%s: %v, want ErrOptions", name, err)
		}
	}
}
