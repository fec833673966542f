package schemagen_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/orderhooks/orderhooks/generator/schemagen"
)

// randomSchema builds a schema from a grammar of the keywords the package
// handles, nested up to depth.
func randomSchema(r *rand.Rand, depth int) map[string]any {
	defs := map[string]any{}
	s := randomSub(r, depth, defs)
	if len(defs) > 0 {
		s = map[string]any{"allOf": []any{s}, "$defs": defs}
	}
	return s
}

// randomSub adds the $defs its $refs point to to defs.
func randomSub(r *rand.Rand, depth int, defs map[string]any) map[string]any {
	leaf := []func() map[string]any{
		func() map[string]any {
			s := map[string]any{"type": "string"}
			switch r.IntN(5) {
			case 0:
				s["format"] = []string{"date-time", "date", "email", "uuid", "ipv4", "ipv6", "uri", "hostname", "time"}[r.IntN(9)]
			case 1:
				s["pattern"] = []string{`^[a-z]{2,5}$`, `^\d{3}-\d{2}$`, `^(a|bc|def)+$`, `x`, `^[A-F0-9]{8}$`}[r.IntN(5)]
			case 2:
				lo := r.IntN(5)
				s["minLength"], s["maxLength"] = lo, lo+r.IntN(10)
			}
			return s
		},
		func() map[string]any {
			s := map[string]any{"type": []string{"integer", "number"}[r.IntN(2)]}
			if r.IntN(2) == 0 {
				s["minimum"] = r.IntN(50) - 25
			}
			if r.IntN(2) == 0 {
				s["exclusiveMaximum"] = 30 + r.IntN(50)
			}
			if r.IntN(3) == 0 {
				s["multipleOf"] = []float64{0.5, 0.01, 3, 0.25}[r.IntN(4)]
			}
			return s
		},
		func() map[string]any { return map[string]any{"enum": []any{"x", 1, nil, true}[:1+r.IntN(4)]} },
		func() map[string]any { return map[string]any{"const": r.IntN(10)} },
		func() map[string]any { return map[string]any{"type": []any{"boolean", "null"}[:1+r.IntN(2)]} },
	}
	if depth <= 0 || r.IntN(3) == 0 {
		return leaf[r.IntN(len(leaf))]()
	}
	switch r.IntN(6) {
	case 0, 1:
		props := map[string]any{}
		var req []any
		for i := 0; i < 1+r.IntN(5); i++ {
			name := []string{"id", "email", "name", "price", "quantity", "created_at", "status", "meta", "items", "x"}[r.IntN(10)]
			if _, dup := props[name]; dup {
				continue
			}
			props[name] = randomSub(r, depth-1, defs)
			if r.IntN(2) == 0 {
				req = append(req, name)
			}
		}
		s := map[string]any{"type": "object", "properties": props}
		if len(req) > 0 {
			s["required"] = req
		}
		if r.IntN(3) == 0 {
			s["additionalProperties"] = false
		}
		return s
	case 2:
		s := map[string]any{"type": "array", "items": randomSub(r, depth-1, defs)}
		if r.IntN(2) == 0 {
			s["minItems"], s["maxItems"] = r.IntN(3), 3+r.IntN(3)
		}
		return s
	case 3:
		return map[string]any{[]string{"anyOf", "oneOf"}[r.IntN(2)]: []any{randomSub(r, depth-1, defs), randomSub(r, depth-1, defs)}}
	case 4:
		return map[string]any{"allOf": []any{randomSub(r, depth-1, defs), map[string]any{"not": map[string]any{"const": 0}}}}
	default:
		name := fmt.Sprintf("d%d", len(defs))
		defs[name] = true // reserve the name while the definition is built
		defs[name] = randomSub(r, depth-1, defs)
		return map[string]any{"$ref": "#/$defs/" + name}
	}
}

// TestRandomSchemas: for a few hundred random schemas, every payload
// Generate returns validates under the project's validator and under Ajv,
// every failure is a typed error, and most schemas generate.
func TestRandomSchemas(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	docs := map[string][]byte{}
	var checks []ajvCheck
	ok, failed := 0, 0
	for i := 0; i < 300; i++ {
		schema, err := json.Marshal(randomSchema(r, 3))
		if err != nil {
			t.Fatal(err)
		}
		uri := fmt.Sprintf("mem:///random%d.json", i)
		g, err := schemagen.New(schema, schemagen.WithBaseURI(uri))
		if err != nil {
			t.Fatalf("%s: %v", schema, err)
		}
		s := projectSchema(t, map[string][]byte{uri: schema}, uri)
		c := ajvCheck{Schema: uri}
		for seed := int64(0); seed < 5; seed++ {
			b, err := g.Generate(seed)
			if err != nil {
				var e *schemagen.Error
				if !errors.As(err, &e) || !(errors.Is(err, schemagen.ErrUnsatisfiable) || errors.Is(err, schemagen.ErrTooHard)) {
					t.Fatalf("%s: untyped error %v", schema, err)
				}
				failed++
				break
			}
			mustValidate(t, s, b)
			c.Instances = append(c.Instances, b)
			ok++
		}
		if len(c.Instances) > 0 {
			docs[uri] = schema
			checks = append(checks, c)
		}
	}
	t.Logf("%d payloads generated; %d schemas refused (unsatisfiable or too hard)", ok, failed)
	if failed > 30 {
		t.Errorf("%d of 300 random schemas refused: the generator gives up too often", failed)
	}
	for _, f := range ajv(t, docs, checks) {
		t.Errorf("Ajv rejects %s for %s: %s", checks[f.Check].Instances[f.Instance], docs[checks[f.Check].Schema], f.Errors)
	}
}
