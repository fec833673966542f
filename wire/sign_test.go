package wire

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
)

// TestSignMatchesVectors: Sign reproduces every known-answer vector byte
// for byte, body and signature header, and its explanation never shows
// the secret.
func TestSignMatchesVectors(t *testing.T) {
	files := testkit.Vectors(t)
	for _, profile := range []string{generator.ProviderPhasio, generator.ProviderHappyColis, ProviderStandard} {
		for _, v := range files[profile].Valid {
			t.Run(profile+"/"+v.Name, func(t *testing.T) {
				var secret, header, want string
				var payload []byte
				var o SignOptions
				switch profile {
				case generator.ProviderPhasio:
					secret, header, want, payload = v.Secret, PhasioSignatureHeader, v.PhasioSignature, []byte(v.Plaintext)
					nonce, err := hex.DecodeString(v.NonceHex)
					if err != nil {
						t.Fatal(err)
					}
					o.Nonce = nonce
				case generator.ProviderHappyColis:
					secret, header, want, payload = v.ClientSecret, HappyColisSignatureHeader, v.HCSignature, []byte(v.Body)
				case ProviderStandard:
					secret, header, want, payload = v.Secret, StandardSignatureHeader, v.WebhookSignature, []byte(v.Body)
					sec, err := strconv.ParseInt(v.WebhookTimestamp, 10, 64)
					if err != nil {
						t.Fatal(err)
					}
					o.ID, o.Timestamp = v.WebhookID, time.Unix(sec, 0)
				}
				s, err := Sign(profile, secret, payload, o)
				if err != nil {
					t.Fatal(err)
				}
				if string(s.Body) != v.Body {
					t.Errorf("body\n got %s\nwant %s", s.Body, v.Body)
				}
				if got := s.Header.Get(header); got != want {
					t.Errorf("%s = %s, want %s", header, got, want)
				}
				for _, h := range []string{TriggerHeader, DeliveryHeader} {
					if s.Header.Get(h) != "" {
						t.Errorf("a platform's request has no %s", h)
					}
				}
				var all strings.Builder
				for _, st := range s.Steps {
					all.WriteString(st.Name + ": " + st.Detail + "\n")
				}
				if strings.Contains(all.String(), secret) {
					t.Errorf("the explanation shows the secret:\n%s", all.String())
				}
				for _, name := range []string{"HMAC key", "signed input", "digest", "encoding"} {
					if !strings.Contains(all.String(), name+": ") {
						t.Errorf("no %s step:\n%s", name, all.String())
					}
				}
			})
		}
	}
}

func TestSignErrors(t *testing.T) {
	phasioSecret := "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
	tests := []struct {
		name, provider, secret string
		payload                string
		o                      SignOptions
		want                   error
	}{
		{"not JSON", generator.ProviderPhasio, phasioSecret, "{", SignOptions{}, ErrSign},
		{"short nonce", generator.ProviderPhasio, phasioSecret, "{}", SignOptions{Nonce: []byte{1, 2}}, ErrSign},
		{"phasio has no id", generator.ProviderPhasio, phasioSecret, "{}", SignOptions{ID: "x"}, ErrSign},
		{"bad phasio secret", generator.ProviderPhasio, "c2hvcnQ", "{}", SignOptions{}, ErrBadSecret},
		{"happycolis needs an envelope", generator.ProviderHappyColis, "s", `{"a":1}`, SignOptions{}, ErrSign},
		{"standard has no nonce", ProviderStandard, "whsec_c2VjcmV0", "{}", SignOptions{Nonce: []byte{1}}, ErrSign},
		{"unknown provider", "stripe", "s", "{}", SignOptions{}, ErrUnknownProvider},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Sign(tt.provider, tt.secret, []byte(tt.payload), tt.o)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err %v, want %v", err, tt.want)
			}
			if strings.Contains(err.Error(), tt.secret) && len(tt.secret) > 4 {
				t.Errorf("error shows the secret: %v", err)
			}
		})
	}
}

// TestResign: the same message in another JSON form verifies (each
// profile's signature covers what it covers), and a Phasio body that
// changes its encrypted payload string is refused.
func TestResign(t *testing.T) {
	for _, name := range []string{generator.ProviderPhasio, generator.ProviderHappyColis, ProviderStandard} {
		p := testProfile(t, name)
		payloads := name
		if name == ProviderStandard {
			payloads = generator.ProviderPhasio
		}
		msg := &Message{Event: testkit.Events(t, payloads, 1)[0], ID: "0f6c9b5e-1111-4222-8333-444455556666", Time: testkit.Time}
		req, err := p.Build(msg, FaultNone)
		if err != nil {
			t.Fatal(err)
		}
		var indented bytes.Buffer
		if err := json.Indent(&indented, req.Body, "", "  "); err != nil {
			t.Fatal(err)
		}
		again, err := Resign(p, req, indented.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Verify(again.Header, again.Body); err != nil {
			t.Errorf("%s: the indented form does not verify: %v", name, err)
		}
		if _, err := p.Verify(req.Header, indented.Bytes()); name != generator.ProviderPhasio && err == nil {
			t.Errorf("%s: the old signature verifies a changed body", name)
		}
	}
	p := testProfile(t, generator.ProviderPhasio)
	req, err := p.Build(&Message{Event: testkit.Events(t, generator.ProviderPhasio, 1)[0]}, FaultNone)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Resign(p, req, []byte(`{"payload":"AAAA"}`)); !errors.Is(err, ErrSign) {
		t.Errorf("a changed Phasio payload string: %v, want ErrSign", err)
	}
}

// TestMisSign: every mistaken signature differs from the documented one
// (the profile refuses it) while the body is the one sent; mistakes that
// cannot be told apart are reported as such.
func TestMisSign(t *testing.T) {
	for _, name := range []string{generator.ProviderPhasio, generator.ProviderHappyColis, ProviderStandard} {
		payloads := name
		if name == ProviderStandard {
			payloads = generator.ProviderPhasio
		}
		secret := map[string]string{generator.ProviderPhasio: testkit.PhasioSecret, generator.ProviderHappyColis: "00ff00ff00ff00ff", ProviderStandard: testkit.StandardSecret}[name]
		var opts []Option
		if name == ProviderStandard {
			opts = append(opts, WithClock(testkit.Clock))
		}
		p, err := New(name, []string{secret}, opts...)
		if err != nil {
			t.Fatal(err)
		}
		req, err := p.Build(&Message{Event: testkit.Events(t, payloads, 1)[0], ID: "0f6c9b5e-1111-4222-8333-444455556666", Time: testkit.Time}, FaultNone)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range Mistakes(name) {
			out, ok, err := MisSign(p, secret, req, m.Name)
			if err != nil || !ok {
				t.Errorf("%s %s: ok %v, %v", name, m.Name, ok, err)
				continue
			}
			if _, err := p.Verify(out.Header, out.Body); err == nil {
				t.Errorf("%s %s: the mistaken request verifies as documented", name, m.Name)
			}
			if !bytes.Equal(out.Body, req.Body) || strings.Contains(string(out.Body)+strings.Join(out.Header.Values(HappyColisSignatureHeader), ""), secret) {
				t.Errorf("%s %s: body changed or secret shown", name, m.Name)
			}
		}
	}
	// A HappyColis secret that is neither hex nor base64 has no decoded form.
	p, _ := NewHappyColis(testkit.HappyColisSecret)
	req, _ := p.Build(&Message{Event: testkit.Events(t, generator.ProviderHappyColis, 1)[0], ID: "x"}, FaultNone)
	if _, ok, err := MisSign(p, testkit.HappyColisSecret, req, MistakeDecodedKey); ok || err != nil {
		t.Errorf("decoded-key of %q: ok %v, %v", testkit.HappyColisSecret, ok, err)
	}
}
