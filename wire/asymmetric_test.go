package wire

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/provider"
)

// standardVectors are the Standard Webhooks reference libraries' values
// (testdata/standard-webhooks-vectors.json).
type standardVectors struct {
	Sign []struct {
		Name, Secret, ID, Payload, Signature string
		Timestamp                            int64
	}
	Verify struct {
		AsymmetricSecret  string `json:"asymmetric_secret"`
		SymmetricSecret   string `json:"symmetric_secret"`
		ID, Payload       string
		WrongSignatureV1  string `json:"wrong_signature_v1"`
		WrongSignatureV1a string `json:"wrong_signature_v1a"`
		OtherVersion      string `json:"other_version"`
		ToleranceSeconds  int    `json:"tolerance_seconds"`
	}
	SpecExampleHeader string `json:"spec_example_header"`
}

func readStandardVectors(t *testing.T) standardVectors {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "standard-webhooks-vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v standardVectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestStandardWebhooksSignVectors: the symmetric (v1) and asymmetric
// (v1a, Ed25519) signing examples of the Standard Webhooks reference
// libraries reproduce byte for byte, and verify.
func TestStandardWebhooksSignVectors(t *testing.T) {
	v := readStandardVectors(t)
	if len(v.Sign) != 2 {
		t.Fatalf("%d signing vectors", len(v.Sign))
	}
	for _, sv := range v.Sign {
		t.Run(sv.Name, func(t *testing.T) {
			at := time.Unix(sv.Timestamp, 0)
			s, err := Sign(ProviderStandard, sv.Secret, []byte(sv.Payload), SignOptions{ID: sv.ID, Timestamp: at})
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Header.Get(StandardSignatureHeader); got != sv.Signature || string(s.Body) != sv.Payload {
				t.Fatalf("webhook-signature %q over %q, want %q", got, s.Body, sv.Signature)
			}
			p, err := NewStandard([]string{sv.Secret}, WithClock(func() time.Time { return at }))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.Verify(s.Header, s.Body); !errors.Is(err, ErrMalformedBody) {
				// {"test": …} has no type: the signature verifies, the
				// Standard Webhooks body does not.
				t.Fatalf("Verify: %v, want a valid signature over a body without type", err)
			}
		})
	}
}

// TestStandardWebhooksVerifyVectors plays the reference libraries'
// verification cases with a profile that holds only the public key
// (whpk_), and with the secret key.
func TestStandardWebhooksVerifyVectors(t *testing.T) {
	v := readStandardVectors(t)
	def := provider.MustBuiltin(ProviderStandard)
	public, err := PublicKey(def, v.Verify.AsymmetricSecret)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(public, "whpk_") {
		t.Fatalf("public key %q", public)
	}
	now := testkit.Time
	tol := time.Duration(v.Verify.ToleranceSeconds) * time.Second
	body := `{"type":"order.updated","timestamp":"2025-06-15T08:00:00Z","data":{"orderId":1}}`
	sign := func(at time.Time) http.Header {
		s, err := Sign(ProviderStandard, v.Verify.AsymmetricSecret, []byte(body), SignOptions{ID: v.Verify.ID, Timestamp: at})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(s.Header.Get(StandardSignatureHeader), "v1a,") {
			t.Fatalf("signature %q", s.Header.Get(StandardSignatureHeader))
		}
		return s.Header
	}
	tests := []struct {
		name   string
		at     time.Time
		modify func(h http.Header)
		want   error
	}{
		{"valid signature is valid", now, nil, nil},
		{"missing id", now, func(h http.Header) { h.Del("webhook-id") }, ErrMissingSignature},
		{"missing timestamp", now, func(h http.Header) { h.Del("webhook-timestamp") }, ErrMissingSignature},
		{"missing signature", now, func(h http.Header) { h.Del("webhook-signature") }, ErrMissingSignature},
		{"invalid signature", now, func(h http.Header) { h.Set("webhook-signature", v.Verify.WrongSignatureV1a) }, ErrSignatureMismatch},
		{"partial signature", now, func(h http.Header) { h.Set("webhook-signature", "v1a,") }, ErrSignatureMismatch},
		{"old timestamp", now.Add(-tol - time.Second), nil, ErrStaleTimestamp},
		{"new timestamp", now.Add(tol + time.Second), nil, ErrStaleTimestamp},
		{"valid among others", now, func(h http.Header) {
			h.Set("webhook-signature", strings.Join([]string{v.Verify.WrongSignatureV1, v.Verify.OtherVersion,
				h.Get("webhook-signature"), v.Verify.WrongSignatureV1}, " "))
		}, nil},
		{"changed id", now, func(h http.Header) { h.Set("webhook-id", v.Verify.ID+"x") }, ErrSignatureMismatch},
	}
	for _, key := range []string{public, v.Verify.AsymmetricSecret} {
		p, err := NewStandard([]string{key}, WithClock(func() time.Time { return now }))
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range tests {
			t.Run(key[:5]+"/"+tt.name, func(t *testing.T) {
				h := sign(tt.at)
				if tt.modify != nil {
					tt.modify(h)
				}
				_, err := p.Verify(h, []byte(body))
				if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
					t.Fatalf("Verify: %v, want %v", err, tt.want)
				}
			})
		}
	}
	// The symmetric secret does not verify an Ed25519 signature, nor
	// the public key an HMAC one.
	sym, _ := NewStandard([]string{v.Verify.SymmetricSecret}, WithClock(func() time.Time { return now }))
	if _, err := sym.Verify(sign(now), []byte(body)); !errors.Is(err, ErrSignatureMismatch) {
		t.Errorf("whsec_ verifying v1a: %v", err)
	}
	// The specification's example header parses: its items are read,
	// and verify under no key of ours.
	h := sign(now)
	h.Set("webhook-signature", v.SpecExampleHeader)
	p, _ := NewStandard([]string{public}, WithClock(func() time.Time { return now }))
	if _, err := p.Verify(h, []byte(body)); !errors.Is(err, ErrSignatureMismatch) {
		t.Errorf("the specification's example: %v", err)
	}
}

// TestStandardAsymmetricProfile: a profile holding whsk_ keys signs v1a,
// with a whsec_ key both, every fault is judged as for v1, and a profile
// holding only a public key verifies but cannot build.
func TestStandardAsymmetricProfile(t *testing.T) {
	sk, pk, err := NewKeyPair(ProviderStandard, testkit.Rand(7))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sk, "whsk_") || !strings.HasPrefix(pk, "whpk_") {
		t.Fatalf("key pair %q %q", sk[:5], pk)
	}
	seed, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(sk, "whsk_"))
	pub, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(pk, "whpk_"))
	if !ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey).Equal(ed25519.PublicKey(pub)) {
		t.Fatal("the public key is not the secret key's")
	}
	if got, _ := PublicKey(provider.MustBuiltin(ProviderStandard), sk); got != pk {
		t.Fatalf("PublicKey %q, want %q", got, pk)
	}
	clock := WithClock(testkit.Clock)
	sender, err := NewStandard([]string{testkit.StandardSecret, sk}, WithRand(testkit.Rand(8)), clock)
	if err != nil {
		t.Fatal(err)
	}
	receiver, err := NewStandard([]string{pk}, clock)
	if err != nil {
		t.Fatal(err)
	}
	ev := testkit.Events(t, generator.ProviderPhasio, 1)[0]
	msg := &Message{Event: ev, ID: "msg_1", Time: testkit.Time}
	req, err := sender.Build(msg, FaultNone)
	if err != nil {
		t.Fatal(err)
	}
	items := strings.Fields(req.Header.Get(StandardSignatureHeader))
	if len(items) != 2 || !strings.HasPrefix(items[0], "v1,") || !strings.HasPrefix(items[1], "v1a,") {
		t.Fatalf("signatures %q", items)
	}
	sig, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(items[1], "v1a,"))
	signed := "msg_1." + strconv.FormatInt(testkit.Time.Unix(), 10) + "." + string(req.Body)
	if !ed25519.Verify(ed25519.PublicKey(pub), []byte(signed), sig) {
		t.Fatal("the v1a signature does not verify independently")
	}
	for fault, want := range map[Fault]error{FaultNone: nil, FaultTamper: ErrSignatureMismatch, FaultBadSignature: ErrSignatureMismatch,
		FaultWrongKey: ErrSignatureMismatch, FaultMissingSignature: ErrMissingSignature, FaultStaleTimestamp: ErrStaleTimestamp,
		FaultMalformedBody: ErrMalformedBody} {
		only, _ := NewStandard([]string{sk}, WithRand(testkit.Rand(9)), clock)
		req, err := only.Build(msg, fault)
		if err != nil {
			t.Fatalf("%s: %v", fault, err)
		}
		if _, err := receiver.Verify(req.Header, req.Body); !errors.Is(err, want) || (want == nil) != (err == nil) {
			t.Errorf("%s: Verify %v, want %v", fault, err, want)
		}
	}
	if _, err := receiver.Build(msg, FaultNone); !errors.Is(err, ErrBadSecret) {
		t.Errorf("Build with a public key only: %v", err)
	}
	if _, err := NewStandard([]string{"whsk_" + base64.StdEncoding.EncodeToString(make([]byte, 16))}); !errors.Is(err, ErrBadSecret) {
		t.Errorf("a 16-byte whsk_ key: %v", err)
	}
	if _, _, err := NewKeyPair(ProviderPhasio, testkit.Rand(1)); !errors.Is(err, ErrOptions) {
		t.Errorf("Phasio key pair: %v", err)
	}
}
