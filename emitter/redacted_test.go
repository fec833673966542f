package emitter

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/internal/redact"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/internal/testkit/testwire"
)

// TestNeverPrintSecrets: targets and emitters show [redacted], never a
// secret, a URL's password or an extra header's token, under every fmt
// verb, String, GoString, JSON and slog.
func TestNeverPrintSecrets(t *testing.T) {
	t.Parallel()
	const password, token, apiKey = "pw-0123456789", "tok-0123456789", "key-0123456789"
	secrets := []string{testkit.PhasioSecret, password, token, apiKey}
	tg := Target{URL: "https://user:" + password + "@hooks.example/x", Profile: testwire.Profile(t, "phasio"), Secret: testkit.PhasioSecret}
	testkit.SecretPromise(t, tg, redact.Mark, secrets...)
	testkit.SecretPromise(t, &tg, redact.Mark, secrets...)
	ts := Targets{Default: &tg, ByEvent: map[string]*Target{"ORDER": &tg}}
	testkit.SecretPromise(t, ts, "", secrets...)
	e, err := New(ts, WithHeader(http.Header{"Authorization": {"Bearer " + token}, "X-Api-Key": {apiKey}}))
	if err != nil {
		t.Fatal(err)
	}
	testkit.SecretPromise(t, e, redact.Mark, secrets...)
}

// TestRecordedResponseRedacted: a receiver's answer that echoes the
// target's secret (as given, or its key bytes in hex or base64) or an
// extra header's token is recorded with "[secret]" instead.
func TestRecordedResponseRedacted(t *testing.T) {
	t.Parallel()
	const token = "tok-0123456789"
	key := redact.Keys(testkit.PhasioSecret)[0]
	body := "secret " + testkit.PhasioSecret + " key " + hex.EncodeToString(key) + " " + base64.StdEncoding.EncodeToString(key) + " token " + token
	resp := &Response{Status: 400, Header: http.Header{"X-Echo": {"Bearer " + token}}, Body: []byte(body)}
	r := recordedResponse(resp, testkit.PhasioSecret, http.Header{"Authorization": {"Bearer " + token}})
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if f := testkit.FindSecret(string(b), testkit.PhasioSecret, token); f != "" || strings.Count(string(b), "[secret]") != 5 {
		t.Fatalf("record shows %q: %s", f, b)
	}
	if string(resp.Body) != body || resp.Header.Get("X-Echo") != "Bearer "+token {
		t.Fatal("the response itself was changed")
	}
}
