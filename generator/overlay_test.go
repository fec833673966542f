package generator_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/schemas"
)

// overlaySet applies an overlay adding undocumented fields: a string with
// an example on every Phasio part, a number at the top, and an object on
// every HappyColis line; plus null admitted, which changes nothing
// generated.
func overlaySet(t *testing.T) *schemas.Set {
	t.Helper()
	o, err := schemas.ParseOverlay([]byte(`{"version": 1, "patches": {
  "phasio/order": [
    {"op": "add", "path": "/properties/parts/items/properties/surfaceRoughness", "value": {"type": "string", "examples": ["Ra 3.2"]}},
    {"op": "add", "path": "/properties/leadTimeDays", "value": {"type": "integer", "minimum": 1, "maximum": 60}},
    {"op": "replace", "path": "/properties/parts/items/properties/material/type", "value": ["string", "null"]}
  ],
  "happycolis/order-event": [
    {"op": "add", "path": "/properties/body/properties/lines/items/properties/weight", "value": {"type": "object", "required": ["value", "unit"],
      "properties": {"value": {"type": "number", "minimum": 0}, "unit": {"enum": ["kg", "g"]}}}}
  ]
}}`), "overlay.json")
	if err != nil {
		t.Fatal(err)
	}
	set, err := o.Apply()
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// TestWithSchemas: the fields an overlay adds are in every payload where
// their parent is, with values valid against the patched strict schemas
// (and invalid against the embedded ones); the same seed gives the same
// bytes; without the option nothing changes.
func TestWithSchemas(t *testing.T) {
	set := overlaySet(t)
	for _, tt := range []struct {
		provider string
		scenario string
		want     []string
	}{
		{generator.ProviderPhasio, "phasio/quote-to-paid", []string{`"surfaceRoughness":"Ra 3.2"`, `"leadTimeDays":`}},
		{generator.ProviderHappyColis, "happycolis/fulfilment", []string{`"weight":{"value":`}},
	} {
		t.Run(tt.provider, func(t *testing.T) {
			sc, err := generator.LoadScenario(tt.scenario)
			if err != nil {
				t.Fatal(err)
			}
			opts := []generator.Option{generator.WithScenario(sc), generator.WithOrders(4), generator.WithSeed(9)}
			plain := testkit.Generate(t, tt.provider, opts...)
			with := testkit.Generate(t, tt.provider, append(opts, generator.WithSchemas(set))...)
			again := testkit.Generate(t, tt.provider, append(opts, generator.WithSchemas(set))...)
			if len(plain) != len(with) {
				t.Fatalf("%d events, %d with the overlay", len(plain), len(with))
			}
			for i, ev := range with {
				for _, w := range tt.want {
					if !strings.Contains(string(ev.Payload), w) {
						t.Errorf("event %d lacks %s: %.300s", i, w, ev.Payload)
					}
					if strings.Contains(string(plain[i].Payload), strings.SplitN(w, ":", 2)[0]) {
						t.Errorf("event %d without the overlay has %s", i, w)
					}
				}
				strict, _ := schemas.ForEvent(ev.Provider, ev.Event, true)
				if err := set.Validate(strict, ev.Payload); err != nil {
					t.Errorf("event %d is invalid against the patched schema: %v", i, err)
				}
				if err := schemas.Validate(strict, ev.Payload); err == nil {
					t.Errorf("event %d is valid against the embedded strict schema", i)
				}
				if !bytes.Equal(ev.Payload, again[i].Payload) {
					t.Errorf("event %d differs between two runs of the same seed", i)
				}
				var a, b map[string]any
				json.Unmarshal(ev.Payload, &a)
				json.Unmarshal(plain[i].Payload, &b)
				delete(a, "leadTimeDays")
				if tt.provider == generator.ProviderPhasio && len(a["parts"].([]any)) != len(b["parts"].([]any)) {
					t.Errorf("event %d: the overlay changed the parts", i)
				}
			}
		})
	}
}
