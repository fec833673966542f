package platform

import (
	"encoding/json"
	"os"
	"path/filepath"
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

// TestJSONEnums: the event enums the JSON documents carry (JSON cannot
// import Go) are the table's, as sets.
func TestJSONEnums(t *testing.T) {
	read := func(path string) any {
		b, err := os.ReadFile(filepath.Join("..", "..", path))
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	enum := func(doc any, path ...any) []string {
		for _, k := range path {
			switch k := k.(type) {
			case string:
				doc = doc.(map[string]any)[k]
			case int:
				doc = doc.([]any)[k]
			}
		}
		var out []string
		for _, v := range doc.([]any) {
			out = append(out, v.(string))
		}
		slices.Sort(out)
		return out
	}
	sorted := func(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
	scenario := read("generator/scenario.schema.json")
	for i, name := range Names() {
		got := enum(scenario, "allOf", i, "then", "properties", "steps", "items", "properties", "event", "enum")
		if !slices.Equal(got, sorted(Events(name))) {
			t.Errorf("scenario.schema.json %s events %v, the table %v", name, got, Events(name))
		}
	}
	hc := enum(read("schemas/happycolis/order-event.json"), "properties", "header", "properties", "type", "enum")
	if !slices.Equal(hc, sorted(Events(HappyColis))) {
		t.Errorf("order-event.json header.type %v, the table %v", hc, Events(HappyColis))
	}
}
