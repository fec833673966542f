package drift

import (
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/provider"
)

// tinyDefinition has one event whose schema lists its properties without
// additionalProperties false, an object open by additionalProperties
// true, a free-form map, an allOf that lists members in two schema
// objects, and a closed object.
const tinyDefinition = `format: 1
name: tiny
signing:
  header: X-Sig
  content: "{body}"
  schemes: [{algorithm: hmac-sha256, secret: {encoding: text}, key: utf8, encoding: hex, signature: "{sig}"}]
events:
  match: [{header: X-Event}]
  key: /id
  list:
    - name: thing_made
      schema:
        type: object
        required: [id]
        properties:
          id: {type: string}
          kind: {enum: [a, b]}
          mail: {type: string, format: email, x-personal: email}
          open: {type: object, properties: {x: {type: integer}}, additionalProperties: true}
          tags: {type: object}
          both:
            allOf:
              - {type: object, properties: {left: {type: string}}}
              - {type: object, properties: {right: {type: string}}}
          shut: {type: object, properties: {y: {type: integer}}, additionalProperties: false}
`

// TestDefinitionSchemas: WithDefinition compares a definition's payloads
// with its own schemas, where listed properties document an object's
// members; other providers keep the built-in schemas.
func TestDefinitionSchemas(t *testing.T) {
	def, err := provider.Parse([]byte(tinyDefinition), "tiny.yaml")
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(WithDefinition(def))
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range []string{
		`{"id":"1","kind":"a","open":{"x":1,"extra":true},"tags":{"any":"thing"},"both":{"left":"l","right":"r"},"shut":{"y":2}}`,
		`{"id":"2","kind":"c","extra":1,"both":{"middle":"m"},"shut":{"z":3}}`,
		`{"id":"3","extra":2,"mail":"jane.doe at home"}`,
	} {
		if err := a.Add("tiny", "thing_made", []byte(p), "p"+string(rune('1'+i))); err != nil {
			t.Fatal(err)
		}
	}
	// An event the definition does not list has no schema: only counted.
	if err := a.Add("tiny", "thing/unknown", []byte(`{}`), "p4"); err != nil {
		t.Fatal(err)
	}
	r := a.Report()
	if len(r.Events) != 1 || r.Events[0].Schema != "tiny/thing_made" || r.Events[0].Payloads != 3 {
		t.Fatalf("events: %+v", r.Events)
	}
	got := map[string]int{}
	for _, f := range r.Events[0].Findings {
		got[string(f.Kind)+" "+f.Pointer] = f.Deliveries
		// x-personal in the definition's schema: a pseudonym, not the value.
		if f.Pointer == "/mail" && (f.Example == nil || strings.Contains(f.Example.Value, "jane")) {
			t.Errorf("/mail example %+v", f.Example)
		}
	}
	want := map[string]int{
		"undocumented /extra":       2,
		"enum /kind":                1,
		"undocumented /both/middle": 1,
		"undocumented /shut/z":      1,
		"format /mail":              1,
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: %d deliveries, want %d", k, got[k], n)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected finding %s (%d)", k, got[k])
		}
	}
}
