package schemagen_test

import (
	"errors"
	"fmt"

	"github.com/orderhooks/orderhooks/generator/schemagen"
)

func ExampleNew() {
	g, err := schemagen.New([]byte(`{
	  "type": "object",
	  "required": ["id", "status", "quantity"],
	  "properties": {
	    "id": {"type": "string", "pattern": "^ORD-[0-9]{5}$"},
	    "status": {"const": "paid"},
	    "quantity": {"type": "integer", "minimum": 1, "maximum": 1}
	  }
	}`))
	if err != nil {
		panic(err)
	}
	a, _ := g.Generate(7)
	b, _ := g.Generate(7)
	fmt.Println(string(a) == string(b))
	fmt.Println(string(a))
	// Output:
	// true
	// {"id":"ORD-06713","status":"paid","quantity":1}
}

func ExampleDocument_Generator() {
	// An OpenAPI 3.1 document: the payload schema of a webhook refers to
	// the document's components.
	doc := []byte(`{
	  "openapi": "3.1.0",
	  "webhooks": {"orderPaid": {"post": {"requestBody": {"content": {"application/json": {
	    "schema": {"$ref": "#/components/schemas/Order"}}}}}}},
	  "components": {"schemas": {"Order": {
	    "type": "object", "required": ["total"], "additionalProperties": false,
	    "properties": {"total": {"type": "integer", "minimum": 100, "maximum": 100}}}}}
	}`)
	d, err := schemagen.Load(doc)
	if err != nil {
		panic(err)
	}
	g, err := d.Generator("/webhooks/orderPaid/post/requestBody/content/application~1json/schema")
	if err != nil {
		panic(err)
	}
	b, _ := g.Generate(1)
	fmt.Println(string(b))
	// Output: {"total":100}
}

func ExampleGenerator_EdgeCases() {
	g, err := schemagen.New([]byte(`{"type": "integer", "minimum": 1, "maximum": 10}`))
	if err != nil {
		panic(err)
	}
	cases, _ := g.EdgeCases(1)
	for _, c := range cases[1:] {
		fmt.Printf("%s => %s\n", c.Label, c.JSON)
	}
	// Output:
	// /: minimum (1) => 1
	// /: maximum (10) => 10
}

func ExampleError() {
	_, err := schemagen.New([]byte(`{"type": "object", "properties": {"n": {"type": "integer", "minimum": 5, "maximum": 4}}, "required": ["n"]}`))
	if err == nil {
		_, err = mustNew(`{"type": "object", "properties": {"n": {"type": "integer", "minimum": 5, "maximum": 4}}, "required": ["n"]}`).Generate(1)
	}
	var e *schemagen.Error
	fmt.Println(errors.Is(err, schemagen.ErrUnsatisfiable), errors.As(err, &e) && e.Pointer == "#/properties/n")
	fmt.Println(err)
	// Output:
	// true true
	// schemagen: #/properties/n: minimum above maximum
}

func mustNew(schema string) *schemagen.Generator {
	g, err := schemagen.New([]byte(schema))
	if err != nil {
		panic(err)
	}
	return g
}
