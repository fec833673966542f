package wire_test

import (
	"bytes"
	"encoding/hex"
	"fmt"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/wire"
)

// A Phasio profile seals and signs one order. The nonce comes from
// WithRand, so the request is the "unicode" known-answer vector.
func ExampleNewPhasio() {
	nonce, _ := hex.DecodeString("e889d30b85421e8cc830d15f")
	p, err := wire.NewPhasio("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", wire.WithRand(bytes.NewReader(nonce)))
	if err != nil {
		fmt.Println(err)
		return
	}
	ev := &generator.Event{Event: generator.PhasioOrderUpdated, Payload: []byte(`{"orderId":7,"customerOrganisationName":"Fábrica Ünïcode 製造 ✓"}`)}
	req, err := p.Build(&wire.Message{Event: ev, ID: "d-1"}, wire.FaultNone)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(req.Header.Get(wire.PhasioSignatureHeader))
	fmt.Println(req.Header.Get(wire.TriggerHeader), req.Header.Get(wire.DeliveryHeader))
	fmt.Println(string(req.Body))
	// Output:
	// c4a204a4e7afcc8ef7941b6886dffa6fa6ca399dc0aa0f6cd9d0b2877413c9ac
	// ORDER_UPDATED d-1
	// {"payload":"6InTC4VCHozIMNFfxBaiIWeOHYexcBf0Vu4mWYhvXOJrHeCE90FGBDciXWcy2tYjFbbEYYDwycgmdIu1NJnhzWQQfWUUbrx0JnwEZorYsER4bWak9-K5SWlUX2gVycuwiR5xQw"}
}

// Build applies request-level faults as a hostile or broken sender would;
// Verify names what is wrong.
func ExampleCompiled_Build() {
	p, _ := wire.NewPhasio("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8")
	msg := &wire.Message{Event: &generator.Event{Event: generator.PhasioOrderCreated, Payload: []byte(`{"orderId":1}`)}}
	for _, fault := range []wire.Fault{wire.FaultNone, wire.FaultTamper, wire.FaultMissingSignature, wire.FaultMalformedBody, wire.FaultStaleTimestamp} {
		req, err := p.Build(msg, fault)
		if err != nil {
			fmt.Printf("%s: %v\n", fault, err)
			continue
		}
		_, err = p.Verify(req.Header, req.Body)
		fmt.Printf("%s: %v\n", fault, err)
	}
	// Output:
	// : <nil>
	// tamper: wire: signature mismatch
	// missing-signature: wire: missing signature: no X-Phasio-Signature header
	// malformed-body: wire: malformed body: not a JSON object
	// stale-timestamp: wire: fault does not apply: stale-timestamp: phasio requests carry no signed timestamp
}

// Verify checks the signature over the encrypted payload string, then
// decrypts; the trigger comes from X-Orderhooks-Trigger or the default.
func ExampleCompiled_Verify() {
	p, _ := wire.NewPhasio("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", wire.WithDefaultTrigger(generator.PhasioQuoteConverted))
	body := []byte(`{"payload":"6InTC4VCHozIMNFfxBaiIWeOHYexcBf0Vu4mWYhvXOJrHeCE90FGBDciXWcy2tYjFbbEYYDwycgmdIu1NJnhzWQQfWUUbrx0JnwEZorYsER4bWak9-K5SWlUX2gVycuwiR5xQw"}`)
	h := map[string][]string{wire.PhasioSignatureHeader: {"c4a204a4e7afcc8ef7941b6886dffa6fa6ca399dc0aa0f6cd9d0b2877413c9ac"}}
	got, err := p.Verify(h, body)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(got.Event, string(got.Payload))
	h[wire.PhasioSignatureHeader] = []string{"00" + h[wire.PhasioSignatureHeader][0][2:]}
	_, err = p.Verify(h, body)
	fmt.Println(wire.Reason(err))
	// Output:
	// QUOTE_CONVERTED {"orderId":7,"customerOrganisationName":"Fábrica Ünïcode 製造 ✓"}
	// signature mismatch
}
