package wire

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
)

// FuzzProviderSecret is the --provider and --secret flags: any provider
// name and secret either make a profile whose requests verify, or fail
// with ErrUnknownProvider or ErrBadSecret without quoting the secret.
func FuzzProviderSecret(f *testing.F) {
	for _, s := range [][2]string{
		{"phasio", testkit.PhasioSecret}, {"happycolis", testkit.HappyColisSecret}, {"standard", testkit.StandardSecret},
		{"standard", "whsec_!!"}, {"phasio", "short"}, {"phasio", testkit.PhasioSecret + "=="}, {"nope", "x"}, {"standard", "env:S"},
	} {
		f.Add(s[0], s[1])
	}
	ev := &generator.Event{Seq: 1, Provider: generator.ProviderHappyColis, Event: generator.HappyColisCreated, OrderKey: "1",
		Payload: []byte(`{"header":{"type":"order/created"},"body":{"id":"1"}}`)}
	f.Fuzz(func(t *testing.T, provider, spec string) {
		if strings.HasPrefix(spec, SecretFilePrefix) {
			return // a fuzzer must not read the machine's files
		}
		secret, err := ResolveSecret(spec, func(string) string { return "from-env" })
		if err != nil {
			if !errors.Is(err, ErrBadSecret) {
				t.Fatalf("ResolveSecret: %v", err)
			}
			return
		}
		p, err := New(provider, []string{secret})
		if err != nil {
			if !errors.Is(err, ErrBadSecret) && !errors.Is(err, ErrUnknownProvider) {
				t.Fatalf("New: %v", err)
			}
			if len(secret) >= 8 && strings.Contains(err.Error(), secret) {
				t.Fatalf("the error quotes the secret: %v", err)
			}
			return
		}
		req, err := p.Build(&Message{Event: ev, ID: "00000000-0000-4000-8000-000000000001", Time: time.Now()}, FaultNone)
		if err != nil {
			t.Fatalf("Build: %v", err)
		}
		if _, err := p.Verify(req.Header, req.Body); err != nil {
			t.Fatalf("%s does not verify its own request: %v", provider, err)
		}
	})
}
