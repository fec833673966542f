package wire

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/provider"
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

// FuzzCompile compiles arbitrary definition files: a file that parses
// either compiles, with a secret its first scheme makes, into a profile
// whose requests verify, or is refused with ErrOptions or ErrBadSecret;
// nothing panics.
func FuzzCompile(f *testing.F) {
	for _, name := range provider.Builtins() {
		f.Add(provider.BuiltinFile(name))
	}
	for _, doc := range []string{githubLike, shopDefinition, sealedDefinition} {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		def, err := provider.Parse(data, "fuzz.yaml")
		if err != nil {
			return
		}
		secret := "s3cr3t-s3cr3t-s3cr3t"
		if def.Signing() != nil {
			if secret, err = NewDefinitionSecret(def, "", testkit.Rand(1)); err != nil {
				t.Fatalf("NewDefinitionSecret: %v", err)
			}
		}
		p, err := Compile(def, secret, WithRand(testkit.Rand(2)))
		if err != nil {
			if !errors.Is(err, ErrOptions) && !errors.Is(err, ErrBadSecret) {
				t.Fatalf("Compile: %v", err)
			}
			return
		}
		event := "e"
		if evs := def.Events(); len(evs) > 0 {
			event = evs[0].Name
		}
		msg := &Message{Event: &generator.Event{Seq: 1, Event: event, Payload: []byte(`{"id":"1","header":{"type":"x"},"body":{"id":"1"}}`)},
			ID: "m-1", Time: time.Now()}
		req, err := p.Build(msg, FaultNone)
		if err != nil {
			return // a payload this definition cannot carry (its stamps need other objects)
		}
		if _, err := p.Verify(req.Header, req.Body); err != nil && !errors.Is(err, ErrMalformedBody) {
			t.Fatalf("a request of its own does not verify: %v\n%v\n%s", err, req.Header, req.Body)
		}
	})
}
