package schemagen_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/mail"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/orderhooks/orderhooks/generator/schemagen"
)

const base = "mem:///schema.json"

// keywordCase is a schema and what its payloads must show beyond
// validating: the assertion fails on a value the keyword forbids or on
// payloads that never show what the keyword offers.
type keywordCase struct {
	name   string
	schema string
	// each checks one decoded payload ("" when fine)
	each func(v any) string
	// all checks the set of payloads (e.g. both branches appear)
	all func(vs []any) string
}

func field(v any, k string) any {
	m, _ := v.(map[string]any)
	return m[k]
}

func str(v any) string { s, _ := v.(string); return s }

func num(v any) float64 { f, _ := v.(float64); return f }

func distinct(vs []any, f func(any) string) map[string]bool {
	seen := map[string]bool{}
	for _, v := range vs {
		seen[f(v)] = true
	}
	return seen
}

func keywordCases() []keywordCase {
	return []keywordCase{
		{name: "format date-time", schema: `{"type":"string","format":"date-time"}`, each: func(v any) string {
			if _, err := time.Parse(time.RFC3339Nano, str(v)); err != nil {
				return err.Error()
			}
			return ""
		}},
		{name: "format date", schema: `{"type":"string","format":"date"}`, each: func(v any) string {
			if _, err := time.Parse(time.DateOnly, str(v)); err != nil {
				return err.Error()
			}
			return ""
		}},
		{name: "format time", schema: `{"type":"string","format":"time"}`, each: func(v any) string {
			if _, err := time.Parse("15:04:05Z07:00", str(v)); err != nil {
				return err.Error()
			}
			return ""
		}},
		{name: "format email", schema: `{"type":"string","format":"email"}`, each: func(v any) string {
			if _, err := mail.ParseAddress(str(v)); err != nil {
				return err.Error()
			}
			return ""
		}},
		{name: "format uuid", schema: `{"type":"string","format":"uuid"}`, each: func(v any) string {
			if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(str(v)) {
				return "not a version 4 UUID"
			}
			return ""
		}},
		{name: "format ipv4", schema: `{"type":"string","format":"ipv4"}`, each: func(v any) string {
			if a, err := netip.ParseAddr(str(v)); err != nil || !a.Is4() {
				return "not IPv4"
			}
			return ""
		}},
		{name: "format ipv6", schema: `{"type":"string","format":"ipv6"}`, each: func(v any) string {
			if a, err := netip.ParseAddr(str(v)); err != nil || !a.Is6() {
				return "not IPv6"
			}
			return ""
		}},
		{name: "format uri", schema: `{"type":"string","format":"uri"}`, each: func(v any) string {
			if !strings.HasPrefix(str(v), "https://") {
				return "not an https URI"
			}
			return ""
		}},
		{name: "format hostname", schema: `{"type":"string","format":"hostname"}`, each: func(v any) string {
			if !strings.Contains(str(v), ".") {
				return "not a domain name"
			}
			return ""
		}},
		{name: "format int32 (OpenAPI)", schema: `{"type":"integer","format":"int32"}`, each: func(v any) string {
			if f := num(v); f != math.Trunc(f) || f < math.MinInt32 || f > math.MaxInt32 {
				return "outside int32"
			}
			return ""
		}},
		{name: "enum", schema: `{"enum":["red",2,null,{"a":1}]}`, all: func(vs []any) string {
			if n := len(distinct(vs, func(v any) string { b, _ := json.Marshal(v); return string(b) })); n != 4 {
				return fmt.Sprintf("%d distinct enum values, want all 4", n)
			}
			return ""
		}},
		{name: "const", schema: `{"const":{"kind":"fixed","n":[1,2]}}`, each: func(v any) string {
			if b, _ := json.Marshal(v); string(b) != `{"kind":"fixed","n":[1,2]}` {
				return "not the const"
			}
			return ""
		}},
		{name: "examples are used", schema: `{"type":"string","examples":["ACME-1"]}`, all: func(vs []any) string {
			if !distinct(vs, str)["ACME-1"] {
				return "the example never appears"
			}
			return ""
		}},
		{name: "OpenAPI example is used", schema: `{"type":"integer","example":4242}`, all: func(vs []any) string {
			for _, v := range vs {
				if num(v) == 4242 {
					return ""
				}
			}
			return "the example never appears"
		}},
		{name: "pattern", schema: `{"type":"string","pattern":"^(ORD|QUO)-[0-9]{4}-[A-Z]{2}$"}`, all: func(vs []any) string {
			if len(distinct(vs, str)) < 20 {
				return "pattern strings do not vary"
			}
			return ""
		}},
		{name: "pattern unanchored with length", schema: `{"type":"string","pattern":"[a-f]+","minLength":5,"maxLength":6}`},
		{name: "minLength maxLength", schema: `{"type":"string","minLength":3,"maxLength":5}`, each: func(v any) string {
			if n := utf8.RuneCountInString(str(v)); n < 3 || n > 5 {
				return "length out of range"
			}
			return ""
		}},
		{name: "integer bounds", schema: `{"type":"integer","minimum":-3,"maximum":3}`, all: func(vs []any) string {
			if n := len(distinct(vs, func(v any) string { return fmt.Sprint(v) })); n != 7 {
				return fmt.Sprintf("%d distinct integers in [-3, 3], want 7", n)
			}
			return ""
		}},
		{name: "exclusive bounds", schema: `{"type":"number","exclusiveMinimum":0,"exclusiveMaximum":1}`, each: func(v any) string {
			if f := num(v); f <= 0 || f >= 1 {
				return "outside (0, 1)"
			}
			return ""
		}},
		{name: "multipleOf decimal", schema: `{"type":"number","minimum":0.5,"maximum":20,"multipleOf":0.25}`},
		{name: "multipleOf integer", schema: `{"type":"integer","multipleOf":7,"minimum":100}`},
		{name: "type list with null", schema: `{"type":["string","null"],"minLength":1}`, all: func(vs []any) string {
			nulls, strs := 0, 0
			for _, v := range vs {
				if v == nil {
					nulls++
				} else {
					strs++
				}
			}
			if nulls == 0 || strs == 0 {
				return fmt.Sprintf("%d nulls and %d strings: both should appear", nulls, strs)
			}
			return ""
		}},
		{name: "required and optional", schema: `{"type":"object","required":["a"],"properties":{"a":{"type":"string"},"b":{"type":"string"}}}`, all: func(vs []any) string {
			with := 0
			for _, v := range vs {
				if _, ok := v.(map[string]any)["b"]; ok {
					with++
				}
			}
			if with == 0 || with == len(vs) {
				return "optional property always or never present"
			}
			return ""
		}},
		{name: "additionalProperties false", schema: `{"type":"object","properties":{"a":{"type":"integer"}},"additionalProperties":false,"minProperties":1}`},
		{name: "additionalProperties schema (map)", schema: `{"type":"object","additionalProperties":{"type":"integer","minimum":1}}`, all: func(vs []any) string {
			for _, v := range vs {
				if len(v.(map[string]any)) > 0 {
					return ""
				}
			}
			return "map never has entries"
		}},
		{name: "patternProperties", schema: `{"type":"object","patternProperties":{"^x-[a-z]+$":{"type":"boolean"}},"additionalProperties":false,"minProperties":2}`},
		{name: "propertyNames", schema: `{"type":"object","propertyNames":{"pattern":"^[A-Z]{2}$"},"additionalProperties":{"type":"number"},"minProperties":1}`},
		{name: "min/maxProperties", schema: `{"type":"object","properties":{"a":{},"b":{},"c":{},"d":{}},"minProperties":2,"maxProperties":3}`},
		{name: "dependentRequired", schema: `{"type":"object","properties":{"card":{"type":"string"},"cvc":{"type":"string"}},"dependentRequired":{"card":["cvc"]}}`},
		{name: "dependentSchemas", schema: `{"type":"object","properties":{"a":{"type":"integer"}},"dependentSchemas":{"a":{"required":["b"],"properties":{"b":{"const":1}}}}}`},
		{name: "minItems maxItems uniqueItems", schema: `{"type":"array","items":{"type":"integer","minimum":0,"maximum":9},"minItems":5,"maxItems":8,"uniqueItems":true}`},
		{name: "uniqueItems over a small enum", schema: `{"type":"array","items":{"enum":["a","b","c"]},"minItems":3,"uniqueItems":true}`},
		{name: "prefixItems", schema: `{"type":"array","prefixItems":[{"type":"string","format":"date"},{"type":"integer"}],"items":false,"minItems":2}`},
		{name: "contains", schema: `{"type":"array","items":{"type":"integer"},"contains":{"const":42},"minContains":2}`},
		{name: "allOf", schema: `{"allOf":[{"type":"object","required":["a"],"properties":{"a":{"type":"string"}}},{"required":["b"],"properties":{"b":{"type":"integer","minimum":5},"a":{"maxLength":4}}}]}`},
		{name: "anyOf", schema: `{"anyOf":[{"type":"string","format":"email"},{"type":"integer","minimum":1}]}`, all: func(vs []any) string {
			if n := len(distinct(vs, func(v any) string { return fmt.Sprintf("%T", v) })); n != 2 {
				return "only one anyOf branch appears"
			}
			return ""
		}},
		{name: "oneOf exclusive", schema: `{"oneOf":[{"type":"integer","multipleOf":2},{"type":"integer","multipleOf":3}]}`, each: func(v any) string {
			f := num(v)
			if math.Mod(f, 2) == 0 && math.Mod(f, 3) == 0 {
				return "matches both branches"
			}
			return ""
		}},
		{name: "oneOf discriminated", schema: `{"oneOf":[{"type":"object","required":["type","r"],"properties":{"type":{"const":"circle"},"r":{"type":"number","exclusiveMinimum":0}}},{"type":"object","required":["type","side"],"properties":{"type":{"const":"square"},"side":{"type":"number"}}}]}`},
		{name: "not", schema: `{"type":"integer","minimum":0,"maximum":5,"not":{"enum":[1,2,3]}}`},
		{name: "not type", schema: `{"not":{"type":["string","object","array"]}}`},
		{name: "if then else", schema: `{"type":"object","required":["country"],"properties":{"country":{"enum":["US","FR"]}},"if":{"properties":{"country":{"const":"US"}}},"then":{"required":["zip"],"properties":{"zip":{"pattern":"^[0-9]{5}$"}}},"else":{"required":["postcode"],"properties":{"postcode":{"pattern":"^[0-9]{5}$"}}}}`},
		{name: "$ref and $defs", schema: `{"$ref":"#/$defs/money","$defs":{"money":{"type":"object","required":["amount","currency"],"properties":{"amount":{"type":"integer"},"currency":{"type":"string","pattern":"^[A-Z]{3}$"}}}}}`},
		{name: "$anchor", schema: `{"$ref":"#item","$defs":{"x":{"$anchor":"item","type":"boolean"}}}`},
		{name: "recursion ends", schema: `{"$ref":"#/$defs/node","$defs":{"node":{"type":"object","required":["children"],"properties":{"name":{"type":"string"},"children":{"type":"array","items":{"$ref":"#/$defs/node"}}}}}}`},
		{name: "draft-07 tuple items", schema: `{"$schema":"http://json-schema.org/draft-07/schema#","type":"array","items":[{"type":"string"},{"type":"boolean"}],"additionalItems":false,"minItems":2}`},
		{name: "property names steer values", schema: `{"type":"object","required":["email","first_name","price","quantity","created_at","country_code","currency"],"properties":{"email":{"type":"string"},"first_name":{"type":"string"},"price":{"type":"number"},"quantity":{"type":"integer"},"created_at":{"type":"string"},"country_code":{"type":"string"},"currency":{"type":"string"}}}`, each: func(v any) string {
			if !strings.Contains(str(field(v, "email")), "@") {
				return "email without @"
			}
			if _, err := time.Parse(time.RFC3339Nano, str(field(v, "created_at"))); err != nil {
				return "created_at is not a timestamp"
			}
			if q := num(field(v, "quantity")); q < 1 || q > 10 {
				return "quantity is not a small count"
			}
			if p := num(field(v, "price")); p <= 0 || p != math.Round(p*100)/100 {
				return "price is not an amount in cents"
			}
			if len(str(field(v, "currency"))) != 3 || len(str(field(v, "country_code"))) != 2 {
				return "currency or country code has the wrong shape"
			}
			return ""
		}},
	}
}

func TestKeywords(t *testing.T) {
	for _, tc := range keywordCases() {
		t.Run(tc.name, func(t *testing.T) {
			g, err := schemagen.New([]byte(tc.schema))
			if err != nil {
				t.Fatal(err)
			}
			s := projectSchema(t, map[string][]byte{base: []byte(tc.schema)}, base)
			var vs []any
			for seed := int64(0); seed < 200; seed++ {
				b, err := g.Generate(seed)
				if err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
				mustValidate(t, s, b)
				var v any
				if err := json.Unmarshal(b, &v); err != nil {
					t.Fatal(err)
				}
				if tc.each != nil {
					if msg := tc.each(v); msg != "" {
						t.Fatalf("seed %d: %s: %s", seed, msg, b)
					}
				}
				vs = append(vs, v)
			}
			if tc.all != nil {
				if msg := tc.all(vs); msg != "" {
					t.Fatal(msg)
				}
			}
		})
	}
}

// TestKeywordsAjv runs every keyword case's payloads through the second
// validator in one batch.
func TestKeywordsAjv(t *testing.T) {
	docs := map[string][]byte{}
	var checks []ajvCheck
	for i, tc := range keywordCases() {
		uri := fmt.Sprintf("mem:///case%d.json", i)
		docs[uri] = []byte(tc.schema)
		g, err := schemagen.New([]byte(tc.schema), schemagen.WithBaseURI(uri))
		if err != nil {
			t.Fatal(err)
		}
		c := ajvCheck{Schema: uri}
		for seed := int64(0); seed < 100; seed++ {
			b, err := g.Generate(seed)
			if err != nil {
				t.Fatal(err)
			}
			c.Instances = append(c.Instances, b)
		}
		cases, err := g.EdgeCases(1)
		if err != nil {
			t.Fatal(err)
		}
		for _, ec := range cases {
			c.Instances = append(c.Instances, ec.JSON)
		}
		checks = append(checks, c)
	}
	for _, f := range ajv(t, docs, checks) {
		t.Errorf("%s: Ajv rejects %s: %s", keywordCases()[f.Check].name, checks[f.Check].Instances[f.Instance], f.Errors)
	}
}
