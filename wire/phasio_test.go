package wire

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/provider"
)

// TestPhasioOptions builds and verifies with every non-default assumption,
// checks the wire shows it, and that a default profile cannot read it.
func TestPhasioOptions(t *testing.T) {
	ev := testkit.Events(t, generator.ProviderPhasio, 1)[0]
	msg := &Message{Event: ev, ID: "d-1", Time: testkit.Time}
	key, _ := decodeBytes(provider.EncodingBase64URL, testkit.PhasioSecret)
	tests := []struct {
		name  string
		opts  []Option
		check func(t *testing.T, req *Request, sealed []byte)
	}{
		{"nonce size 16", []Option{WithNonceSize(16)}, func(t *testing.T, req *Request, sealed []byte) {
			if len(sealed) != 16+len(ev.Payload)+16 {
				t.Errorf("sealed %d bytes, want 16-byte nonce + payload + tag", len(sealed))
			}
		}},
		{"nonce last", []Option{WithLayout(LayoutNonceLast), WithRand(bytes.NewReader(bytes.Repeat([]byte{7}, 12)))},
			func(t *testing.T, req *Request, sealed []byte) {
				if !bytes.HasSuffix(sealed, bytes.Repeat([]byte{7}, 12)) {
					t.Errorf("sealed payload does not end with the nonce")
				}
			}},
		{"padded", []Option{WithPadding(true)}, func(t *testing.T, req *Request, sealed []byte) {
			if n := len(sealed) % 3; n != 0 && !bytes.Contains(req.Body, []byte(`="`)) {
				t.Errorf("no padding in %.30s…", req.Body)
			}
		}},
		{"body field", []Option{WithBodyField("data")}, func(t *testing.T, req *Request, _ []byte) {
			if !bytes.HasPrefix(req.Body, []byte(`{"data":"`)) {
				t.Errorf("body %.30s…", req.Body)
			}
		}},
		{"hmac with decoded key", []Option{WithHMACKey(HMACKeyDecoded)}, func(t *testing.T, req *Request, _ []byte) {
			var body struct{ Payload string }
			_ = json.Unmarshal(req.Body, &body)
			if want := hexHMAC(key, body.Payload); req.Header.Get(PhasioSignatureHeader) != want {
				t.Errorf("signature not keyed with the decoded key")
			}
		}},
		{"no orderhooks headers", []Option{WithTriggerHeader(false), WithDeliveryHeader(false), WithDefaultTrigger("QUOTE_CONVERTED")},
			func(t *testing.T, req *Request, _ []byte) {
				if req.Header.Get(TriggerHeader) != "" || req.Header.Get(DeliveryHeader) != "" {
					t.Errorf("headers %v", req.Header)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewPhasio(testkit.PhasioSecret, tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			req, err := p.Build(msg, FaultNone)
			if err != nil {
				t.Fatal(err)
			}
			payload, err := p.bodyString(req.Body, p.seal.fieldPtr, p.seal.field)
			if err != nil {
				t.Fatal(err)
			}
			sealed, err := decodeBytes(provider.EncodingBase64URL, string(payload))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, req, sealed)
			got, err := p.Verify(req.Header, req.Body)
			if err != nil {
				t.Fatalf("Verify with the same options: %v", err)
			}
			if !bytes.Equal(got.Payload, ev.Payload) {
				t.Fatalf("payload %.40s…", got.Payload)
			}
			if tt.name == "no orderhooks headers" && (got.Event != "QUOTE_CONVERTED" || got.ID != "") {
				t.Fatalf("event %q id %q, want the default trigger and no id", got.Event, got.ID)
			}
			if tt.name == "padded" || tt.name == "no orderhooks headers" {
				return // readable with the defaults: decoders accept padding, headers are extras
			}
			def, _ := NewPhasio(testkit.PhasioSecret)
			if _, err := def.Verify(req.Header, req.Body); err == nil {
				t.Fatal("a profile with the default assumptions accepted it")
			}
		})
	}
}

// hexHMAC computes a Phasio signature independently of the profile.
func hexHMAC(key []byte, s string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(s))
	return hex.EncodeToString(mac.Sum(nil))
}

// TestPhasioBadConfig: bad secrets and options fail at construction,
// without the secret in the message.
func TestPhasioBadConfig(t *testing.T) {
	tests := []struct {
		name, secret string
		opts         []Option
		want         string
	}{
		{"not base64url", "this is not a key!!", nil, "not base64url"},
		{"16-byte key", "AAAAAAAAAAAAAAAAAAAAAA", nil, "secret is not a 32-byte key"},
		{"std alphabet", strings.Repeat("+", 43), nil, "not base64url"},
		{"empty", "", nil, "secret: empty"},
		{"nonce size", testkit.PhasioSecret, []Option{WithNonceSize(0)}, "WithNonceSize 0: must be positive"},
		{"layout", testkit.PhasioSecret, []Option{WithLayout(9)}, "WithLayout 9: LayoutNonceFirst or LayoutNonceLast"},
		{"field", testkit.PhasioSecret, []Option{WithBodyField("")}, "WithBodyField: must not be empty"},
		{"hmac key form", testkit.PhasioSecret, []Option{WithHMACKey(5)}, "WithHMACKey 5: HMACKeySecretString or HMACKeyDecoded"},
		{"trigger", testkit.PhasioSecret, []Option{WithDefaultTrigger("ORDER_CREATED")}, `WithDefaultTrigger ORDER_CREATED: one of Phasio's events: ORDER, ORDER_UPDATED, QUOTE_CONVERTED (did you mean "ORDER"?)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewPhasio(tt.secret, tt.opts...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want %q", err, tt.want)
			}
			if tt.secret != "" && tt.secret != testkit.PhasioSecret && strings.Contains(err.Error(), tt.secret) {
				t.Fatalf("error %q contains the secret", err)
			}
		})
	}
}

// TestPhasioOpen decrypts the forms `orderhooks decrypt` accepts.
func TestPhasioOpen(t *testing.T) {
	v := testkit.Vectors(t)[generator.ProviderPhasio].Valid[0]
	p, err := NewPhasio(v.Secret)
	if err != nil {
		t.Fatal(err)
	}
	padded := base64.URLEncoding.EncodeToString(mustDecode(t, v.EncryptedPayload))
	tests := []struct {
		name, data, sig string
		want            error
	}{
		{"body", v.Body, v.PhasioSignature, nil},
		{"body without signature", v.Body, "", nil},
		{"indented body", "{\n  \"payload\": \"" + v.EncryptedPayload + "\"\n}\n", v.PhasioSignature, nil},
		{"bare string", v.EncryptedPayload + "\n", v.PhasioSignature, nil},
		{"quoted string", `"` + v.EncryptedPayload + `"`, "", nil},
		{"padded string", padded, "", nil},
		{"uppercase hex signature", v.Body, strings.ToUpper(v.PhasioSignature), nil},
		{"wrong signature", v.Body, strings.Repeat("0", 64), ErrSignatureMismatch},
		{"signature not hex", v.Body, "xyz", ErrSignatureMismatch},
		{"no payload field", `{"data":"x"}`, "", ErrMalformedBody},
		{"payload not a string", `{"payload":5}`, "", ErrMalformedBody},
		{"not base64", "!!!!", "", ErrMalformedBody},
		{"bad quoted string", `"abc`, "", ErrMalformedBody},
		{"too short", "AAAA", "", ErrPayloadTooShort},
		{"empty", "", "", ErrPayloadTooShort},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plain, err := p.Open([]byte(tt.data), tt.sig)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Open: %v, want %v", err, tt.want)
			}
			if tt.want == nil && string(plain) != v.Plaintext {
				t.Fatalf("plaintext %.40s…", plain)
			}
		})
	}
}

func mustDecode(t *testing.T, s string) []byte {
	t.Helper()
	b, err := decodeBytes(provider.EncodingBase64URL, s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPhasioNotJSON: a payload that decrypts to something other than JSON
// is malformed, not accepted.
func TestPhasioNotJSON(t *testing.T) {
	p := testProfile(t, generator.ProviderPhasio).(*Compiled)
	req, err := p.Build(&Message{Event: &generator.Event{Payload: []byte("not json")}}, FaultNone)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Verify(req.Header, req.Body); !errors.Is(err, ErrMalformedBody) {
		t.Fatalf("Verify: %v, want ErrMalformedBody", err)
	}
}

// FuzzDecrypt feeds arbitrary bodies, bare strings and signatures to the
// Phasio decoder: it must never panic, and must only return a plaintext
// for input signed with the secret.
func FuzzDecrypt(f *testing.F) {
	for _, v := range testkit.Vectors(f)[generator.ProviderPhasio].Valid {
		f.Add([]byte(v.Body), v.PhasioSignature)
		f.Add([]byte(v.EncryptedPayload), "")
	}
	f.Add([]byte(`{"payload":"AAAA"}`), "00")
	f.Add([]byte(`{"payload":"\u0041\u0041"}`), "")
	f.Add([]byte(`"abc`), "zz")
	f.Add([]byte(`{"payload":null}`), "")
	f.Add([]byte("===="), "")
	p, err := NewPhasio(testkit.PhasioSecret)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte, sig string) {
		plain, err := p.Open(data, sig)
		if err == nil && !json.Valid(plain) {
			t.Fatalf("accepted non-JSON plaintext %q", plain)
		}
		h := http.Header{}
		h.Set(PhasioSignatureHeader, sig)
		if rc, err := p.Verify(h, data); err == nil && (sig == "" || !json.Valid(rc.Payload)) {
			t.Fatalf("Verify accepted %q with signature %q", data, sig)
		}
	})
}

// benchPhasio returns the default profile and messages of 64 generated
// orders, with the bytes per order set on b.
func benchPhasio(b *testing.B) (*Compiled, []*Message) {
	evs := testkit.Events(b, generator.ProviderPhasio, 64)
	p, err := NewPhasio(testkit.PhasioSecret)
	if err != nil {
		b.Fatal(err)
	}
	msgs := make([]*Message, len(evs))
	size := 0
	for i, ev := range evs {
		msgs[i] = &Message{Event: ev, ID: "bench", Time: testkit.Time}
		size += len(ev.Payload)
	}
	b.SetBytes(int64(size / len(evs)))
	b.ReportAllocs()
	return p, msgs
}

// BenchmarkPhasioSeal measures Build (seal + sign) on generated orders;
// run with -cpu 1 for the events/s of one core.
func BenchmarkPhasioSeal(b *testing.B) {
	p, msgs := benchPhasio(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := p.Build(msgs[i%len(msgs)], FaultNone); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkPhasioVerify measures the receiving side of the same orders.
func BenchmarkPhasioVerify(b *testing.B) {
	p, msgs := benchPhasio(b)
	reqs := make([]*Request, len(msgs))
	for i, msg := range msgs {
		var err error
		if reqs[i], err = p.Build(msg, FaultNone); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := reqs[i%len(reqs)]
		if _, err := p.Verify(r.Header, r.Body); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
