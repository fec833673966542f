package wire_test

import (
	"testing"

	"github.com/orderhooks/orderhooks/internal/redact"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/wire"
)

// TestProfilesNeverPrintSecrets: a profile shows [redacted], never its
// secret nor its key bytes, under every fmt verb, String, GoString, JSON
// and slog.
func TestProfilesNeverPrintSecrets(t *testing.T) {
	second := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	for _, tt := range []struct {
		provider string
		secrets  []string
	}{
		{wire.ProviderPhasio, []string{testkit.PhasioSecret}},
		{wire.ProviderHappyColis, []string{testkit.HappyColisSecret}},
		{wire.ProviderStandard, []string{testkit.StandardSecret, second}},
	} {
		t.Run(tt.provider, func(t *testing.T) {
			p, err := wire.New(tt.provider, tt.secrets)
			if err != nil {
				t.Fatal(err)
			}
			testkit.SecretPromise(t, p, redact.Mark, tt.secrets...)
			testkit.SecretPromise(t, struct{ P wire.Profile }{p}, "", tt.secrets...)
			testkit.SecretPromise(t, []wire.Profile{p}, "", tt.secrets...)
		})
	}
}
