package schemagen_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/generator/schemagen"
)

const edgeSchema = `{
  "type": "object",
  "required": ["id", "qty"],
  "properties": {
    "id": {"type": "string", "format": "uuid"},
    "qty": {"type": "integer", "minimum": 1, "exclusiveMaximum": 100},
    "note": {"type": ["string", "null"], "maxLength": 20},
    "kind": {"enum": ["a", "b", "c"]},
    "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 4},
    "shape": {"oneOf": [{"type": "integer"}, {"type": "string", "maxLength": 3}]}
  }
}`

func TestEdgeCases(t *testing.T) {
	g, err := schemagen.New([]byte(edgeSchema))
	if err != nil {
		t.Fatal(err)
	}
	cases, err := g.EdgeCases(7)
	if err != nil {
		t.Fatal(err)
	}
	s := projectSchema(t, map[string][]byte{base: []byte(edgeSchema)}, base)
	labels := map[string]bool{}
	seen := map[string]bool{}
	for _, c := range cases {
		mustValidate(t, s, c.JSON)
		if labels[c.Label] {
			t.Errorf("label %q twice", c.Label)
		}
		labels[c.Label] = true
		if seen[string(c.JSON)] {
			t.Errorf("%s: same payload as an earlier case", c.Label)
		}
		seen[string(c.JSON)] = true
		if !strings.HasPrefix(c.Label, c.Pointer+": ") && !(c.Pointer == "" && strings.HasPrefix(c.Label, "/: ")) {
			t.Errorf("label %q does not start with its pointer %q", c.Label, c.Pointer)
		}
	}
	for _, want := range []string{
		"/: typical payload",
		"/: required content only, shortest values",
		"/: every optional property, longest values",
		"/qty: minimum (1)",
		"/qty: just below exclusiveMaximum (99)",
		"/note: null",
		"/note: longest string (20 chars)",
		"/note: unicode text",
		`/kind: enum value "c"`,
		"/shape: oneOf branch 0",
		"/shape: oneOf branch 1",
		"/tags: most items (4)",
		"/tags: fewest items (0)",
		"/note: optional property absent",
	} {
		if !labels[want] {
			t.Errorf("no case %q among %d", want, len(cases))
		}
	}
	again, _ := g.EdgeCases(7)
	if len(again) != len(cases) {
		t.Fatalf("%d cases then %d", len(cases), len(again))
	}
	for i := range cases {
		if cases[i].Label != again[i].Label || !bytes.Equal(cases[i].JSON, again[i].JSON) {
			t.Fatalf("case %d differs between runs", i)
		}
	}
	few, _ := mustNewOpts(t, edgeSchema, schemagen.WithMaxCases(3)).EdgeCases(7)
	if len(few) != 3 {
		t.Errorf("WithMaxCases(3): %d cases", len(few))
	}
}

func mustNewOpts(t *testing.T, schema string, opts ...schemagen.Option) *schemagen.Generator {
	t.Helper()
	g, err := schemagen.New([]byte(schema), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return g
}
