package schemagen_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/orderhooks/orderhooks/generator/schemagen"
)

// FuzzGenerate: arbitrary schema bytes never panic or hang; what Generate
// and EdgeCases return validates; every failure is a typed error.
func FuzzGenerate(f *testing.F) {
	for _, s := range []string{
		tenFields, edgeSchema, `true`, `false`, `{}`, `{"$ref":"#"}`,
		`{"$ref":"#/$defs/a","$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}}}`,
		`{"type":"array","items":{"$ref":"#"},"minItems":1}`,
		`{"enum":[` + string(bytes.Repeat([]byte(`1,`), 5000)) + `2]}`,
		string(bytes.Repeat([]byte(`{"items":`), 400)) + `{}` + string(bytes.Repeat([]byte(`}`), 400)),
		`{"type":"string","pattern":"^(a+)+b{1000}$"}`,
		`{"oneOf":[{},{}]}`,
		`{"type":"object","minProperties":1000}`,
		`{"type":"object","minProperties":61000}`,
	} {
		f.Add([]byte(s), int64(1))
	}
	f.Fuzz(func(t *testing.T, schema []byte, seed int64) {
		g, err := schemagen.New(schema, schemagen.WithMaxBytes(8192), schemagen.WithMaxDepth(3), schemagen.WithMaxCases(10))
		if err != nil {
			mustBeTyped(t, err)
			return
		}
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft2020)
		c.AssertFormat()
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
		if err != nil {
			t.Fatalf("New accepted what the validator cannot read: %v", err)
		}
		if err := c.AddResource(schemagen.DefaultBaseURI, doc); err != nil {
			t.Fatal(err)
		}
		s, err := c.Compile(schemagen.DefaultBaseURI)
		if err != nil {
			t.Fatalf("New accepted what the validator cannot compile: %v", err)
		}
		b, err := g.Generate(seed)
		if err != nil {
			mustBeTyped(t, err)
			return
		}
		mustValidate(t, s, b)
		cases, err := g.EdgeCases(seed)
		if err != nil {
			mustBeTyped(t, err)
			return
		}
		for _, c := range cases {
			mustValidate(t, s, c.JSON)
		}
	})
}

func mustBeTyped(t *testing.T, err error) {
	t.Helper()
	var e *schemagen.Error
	if !errors.As(err, &e) || !(errors.Is(err, schemagen.ErrInvalidSchema) || errors.Is(err, schemagen.ErrUnsatisfiable) || errors.Is(err, schemagen.ErrTooHard)) {
		t.Fatalf("untyped error: %v", err)
	}
}
