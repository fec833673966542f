package contracts_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/wire"
)

// rememberingReceiver is a receiver with state that a verdict must not be
// fooled by: it answers 400 to every delivery of an order it has seen
// before (repeat), or to every delivery after its first `accept` (stop).
// With check set it verifies signatures (emitter's verifier), else it
// takes anything. It reads order keys from HappyColis and Standard
// Webhooks bodies, so it serves those two providers.
type rememberingReceiver struct {
	profile wire.Profile
	check   bool
	repeat  bool
	accept  int // with stop: deliveries accepted before it rejects everything
	// malformedOK acknowledges a body that is not JSON (signed) before
	// anything else, like a receiver that queues bodies unread.
	malformedOK bool

	mu    sync.Mutex
	seen  map[string]bool
	posts int
}

func (rv *rememberingReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body := readBody(r)
	rv.mu.Lock()
	defer rv.mu.Unlock()
	rv.posts++
	if !rv.repeat && rv.posts > rv.accept {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if rv.malformedOK && !json.Valid(body) {
		w.WriteHeader(http.StatusAccepted)
		return
	}
	if rv.check {
		if _, err := rv.profile.Verify(r.Header, body); err != nil {
			http.Error(w, "signature mismatch", http.StatusUnauthorized)
			return
		}
	}
	if rv.repeat {
		var doc struct {
			Body struct{ ID string }           `json:"body"`
			Data struct{ OrderID json.Number } `json:"data"`
		}
		_ = json.Unmarshal(body, &doc)
		key := doc.Body.ID + doc.Data.OrderID.String()
		if rv.seen[key] {
			http.Error(w, "order already received", http.StatusBadRequest)
			return
		}
		if rv.seen == nil {
			rv.seen = map[string]bool{}
		}
		rv.seen[key] = true
	}
	w.WriteHeader(http.StatusOK)
}

// signatureChecks are the rejects-* checks a receiver without a signature
// check must fail.
var signatureChecks = []string{contracts.CheckMissingSignature, contracts.CheckBadSignature, contracts.CheckTamperedPayload, contracts.CheckWrongKey}

// TestForgeryRejectedAsARepeatIsNoPass: a receiver that checks no
// signature but refuses every order it has seen before used to pass every
// rejects-* check, its forgery being the same order as its accepted
// control; each is a security failure.
func TestForgeryRejectedAsARepeatIsNoPass(t *testing.T) {
	for _, provider := range []string{contracts.ProviderHappyColis, contracts.ProviderStandard} {
		t.Run(provider, func(t *testing.T) {
			rv := &rememberingReceiver{profile: testProfile(t, provider), repeat: true}
			r := verifyWith(t, contracts.Handler(rv), provider, contracts.WithOnly(signatureChecks...))
			for _, name := range signatureChecks {
				if c := r.Result(name); c.Status != contracts.StatusFail || !strings.HasPrefix(c.Message, "security failure") {
					t.Errorf("%s: %s %q, want a security failure", name, c.Status, c.Message)
				}
			}
		})
	}
}

// TestForgeryRejectedAfterASuddenStopIsNoPass: a receiver that checks no
// signature and rejects everything after its second delivery used to pass
// the first rejects-* check (its control was the second delivery); it
// fails it, and the checks after it are inconclusive.
func TestForgeryRejectedAfterASuddenStopIsNoPass(t *testing.T) {
	rv := &rememberingReceiver{profile: testProfile(t, contracts.ProviderHappyColis), accept: 2}
	r := verifyWith(t, contracts.Handler(rv), contracts.ProviderHappyColis, contracts.WithOnly(rejectChecks...))
	if c := r.Checks[0]; c.Status != contracts.StatusFail || !strings.HasPrefix(c.Message, "security failure") {
		t.Errorf("%s: %s %q, want a security failure", c.Name, c.Status, c.Message)
	}
	for _, c := range r.Checks[1:] {
		if c.Status != contracts.StatusInconclusive {
			t.Errorf("%s: %s %q, want inconclusive", c.Name, c.Status, c.Message)
		}
	}
}

// TestRawBodyFormsRejectedAsARepeat: a receiver that checks signatures
// over the raw bytes but refuses an order it has seen before (or stops
// accepting after a few deliveries) rejects the other JSON forms for that
// reason, not for their bytes: verifies-raw-body is inconclusive, and
// nothing blames a re-serialised body.
func TestRawBodyFormsRejectedAsARepeat(t *testing.T) {
	for name, rv := range map[string]*rememberingReceiver{
		"repeat": {profile: testProfile(t, contracts.ProviderHappyColis), check: true, repeat: true},
		"stop":   {profile: testProfile(t, contracts.ProviderHappyColis), check: true, accept: 4},
	} {
		t.Run(name, func(t *testing.T) {
			r := verifyWith(t, contracts.Handler(rv), contracts.ProviderHappyColis, contracts.WithOnly(contracts.CheckRawBody))
			c := r.Result(contracts.CheckRawBody)
			if c.Status != contracts.StatusInconclusive || !strings.Contains(c.Message, "sent again after them") {
				t.Errorf("%s %q, want inconclusive", c.Status, c.Message)
			}
			for _, d := range r.Diagnosis {
				if d.Cause == contracts.CauseReserialisedBody {
					t.Errorf("diagnosis %+v", d)
				}
			}
		})
	}
}

// TestProbeThatNeverAnswers: probe GETs are bounded by WithTimeout even
// through a client without a timeout of its own, and after MaxNoAnswer
// probes in a row got no answer no more are sent; no check blames the
// receiver's state for a probe that could not be read.
func TestProbeThatNeverAnswers(t *testing.T) {
	t.Parallel() // waits out the probe's timeouts
	recv := newReceiver(t, testProfile(t, contracts.ProviderHappyColis))
	var gets atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && !strings.Contains(r.URL.Path, "reachability") {
			gets.Add(1)
			<-r.Context().Done()
			return
		}
		recv.ServeHTTP(w, r)
	}))
	defer srv.Close()
	defer srv.CloseClientConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r, err := contracts.Verify(ctx, contracts.URL(srv.URL), testProvider(t, contracts.ProviderHappyColis),
		contracts.WithClient(&http.Client{}), contracts.WithTimeout(300*time.Millisecond), contracts.WithProbe("/orders/{orderKey}"),
		contracts.WithOnly(contracts.CheckDuplicates, contracts.CheckStaleSnapshot, contracts.CheckStateMatches))
	if err != nil {
		t.Fatal(err)
	}
	if n := gets.Load(); n != contracts.MaxNoAnswer {
		t.Errorf("%d probe GETs, want %d", n, contracts.MaxNoAnswer)
	}
	for _, c := range r.Checks {
		if c.Status == contracts.StatusPass || !strings.Contains(c.Message, "probe") ||
			strings.Contains(c.Message, "not applied") || strings.Contains(c.Message, "do not hold") || strings.Contains(c.Message, "overwrote") {
			t.Errorf("%s: %s %q, want a failure of the probe named as such", c.Name, c.Status, c.Message)
		}
	}
}

// TestSecretNeverReportedInAnyForm: a receiver that echoes its key in
// another encoding than the secret string (the whsec_ secret's base64
// alone, the decoded key in hex or base64url, the Phasio key in standard
// base64) gets [secret] in evidence and in the record, not the key.
func TestSecretNeverReportedInAnyForm(t *testing.T) {
	for _, provider := range []string{contracts.ProviderStandard, contracts.ProviderPhasio} {
		t.Run(provider, func(t *testing.T) {
			secret := testSecret(t, provider)
			text := strings.TrimPrefix(secret, "whsec_")
			key, err := base64.StdEncoding.DecodeString(text)
			if err != nil {
				key, err = base64.RawURLEncoding.DecodeString(text)
			}
			if err != nil {
				t.Fatal(err)
			}
			forms := []string{text, hex.EncodeToString(key), strings.ToUpper(hex.EncodeToString(key)),
				base64.StdEncoding.EncodeToString(key), base64.RawURLEncoding.EncodeToString(key)}
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "bad key: "+strings.Join(forms, " | "), http.StatusInternalServerError)
			})
			var rec bytes.Buffer
			r, err := contracts.Verify(context.Background(), contracts.Handler(h), testProvider(t, provider),
				contracts.WithOnly(contracts.CheckValidLifecycle), contracts.WithRecord(&rec))
			if err != nil {
				t.Fatal(err)
			}
			out := everyFormat(r) + rec.String()
			if !strings.Contains(out, "[secret]") {
				t.Errorf("no [secret] in the report or the record")
			}
			for _, f := range forms {
				if strings.Contains(out, f) || strings.Contains(out, strings.ReplaceAll(f, "/", `\/`)) {
					t.Errorf("the key appears as %q", f)
				}
			}
		})
	}
}

// TestStaleSnapshotRefused: a HappyColis receiver that refuses an older
// snapshot with 409 keeps the newer state, but a non-2xx blocks the
// platform's queue: ignores-stale-snapshot fails instead of passing on
// an unchanged state it did not have to keep.
func TestStaleSnapshotRefused(t *testing.T) {
	recv := newReceiver(t, testProfile(t, contracts.ProviderHappyColis))
	var mu sync.Mutex
	newest := map[string]string{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			body := readBody(r)
			var env struct {
				Header struct{ Date string } `json:"header"`
				Body   struct{ ID string }   `json:"body"`
			}
			_ = json.Unmarshal(body, &env)
			mu.Lock()
			stale := env.Header.Date < newest[env.Body.ID]
			if !stale {
				newest[env.Body.ID] = env.Header.Date
			}
			mu.Unlock()
			if stale {
				http.Error(w, "stale snapshot", http.StatusConflict)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		recv.ServeHTTP(w, r)
	})
	r := verifyWith(t, contracts.HandlerAt(h, "/webhooks"), contracts.ProviderHappyColis,
		contracts.WithProbe("/orders/{orderKey}"), contracts.WithOnly(contracts.CheckStaleSnapshot))
	if c := r.Result(contracts.CheckStaleSnapshot); c.Status != contracts.StatusFail || !strings.Contains(c.Message, "409") {
		t.Errorf("%s %q, want a failure naming the 409", c.Status, c.Message)
	}
}

// TestDiagnosisOfRemembering: what a receiver with state does wrong is
// named for what it is: one that refuses an order it already has is not
// said to route events wrongly; one that stops accepting mid-run, or
// rate-limits, is said to.
func TestDiagnosisOfRemembering(t *testing.T) {
	profile := testProfile(t, contracts.ProviderHappyColis)
	var posts atomic.Int64
	rateLimited := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if posts.Add(1)%3 == 0 {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		newReceiver(t, profile).ServeHTTP(w, r)
	})
	tests := []struct {
		name    string
		h       http.Handler
		cause   string
		message string
	}{
		{"repeat", &rememberingReceiver{profile: profile, check: true, repeat: true}, contracts.CauseRepeatRefused, "refuses orders it already has"},
		{"repeat, malformed bodies acknowledged", &rememberingReceiver{profile: profile, check: true, repeat: true, malformedOK: true}, contracts.CauseRepeatRefused, "refuses orders it already has"},
		{"stop", &rememberingReceiver{profile: profile, check: true, accept: 30}, contracts.CauseStoppedAccepting, "valid deliveries were accepted, then every one of the"},
		{"429", rateLimited, contracts.CauseRateLimited, "got 429"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := verifyWith(t, contracts.Handler(tt.h), contracts.ProviderHappyColis)
			if len(r.Diagnosis) == 0 || r.Diagnosis[0].Cause != tt.cause || !strings.Contains(r.Diagnosis[0].Message, tt.message) {
				t.Fatalf("diagnosis %+v, want first %s saying %q", r.Diagnosis, tt.cause, tt.message)
			}
			for _, d := range r.Diagnosis {
				if d.Cause == contracts.CauseEventRouting {
					t.Errorf("diagnosis %+v", d)
				}
			}
			if c := r.Result(contracts.CheckRawBody); strings.Contains(c.Message, "re-serialised") {
				t.Errorf("%s: %s %q", c.Name, c.Status, c.Message)
			}
		})
	}
}

// TestInterruptedDuringDiagnosisKeepsTheVerdict: a run cancelled while
// the diagnosis probes the receiver (after a check reached its verdict)
// keeps that verdict: the check was not running.
func TestInterruptedDuringDiagnosisKeepsTheVerdict(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var posts atomic.Int64
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n := posts.Add(1); {
		case n == 1: // the preflight
			w.WriteHeader(http.StatusOK)
		case n > 3: // the diagnosis, after the check's forgery and control
			cancel()
			http.Error(w, "unauthorized", http.StatusUnauthorized)
		default:
			http.Error(w, "unauthorized", http.StatusUnauthorized)
		}
	})
	r, err := contracts.Verify(ctx, contracts.Handler(h), testProvider(t, contracts.ProviderHappyColis), contracts.WithOnly(contracts.CheckBadSignature))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if posts.Load() <= 3 {
		t.Fatalf("%d POSTs: the diagnosis did not run", posts.Load())
	}
	if c := r.Checks[0]; c.Status != contracts.StatusInconclusive {
		t.Errorf("%s: %s %q, want its verdict, inconclusive (control answered 401)", c.Name, c.Status, c.Message)
	}
}

// applyingReceiver stores every HappyColis or Standard Webhooks body it
// can read under its order key and serves it at GET /orders/{key}; it
// checks the signature before storing (verifyFirst) or after, answering
// 401 to a forgery it has already applied.
type applyingReceiver struct {
	profile     wire.Profile
	verifyFirst bool

	mu     sync.Mutex
	orders map[string][]byte
}

func (rv *applyingReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	if r.Method == http.MethodGet {
		if b, ok := rv.orders[strings.TrimPrefix(r.URL.Path, "/orders/")]; ok {
			w.Header().Set("Content-Type", "application/json")
			w.Write(b)
			return
		}
		http.NotFound(w, r)
		return
	}
	body := readBody(r)
	_, err := rv.profile.Verify(r.Header, body)
	if err != nil && rv.verifyFirst {
		http.Error(w, "signature mismatch", http.StatusUnauthorized)
		return
	}
	var doc struct {
		Body struct{ ID string }           `json:"body"`
		Data struct{ OrderID json.Number } `json:"data"`
	}
	if json.Unmarshal(body, &doc) != nil {
		http.Error(w, "malformed body", http.StatusBadRequest)
		return
	}
	if rv.orders == nil {
		rv.orders = map[string][]byte{}
	}
	rv.orders[doc.Body.ID+doc.Data.OrderID.String()] = body
	if err != nil {
		http.Error(w, "signature mismatch", http.StatusUnauthorized)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// TestForgeryAppliedThenRejected: with a probe, a forgery answered 401 is
// a pass only when its order is not found afterwards; a receiver that
// stores a delivery before checking its signature fails every signature
// check, and one that checks first passes them, saying the probe
// confirmed it.
func TestForgeryAppliedThenRejected(t *testing.T) {
	for _, provider := range []string{contracts.ProviderHappyColis, contracts.ProviderStandard} {
		for _, verifyFirst := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/verifyFirst=%v", provider, verifyFirst), func(t *testing.T) {
				rv := &applyingReceiver{profile: testProfile(t, provider), verifyFirst: verifyFirst}
				r := verifyWith(t, contracts.Handler(rv), provider, contracts.WithOnly(signatureChecks...),
					contracts.WithProbe("/orders/{orderKey}"))
				for _, name := range signatureChecks {
					c := r.Result(name)
					if verifyFirst {
						if c.Status != contracts.StatusPass || !strings.Contains(c.Message, "the probe finds no order") {
							t.Errorf("%s: %s %q, want a pass confirmed by the probe", name, c.Status, c.Message)
						}
						continue
					}
					if c.Status != contracts.StatusFail || !strings.Contains(c.Message, "but applied it") || len(c.Evidence) != 2 {
						t.Errorf("%s: %s %q (%d evidence), want a security failure naming the applied order", name, c.Status, c.Message, len(c.Evidence))
					}
				}
			})
		}
	}
}
