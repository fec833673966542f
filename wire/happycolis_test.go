package wire

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/testkit"
)

// TestHappyColisStamp: Build sets header.messageId (and the configured
// ids) and keeps every other byte; a redelivery of the same Message keeps
// its messageId, a new Message gets its own.
func TestHappyColisStamp(t *testing.T) {
	ev := testkit.Events(t, generator.ProviderHappyColis, 1)[0]
	p, err := NewHappyColis(testkit.HappyColisSecret, WithOrganizationID("org-1"), WithWebhookID("hook-1"))
	if err != nil {
		t.Fatal(err)
	}
	msg := &Message{Event: ev, ID: "m-1"}
	first, err := p.Build(msg, FaultNone)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := p.Build(msg, FaultNone)
	other, _ := p.Build(&Message{Event: ev, ID: "m-2"}, FaultNone)
	if string(first.Body) != string(again.Body) {
		t.Fatal("a redelivery changed the body")
	}
	headerOf := func(r *Request) map[string]string {
		var env struct {
			Header map[string]string `json:"header"`
			Body   json.RawMessage   `json:"body"`
		}
		if err := json.Unmarshal(r.Body, &env); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(ev.Payload), string(env.Body)) {
			t.Fatal("body bytes changed")
		}
		return env.Header
	}
	h1, h2 := headerOf(first), headerOf(other)
	if h1["messageId"] != "m-1" || h2["messageId"] != "m-2" {
		t.Fatalf("messageIds %q, %q", h1["messageId"], h2["messageId"])
	}
	if h1["organizationId"] != "org-1" || h1["webhookId"] != "hook-1" || h1["type"] != ev.Event {
		t.Fatalf("header %v", h1)
	}
	if first.Header.Get(HappyColisSignatureHeader) == other.Header.Get(HappyColisSignatureHeader) {
		t.Fatal("different messages, same signature")
	}
}

// TestStampPayload covers envelopes the generator does not write.
func TestStampPayload(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"replaces in place", `{"header":{"messageId":"old","type":"order/created"},"body":{"total":85.0}}`,
			`{"header":{"messageId":"new","type":"order/created"},"body":{"total":85.0}}`},
		{"appends a missing field", `{"header":{"type":"t"},"body":{}}`, `{"header":{"type":"t","messageId":"new"},"body":{}}`},
		{"compacts, keeps order and extras", "{ \"body\" : {\"a\" : [1, 2]}, \"x\":1, \"header\": {} }",
			`{"body":{"a":[1,2]},"x":1,"header":{"messageId":"new"}}`},
		{"no HTML escaping", `{"header":{},"body":{"s":"<&>"}}`, `{"header":{"messageId":"new"},"body":{"s":"<&>"}}`},
		{"keeps numbers and escapes as written", `{"header":{"date":"2025\/06","x":1.50},"body":{"n":"\u00e9","m":1e2}}`,
			`{"header":{"date":"2025\/06","x":1.50,"messageId":"new"},"body":{"n":"\u00e9","m":1e2}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := stampPayload([]byte(tt.in), []stampField{{jsonptr.Pointer{"header", "messageId"}, "new"}})
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
	for _, bad := range []string{`[]`, `{"body":{}}`, `{"header":[1]}`, `{"header":{}`, `{"header":{},}`} {
		if _, err := stampPayload([]byte(bad), []stampField{{jsonptr.Pointer{"header", "messageId"}, "new"}}); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// TestHappyColisVerify covers signed bodies of the wrong shape.
func TestHappyColisVerify(t *testing.T) {
	p, err := NewHappyColis(testkit.HappyColisSecret)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, body string
		want       error
	}{
		{"ok", `{"header":{"messageId":"m","type":"order/created","date":"2024-03-15T11:05:00.000Z"},"body":{"id":"x"}}`, nil},
		{"ok without date", `{"header":{"type":"order/created"},"body":{}}`, nil},
		{"not JSON", `{"header":`, ErrMalformedBody},
		{"no header", `{"body":{}}`, ErrMalformedBody},
		{"no type", `{"header":{"messageId":"m"},"body":{}}`, ErrMalformedBody},
		{"messageId not a string", `{"header":{"messageId":1,"type":"t"},"body":{}}`, ErrMalformedBody},
		{"body not an object", `{"header":{"type":"t"},"body":[]}`, ErrMalformedBody},
		{"no body", `{"header":{"type":"t"}}`, ErrMalformedBody},
		{"bad date", `{"header":{"type":"t","date":"yesterday"},"body":{}}`, ErrMalformedBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			h.Set(HappyColisSignatureHeader, base64HMAC([]byte(testkit.HappyColisSecret), []byte(tt.body)))
			_, err := p.Verify(h, []byte(tt.body))
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify: %v, want %v", err, tt.want)
			}
		})
	}
	h := http.Header{}
	h.Set(HappyColisSignatureHeader, "not base64!")
	if _, err := p.Verify(h, []byte(`{}`)); !errors.Is(err, ErrSignatureMismatch) {
		t.Fatalf("Verify with a garbled signature: %v", err)
	}
	if _, err := NewHappyColis(""); !errors.Is(err, ErrBadSecret) {
		t.Fatalf("empty secret: %v", err)
	}
}

// base64HMAC computes a HappyColis signature independently of the profile.
func base64HMAC(key, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
