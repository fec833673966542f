package contracts_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/wire"
)

// rejectChecks are the checks that expect a rejection, each with a control.
var rejectChecks = []string{contracts.CheckMissingSignature, contracts.CheckBadSignature, contracts.CheckTamperedPayload, contracts.CheckWrongKey, contracts.CheckMalformedBody}

// countingServer serves h on 127.0.0.1 and counts the POSTs it got.
func countingServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var posts atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			posts.Add(1)
		}
		h(w, r)
	}))
	t.Cleanup(func() {
		srv.CloseClientConnections() // ends held requests
		srv.Close()
	})
	return srv, &posts
}

// TestRejectionNeedsAcceptedControl: a receiver that answers 404 (or 401)
// to everything used to pass every rejects-* check; now each is
// inconclusive, naming what its control got, and the run fails.
func TestRejectionNeedsAcceptedControl(t *testing.T) {
	for _, status := range []int{http.StatusNotFound, http.StatusUnauthorized} {
		srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) })
		for _, provider := range providers {
			t.Run(http.StatusText(status)+"/"+provider, func(t *testing.T) {
				r, err := contracts.Verify(context.Background(), contracts.URL(srv.URL+"/typo"), testProvider(t, provider),
					contracts.WithOnly(rejectChecks...), contracts.WithTimeout(2*time.Second))
				if err != nil {
					t.Fatal(err)
				}
				if !r.Failed() || r.Summary.Passed != 0 || r.Summary.Inconclusive != len(rejectChecks) {
					t.Fatalf("summary %+v, want every check inconclusive and the run failed", r.Summary)
				}
				for _, c := range r.Checks {
					want := "inconclusive: the receiver rejects valid deliveries too (control answered " + strconv.Itoa(status) + ")"
					if !strings.HasPrefix(c.Message, want) {
						t.Errorf("%s: %q", c.Name, c.Message)
					}
					if len(c.Evidence) != 1 || c.Evidence[0].Status != status || c.Evidence[0].Expected != "2xx (a valid control delivery)" || c.Deliveries != 2 {
						t.Errorf("%s: evidence %+v, deliveries %d: want the forgery and its control sent, the control as evidence", c.Name, c.Evidence, c.Deliveries)
					}
				}
				if p := r.Preflight; len(p) != 1 || p[0].Status != status || !strings.HasPrefix(p[0].Request, "POST ") {
					t.Errorf("preflight %+v, want the POST and its %d", p, status)
				}
			})
		}
	}
}

// readBody reads a test request's body (bounded).
func readBody(r *http.Request) []byte {
	b, _ := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	return b
}

// TestNotARejection: with valid deliveries accepted, a forgery answered
// 404 or 405 is not rejected, it names a wrong URL or method.
func TestNotARejection(t *testing.T) {
	profile := testProfile(t, contracts.ProviderHappyColis)
	for _, status := range []int{http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusTooManyRequests} {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, err := profile.Verify(r.Header, readBody(r)); err != nil {
				w.WriteHeader(status)
				return
			}
			w.WriteHeader(http.StatusOK)
		})
		r, err := contracts.Verify(context.Background(), contracts.Handler(h), testProvider(t, contracts.ProviderHappyColis), contracts.WithOnly(contracts.CheckBadSignature))
		if err != nil {
			t.Fatal(err)
		}
		c := r.Result(contracts.CheckBadSignature)
		if c.Status != contracts.StatusFail || !strings.Contains(c.Message, "its valid control was accepted") {
			t.Errorf("forgery answered %d: %s %q, want a failure saying it is no rejection", status, c.Status, c.Message)
		}
	}
}

// hangOnPost answers GET and HEAD and the first answered POSTs, but holds
// every later POST until the client hangs up (or countingServer's cleanup
// closes the connection).
func hangOnPost(answered int64) http.HandlerFunc {
	var n atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && n.Add(1) > answered {
			io.Copy(io.Discard, r.Body) // so the server notices the client leave
			<-r.Context().Done()
			return
		}
		w.WriteHeader(http.StatusOK)
	}
}

// TestNeverAnswers: a receiver that never answers a POST is unreachable
// after MaxNoAnswer preflight tries; nothing else is sent.
func TestNeverAnswers(t *testing.T) {
	t.Parallel() // waits out the timeouts of the unanswered POSTs
	srv, posts := countingServer(t, hangOnPost(0))
	_, err := contracts.Verify(context.Background(), contracts.URL(srv.URL), testProvider(t, contracts.ProviderPhasio),
		contracts.WithTimeout(100*time.Millisecond))
	if !errors.Is(err, contracts.ErrUnreachable) || !strings.Contains(err.Error(), "a valid delivery got no answer") {
		t.Fatalf("err %v, want ErrUnreachable saying the valid delivery got no answer", err)
	}
	if n := posts.Load(); n != contracts.MaxNoAnswer {
		t.Errorf("%d POSTs, want %d preflight tries", n, contracts.MaxNoAnswer)
	}
}

// TestStopsWhenTheReceiverStopsAnswering: after MaxNoAnswer deliveries in
// a row get no answer the run sends nothing more; the remaining checks are
// reported not run and the run fails.
func TestStopsWhenTheReceiverStopsAnswering(t *testing.T) {
	t.Parallel() // waits out the timeouts of the unanswered POSTs
	srv, posts := countingServer(t, hangOnPost(3))
	r, err := contracts.Verify(context.Background(), contracts.URL(srv.URL), testProvider(t, contracts.ProviderHappyColis),
		contracts.WithTimeout(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if n := posts.Load(); n != 3+contracts.MaxNoAnswer {
		t.Errorf("%d POSTs, want the 3 answered and %d more", n, contracts.MaxNoAnswer)
	}
	if r.Stopped == nil || r.Stopped.Reason != contracts.StopNoAnswer || !r.Failed() {
		t.Fatalf("stopped %+v, failed %v", r.Stopped, r.Failed())
	}
	if c := r.Checks[0]; c.Status != contracts.StatusFail || !strings.HasPrefix(c.Message, "3 of 5 valid deliveries sent were not answered 2xx; 15 more were not sent") {
		t.Errorf("%s: %s %q, want the check that met the silence failed, its deliveries not sent counted apart", c.Name, c.Status, c.Message)
	}
	for _, e := range r.Checks[0].Evidence {
		if e.Got != "no response" || strings.Contains(e.Response, "not sent") {
			t.Errorf("evidence %+v, want the deliveries that got no answer", e)
		}
	}
	if len(r.Checks) != len(contracts.Checks()) {
		t.Fatalf("%d results for %d checks", len(r.Checks), len(contracts.Checks()))
	}
	for _, c := range r.Checks[1:] {
		if c.Status != contracts.StatusSkip || !strings.HasPrefix(c.Message, "not run: receiver stopped answering") {
			t.Errorf("%s: %s %q, want not run", c.Name, c.Status, c.Message)
		}
	}
}

// TestDeadline: a run that outlives WithDeadline stops: the running check
// is interrupted (not failed), the rest not run, and the run fails.
func TestDeadline(t *testing.T) {
	t.Parallel() // waits for the deadline
	profile := testProfile(t, contracts.ProviderStandard)
	recv := newReceiver(t, profile)
	var n atomic.Int64
	slowRecv := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) > 1 { // the preflight is answered at once
			time.Sleep(30 * time.Millisecond)
		}
		recv.ServeHTTP(w, r)
	})
	r, err := contracts.Verify(context.Background(), contracts.Handler(slowRecv), testProvider(t, contracts.ProviderStandard),
		contracts.WithDeadline(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if r.Stopped == nil || r.Stopped.Reason != contracts.StopDeadline || !r.Failed() {
		t.Fatalf("stopped %+v, failed %v", r.Stopped, r.Failed())
	}
	if r.Summary.Interrupted != 1 || r.Summary.Failed != 0 || r.Checks[0].Status != contracts.StatusInterrupted {
		t.Errorf("summary %+v, first check %s: want the running check interrupted, none failed", r.Summary, r.Checks[0].Status)
	}
	for _, c := range r.Checks[1:] {
		if c.Status != contracts.StatusSkip || !strings.Contains(c.Message, "not run: the run's deadline") {
			t.Errorf("%s: %s %q", c.Name, c.Status, c.Message)
		}
	}
}

// TestInterruptedCheckIsNotAFailure: cancelling the run while a check
// sends (every delivery answered 2xx) marks that check interrupted.
func TestInterruptedCheckIsNotAFailure(t *testing.T) {
	t.Parallel() // waits for the interrupted run to stop
	profile := testProfile(t, contracts.ProviderHappyColis)
	recv := newReceiver(t, profile)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var n atomic.Int64
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && n.Add(1) == 5 { // inside the lifecycle
			cancel()
		}
		recv.ServeHTTP(w, r)
	})
	r, err := contracts.Verify(ctx, contracts.Handler(h), testProvider(t, contracts.ProviderHappyColis))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if r.Failed() || r.Summary.Failed != 0 || r.Summary.Interrupted != 1 || r.Checks[0].Status != contracts.StatusInterrupted {
		t.Fatalf("summary %+v, first %s %q: want it interrupted and nothing failed", r.Summary, r.Checks[0].Status, r.Checks[0].Message)
	}
	if r.Stopped == nil || r.Stopped.Reason != contracts.StopInterrupted {
		t.Errorf("stopped %+v", r.Stopped)
	}
}

// TestOrderKeysUniqueAcrossChecks: no two checks (nor the preflight) of a
// run send the same order, whatever the seed, so one check's orders never
// disturb another's state; the default run tries seed 1,
// ORDERHOOKS_LONG=1 (a step of .ci/run) seeds 1 to 20.
func TestOrderKeysUniqueAcrossChecks(t *testing.T) {
	seeds := []int64{1}
	if os.Getenv("ORDERHOOKS_LONG") != "" {
		seeds = seeds[:0]
		for s := int64(1); s <= 20; s++ {
			seeds = append(seeds, s)
		}
	}
	for _, provider := range providers {
		for _, seed := range seeds {
			var rec bytes.Buffer
			recv := newReceiver(t, testProfile(t, provider))
			r, err := contracts.Verify(context.Background(), contracts.HandlerAt(recv, "/webhooks"), testProvider(t, provider),
				contracts.WithSeed(seed), contracts.WithRecord(&rec), contracts.WithProbe("/orders/{orderKey}"))
			if err != nil {
				t.Fatal(err)
			}
			if r.Failed() {
				t.Fatalf("%s seed %d: the project's receiver failed: %s", provider, seed, r.Summary.Line())
			}
			owner := map[string]string{}
			for _, line := range strings.Split(strings.TrimSpace(rec.String()), "\n") {
				var l contracts.RecordLine
				if err := json.Unmarshal([]byte(line), &l); err != nil {
					t.Fatal(err)
				}
				key, who := l.Event.OrderKey, l.Check+" "+l.Role
				if l.Role != "preflight" && l.Role != "variant" {
					who = l.Check
				}
				if o, ok := owner[key]; ok && o != who {
					t.Fatalf("%s seed %d: order %s sent by %q and %q", provider, seed, key, o, who)
				}
				owner[key] = who
			}
			if len(owner) < 20 {
				t.Fatalf("%s seed %d: %d orders, want the suite's", provider, seed, len(owner))
			}
		}
	}
}

// TestOptionsThatChangeNothing: New refuses an option no selected check
// uses and a check both selected and skipped, naming both options.
func TestOptionsThatChangeNothing(t *testing.T) {
	schema := ackSchema
	tests := []struct {
		name          string
		opts          []contracts.Option
		option, other string
	}{
		{"only and skip", []contracts.Option{contracts.WithOnly(contracts.CheckBadSignature), contracts.WithSkip(contracts.CheckBadSignature)}, "WithSkip", "WithOnly"},
		{"skip outside only", []contracts.Option{contracts.WithOnly(contracts.CheckBadSignature), contracts.WithSkip(contracts.CheckWrongKey)}, "WithSkip", "WithOnly"},
		{"compare without probe", []contracts.Option{contracts.WithCompare("/orderId")}, "WithCompare", "WithProbe"},
		{"compare, state checks skipped", []contracts.Option{contracts.WithProbe("/o/{orderKey}"), contracts.WithCompare("/orderId"), contracts.WithSkip(contracts.CheckStateMatches, contracts.CheckStaleSnapshot, contracts.CheckDuplicates)}, "WithCompare", "WithSkip"},
		{"probe, no state check", []contracts.Option{contracts.WithProbe("/o/{orderKey}"), contracts.WithOnly(contracts.CheckValidLifecycle)}, "WithProbe", "WithOnly"},
		{"slo, its check not run", []contracts.Option{contracts.WithSLO(time.Second), contracts.WithSkip(contracts.CheckSLO)}, "WithSLO", "WithSkip"},
		{"response schema, its check not run", []contracts.Option{contracts.WithResponseSchema(schema), contracts.WithOnly(contracts.CheckWrongKey)}, "WithResponseSchema", "WithOnly"},
		{"save failures, no acceptance check", []contracts.Option{contracts.WithSaveFailures(t.TempDir()), contracts.WithOnly(contracts.CheckWrongKey)}, "WithSaveFailures", "WithOnly"},
		{"only a state check, no probe", []contracts.Option{contracts.WithOnly(contracts.CheckValidLifecycle, contracts.CheckStateMatches)}, "WithOnly", "WithProbe"},
		{"only the response contract, no schema", []contracts.Option{contracts.WithOnly(contracts.CheckResponseContract)}, "WithOnly", "WithResponseSchema"},
		{"only the stale timestamp, not Standard Webhooks", []contracts.Option{contracts.WithOnly(contracts.CheckStaleTimestamp)}, "WithOnly", "Provider"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := contracts.New(testProvider(t, contracts.ProviderPhasio), tt.opts...)
			var oe *contracts.OptionError
			if !errors.As(err, &oe) || !errors.Is(err, contracts.ErrConfig) || oe.Option != tt.option || oe.Other != tt.other {
				t.Fatalf("err %v, want an OptionError of %s against %s", err, tt.option, tt.other)
			}
		})
	}
	// The same options are fine when their checks run.
	if _, err := contracts.New(testProvider(t, contracts.ProviderPhasio), contracts.WithProbe("/o/{orderKey}"), contracts.WithCompare("/orderId"),
		contracts.WithSLO(time.Second), contracts.WithResponseSchema(schema), contracts.WithSkip(contracts.CheckEdgeCases)); err != nil {
		t.Fatal(err)
	}
	// Phasio's ignores-stale-snapshot runs without a probe: it warns why
	// Phasio receivers cannot tell.
	if _, err := contracts.New(testProvider(t, contracts.ProviderPhasio), contracts.WithOnly(contracts.CheckStaleSnapshot)); err != nil {
		t.Fatal(err)
	}
	// idempotent-duplicates compares the probed state with the snapshot
	// before it redelivers, on the compared pointers.
	if _, err := contracts.New(testProvider(t, contracts.ProviderPhasio), contracts.WithProbe("/o/{orderKey}"), contracts.WithCompare("/orderId"),
		contracts.WithOnly(contracts.CheckDuplicates)); err != nil {
		t.Fatal(err)
	}
}

// TestRoutes: with one webhook (URL and secret) per Phasio trigger, every
// delivery goes to its trigger's webhook, signed and encrypted with that
// webhook's secret, controls included; a receiver keyed for one trigger
// sees no other.
func TestRoutes(t *testing.T) {
	triggers := generator.Events(generator.ProviderPhasio)
	mux := http.NewServeMux()
	targets := emitter.Targets{ByEvent: map[string]*emitter.Target{}}
	var wrong atomic.Int64
	for i, trigger := range triggers {
		secret, err := wire.NewSecret(generator.ProviderPhasio, bytes.NewReader(bytes.Repeat([]byte{byte(i + 1)}, 32)))
		if err != nil {
			t.Fatal(err)
		}
		p, err := wire.NewPhasio(secret, wire.WithDefaultTrigger(trigger))
		if err != nil {
			t.Fatal(err)
		}
		recv := newReceiver(t, p)
		path := "/hooks/" + strings.ToLower(trigger)
		mux.Handle(path, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if got := r.Header.Get(wire.TriggerHeader); got != "" && got != trigger {
				wrong.Add(1)
			}
			recv.ServeHTTP(w, r)
		}))
		targets.ByEvent[trigger] = &emitter.Target{URL: path, Profile: p, Secret: secret}
	}
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, tg := range targets.ByEvent {
		tg.URL = srv.URL + tg.URL
	}
	r, err := contracts.Verify(context.Background(), contracts.Routes(targets), contracts.Phasio(""))
	if err != nil {
		t.Fatal(err)
	}
	if r.Failed() || r.Summary.Passed < 10 {
		t.Fatalf("summary %+v:\n%s", r.Summary, textOf(r))
	}
	if wrong.Load() != 0 {
		t.Errorf("%d deliveries reached another trigger's webhook", wrong.Load())
	}
	if len(r.Preflight) != 3 || !strings.Contains(r.Target, "ORDER_UPDATED="+srv.URL+"/hooks/order_updated") {
		t.Errorf("preflight %d, target %q: want one preflight per webhook and every route named", len(r.Preflight), r.Target)
	}
	// Without routes, the provider needs its secret.
	if _, err := contracts.Verify(context.Background(), contracts.URL(srv.URL), contracts.Phasio("")); !errors.Is(err, contracts.ErrConfig) {
		t.Errorf("no secret, no routes: %v", err)
	}
}

// textOf is a report as text, for failure messages.
func textOf(r *contracts.Report) string {
	var b bytes.Buffer
	r.WriteText(&b, false)
	return b.String()
}

// TestRouteWithAWrongURL: one webhook of a targets file answers 404; the
// diagnosis names its events and URL, the others pass.
func TestRouteWithAWrongURL(t *testing.T) {
	secret := testSecret(t, contracts.ProviderPhasio)
	p, err := wire.NewPhasio(secret)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/hooks/", newReceiver(t, p))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	targets := emitter.Targets{
		Default: &emitter.Target{URL: srv.URL + "/hooks/all", Profile: p, Secret: secret},
		ByEvent: map[string]*emitter.Target{"ORDER_UPDATED": {URL: srv.URL + "/typo/updated", Profile: p, Secret: secret}},
	}
	r, err := contracts.Verify(context.Background(), contracts.Routes(targets), contracts.Phasio(""))
	if err != nil {
		t.Fatal(err)
	}
	if !r.Failed() || len(r.Diagnosis) == 0 || r.Diagnosis[0].Cause != contracts.CauseEventRouting ||
		!strings.Contains(r.Diagnosis[0].Message, "the deliveries of ORDER_UPDATED all got 404 (not found)") ||
		!strings.Contains(r.Diagnosis[0].Message, "/typo/updated") {
		t.Fatalf("diagnosis %+v\n%s", r.Diagnosis, textOf(r))
	}
	if c := r.Result(contracts.CheckBadSignature); c.Status != contracts.StatusPass {
		t.Errorf("%s: %s %s", c.Name, c.Status, c.Message)
	}
}

// TestShrinkingStopsWithTheRun: a failure found as the receiver stops
// answering is not 'shrunk' against deliveries that are never sent.
func TestShrinkingStopsWithTheRun(t *testing.T) {
	t.Parallel() // waits out the timeouts of the unanswered POSTs
	srv, posts := countingServer(t, hangOnPost(6))
	r, err := contracts.Verify(context.Background(), contracts.URL(srv.URL), testProvider(t, contracts.ProviderHappyColis),
		contracts.WithTimeout(100*time.Millisecond), contracts.WithSaveFailures(t.TempDir()), contracts.WithOnly(contracts.CheckValidLifecycle))
	if err != nil {
		t.Fatal(err)
	}
	c := r.Result(contracts.CheckValidLifecycle)
	if c.Status != contracts.StatusFail || !strings.Contains(c.Message, "shrinking stopped: receiver stopped answering") {
		t.Fatalf("%s %q", c.Status, c.Message)
	}
	if n := posts.Load(); n != 6+contracts.MaxNoAnswer {
		t.Errorf("%d POSTs, want %d", n, 6+contracts.MaxNoAnswer)
	}
}
