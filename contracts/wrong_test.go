package contracts_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/internal/jsonform"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/wire"
)

// bug is how wrongReceiver gets a platform's webhooks wrong.
type bug string

const (
	bugNone          bug = ""
	bugNotFound      bug = "404 everywhere"
	bugRejectAll     bug = "401 to everything"
	bugWrongInput    bug = "HMAC over the wrong input"
	bugDecodedKey    bug = "HMAC keyed with the decoded key"
	bugPaddedKey     bug = "HMAC keyed with the padded secret"
	bugNode          bug = "re-serialised body, Node style"
	bugPython        bug = "re-serialised body, Python style"
	bugNoCheck       bug = "no signature check"
	bug500OnBad      bug = "500 on bad signatures"
	bugClockAhead    bug = "clock 5m30s ahead"
	bugRouting       bug = "handles ORDER only"
	bugSecretAsKey   bug = "whsec_ string as the key"
	bugMilliseconds  bug = "webhook-timestamp read as milliseconds"
	bugHexDigestOnly bug = "expects a hex digest"
	bugRedirect      bug = "redirects every POST"
	bug400All        bug = "400 to everything"
	bugNoBodyCheck   bug = "acknowledges a body before parsing it"
)

// wrongReceiver checks signatures as each platform documents them, written
// here independently of emitter (hand-rolled HMAC, encodings and JSON),
// except for its one bug. It stores nothing: no probe.
type wrongReceiver struct {
	provider, secret string
	bug              bug
}

func (rv wrongReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch rv.bug {
	case bugNotFound:
		http.NotFound(w, r)
		return
	case bugRejectAll:
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	case bugRedirect:
		http.Redirect(w, r, "/elsewhere", http.StatusMovedPermanently)
		return
	case bug400All:
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	body := readBody(r)
	if rv.bug != bugNoBodyCheck && !json.Valid(body) {
		http.Error(w, "malformed body", http.StatusBadRequest)
		return
	}
	if rv.bug != bugNoCheck && !rv.signed(r.Header, body) {
		status := http.StatusUnauthorized
		if rv.bug == bug500OnBad {
			status = http.StatusInternalServerError
		}
		http.Error(w, "signature mismatch", status)
		return
	}
	if rv.bug == bugRouting {
		if ev := r.Header.Get(wire.TriggerHeader); ev != "ORDER" {
			http.Error(w, "unknown event "+ev, http.StatusBadRequest)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"ok":true}`))
}

// signed checks the request's signature, with the receiver's bug.
func (rv wrongReceiver) signed(h http.Header, body []byte) bool {
	reserialised := func(b []byte) []byte {
		var out []byte
		switch rv.bug {
		case bugNode:
			out, _ = jsonform.Node(b)
		case bugPython:
			out, _ = jsonform.Python(b)
		default:
			return b
		}
		return out
	}
	switch rv.provider {
	case contracts.ProviderPhasio:
		var env struct {
			Payload string `json:"payload"`
		}
		if json.Unmarshal(body, &env) != nil {
			return false
		}
		key, input := []byte(rv.secret), []byte(env.Payload)
		switch rv.bug {
		case bugWrongInput:
			input = body
		case bugDecodedKey:
			key, _ = base64.RawURLEncoding.DecodeString(strings.TrimRight(rv.secret, "="))
		case bugPaddedKey:
			key = []byte(rv.secret + strings.Repeat("=", (4-len(rv.secret)%4)%4))
		}
		return h.Get("X-Phasio-Signature") == hex.EncodeToString(testkit.HMACSHA256(key, input))
	case contracts.ProviderHappyColis:
		key := []byte(rv.secret)
		if rv.bug == bugDecodedKey {
			key, _ = hex.DecodeString(rv.secret)
		}
		sum := testkit.HMACSHA256(key, reserialised(body))
		if rv.bug == bugHexDigestOnly {
			return h.Get("X-Happycolis-Webhook-Signature") == hex.EncodeToString(sum)
		}
		return h.Get("X-Happycolis-Webhook-Signature") == base64.StdEncoding.EncodeToString(sum)
	}
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(rv.secret, "whsec_"))
	if rv.bug == bugSecretAsKey {
		key = []byte(rv.secret)
	}
	id, ts := h.Get("Webhook-Id"), h.Get("Webhook-Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	at, now := time.Unix(sec, 0), time.Now()
	switch rv.bug {
	case bugClockAhead:
		now = now.Add(5*time.Minute + 30*time.Second)
	case bugMilliseconds:
		at = time.UnixMilli(sec)
	}
	if d := now.Sub(at); d > 5*time.Minute || d < -5*time.Minute {
		return false
	}
	input := []byte(id + "." + ts + "." + string(reserialised(body)))
	if rv.bug == bugWrongInput {
		input = body
	}
	want := "v1," + base64.StdEncoding.EncodeToString(testkit.HMACSHA256(key, input))
	for _, s := range strings.Fields(h.Get("Webhook-Signature")) {
		if s == want {
			return true
		}
	}
	return false
}

// TestWrongReceivers: each deliberately wrong receiver on 127.0.0.1 gets
// the right verdicts, a failed run (exit 1) and the right diagnosis, said
// once; the same receiver without its bug passes.
func TestWrongReceivers(t *testing.T) {
	const (
		P = contracts.ProviderPhasio
		H = contracts.ProviderHappyColis
		S = contracts.ProviderStandard
	)
	rejects := []string{contracts.CheckMissingSignature, contracts.CheckBadSignature, contracts.CheckTamperedPayload, contracts.CheckWrongKey}
	tests := []struct {
		provider string
		bug      bug
		cause    string
		// status each named check must have
		statuses map[string]contracts.Status
		message  string // in the diagnosis
	}{
		{P, bugNone, "", map[string]contracts.Status{contracts.CheckBadSignature: contracts.StatusPass, contracts.CheckRawBody: contracts.StatusPass}, ""},
		{H, bugNone, "", map[string]contracts.Status{contracts.CheckBadSignature: contracts.StatusPass, contracts.CheckRawBody: contracts.StatusPass}, ""},
		{S, bugNone, "", map[string]contracts.Status{contracts.CheckStaleTimestamp: contracts.StatusPass, contracts.CheckRawBody: contracts.StatusPass}, ""},
		{P, bugNotFound, contracts.CauseWrongURL, each(rejects, contracts.StatusInconclusive), "every valid delivery got 404"},
		{S, bugNotFound, contracts.CauseWrongURL, each(rejects, contracts.StatusInconclusive), "the URL's path is wrong"},
		{P, bugRejectAll, contracts.CauseSignatureRejected, each(rejects, contracts.StatusInconclusive), "every valid delivery got 401: your receiver's signature check disagrees with Phasio's (hex HMAC-SHA256 of the payload string, keyed with the secret's UTF-8 bytes)"},
		{H, bugRejectAll, contracts.CauseSignatureRejected, each(rejects, contracts.StatusInconclusive), "check the secret"},
		{H, bugRedirect, contracts.CauseWrongURL, each(rejects, contracts.StatusInconclusive), "every valid delivery got 301, a redirect (to /elsewhere), which platforms do not follow"},
		{S, bug400All, contracts.CauseValidFails, each(rejects, contracts.StatusInconclusive), "every valid delivery got 400: your receiver refuses what the platform sends"},
		{P, bugWrongInput, wire.MistakeWholeBody, each(rejects, contracts.StatusInconclusive), "signs the whole body instead of the encrypted payload string"},
		{S, bugWrongInput, wire.MistakeBodyOnly, each(rejects, contracts.StatusInconclusive), `signs the body alone instead of "<webhook-id>.<webhook-timestamp>.<body>"`},
		{P, bugDecodedKey, wire.MistakeDecodedKey, each(rejects, contracts.StatusInconclusive), "keys the HMAC with the 32 base64url-decoded key bytes"},
		{H, bugDecodedKey, wire.MistakeDecodedKey, each(rejects, contracts.StatusInconclusive), "hex- or base64-decoded client secret"},
		{P, bugPaddedKey, wire.MistakePadding, each(rejects, contracts.StatusInconclusive), "other base64 padding"},
		{S, bugSecretAsKey, wire.MistakeSecretStringKey, each(rejects, contracts.StatusInconclusive), "whole secret string (whsec_…)"},
		{H, bugNode, wire.MistakeNode, map[string]contracts.Status{contracts.CheckValidLifecycle: contracts.StatusFail}, "JSON.stringify(JSON.parse(body))"},
		{S, bugNode, wire.MistakeNode, map[string]contracts.Status{contracts.CheckRawBody: contracts.StatusFail}, "Node style"},
		{H, bugPython, wire.MistakePython, map[string]contracts.Status{contracts.CheckValidLifecycle: contracts.StatusFail}, "json.dumps(json.loads(body))"},
		{S, bugPython, wire.MistakePython, map[string]contracts.Status{contracts.CheckValidLifecycle: contracts.StatusFail}, "Python style"},
		{H, bugHexDigestOnly, wire.MistakeHexDigest, each(rejects, contracts.StatusInconclusive), "digest in hex"},
		{P, bugNoCheck, contracts.CauseNoSignatureCheck, each(rejects, contracts.StatusFail), "it does not check X-Phasio-Signature"},
		{S, bugNoCheck, contracts.CauseNoSignatureCheck, each(append(rejects, contracts.CheckStaleTimestamp), contracts.StatusFail), "whatever their signature"},
		{H, bugNoBodyCheck, contracts.CauseMalformedBodyAccepted, map[string]contracts.Status{contracts.CheckMalformedBody: contracts.StatusFail, contracts.CheckBadSignature: contracts.StatusPass}, "a body that is not the documented JSON shape"},
		{S, bugNoBodyCheck, contracts.CauseMalformedBodyAccepted, map[string]contracts.Status{contracts.CheckMalformedBody: contracts.StatusFail, contracts.CheckBadSignature: contracts.StatusPass}, "parsing"},
		{H, bug500OnBad, contracts.CauseServerErrorOnRejection, each(rejects, contracts.StatusFail), "platforms retry a 5xx"},
		{S, bugClockAhead, contracts.CauseClockSkew, map[string]contracts.Status{contracts.CheckValidLifecycle: contracts.StatusFail}, "clock runs ahead of real time"},
		{S, bugMilliseconds, wire.MistakeMilliseconds, map[string]contracts.Status{contracts.CheckValidLifecycle: contracts.StatusFail}, "as milliseconds"},
		{P, bugRouting, contracts.CauseEventRouting, map[string]contracts.Status{contracts.CheckValidLifecycle: contracts.StatusFail, contracts.CheckBadSignature: contracts.StatusPass}, "the deliveries of ORDER_UPDATED, QUOTE_CONVERTED were all rejected (400) while those of ORDER were all accepted"},
	}
	for _, tt := range tests {
		name := tt.provider + "/" + string(tt.bug)
		if tt.bug == bugNone {
			name = tt.provider + "/correct"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel() // each has its own server
			rv := wrongReceiver{provider: tt.provider, secret: testSecret(t, tt.provider), bug: tt.bug}
			srv := httptest.NewServer(rv)
			defer srv.Close()
			r, err := contracts.Verify(context.Background(), contracts.URL(srv.URL+"/hooks"), testProvider(t, tt.provider), contracts.WithTimeout(5*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			for check, want := range tt.statuses {
				if got := r.Result(check); got == nil || got.Status != want {
					t.Errorf("%s: %v, want %s\n%s", check, got, want, textOf(r))
				}
			}
			if tt.bug == bugNone {
				if r.Failed() || len(r.Diagnosis) != 0 {
					t.Fatalf("the correct receiver failed:\n%s", textOf(r))
				}
				return
			}
			if !r.Failed() {
				t.Errorf("the run passed (exit 0):\n%s", textOf(r))
			}
			if len(r.Diagnosis) == 0 || r.Diagnosis[0].Cause != tt.cause || !strings.Contains(r.Diagnosis[0].Message, tt.message) {
				t.Fatalf("diagnosis %+v, want first %s saying %q\n%s", r.Diagnosis, tt.cause, tt.message, textOf(r))
			}
			for _, d := range r.Diagnosis {
				if tt.bug == bugNoBodyCheck && d.Cause == contracts.CauseNoSignatureCheck {
					t.Errorf("a correct signature check blamed: %+v", d)
				}
				if strings.Count(d.Message, "a wrong signature") > 1 {
					t.Errorf("a fault named twice: %+v", d)
				}
			}
			text := textOf(r)
			if strings.Count(text, r.Diagnosis[0].Message) != 1 || strings.Index(text, "Diagnosis:") > strings.Index(text+"\nFAIL ", "\nFAIL ") && strings.Contains(text, "\nFAIL ") {
				t.Errorf("the diagnosis is not said once, before the per-check details:\n%s", text)
			}
		})
	}
}

// each maps every check of names to status.
func each(names []string, status contracts.Status) map[string]contracts.Status {
	m := map[string]contracts.Status{}
	for _, n := range names {
		m[n] = status
	}
	return m
}
