package contracts_test

import (
	"context"
	"testing"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/internal/redact"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/receiver"
)

// TestNeverPrintSecrets: providers, suites and sessions show [redacted],
// targets a URL's userinfo as redacted@, never a secret nor a password,
// under every fmt verb, String, GoString, JSON and slog.
func TestNeverPrintSecrets(t *testing.T) {
	const password = "pw-0123456789"
	for _, name := range []string{contracts.ProviderPhasio, contracts.ProviderHappyColis, contracts.ProviderStandard} {
		t.Run(name, func(t *testing.T) {
			secret := testkit.Secret(name)
			p, err := contracts.NewProvider(name, secret)
			if err != nil {
				t.Fatal(err)
			}
			testkit.SecretPromise(t, p, redact.Mark, secret)
			s, err := contracts.New(p)
			if err != nil {
				t.Fatal(err)
			}
			testkit.SecretPromise(t, s, redact.Mark, secret)
			srv, err := receiver.Start(testProfile(t, name))
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			se, err := s.Start(context.Background(), contracts.URL(srv.URL+"/webhooks"))
			if err != nil {
				t.Fatal(err)
			}
			defer se.Close()
			testkit.SecretPromise(t, se, redact.Mark, secret)
			tg := &emitter.Target{URL: "https://user:" + password + "@hooks.example/x", Profile: testProfile(t, name), Secret: secret}
			for _, target := range []contracts.Target{
				contracts.URL(tg.URL),
				contracts.Routes(emitter.Targets{Default: tg, ByEvent: map[string]*emitter.Target{"ORDER": tg}}),
			} {
				testkit.SecretPromise(t, target, "redacted@", secret, password)
			}
		})
	}
}
