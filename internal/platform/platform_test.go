package platform

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestStandardType maps both platforms' event names.
func TestStandardType(t *testing.T) {
	for in, want := range map[string]string{
		"ORDER_UPDATED": "order.updated", "order/updated": "order.updated", "ORDER": "order", "QUOTE_CONVERTED": "quote.converted",
	} {
		if got := StandardType(in); got != want {
			t.Errorf("StandardType(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestOrigin recovers each platform event from its Standard type.
func TestOrigin(t *testing.T) {
	for _, p := range platforms {
		for _, e := range p.Events {
			data := map[string]any{"orderId": json.Number("1")}
			if p.Name == HappyColis {
				data = map[string]any{"header": map[string]any{}, "body": map[string]any{}}
			}
			if gp, ge := Origin(StandardType(e.Name), data); gp != p.Name || ge != e.Name {
				t.Errorf("Origin(%s) = %s %s, want %s %s", StandardType(e.Name), gp, ge, p.Name, e.Name)
			}
		}
	}
}

// TestTable: every order event is a trigger, titles map back to names.
func TestTable(t *testing.T) {
	ph, _ := Get(Phasio)
	for _, e := range ph.Events {
		if !slices.Contains(ph.Triggers, e.Name) {
			t.Errorf("%s is not among the Phasio triggers", e.Name)
		}
	}
	if ph.Titles()["Order Created"] != "ORDER" || len(Events(Standard)) != 8 || !slices.Equal(Events(HappyColis), Events("happycolis")) {
		t.Error("titles or event lists")
	}
	if _, ok := Get(Standard); ok {
		t.Error("standard is a profile, not a platform")
	}
}

// TestOrderKey finds the order in each payload form.
func TestOrderKey(t *testing.T) {
	for doc, want := range map[string]string{
		`{"orderId":50070,"id":1}`:        "50070",
		`{"header":{},"body":{"id":"u"}}`: "u",
		`{"id":"plain"}`:                  "plain",
		`{"orderId":null,"id":7}`:         "7",
		`[1,2]`:                           "",
		`{"orderId":{"x":1}}`:             "",
	} {
		dec := json.NewDecoder(strings.NewReader(doc))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		if got := OrderKey(v); got != want {
			t.Errorf("OrderKey(%s) = %q, want %q", doc, got, want)
		}
	}
}
