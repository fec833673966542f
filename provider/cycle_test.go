package provider

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/orderhooks/orderhooks/apispec"
)

// TestSchemaCycles: an event schema whose $refs lead back to themselves
// with nothing between, inline or in a file it refers to, is refused when
// the definition is read, FILE:LINE: POINTER: reference cycle (…); a
// schema that recurses through its properties reads, checks and
// generates.
func TestSchemaCycles(t *testing.T) {
	tests := []struct {
		name   string
		events string
		files  map[string]string
		want   string // "" for a definition that reads and checks
	}{
		{"inline A → B → A", `{name: a, schema: {$ref: "#/$defs/A", $defs: {A: {$ref: "#/$defs/B"}, B: {$ref: "#/$defs/A"}}}}`, nil,
			`d/p.yaml:10: /events/list/0/schema/$defs/A: reference cycle (#/$defs/A → #/$defs/B → #/$defs/A)`},
		{"inline A → A", `{name: a, schema: {$ref: "#/$defs/A", $defs: {A: {allOf: [{$ref: "#/$defs/A"}]}}}}`, nil,
			`d/p.yaml:10: /events/list/0/schema/$defs/A: reference cycle (#/$defs/A → #/$defs/A/allOf/0 → #/$defs/A)`},
		{"in a file", `{name: a, schema: {$ref: "s.yaml#/$defs/Top"}}`,
			map[string]string{"d/s.yaml": "$defs:\n  Top: {type: object, properties: {id: {type: string}, x: {$ref: '#/$defs/A'}}}\n  A: {$ref: '#/$defs/B'}\n  B: {$ref: '#/$defs/A'}\n"},
			`d/s.yaml:3: /$defs/A: reference cycle (#/$defs/A → #/$defs/B → #/$defs/A)`},
		{"tree", `{name: a, schema: {$ref: "#/$defs/Node", $defs: {Node: {type: object, required: [id], properties: {id: {type: string}, children: {type: array, items: {$ref: "#/$defs/Node"}}}}}}}`, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{"d/p.yaml": {Data: []byte(minimal(tt.events))}}
			for name, text := range tt.files {
				fsys[name] = &fstest.MapFile{Data: []byte(text)}
			}
			d, err := Load("d/p.yaml", WithFS(fsys))
			if tt.want == "" {
				if err == nil {
					err = d.Check(context.Background())
				}
				if err != nil {
					t.Fatalf("legal recursion refused: %v", err)
				}
				e, _ := d.Event("a")
				s, _ := e.Schema()
				if p, err := s.Generate(1); err != nil || !strings.HasPrefix(string(p), `{"id":`) {
					t.Errorf("generated %s, %v", p, err)
				}
				return
			}
			var pe *Error
			if !errors.As(err, &pe) || err.Error() != tt.want || !errors.Is(err, ErrDefinition) || !errors.Is(err, apispec.ErrRefCycle) {
				t.Errorf("error (%T)\n%v\nwant one problem (ErrDefinition, apispec.ErrRefCycle)\n%s", err, err, tt.want)
			}
		})
	}
}
