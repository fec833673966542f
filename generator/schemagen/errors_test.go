package schemagen_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/generator/schemagen"
)

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name, schema string
		want         error
		pointer      string
	}{
		{"not JSON", `{"type":`, schemagen.ErrInvalidSchema, "#"},
		{"false", `false`, schemagen.ErrUnsatisfiable, "#"},
		{"empty enum", `{"enum":[]}`, schemagen.ErrUnsatisfiable, "#"},
		{"enum and type disagree", `{"type":"string","enum":[1,2]}`, schemagen.ErrUnsatisfiable, "#"},
		{"min above max", `{"type":"integer","minimum":5,"maximum":4}`, schemagen.ErrUnsatisfiable, "#"},
		{"no multiple in range", `{"type":"integer","minimum":1,"maximum":4,"multipleOf":5}`, schemagen.ErrUnsatisfiable, "#"},
		{"minLength above maxLength", `{"type":"object","required":["a"],"properties":{"a":{"type":"string","minLength":3,"maxLength":2}}}`, schemagen.ErrUnsatisfiable, "#/properties/a"},
		{"types disagree in allOf", `{"allOf":[{"type":"string"},{"type":"integer"}]}`, schemagen.ErrUnsatisfiable, "#"},
		{"required but forbidden", `{"type":"object","required":["x"],"additionalProperties":false}`, schemagen.ErrUnsatisfiable, "#"},
		{"minItems above maxItems", `{"type":"array","minItems":3,"maxItems":1}`, schemagen.ErrUnsatisfiable, "#"},
		{"dangling $ref", `{"$ref":"#/$defs/missing"}`, schemagen.ErrInvalidSchema, "#"},
		{"remote $ref without loader", `{"$ref":"other.json"}`, schemagen.ErrInvalidSchema, "#"},
		{"bad pattern", `{"type":"string","pattern":"(?=x)"}`, schemagen.ErrInvalidSchema, "#"},
		{"required recursion never ends", `{"$ref":"#/$defs/n","$defs":{"n":{"type":"object","required":["next"],"properties":{"next":{"$ref":"#/$defs/n"}}}}}`, schemagen.ErrTooHard, "#"},
		{"not everything", `{"not":{}}`, schemagen.ErrTooHard, "#/not"},
		{"unique items impossible", `{"type":"array","items":{"type":"boolean"},"minItems":3,"uniqueItems":true}`, schemagen.ErrTooHard, "#"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := schemagen.New([]byte(tc.schema))
			if err == nil {
				_, err = g.Generate(1)
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			var e *schemagen.Error
			if !errors.As(err, &e) {
				t.Fatalf("%v is not a *schemagen.Error", err)
			}
			if !strings.HasPrefix(e.Pointer, tc.pointer) {
				t.Errorf("pointer %q, want %q", e.Pointer, tc.pointer)
			}
			if strings.Contains(err.Error(), "\n") || strings.Count(err.Error(), "schemagen:") != 1 {
				t.Errorf("want one line with one package prefix: %q", err)
			}
		})
	}
}

func TestLoader(t *testing.T) {
	docs := map[string]string{
		"https://example.com/schemas/order.json":    `{"type":"object","required":["customer"],"properties":{"customer":{"$ref":"customer.json#/$defs/customer"}}}`,
		"https://example.com/schemas/customer.json": `{"$defs":{"customer":{"type":"object","required":["email"],"properties":{"email":{"type":"string","format":"email"}},"additionalProperties":false}}}`,
	}
	var asked []string
	load := func(uri string) ([]byte, error) {
		asked = append(asked, uri)
		if d, ok := docs[uri]; ok {
			return []byte(d), nil
		}
		return nil, fmt.Errorf("no such document")
	}
	g, err := schemagen.New([]byte(docs["https://example.com/schemas/order.json"]),
		schemagen.WithBaseURI("https://example.com/schemas/order.json"), schemagen.WithLoader(load))
	if err != nil {
		t.Fatal(err)
	}
	b, err := g.Generate(3)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`"email":"`)) {
		t.Fatalf("customer not generated from the loaded document: %s", b)
	}
	if len(asked) != 1 || asked[0] != "https://example.com/schemas/customer.json" {
		t.Errorf("loader asked for %v, want the customer document once", asked)
	}
}

func TestDeterministic(t *testing.T) {
	g, err := schemagen.New([]byte(tenFields))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for seed := int64(0); seed < 50; seed++ {
		a, err := g.Generate(seed)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := g.Generate(seed)
		if !bytes.Equal(a, b) {
			t.Fatalf("seed %d: two runs differ:\n%s\n%s", seed, a, b)
		}
		seen[string(a)] = true
	}
	if len(seen) != 50 {
		t.Errorf("%d distinct payloads from 50 seeds", len(seen))
	}
	// a second Generator from the same schema gives the same bytes
	g2, _ := schemagen.New([]byte(tenFields))
	a, _ := g.Generate(42)
	b, _ := g2.Generate(42)
	if !bytes.Equal(a, b) {
		t.Fatal("two generators of one schema differ")
	}
}

func TestLimits(t *testing.T) {
	// a map of large strings is cut short by the size bound
	g, err := schemagen.New([]byte(`{"type":"array","minItems":50,"items":{"type":"string","minLength":100}}`), schemagen.WithMaxBytes(1000))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Generate(1); !errors.Is(err, schemagen.ErrTooHard) {
		t.Fatalf("got %v, want ErrTooHard past WithMaxBytes", err)
	}
	// optional recursion stops at the depth limit
	g, err = schemagen.New([]byte(`{"$ref":"#/$defs/n","$defs":{"n":{"type":"object","properties":{"kids":{"type":"array","items":{"$ref":"#/$defs/n"}}}}}}`), schemagen.WithMaxDepth(3))
	if err != nil {
		t.Fatal(err)
	}
	for seed := int64(0); seed < 50; seed++ {
		b, err := g.Generate(seed)
		if err != nil {
			t.Fatal(err)
		}
		if depth := maxDepth(b); depth > 2*3+2 {
			t.Fatalf("nesting %d past WithMaxDepth(3): %s", depth, b)
		}
	}
}

func maxDepth(b []byte) int {
	d, m := 0, 0
	for _, c := range b {
		switch c {
		case '{', '[':
			d++
			m = max(m, d)
		case '}', ']':
			d--
		}
	}
	return m
}

// TestPercentEncodedRef: a $ref fragment is a URI fragment, so %XX is
// decoded before the JSON pointer is read (RFC 6901 §6).
func TestPercentEncodedRef(t *testing.T) {
	g, err := schemagen.New([]byte(`{"$ref":"#/$defs/a%20b~1c","$defs":{"a b/c":{"type":"object","required":["k"],"properties":{"k":{"const":"found"}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	b, err := g.Generate(1)
	if err != nil || !bytes.Contains(b, []byte(`"k":"found"`)) {
		t.Fatalf("%s %v", b, err)
	}
}
