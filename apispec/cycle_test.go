package apispec_test

import (
	"errors"
	"testing"
	"testing/fstest"

	"github.com/orderhooks/orderhooks/apispec"
)

// TestSchemaCycles: a payload schema whose $refs (and in-place
// subschemas: allOf, anyOf, oneOf, not, if, then, else) come back to
// themselves is refused with one line at the first schema of the cycle,
// naming the chain; recursion that goes down into the value (properties,
// items, additionalProperties) is legal and loads.
func TestSchemaCycles(t *testing.T) {
	const head = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n" +
		"webhooks:\n  e:\n    post:\n      requestBody:\n        content:\n          application/json:\n            schema: {$ref: '#/components/schemas/A'}\n" +
		"components:\n  schemas:\n"
	tests := []struct {
		name  string
		files map[string]string
		want  string // "" for a document that loads
	}{
		{"A → A", map[string]string{"a.yaml": head + "    A: {$ref: '#/components/schemas/A'}\n"},
			"d/a.yaml:12: /components/schemas/A: reference cycle (#/components/schemas/A → #/components/schemas/A)"},
		{"A → B → A", map[string]string{"a.yaml": head + "    A: {$ref: '#/components/schemas/B'}\n    B: {$ref: '#/components/schemas/A'}\n"},
			"d/a.yaml:12: /components/schemas/A: reference cycle (#/components/schemas/A → #/components/schemas/B → #/components/schemas/A)"},
		{"through allOf", map[string]string{"a.yaml": head + "    A: {allOf: [{type: object}, {$ref: '#/components/schemas/B'}]}\n    B: {$ref: '#/components/schemas/A'}\n"},
			"d/a.yaml:12: /components/schemas/A: reference cycle (#/components/schemas/A → #/components/schemas/A/allOf/1 → #/components/schemas/B → #/components/schemas/A)"},
		{"through anyOf", map[string]string{"a.yaml": head + "    A: {anyOf: [{type: string}, {$ref: '#/components/schemas/A'}]}\n"},
			"d/a.yaml:12: /components/schemas/A: reference cycle (#/components/schemas/A → #/components/schemas/A/anyOf/1 → #/components/schemas/A)"},
		{"deep in a payload", map[string]string{"a.yaml": head + "    A: {type: object, properties: {x: {$ref: '#/components/schemas/B'}}}\n    B: {$ref: '#/components/schemas/C'}\n    C: {$ref: '#/components/schemas/B'}\n"},
			"d/a.yaml:13: /components/schemas/B: reference cycle (#/components/schemas/B → #/components/schemas/C → #/components/schemas/B)"},
		{"across files", map[string]string{"a.yaml": head + "    A: {$ref: 'b.yaml#/B'}\n", "b.yaml": "B: {$ref: 'a.yaml#/components/schemas/A'}\n"},
			"d/a.yaml:12: /components/schemas/A: reference cycle (#/components/schemas/A → d/b.yaml#/B → #/components/schemas/A)"},
		{"tree: children of itself", map[string]string{"a.yaml": head + "    A:\n      type: object\n      required: [name]\n      properties:\n        name: {type: string}\n        children: {type: array, items: {$ref: '#/components/schemas/A'}}\n"}, ""},
		{"list: next through anyOf and properties", map[string]string{"a.yaml": head + "    A:\n      anyOf:\n        - {type: 'null'}\n        - {type: object, properties: {next: {$ref: '#/components/schemas/A'}}}\n"}, ""},
		{"map of itself", map[string]string{"a.yaml": head + "    A: {type: object, additionalProperties: {$ref: '#/components/schemas/A'}}\n"}, ""},
		{"shared, no cycle", map[string]string{"a.yaml": head + "    A: {allOf: [{$ref: '#/components/schemas/B'}, {$ref: '#/components/schemas/B'}]}\n    B: {type: object}\n"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, text := range tt.files {
				fsys["d/"+name] = &fstest.MapFile{Data: []byte(text)}
			}
			s, err := apispec.Load("d/a.yaml", apispec.Options{FS: fsys})
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("legal recursion refused: %v", err)
			case tt.want == "" && len(s.Events) != 1:
				t.Fatalf("%d events, want 1", len(s.Events))
			case tt.want == "":
			case err == nil:
				t.Fatalf("loaded; want %s", tt.want)
			case err.Error() != tt.want || !errors.Is(err, apispec.ErrRefCycle) || !errors.Is(err, apispec.ErrSpec):
				t.Errorf("error\n%v\nwant (ErrRefCycle)\n%s", err, tt.want)
			}
		})
	}
}
