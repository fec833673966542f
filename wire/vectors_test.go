package wire

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
)

// vectorRequest returns a vector's request as a receiver gets it, and a
// profile that should verify it.
func vectorRequest(t testing.TB, profile string, v testkit.Vector) (Profile, http.Header, []byte) {
	t.Helper()
	var opts []Option
	if profile == ProviderStandard {
		opts = append(opts, WithClock(v.Clock()))
	}
	p, err := New(profile, []string{v.Key()}, opts...)
	if err != nil {
		t.Fatalf("profile: %v", err)
	}
	h, body := v.Request(profile)
	return p, h, body
}

// TestVectorsReproduced builds every valid vector with its nonce injected
// and compares body and signature byte for byte, then verifies it back.
func TestVectorsReproduced(t *testing.T) {
	for profile, f := range testkit.Vectors(t) {
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
func buildVector(t *testing.T, profile string, v testkit.Vector) *Request {
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
func vectorPlaintext(t *testing.T, profile string, v testkit.Vector) []byte {
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
	for profile, f := range testkit.Vectors(t) {
		for _, v := range f.Invalid {
			n++
			t.Run(profile+"/"+v.Name, func(t *testing.T) {
				err := rejectVector(t, profile, v)
				if err == nil {
					t.Fatalf("accepted; want %q", v.Expect)
				}
				if !strings.Contains(Reason(err), v.Reason()) {
					t.Fatalf("error %q does not name %q", err, v.Reason())
				}
			})
		}
	}
	if n == 0 {
		t.Fatal("no invalid vectors")
	}
}

// rejectVector returns the error an invalid vector gives.
func rejectVector(t *testing.T, profile string, v testkit.Vector) error {
	t.Helper()
	if v.EncryptedPayload == "" && v.Body == "" {
		_, err := New(profile, []string{v.Secret})
		if err != nil && !errors.Is(err, ErrBadSecret) {
			t.Errorf("error %v does not wrap ErrBadSecret", err)
		}
		return err
	}
	p, h, body := vectorRequest(t, profile, v)
	_, err := p.Verify(h, body)
	return err
}
