package apispec_test

import (
	"testing"
	"testing/fstest"

	"github.com/orderhooks/orderhooks/apispec"
	"github.com/orderhooks/orderhooks/schemas"
)

// TestDeclares: an instance pointer is declared through properties,
// patternProperties, additionalProperties, prefixItems and items, each
// through $ref, allOf, anyOf, oneOf, then and else; what the schema
// cannot be read for (a reference elsewhere, an anchor, a cycle) counts
// as declared, so that only a pointer the schema surely lacks is refused.
func TestDeclares(t *testing.T) {
	const shop = `{"$defs": {
	    "money": {"type": "object", "properties": {"amount": {"type": "number"}, "currency": {"type": "string"}}},
	    "line": {"type": "object", "properties": {"sku": {"type": "string"}, "price": {"$ref": "#/$defs/money"}}},
	    "node": {"type": "object", "properties": {"name": {}, "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}},
	  "type": "object",
	  "properties": {
	    "id": {"type": "string"},
	    "lines": {"type": "array", "items": {"$ref": "#/$defs/line"}},
	    "pair": {"type": "array", "prefixItems": [{"type": "string"}, {"$ref": "#/$defs/money"}], "items": false},
	    "old": {"type": "array", "items": [{"type": "string"}], "additionalItems": {"$ref": "#/$defs/money"}},
	    "meta": {"type": "object", "patternProperties": {"^x-": {"properties": {"at": {}}}}, "additionalProperties": false},
	    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
	    "open": {"type": "object", "additionalProperties": true},
	    "tree": {"$ref": "#/$defs/node"},
	    "party": {"oneOf": [{"properties": {"person": {"properties": {"name": {}}}}}, {"properties": {"company": {}}}]}},
	  "allOf": [{"properties": {"status": {"enum": ["new", "paid"]}}}],
	  "anyOf": [{"properties": {"paidAt": {}}}, {"required": ["id"]}],
	  "if": {"properties": {"status": {"const": "paid"}}},
	  "then": {"properties": {"receipt": {"properties": {"no": {}}}}},
	  "else": {"properties": {"quote": {}}}}`
	s, err := apispec.ReadSchema([]byte(shop), "shop.json", "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ptr  string
		want bool
	}{
		{"", true},
		{"/id", true},
		{"/updated_at", false},
		{"/id/x", false},
		{"/lines/0/sku", true},
		{"/lines/17/price/amount", true},
		{"/lines/0/price/rate", false},
		{"/lines/x", false},
		{"/lines/-", false},
		{"/lines/01", false},
		{"/pair/0", true},
		{"/pair/1/currency", true},
		{"/pair/2", false},
		{"/old/0", true},
		{"/old/5/amount", true},
		{"/meta/x-trace/at", true},
		{"/meta/trace", false},
		{"/labels/anything", true},
		{"/labels/anything/deeper", false},
		{"/open/anything", true},
		{"/tree/children/0/children/3/name", true},
		{"/tree/children/0/parent", false},
		{"/party/person/name", true},
		{"/party/company", true},
		{"/party/partner", false},
		{"/status", true},
		{"/paidAt", true},
		{"/receipt/no", true},
		{"/quote", true},
		{"not a pointer", false},
	}
	for _, tt := range tests {
		if got := s.Declares(tt.ptr); got != tt.want {
			t.Errorf("Declares(%q) = %v, want %v", tt.ptr, got, tt.want)
		}
	}
	// Standalone documents: a pointer into them, an embedded schema by its
	// $id, and what cannot be followed.
	for _, tt := range []struct {
		name, doc, at, ptr string
		want               bool
	}{
		{"a schema at a pointer", `{"$defs": {"A": {"properties": {"a": {}}}}}`, "/$defs/A", "/a", true},
		{"a schema at a pointer, undeclared", `{"$defs": {"A": {"properties": {"a": {}}}}}`, "/$defs/A", "/b", false},
		{"YAML", "properties:\n  a: {type: string}\n", "", "/b", false},
		{"an embedded schema by $id", string(mustSource(t, "phasio/quote-converted")), "", "/pricing/totalPrice", true},
		{"an embedded schema by $id, undeclared", string(mustSource(t, "phasio/quote-converted")), "", "/pricing/nope", false},
		{"a remote reference", `{"$ref": "https://example.test/order.json", "properties": {"a": {}}}`, "", "/b", true},
		{"an anchor", `{"$ref": "#order", "$defs": {"o": {"$anchor": "order"}}}`, "", "/b", true},
		{"$dynamicRef", `{"$dynamicRef": "#node"}`, "", "/b", true},
		{"a reference cycle", `{"$ref": "#/$defs/A", "$defs": {"A": {"$ref": "#/$defs/B"}, "B": {"$ref": "#/$defs/A"}}}`, "", "/b", true},
		{"a pattern Go cannot read", `{"patternProperties": {"(?<=a)b": {}}}`, "", "/b", true},
		{"a missing local reference", `{"$ref": "#/$defs/none"}`, "", "/b", true},
		{"false", `{"properties": {"a": false}}`, "", "/a", false},
	} {
		s, err := apispec.ReadSchema([]byte(tt.doc), "s.json", tt.at)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := s.Declares(tt.ptr); got != tt.want {
			t.Errorf("%s: Declares(%q) = %v, want %v", tt.name, tt.ptr, got, tt.want)
		}
	}
	if _, err := apispec.ReadSchema([]byte(`{"$defs": {}}`), "s.json", "/$defs/A"); err == nil {
		t.Error("a schema at a pointer to nothing read")
	}
}

func mustSource(t *testing.T, name string) []byte {
	t.Helper()
	s, err := schemas.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	return s.Source()
}

// TestEventDeclares: an imported event's payload schema is walked where it
// stands, through references into other files of the document.
func TestEventDeclares(t *testing.T) {
	fsys := fstest.MapFS{
		"d/api.yaml": {Data: []byte("openapi: 3.1.0\ninfo: {title: t, version: '1'}\nwebhooks:\n  orderPaid:\n    post:\n" +
			"      requestBody:\n        content:\n          application/json:\n            schema: {$ref: 'order.yaml#/Order'}\n")},
		"d/order.yaml": {Data: []byte("Order:\n  type: object\n  properties:\n    id: {type: string}\n    total: {$ref: '#/Money'}\n" +
			"Money:\n  properties:\n    amount: {type: number}\n")},
	}
	s, err := apispec.Load("d/api.yaml", apispec.Options{FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	e := s.Events[0]
	for ptr, want := range map[string]bool{"/id": true, "/total/amount": true, "/total/currency": false, "/updatedAt": false} {
		if got := e.Declares(ptr); got != want {
			t.Errorf("Declares(%q) = %v, want %v", ptr, got, want)
		}
	}
}
