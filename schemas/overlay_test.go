package schemas_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/schemas"
)

func readOverlayExample(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "examples", "phasio-order-created.json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestOverlayApply(t *testing.T) {
	doc := readOverlayExample(t)
	drifted := strings.Replace(string(doc), `"orderId"`, `"leadTimeDays": 12, "orderId"`, 1)
	drifted = strings.Replace(drifted, `"applyTaxToShipping": true`, `"applyTaxToShipping": null`, 1)
	drifted = strings.Replace(drifted, `"applyTaxToShipping": false`, `"applyTaxToShipping": null`, 1)
	if err := schemas.Validate(schemas.PhasioOrderStrict, []byte(drifted)); err == nil {
		t.Fatal("the drifted document should fail the embedded strict schema")
	}
	o, err := schemas.ParseOverlay([]byte(`{
  "version": 1,
  "description": "seen in production",
  "patches": {
    "phasio/order": [
      {"op": "add", "path": "/properties/leadTimeDays", "value": {"type": "integer", "examples": [12]}},
      {"op": "test", "path": "/properties/pricing/properties/applyTaxToShipping/type", "value": "boolean"},
      {"op": "replace", "path": "/properties/pricing/properties/applyTaxToShipping/type", "value": ["boolean", "null"]},
      {"op": "add", "path": "/required/-", "value": "leadTimeDays"}
    ],
    "happycolis/order-event": [
      {"op": "add", "path": "/properties/body/properties/lines/items/properties/status/enum/-", "value": "RETURNED"},
      {"op": "copy", "from": "/properties/body/properties/total", "path": "/properties/body/properties/totalEcoTax"},
      {"op": "move", "from": "/properties/body/properties/totalEcoTax", "path": "/properties/body/properties/ecoTax"},
      {"op": "remove", "path": "/properties/body/properties/ecoTax"}
    ]
  }
}`), "drift.json")
	if err != nil {
		t.Fatal(err)
	}
	set, err := o.Apply()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{schemas.PhasioOrder, schemas.PhasioOrderStrict} {
		if err := set.Validate(name, []byte(drifted)); err != nil {
			t.Errorf("%s with the overlay: %v", name, err)
		}
	}
	// Quote Converted refers to the order schema: it sees the patch too.
	if s, _ := set.Get(schemas.PhasioQuoteConvertedStrict); !strings.Contains(string(s.Source()), `order-strict.json`) {
		t.Error("quote-converted-strict should refer to the patched order-strict")
	}
	// The new required field is enforced.
	if err := set.Validate(schemas.PhasioOrderStrict, doc); err == nil || !strings.Contains(err.Error(), "/leadTimeDays: required field is missing") {
		t.Errorf("required leadTimeDays: %v", err)
	}
	// The embedded schemas are untouched.
	if err := schemas.Validate(schemas.PhasioOrderStrict, []byte(drifted)); err == nil {
		t.Error("the overlay changed the embedded schemas")
	}
	hc, _ := set.Get(schemas.HappyColisOrderEventStrict)
	src := string(hc.Source())
	if !strings.Contains(src, `"RETURNED"`) || strings.Contains(src, "ecoTax") || strings.Contains(src, "totalEcoTax") {
		t.Errorf("happycolis strict source after the overlay:\n%.300s", src)
	}
	if len(set.Names()) != len(schemas.Names()) || len(set.All()) != len(schemas.Names()) {
		t.Errorf("set has %v", set.Names())
	}

	back, err := schemas.ParseOverlay(o.Marshal(), "again.json")
	if err != nil || len(back.Patches["phasio/order"]) != 4 || back.Description != "seen in production" {
		t.Errorf("round trip: %v %+v", err, back)
	}
}

func TestOverlayErrors(t *testing.T) {
	for _, tt := range []struct {
		name, doc, want string
	}{
		{"syntax", "{\n  \"version\": 1,\n  \"patches\": {\n}}}", "o.json:4: unexpected data after the document"},
		{"version", `{"version": 2, "patches": {}}`, "o.json:1: /version: unsupported overlay version 2 (this orderhooks reads version 1)"},
		{"no patches", `{"version": 1, "patches": {}}`, "/patches: no patches"},
		{"unknown field", `{"version": 1, "patch": {}}`, `unknown field "patch"`},
		{"strict", "{\"version\": 1, \"patches\": {\n\"phasio/order-strict\": []}}", "o.json:2: /patches/phasio~1order-strict: phasio/order-strict is derived from phasio/order when orderhooks loads: patch phasio/order instead"},
		{"unknown schema", `{"version": 1, "patches": {"phasio/orders": []}}`, `unknown schema "phasio/orders" (known: happycolis/order-event, phasio/order, phasio/quote-converted)`},
		{"op", "{\"version\": 1, \"patches\": {\"phasio/order\": [\n{\"op\": \"append\", \"path\": \"/x\"}]}}", `o.json:2: /patches/phasio~1order/0: unknown op "append"`},
		{"op misspelt", "{\"version\": 1, \"patches\": {\"phasio/order\": [\n{\"op\": \"replce\", \"path\": \"/x\"}]}}", `(did you mean "replace"?)`},
		{"schema misspelt", `{"version": 1, "patches": {"phasio/ordr": []}}`, `(did you mean "phasio/order"?)`},
		{"value", `{"version": 1, "patches": {"phasio/order": [{"op": "add", "path": "/x"}]}}`, "/patches/phasio~1order/0: add needs a value"},
		{"pointer", `{"version": 1, "patches": {"phasio/order": [{"op": "remove", "path": "x"}]}}`, `path: "x": must be empty or start with /`},
		{"escape", `{"version": 1, "patches": {"phasio/order": [{"op": "copy", "from": "/a~2", "path": "/x"}]}}`, `from: "/a~2": ~ must be followed by 0 or 1`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := schemas.ParseOverlay([]byte(tt.doc), "o.json")
			if !errors.Is(err, schemas.ErrOverlay) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
	for _, tt := range []struct {
		name, ops, want string
	}{
		{"missing", `{"op": "replace", "path": "/properties/nope/type", "value": "string"}`, `o.json:3: /patches/phasio~1order/0: replace /properties/nope/type: no member "nope" at /properties`},
		{"test", `{"op": "test", "path": "/properties/orderId/type", "value": "string"}`, "test failed"},
		{"index", `{"op": "add", "path": "/required/99", "value": "x"}`, "index 99 is beyond the array's 16 items"},
		{"not a schema", `{"op": "replace", "path": "/properties/orderId/type", "value": "decimal"}`, "the patched schemas do not compile"},
		{"into itself", `{"op": "move", "from": "/properties", "path": "/properties/x"}`, "cannot move a value into itself"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o, err := schemas.ParseOverlay([]byte("{\"version\": 1, \"patches\": {\"phasio/order\": [\n\n"+tt.ops+"]}}"), "o.json")
			if err != nil {
				t.Fatal(err)
			}
			_, err = o.Apply()
			if !errors.Is(err, schemas.ErrOverlay) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := schemas.LoadOverlay(filepath.Join(t.TempDir(), "none.json")); !errors.Is(err, schemas.ErrOverlay) || !strings.Contains(err.Error(), "none.json") {
		t.Errorf("missing file: %v", err)
	}
}

func TestEmbeddedSet(t *testing.T) {
	set := schemas.Embedded()
	if _, err := set.Get("phasio/nope"); !errors.Is(err, schemas.ErrUnknownSchema) {
		t.Errorf("unknown: %v", err)
	}
	if err := set.Validate(schemas.PhasioOrderStrict, readOverlayExample(t)); err != nil {
		t.Error(err)
	}
}
