package receiver

import (
	"testing"

	"github.com/orderhooks/orderhooks/internal/redact"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/internal/testkit/testwire"
)

// TestNeverPrintSecrets: a receiver and its server show [redacted], never
// their profile's secret, under every fmt verb, String, GoString, JSON
// and slog.
func TestNeverPrintSecrets(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"phasio", "happycolis", "standard"} {
		t.Run(name, func(t *testing.T) {
			r, err := New(testwire.Profile(t, name))
			if err != nil {
				t.Fatal(err)
			}
			testkit.SecretPromise(t, r, redact.Mark, testkit.Secret(name))
			s, err := Start(testwire.Profile(t, name))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			testkit.SecretPromise(t, s, redact.Mark, testkit.Secret(name))
			// An app's URL may carry credentials; the re-signing profile
			// holds the app's secret.
			const password = "app-pass-word-1"
			to := ForwardTo{URL: "https://user:" + password + "@app.example/hooks", Resign: testwire.Profile(t, name)}
			testkit.SecretPromise(t, to, "redacted@", testkit.Secret(name), password)
			testkit.SecretPromise(t, &to, "redacted@", testkit.Secret(name), password)
		})
	}
}
