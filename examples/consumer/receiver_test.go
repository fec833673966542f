package consumer

import (
	"crypto/rand"
	"testing"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/wire"
)

// TestPhasioContract is how a team embeds orderhooks in its own suite. The
// receiver never checks the signature, so the subtests
// rejects-missing-signature and rejects-bad-signature fail, and
// verifies-raw-body is inconclusive (it accepts a wrong signature too).
func TestPhasioContract(t *testing.T) {
	secret, err := wire.NewSecret(contracts.ProviderPhasio, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := NewReceiver(secret)
	if err != nil {
		t.Fatal(err)
	}
	contracts.Test(t, rc, contracts.Phasio(secret))
}
