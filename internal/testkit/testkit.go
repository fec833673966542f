// Package testkit holds what the tests of several packages share: fixed
// secrets and a fixed time, seeded randomness, generated events, the
// known-answer vectors of testdata/vectors, a buffer safe for concurrent
// writers. Only tests import it; it imports no package of the module that
// tests it (generator aside), so internal tests of wire, receiver and
// emitter can all use it.
package testkit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/jsonptr"
)

// Fixed test secrets, one per profile: the first valid vector's of Phasio
// and of Standard Webhooks, and the HappyColis vector's client secret.
const (
	PhasioSecret     = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
	HappyColisSecret = "hc_test_client_secret_0123456789"
	StandardSecret   = "whsec_GcjnwiDmyCgUHpS4wKV83G/FQGAri1KOgpe87HSOemI="
)

// Secret returns the fixed test secret of a profile ("phasio",
// "happycolis" or "standard"), "" for another name.
func Secret(profile string) string {
	return map[string]string{"phasio": PhasioSecret, "happycolis": HappyColisSecret, "standard": StandardSecret}[profile]
}

// Time is the send time of test messages and the clock of verifiers.
var Time = time.Date(2025, 6, 15, 8, 0, 0, 0, time.UTC)

// Clock returns Time: the clock of a verifier that must accept messages
// sent at Time.
func Clock() time.Time { return Time }

// Rand is a deterministic source of randomness for profiles (nonces,
// wrong keys): the same seed gives the same bytes.
func Rand(seed uint64) *rand.ChaCha8 {
	var s [32]byte
	s[0] = byte(seed)
	return rand.NewChaCha8(s)
}

// Events generates n single-event orders of provider with a fixed seed.
func Events(t testing.TB, provider string, n int) []*generator.Event {
	t.Helper()
	return Generate(t, provider, generator.WithOrders(n), generator.WithSeed(7))
}

// Generate runs a generator of provider with opts and returns its events;
// it fails t when the generator fails or yields nothing.
func Generate(t testing.TB, provider string, opts ...generator.Option) []*generator.Event {
	t.Helper()
	g, err := generator.New(provider, opts...)
	if err != nil {
		t.Fatal(err)
	}
	var evs []*generator.Event
	if err := g.Run(func(ev *generator.Event) error { evs = append(evs, ev); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(evs) == 0 {
		t.Fatalf("no %s events", provider)
	}
	return evs
}

// Lifecycles generates orders whole lifecycles of a built-in scenario.
func Lifecycles(t testing.TB, provider, scenario string, orders int) []*generator.Event {
	t.Helper()
	s, err := generator.LoadScenario(scenario)
	if err != nil {
		t.Fatal(err)
	}
	return Generate(t, provider, generator.WithScenario(s), generator.WithOrders(orders), generator.WithSeed(3))
}

// Source streams evs, in order.
func Source(evs []*generator.Event) generator.Source {
	return func(yield func(*generator.Event) error) error {
		for _, ev := range evs {
			if err := yield(ev); err != nil {
				return err
			}
		}
		return nil
	}
}

// SyncBuffer is a bytes.Buffer safe to write from several goroutines (a
// receiver's callbacks, a command's output) and to read meanwhile.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// StringsAt returns the strings at pointer in a decoded JSON document,
// "*" standing for every item of an array (as pii.Field pointers say);
// none for a pointer that is not RFC 6901.
func StringsAt(doc any, pointer string) []string {
	p, err := jsonptr.Parse(pointer)
	if err != nil {
		return nil
	}
	return stringsAt(doc, p)
}

func stringsAt(v any, toks []string) []string {
	if len(toks) == 0 {
		if s, ok := v.(string); ok {
			return []string{s}
		}
		return nil
	}
	switch x := v.(type) {
	case map[string]any:
		return stringsAt(x[toks[0]], toks[1:])
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, stringsAt(e, toks[1:])...)
		}
		return out
	}
	return nil
}

// Root returns the module's root directory (the one holding go.mod),
// found upwards from the test's working directory.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && bytes.HasPrefix(b, []byte("module github.com/orderhooks/orderhooks\n")) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no orderhooks go.mod above the working directory")
		}
		dir = parent
	}
}

// Vector is one known-answer case of testdata/vectors/*.json (copies of
// the project's shared vectors); fields a profile does not use stay empty.
type Vector struct {
	Name             string `json:"name"`
	Secret           string `json:"secret"`
	ClientSecret     string `json:"client_secret"`
	NonceHex         string `json:"nonce_hex"`
	Plaintext        string `json:"plaintext"`
	EncryptedPayload string `json:"encrypted_payload"`
	Body             string `json:"body"`
	PhasioSignature  string `json:"x_phasio_signature"`
	HCSignature      string `json:"x_happycolis_webhook_signature"`
	WebhookID        string `json:"webhook_id"`
	WebhookTimestamp string `json:"webhook_timestamp"`
	WebhookSignature string `json:"webhook_signature"`
	Expect           string `json:"expect"`
}

// Key is the vector's secret: the Phasio or Standard secret, or the
// HappyColis client secret.
func (v Vector) Key() string {
	if v.ClientSecret != "" {
		return v.ClientSecret
	}
	return v.Secret
}

// Reason is the reason an invalid vector must be rejected with: its expect
// text less the premise some state first ("signature valid but …").
func (v Vector) Reason() string {
	return strings.TrimPrefix(v.Expect, "signature valid but ")
}

// Request returns the vector's request as a receiver of profile gets it:
// headers and body.
func (v Vector) Request(profile string) (http.Header, []byte) {
	h := http.Header{}
	body := []byte(v.Body)
	switch profile {
	case "phasio":
		if len(body) == 0 {
			body = []byte(`{"payload":"` + v.EncryptedPayload + `"}`)
		}
		h.Set("X-Phasio-Signature", v.PhasioSignature)
	case "happycolis":
		h.Set("X-Happycolis-Webhook-Signature", v.HCSignature)
	case "standard":
		h.Set("Webhook-Id", v.WebhookID)
		h.Set("Webhook-Timestamp", v.WebhookTimestamp)
		h.Set("Webhook-Signature", v.WebhookSignature)
	}
	return h, body
}

// Clock returns the clock at which the vector's timestamp is current (its
// webhook-timestamp; Time for vectors without one).
func (v Vector) Clock() func() time.Time {
	ts, err := strconv.ParseInt(v.WebhookTimestamp, 10, 64)
	if err != nil {
		return Clock
	}
	return func() time.Time { return time.Unix(ts, 0) }
}

// VectorFile is one profile's vectors.
type VectorFile struct {
	Profile string   `json:"profile"`
	Valid   []Vector `json:"valid"`
	Invalid []Vector `json:"invalid"`
}

// Vectors reads every vector file, keyed by profile name, after checking
// each against testdata/vectors/SHA256SUMS: the vectors never change.
func Vectors(t testing.TB) map[string]VectorFile {
	t.Helper()
	out, err := readVectors(filepath.Join(Root(t), "testdata", "vectors"))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func readVectors(dir string) (map[string]VectorFile, error) {
	sums, err := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		return nil, err
	}
	out := map[string]VectorFile{}
	for _, line := range strings.Split(strings.TrimSpace(string(sums)), "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok {
			return nil, fmt.Errorf("SHA256SUMS: line %q", line)
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		if got := sha256.Sum256(b); hex.EncodeToString(got[:]) != sum {
			return nil, fmt.Errorf("testdata/vectors/%s changed: its SHA-256 is not the one in SHA256SUMS", name)
		}
		var f VectorFile
		if err := json.Unmarshal(b, &f); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if len(f.Valid) == 0 {
			return nil, fmt.Errorf("%s: no valid vectors", name)
		}
		out[f.Profile] = f
	}
	for _, name := range []string{"phasio", "happycolis", "standard"} {
		if _, ok := out[name]; !ok {
			return nil, fmt.Errorf("no %s vectors", name)
		}
	}
	return out, nil
}

// NoFailT is a test whose Errorf fails nothing, in its subtests too: it
// runs a suite (contracts.Test) whose verdicts the test judges itself.
type NoFailT struct{ *testing.T }

// NoFail wraps t.
func NoFail(t *testing.T) NoFailT { return NoFailT{t} }

// Errorf does nothing.
func (NoFailT) Errorf(string, ...any) {}

// Run runs f as a subtest that fails nothing either.
func (n NoFailT) Run(name string, f func(NoFailT)) bool {
	return n.T.Run(name, func(t *testing.T) { f(NoFailT{t}) })
}
