package corpus

import (
	"testing"

	"github.com/orderhooks/orderhooks/schemas"
)

// TestClean: the corpus is what the drift and redaction tests take it to
// be: strictly valid, both platforms, every order event, edge cases.
func TestClean(t *testing.T) {
	evs, err := Clean(1000, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1000 {
		t.Fatalf("%d events, want 1000", len(evs))
	}
	seen := map[string]int{}
	for _, ev := range evs {
		seen[ev.Provider+" "+ev.Event]++
		if ev.Variant == "edge" {
			seen[ev.Provider+" edge"]++
		}
		name, err := schemas.ForEvent(ev.Provider, ev.Event, true)
		if err != nil {
			t.Fatal(err)
		}
		if err := schemas.Validate(name, ev.Payload); err != nil {
			t.Errorf("%s %s: %v", ev.Event, ev.Label, err)
		}
	}
	for _, want := range []string{"phasio ORDER", "phasio ORDER_UPDATED", "phasio QUOTE_CONVERTED", "phasio edge",
		"happycolis order/created", "happycolis order/opened", "happycolis order/updated", "happycolis order/completed",
		"happycolis order/cancelled", "happycolis edge"} {
		if seen[want] == 0 {
			t.Errorf("no %s event in %v", want, seen)
		}
	}
}

func TestDrifted(t *testing.T) {
	evs, err := Drifted("phasio", 50, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if ev.Variant != "drift" || schemas.Validate(schemas.PhasioOrderStrict, ev.Payload) == nil && ev.Event != "QUOTE_CONVERTED" {
			t.Errorf("%s %s: not a drifted payload", ev.Event, ev.Label)
		}
	}
}
