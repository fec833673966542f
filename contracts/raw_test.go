package contracts_test

import (
	"bytes"
	"crypto/hmac"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/internal/jsonform"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/wire"
)

// hcReserialising is a HappyColis receiver that checks the signature over
// its own re-serialisation of the body (the most reported webhook bug),
// written independently of emitter's verifier.
func hcReserialising(secret string, reserialise func([]byte) ([]byte, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body := readBody(r)
		again, err := reserialise(body)
		if err != nil {
			http.Error(w, "bad json", http.StatusBadRequest)
			return
		}
		want := testkit.SignHappyColis(secret, again)
		if !hmac.Equal([]byte(want), []byte(r.Header.Get(wire.HappyColisSignatureHeader))) {
			http.Error(w, "signature mismatch", http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusOK)
	}
}

// phasioSlicing is a Phasio receiver that cuts the payload string out of
// the body's bytes instead of parsing the JSON.
func phasioSlicing(secret string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body := readBody(r)
		rest, ok := bytes.CutPrefix(body, []byte(`{"payload":"`))
		payload, ok2 := bytes.CutSuffix(rest, []byte(`"}`))
		if !ok || !ok2 || r.Header.Get(wire.PhasioSignatureHeader) != testkit.SignPhasio(secret, payload) {
			http.Error(w, "signature mismatch", http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusOK)
	}
}

// TestRawBody: a receiver that verifies a re-serialised body (or slices
// the raw bytes) fails verifies-raw-body, naming the forms it rejected and
// those it accepted.
func TestRawBody(t *testing.T) {
	hcSecret := testSecret(t, contracts.ProviderHappyColis)
	tests := []struct {
		name     string
		provider string
		h        http.Handler
		rejected []string
		accepted []string
	}{
		{"happycolis, Node style", contracts.ProviderHappyColis, hcReserialising(hcSecret, jsonform.Node),
			[]string{"spaced", "indented", "unicode-escaped", "escaped-slash", "trailing-zero", "trailing-newline"}, []string{"canonical", "key-order"}},
		{"phasio, sliced bytes", contracts.ProviderPhasio, phasioSlicing(testSecret(t, contracts.ProviderPhasio)),
			[]string{"spaced", "indented", "trailing-newline"}, []string{"canonical"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := verifyWith(t, contracts.Handler(tt.h), tt.provider, contracts.WithOnly(contracts.CheckRawBody))
			c := r.Result(contracts.CheckRawBody)
			if c.Status != contracts.StatusFail {
				t.Fatalf("%s: %q, want a failure", c.Status, c.Message)
			}
			rejected, accepted, _ := strings.Cut(c.Message, "; it accepted ")
			for _, f := range tt.rejected {
				if !strings.Contains(rejected, f) {
					t.Errorf("message does not name rejected %s: %s", f, c.Message)
				}
			}
			for _, f := range tt.accepted {
				if !strings.Contains(accepted, f) {
					t.Errorf("message does not name accepted %s: %s", f, c.Message)
				}
			}
			if len(c.Evidence) == 0 || !strings.Contains(c.Evidence[0].Request, "form ") && !strings.Contains(c.Evidence[0].Request, "as the platform writes it") {
				t.Errorf("evidence %+v", c.Evidence)
			}
		})
	}
}

// TestRawBodyAllRejected: a receiver that re-serialises every form into
// something else (Go's map order, HTML escapes) accepts none: the check
// is inconclusive, as the control was rejected too.
func TestRawBodyAllRejected(t *testing.T) {
	goMap := func(b []byte) ([]byte, error) {
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			return nil, err
		}
		return json.Marshal(v) // sorted keys, HTML escaped
	}
	h := hcReserialising(testSecret(t, contracts.ProviderHappyColis), goMap)
	r := verifyWith(t, contracts.Handler(h), contracts.ProviderHappyColis, contracts.WithOnly(contracts.CheckRawBody))
	if c := r.Result(contracts.CheckRawBody); c.Status != contracts.StatusInconclusive || !strings.Contains(c.Message, "control answered 401") {
		t.Fatalf("%s %q, want inconclusive", c.Status, c.Message)
	}
}
