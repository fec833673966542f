package contracts

import (
	"math/rand/v2"
	"testing"

	"github.com/orderhooks/orderhooks/generator"
)

// TestIDKnownAnswers pins the delivery ids of a session (seeded PCG) and
// the message id derived from an event (SHA-256 of its fields), so that a
// change of how ids are formatted cannot go unnoticed. messageID's answer
// was computed independently (hashlib and uuid in Python).
func TestIDKnownAnswers(t *testing.T) {
	g := &ids{rand.New(rand.NewPCG(1, 2))}
	for i, want := range []string{"10f5ee56-86a5-45c4-acec-7d07adc3ce9d", "88802f31-0546-40c8-9ac1-3ab6dcc0edcb"} {
		if got := g.next(); got != want {
			t.Errorf("ids.next() #%d = %q, want %q", i+1, got, want)
		}
	}
	ev := &generator.Event{Provider: "phasio", Event: "ORDER", OrderKey: "12345", Payload: []byte(`{"orderId":12345}`)}
	if got, want := messageID(ev), "b76e9c91-6787-408d-9b26-fb3e940bf23a"; got != want {
		t.Errorf("messageID = %q, want %q", got, want)
	}
}
