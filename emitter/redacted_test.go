package emitter

import (
	"net/http"
	"testing"

	"github.com/orderhooks/orderhooks/internal/redact"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/internal/testkit/testwire"
)

// TestNeverPrintSecrets: targets and emitters show [redacted], never a
// secret, a URL's password or an extra header's token, under every fmt
// verb, String, GoString, JSON and slog.
func TestNeverPrintSecrets(t *testing.T) {
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
