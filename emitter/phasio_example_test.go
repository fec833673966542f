package emitter_test

import (
	"bytes"
	"encoding/hex"
	"fmt"

	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/generator"
)

// A Phasio profile seals and signs one order. The nonce comes from
// WithRand, so the request is the "unicode" known-answer vector.
func ExampleNewPhasio() {
	nonce, _ := hex.DecodeString("e889d30b85421e8cc830d15f")
	p, err := emitter.NewPhasio("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", emitter.WithRand(bytes.NewReader(nonce)))
	if err != nil {
		fmt.Println(err)
		return
	}
	ev := &generator.Event{Event: generator.PhasioOrderUpdated, Payload: []byte(`{"orderId":7,"customerOrganisationName":"Fábrica Ünïcode 製造 ✓"}`)}
	req, err := p.Build(&emitter.Message{Event: ev, ID: "d-1"}, emitter.FaultNone)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(req.Header.Get(emitter.PhasioSignatureHeader))
	fmt.Println(req.Header.Get(emitter.TriggerHeader), req.Header.Get(emitter.DeliveryHeader))
	fmt.Println(string(req.Body))
	// Output:
	// c4a204a4e7afcc8ef7941b6886dffa6fa6ca399dc0aa0f6cd9d0b2877413c9ac
	// ORDER_UPDATED d-1
	// {"payload":"6InTC4VCHozIMNFfxBaiIWeOHYexcBf0Vu4mWYhvXOJrHeCE90FGBDciXWcy2tYjFbbEYYDwycgmdIu1NJnhzWQQfWUUbrx0JnwEZorYsER4bWak9-K5SWlUX2gVycuwiR5xQw"}
}

// Build applies request-level faults as a hostile or broken sender would;
// Verify names what is wrong.
func ExamplePhasio_Build() {
	p, _ := emitter.NewPhasio("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8")
	msg := &emitter.Message{Event: &generator.Event{Event: generator.PhasioOrderCreated, Payload: []byte(`{"orderId":1}`)}}
	for _, fault := range []emitter.Fault{emitter.FaultNone, emitter.FaultTamper, emitter.FaultMissingSignature, emitter.FaultMalformedBody, emitter.FaultStaleTimestamp} {
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
	// tamper: emitter: signature mismatch
	// missing-signature: emitter: missing signature: no X-Phasio-Signature header
	// malformed-body: emitter: malformed body: not a JSON object
	// stale-timestamp: emitter: fault does not apply: stale-timestamp: phasio requests carry no signed timestamp
}

// Verify checks the signature over the encrypted payload string, then
// decrypts; the trigger comes from X-Orderhooks-Trigger or the default.
func ExamplePhasio_Verify() {
	p, _ := emitter.NewPhasio("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", emitter.WithDefaultTrigger(generator.PhasioQuoteConverted))
	body := []byte(`{"payload":"6InTC4VCHozIMNFfxBaiIWeOHYexcBf0Vu4mWYhvXOJrHeCE90FGBDciXWcy2tYjFbbEYYDwycgmdIu1NJnhzWQQfWUUbrx0JnwEZorYsER4bWak9-K5SWlUX2gVycuwiR5xQw"}`)
	h := map[string][]string{emitter.PhasioSignatureHeader: {"c4a204a4e7afcc8ef7941b6886dffa6fa6ca399dc0aa0f6cd9d0b2877413c9ac"}}
	got, err := p.Verify(h, body)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(got.Event, string(got.Payload))
	h[emitter.PhasioSignatureHeader] = []string{"00" + h[emitter.PhasioSignatureHeader][0][2:]}
	_, err = p.Verify(h, body)
	fmt.Println(emitter.Reason(err))
	// Output:
	// QUOTE_CONVERTED {"orderId":7,"customerOrganisationName":"Fábrica Ünïcode 製造 ✓"}
	// signature mismatch
}
