package provider_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/orderhooks/orderhooks/provider"
)

// A provider described in a file: its events, how it signs, and how a
// receiver tells its events apart.
func ExampleParse() {
	d, err := provider.Parse([]byte(`
format: 1
name: shop
title: Shop Platform
signing:
  header: X-Shop-Hmac-Sha256
  content: "{body}"
  join: none
  schemes:
    - {algorithm: hmac-sha256, secret: {encoding: text}, key: utf8, encoding: base64, signature: "{sig}"}
events:
  match: [{header: X-Shop-Topic}]
  rename: "{name|replace:_:/}"
  key: /id
  list:
    - {name: orders_create, schema: {type: object, required: [id], properties: {id: {type: integer}}}}
    - {name: orders_paid, schema: {type: object, required: [id], properties: {id: {type: integer}}}}
`), "shop.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.Title(), "signs", d.Template("/signing/content"), "in", d.Signing().Header)
	for _, e := range d.Events() {
		fmt.Printf("%s: %s %s\n", e.Name, "X-Shop-Topic", e.Match["X-Shop-Topic"])
	}
	// Output:
	// Shop Platform signs {body} in X-Shop-Hmac-Sha256
	// orders_create: X-Shop-Topic orders/create
	// orders_paid: X-Shop-Topic orders/paid
}

// Problems are one line each: the file, the line, the pointer, what is
// wrong.
func ExampleParse_problems() {
	_, err := provider.Parse([]byte(`format: 1
name: shop
signing:
  header: X-Sig
  content: "{timestamp}.{body}"
  schemes:
    - {algorithm: hmac-sha256, secret: {encoding: base32}, key: utf8, encoding: hex, signature: "{sig}"}
`), "shop.yaml")
	fmt.Println(err)
	// Output:
	// shop.yaml:7: /signing/schemes/0/secret/encoding: value must be one of 'text', 'base64', 'base64url', 'hex'
}

// The built-in definitions are files in the same format.
func ExampleBuiltin() {
	d, _ := provider.Builtin("standard")
	fmt.Println(d.Title(), d.Signing().Header, d.Template("/signing/content"))
	for _, s := range d.Signing().Schemes {
		fmt.Println(s.Name, s.Algorithm, s.Secret.Prefix)
	}
	fmt.Println(d.WireName("ORDER_UPDATED"))
	// Output:
	// Standard Webhooks webhook-signature {id}.{timestamp}.{body}
	// v1 hmac-sha256 whsec_
	// v1a ed25519 whsk_
	// order.updated
}

// The JSON Schema of definition files, for editors and other validators.
func ExampleSchema() {
	var s struct {
		ID    string `json:"$id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal(provider.Schema(), &s); err != nil {
		panic(err)
	}
	fmt.Println(s.ID)
	fmt.Println(s.Title)
	// Output:
	// https://orderhooks.dev/schemas/provider.json
	// orderhooks provider definition
}

// An imported document says nothing of entity keys: WithKey names the
// payload field that identifies an entity (ordering, deduplication, the
// state checks' probe and distinct generated keys read it), and
// WithCompare what the state checks compare.
func ExampleWithKey() {
	d, err := provider.FromSpec("../testdata/specs/oai-webhook-example.yaml", nil,
		provider.WithKey("/id"), provider.WithCompare("/name", "/tag"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range d.Events() {
		fmt.Println(e.Name, e.Key, e.Compare)
	}
	_, err = provider.FromSpec("../testdata/specs/oai-webhook-example.yaml", nil, provider.WithKey("id"))
	var oe *provider.OptionError
	if errors.As(err, &oe) {
		fmt.Println(oe.Option, oe.Value+":", oe.Detail())
	}
	// Output:
	// newPet [/id] [/name /tag]
	// WithKey id: not a JSON pointer into the payloads (/id, /data/object/id)
}
