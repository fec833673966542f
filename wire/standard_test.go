package wire

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
)

// TestStandardRotation: every secret signs, and a receiver holding any one
// of them accepts.
func TestStandardRotation(t *testing.T) {
	old := testkit.StandardSecret
	fresh, err := NewSecret(ProviderStandard, testkit.Rand(3))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := NewSecret(ProviderStandard, testkit.Rand(4))
	clock := WithClock(func() time.Time { return testkit.Time })
	sender, err := NewStandard([]string{old, fresh})
	if err != nil {
		t.Fatal(err)
	}
	ev := testkit.Events(t, generator.ProviderPhasio, 1)[0]
	req, err := sender.Build(&Message{Event: ev, ID: "msg_1", Time: testkit.Time}, FaultNone)
	if err != nil {
		t.Fatal(err)
	}
	if sigs := strings.Fields(req.Header.Get(StandardSignatureHeader)); len(sigs) != 2 {
		t.Fatalf("signatures %q, want two", sigs)
	}
	tests := []struct {
		name    string
		secrets []string
		want    error
	}{
		{"old key", []string{old}, nil},
		{"new key", []string{fresh}, nil},
		{"unpadded, no prefix", []string{strings.TrimRight(strings.TrimPrefix(fresh, "whsec_"), "=")}, nil},
		{"another key", []string{other}, ErrSignatureMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewStandard(tt.secrets, clock)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.Verify(req.Header, req.Body); !errors.Is(err, tt.want) {
				t.Fatalf("Verify: %v, want %v", err, tt.want)
			}
		})
	}
}

// TestStandardVerify covers the clock, the tolerance and the headers.
func TestStandardVerify(t *testing.T) {
	ev := testkit.Events(t, generator.ProviderHappyColis, 1)[0]
	sender, err := NewStandard([]string{testkit.StandardSecret})
	if err != nil {
		t.Fatal(err)
	}
	req, err := sender.Build(&Message{Event: ev, ID: "msg_1", Time: testkit.Time}, FaultNone)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		now    time.Time
		tol    time.Duration
		modify func(h http.Header)
		want   error
	}{
		{"on time", testkit.Time, 0, nil, nil},
		{"4 minutes late", testkit.Time.Add(4 * time.Minute), 0, nil, nil},
		{"6 minutes late", testkit.Time.Add(6 * time.Minute), 0, nil, ErrStaleTimestamp},
		{"6 minutes early", testkit.Time.Add(-6 * time.Minute), 0, nil, ErrStaleTimestamp},
		{"6 minutes late, 10 allowed", testkit.Time.Add(6 * time.Minute), 10 * time.Minute, nil, nil},
		{"other versions ignored", testkit.Time, 0, func(h http.Header) {
			h.Set(StandardSignatureHeader, "v1a,xyz v2,abc "+h.Get(StandardSignatureHeader))
		}, nil},
		{"only other versions", testkit.Time, 0, func(h http.Header) { h.Set(StandardSignatureHeader, "v1a,xyz") }, ErrSignatureMismatch},
		{"garbled v1", testkit.Time, 0, func(h http.Header) { h.Set(StandardSignatureHeader, "v1,!!!") }, ErrSignatureMismatch},
		{"no id", testkit.Time, 0, func(h http.Header) { h.Del(StandardIDHeader) }, ErrMissingSignature},
		{"other id", testkit.Time, 0, func(h http.Header) { h.Set(StandardIDHeader, "msg_2") }, ErrSignatureMismatch},
		{"no timestamp", testkit.Time, 0, func(h http.Header) { h.Del(StandardTimestampHeader) }, ErrMissingSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := []Option{WithClock(func() time.Time { return tt.now })}
			if tt.tol > 0 {
				opts = append(opts, WithTolerance(tt.tol))
			}
			p, err := NewStandard([]string{testkit.StandardSecret}, opts...)
			if err != nil {
				t.Fatal(err)
			}
			h := req.Header.Clone()
			if tt.modify != nil {
				tt.modify(h)
			}
			got, err := p.Verify(h, req.Body)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify: %v, want %v", err, tt.want)
			}
			if err == nil && (got.Event != "order.created" || got.ID != "msg_1") {
				t.Fatalf("event %q id %q", got.Event, got.ID)
			}
		})
	}
}

// TestStandardBody: the documented body shape, and bodies missing parts.
func TestStandardBody(t *testing.T) {
	p, err := NewStandard([]string{testkit.StandardSecret}, WithClock(func() time.Time { return testkit.Time }))
	if err != nil {
		t.Fatal(err)
	}
	ev := &generator.Event{Event: generator.PhasioOrderUpdated, Payload: []byte(`{"orderId":1}`)}
	req, err := p.Build(&Message{Event: ev, ID: "m", Time: testkit.Time}, FaultNone)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"type":"order.updated","timestamp":"2025-06-15T08:00:00Z","data":{"orderId":1}}`; string(req.Body) != want {
		t.Fatalf("body %s, want %s", req.Body, want)
	}
	for _, body := range []string{`{"data":{}}`, `{"type":"x"}`, `[]`, `{"type":1,"data":{}}`} {
		h := req.Header.Clone()
		key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(testkit.StandardSecret, "whsec_"))
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte("m." + h.Get(StandardTimestampHeader) + "." + body))
		h.Set(StandardSignatureHeader, "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
		if _, err := p.Verify(h, []byte(body)); !errors.Is(err, ErrMalformedBody) {
			t.Errorf("%s: %v, want ErrMalformedBody", body, err)
		}
	}
}

// TestStandardBadConfig rejects unusable secrets and tolerances.
func TestStandardBadConfig(t *testing.T) {
	for _, tt := range []struct {
		secrets []string
		opts    []Option
	}{
		{nil, nil},
		{[]string{"whsec_***"}, nil},
		{[]string{"whsec_"}, nil},
		{[]string{testkit.StandardSecret}, []Option{WithTolerance(0)}},
	} {
		_, err := NewStandard(tt.secrets, tt.opts...)
		if err == nil {
			t.Errorf("%q: no error", tt.secrets)
		} else if len(tt.secrets) > 0 && tt.secrets[0] != testkit.StandardSecret && strings.Contains(err.Error(), tt.secrets[0]) {
			t.Errorf("error %q contains the secret", err)
		}
	}
}
