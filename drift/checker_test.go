package drift

import (
	"testing"

	"github.com/orderhooks/orderhooks/provider"
	"github.com/orderhooks/orderhooks/schemas"
)

// TestCheckerAgreesWithValidator holds the one-pass check to the
// validator on the schemas receivers validate with (the built-in
// definitions' events, and a definition's own schema): on clean, drifted,
// edge and hand-broken payloads, Valid is true exactly when the validator
// finds nothing.
func TestCheckerAgreesWithValidator(t *testing.T) {
	payloads := agreementPayloads(t)
	c := NewChecker()
	invalid, disagreements := 0, 0
	check := func(s *provider.EventSchema, payload []byte, label string) {
		want := s.Check(payload) == nil
		if !want {
			invalid++
		}
		if got := c.Valid(s, payload); got != want {
			disagreements++
			if disagreements <= 5 {
				t.Errorf("%s %s: Valid %v, the validator %v", s.Name(), label, got, want)
			}
		}
	}
	for _, ev := range payloads {
		e, ok := provider.MustBuiltin(ev.Provider).Event(ev.Event)
		if !ok {
			t.Fatalf("%s has no event %s", ev.Provider, ev.Event)
		}
		s, err := e.Schema()
		if err != nil {
			t.Fatal(err)
		}
		check(s, ev.Payload, ev.Label)
		// The same payload against the embedded schema emit --validate
		// names (the loose one).
		name, err := schemas.ForEvent(ev.Provider, ev.Event, false)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := c.ValidEmbedded(name, ev.Payload), schemas.MustGet(name).ValidateJSON(ev.Payload) == nil; got != want {
			disagreements++
			if disagreements <= 5 {
				t.Errorf("%s %s: ValidEmbedded %v, the validator %v", name, ev.Label, got, want)
			}
		}
	}
	if c.ValidEmbedded("no-such-schema", []byte(`{}`)) {
		t.Error("ValidEmbedded accepts a payload for a schema that does not exist")
	}
	def, err := provider.Parse([]byte(tinyDefinition), "tiny.yaml")
	if err != nil {
		t.Fatal(err)
	}
	e, _ := def.Event("thing_made")
	s, err := e.Schema()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{
		`{"id":"1","kind":"a","open":{"x":1,"extra":true},"tags":{"any":"thing"},"both":{"left":"l","right":"r"},"shut":{"y":2}}`,
		`{"id":"2","kind":"c"}`, `{"id":"3","shut":{"z":3}}`, `{"kind":"a"}`, `{"id":4}`, `{"id":"5","mail":"a@example.com"}`,
		`{"id":"6","mail":"not an address"}`, `{"id":"7","open":{"x":1.5}}`, `[]`,
	} {
		check(s, []byte(p), p)
	}
	if disagreements > 0 {
		t.Errorf("%d of %d payloads disagree", disagreements, len(payloads)+9)
	}
	if invalid < 300 {
		t.Errorf("only %d invalid payloads in the sample: the test proves little", invalid)
	}
	t.Logf("%d payloads, %d invalid, the same verdicts", len(payloads)+9, invalid)
}
