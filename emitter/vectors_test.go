package emitter

import (
	"bytes"
	"encoding/hex"
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
)

// vector is one known-answer case of testdata/vectors/*.json (copies of the
// project's shared vectors); fields not used by a profile stay empty.
type vector struct {
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

type vectorFile struct {
	Profile string   `json:"profile"`
	Valid   []vector `json:"valid"`
	Invalid []vector `json:"invalid"`
}

// loadVectors reads every vector file, keyed by profile name.
func loadVectors(t testing.TB) map[string]vectorFile {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "vectors", "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no vectors in testdata/vectors (%v)", err)
	}
	out := map[string]vectorFile{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var f vectorFile
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out[f.Profile] = f
	}
	for _, name := range []string{generator.ProviderPhasio, generator.ProviderHappyColis, ProviderStandard} {
		if len(out[name].Valid) == 0 {
			t.Fatalf("no valid %s vectors", name)
		}
	}
	return out
}

// vectorRequest returns a vector's request as a receiver gets it, and a
// profile that should verify it.
func vectorRequest(t testing.TB, profile string, v vector) (Profile, http.Header, []byte) {
	t.Helper()
	h := http.Header{}
	var p Profile
	var err error
	body := []byte(v.Body)
	switch profile {
	case generator.ProviderPhasio:
		p, err = NewPhasio(v.Secret)
		if len(body) == 0 {
			body = []byte(`{"payload":"` + v.EncryptedPayload + `"}`)
		}
		h.Set(PhasioSignatureHeader, v.PhasioSignature)
	case generator.ProviderHappyColis:
		p, err = NewHappyColis(v.ClientSecret)
		h.Set(HappyColisSignatureHeader, v.HCSignature)
	case ProviderStandard:
		ts, _ := strconv.ParseInt(v.WebhookTimestamp, 10, 64)
		p, err = NewStandard([]string{v.Secret}, WithVerifyClock(func() time.Time { return time.Unix(ts, 0) }))
		h.Set(StandardIDHeader, v.WebhookID)
		h.Set(StandardTimestampHeader, v.WebhookTimestamp)
		h.Set(StandardSignatureHeader, v.WebhookSignature)
	}
	if err != nil {
		t.Fatalf("profile: %v", err)
	}
	return p, h, body
}

// TestVectorsReproduced builds every valid vector with its nonce injected
// and compares body and signature byte for byte, then verifies it back.
func TestVectorsReproduced(t *testing.T) {
	for profile, f := range loadVectors(t) {
		for _, v := range f.Valid {
			t.Run(profile+"/"+v.Name, func(t *testing.T) {
				req := buildVector(t, profile, v)
				if string(req.Body) != v.Body {
					t.Errorf("body\n got %s\nwant %s", req.Body, v.Body)
				}
				var sigHeader, want string
				switch profile {
				case generator.ProviderPhasio:
					sigHeader, want = PhasioSignatureHeader, v.PhasioSignature
				case generator.ProviderHappyColis:
					sigHeader, want = HappyColisSignatureHeader, v.HCSignature
				case ProviderStandard:
					sigHeader, want = StandardSignatureHeader, v.WebhookSignature
					if got := req.Header.Get(StandardTimestampHeader); got != v.WebhookTimestamp {
						t.Errorf("webhook-timestamp %q, want %q", got, v.WebhookTimestamp)
					}
				}
				if got := req.Header.Get(sigHeader); got != want {
					t.Errorf("%s %q, want %q", sigHeader, got, want)
				}
				p, h, body := vectorRequest(t, profile, v)
				rc, err := p.Verify(h, body)
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if wantPlain := vectorPlaintext(t, profile, v); !bytes.Equal(rc.Payload, wantPlain) {
					t.Errorf("payload %s, want %s", rc.Payload, wantPlain)
				}
			})
		}
	}
}

// buildVector runs Build on the vector's event with its nonce, id and time.
func buildVector(t *testing.T, profile string, v vector) *Request {
	t.Helper()
	var p Profile
	var err error
	msg := &Message{Event: &generator.Event{Seq: 1}}
	switch profile {
	case generator.ProviderPhasio:
		nonce, _ := hex.DecodeString(v.NonceHex)
		p, err = NewPhasio(v.Secret, WithRand(bytes.NewReader(nonce)))
		msg.Event.Event, msg.Event.Payload = generator.PhasioOrderCreated, []byte(v.Plaintext)
	case generator.ProviderHappyColis:
		p, err = NewHappyColis(v.ClientSecret)
		var env struct {
			Header struct {
				MessageID string `json:"messageId"`
				Type      string `json:"type"`
			} `json:"header"`
		}
		if err := json.Unmarshal([]byte(v.Body), &env); err != nil {
			t.Fatal(err)
		}
		msg.ID, msg.Event.Event, msg.Event.Payload = env.Header.MessageID, env.Header.Type, []byte(v.Body)
	case ProviderStandard:
		p, err = NewStandard([]string{v.Secret}, WithTimestampField(false))
		var body struct {
			Type string          `json:"type"`
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal([]byte(v.Body), &body); err != nil {
			t.Fatal(err)
		}
		ts, _ := strconv.ParseInt(v.WebhookTimestamp, 10, 64)
		msg.ID, msg.Time = v.WebhookID, time.Unix(ts, 0)
		msg.Event.Event, msg.Event.Payload = generator.HappyColisUpdated, body.Data
	}
	if err != nil {
		t.Fatal(err)
	}
	req, err := p.Build(msg, FaultNone)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return req
}

// vectorPlaintext is what Verify must return for a valid vector.
func vectorPlaintext(t *testing.T, profile string, v vector) []byte {
	switch profile {
	case generator.ProviderPhasio:
		return []byte(v.Plaintext)
	case ProviderStandard:
		var body struct {
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal([]byte(v.Body), &body); err != nil {
			t.Fatal(err)
		}
		return body.Data
	}
	return []byte(v.Body)
}

// TestVectorsRejected checks every invalid vector fails with its named
// reason: at construction for a bad secret, else in Verify.
func TestVectorsRejected(t *testing.T) {
	n := 0
	for profile, f := range loadVectors(t) {
		for _, v := range f.Invalid {
			n++
			t.Run(profile+"/"+v.Name, func(t *testing.T) {
				err := rejectVector(t, profile, v)
				if err == nil {
					t.Fatalf("accepted; want %q", v.Expect)
				}
				if !strings.Contains(Reason(err), vectorReason(v.Expect)) {
					t.Fatalf("error %q does not name %q", err, vectorReason(v.Expect))
				}
			})
		}
	}
	if n == 0 {
		t.Fatal("no invalid vectors")
	}
}

// vectorReason is the reason an invalid vector must be rejected with: its
// expect text less the premise some state first ("signature valid but
// decryption fails (…)": the signature passed, decryption is the reason).
func vectorReason(expect string) string {
	return strings.TrimPrefix(expect, "signature valid but ")
}

// rejectVector returns the error an invalid vector gives.
func rejectVector(t *testing.T, profile string, v vector) error {
	t.Helper()
	if v.EncryptedPayload == "" && v.Body == "" {
		_, err := ProfileByName(profile, []string{v.Secret})
		if err != nil && !errors.Is(err, ErrBadSecret) {
			t.Errorf("error %v does not wrap ErrBadSecret", err)
		}
		return err
	}
	p, h, body := vectorRequest(t, profile, v)
	_, err := p.Verify(h, body)
	return err
}
