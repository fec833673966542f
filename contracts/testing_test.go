package contracts_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/wire"
)

// fakeT records what Test does with a *testing.T, since a real one would
// fail this test when the suite finds a broken receiver.
type fakeT struct {
	name    string
	errors  []string
	logs    []string
	skipped bool
	fatal   bool
	subs    []*fakeT
}

func (f *fakeT) Helper()      {}
func (f *fakeT) Name() string { return f.name }
func (f *fakeT) Errorf(format string, args ...any) {
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}
func (f *fakeT) Fatalf(format string, args ...any) {
	f.fatal = true
	f.Errorf(format, args...)
}
func (f *fakeT) Logf(format string, args ...any) {
	f.logs = append(f.logs, fmt.Sprintf(format, args...))
}
func (f *fakeT) Skip(args ...any) { f.skipped = true; f.logs = append(f.logs, fmt.Sprint(args...)) }
func (f *fakeT) Run(name string, fn func(*fakeT)) bool {
	sub := &fakeT{name: f.name + "/" + name}
	f.subs = append(f.subs, sub)
	fn(sub)
	return len(sub.errors) == 0
}

// outcome is what go test would print for a subtest.
func (f *fakeT) outcome() string {
	switch {
	case len(f.errors) > 0:
		return "FAIL"
	case f.skipped:
		return "SKIP"
	}
	return "ok"
}

func TestTestReportsBrokenChecksAsFailedSubtests(t *testing.T) {
	secret := testSecret(t, "phasio")
	ft := &fakeT{name: "TestMyReceiver"}
	h := newTestReceiver(testProfile(t, "phasio"), generator.ProviderPhasio, acceptsAnySignature)
	report := contracts.Test(ft, h, contracts.Phasio(secret), contracts.WithProbe("/orders/{orderKey}"), contracts.WithSeed(5))
	if ft.fatal || len(ft.errors) > 0 || report == nil {
		t.Fatalf("parent: fatal=%v errors=%q report=%v", ft.fatal, ft.errors, report)
	}
	want := map[string]string{
		contracts.CheckMissingSignature: "FAIL", contracts.CheckBadSignature: "FAIL",
		contracts.CheckTamperedPayload: "FAIL", contracts.CheckWrongKey: "FAIL",
		contracts.CheckStaleTimestamp: "SKIP", contracts.CheckResponseContract: "SKIP",
		contracts.CheckRawBody: "FAIL", // inconclusive: a wrong signature is accepted too
	}
	if len(ft.subs) != len(contracts.Checks()) {
		t.Fatalf("%d subtests, want one per check (%d)", len(ft.subs), len(contracts.Checks()))
	}
	for i, sub := range ft.subs {
		check := contracts.Checks()[i].Name
		if sub.name != "TestMyReceiver/"+check {
			t.Errorf("subtest %d is %q, want it named after %s", i, sub.name, check)
		}
		w := want[check]
		if w == "" {
			w = "ok"
		}
		if sub.outcome() != w {
			t.Errorf("%s: %s, want %s (errors %q)", check, sub.outcome(), w, sub.errors)
		}
		if w != "FAIL" || check == contracts.CheckRawBody {
			continue
		}
		msg := sub.errors[len(sub.errors)-1]
		for _, part := range []string{"security failure", "expected 4xx, got 200", "fault ", "go test -run '^TestMyReceiver$/^" + check + "$'", `contracts.WithOnly("` + check + `"), contracts.WithSeed(5)`} {
			if !strings.Contains(msg, part) {
				t.Errorf("%s: failure does not contain %q:\n%s", check, part, msg)
			}
		}
		if strings.Contains(msg, secret) {
			t.Errorf("%s: failure shows the secret", check)
		}
	}
	stale := ft.subs[slices.IndexFunc(contracts.Checks(), func(c contracts.Check) bool { return c.Name == contracts.CheckStaleSnapshot })]
	if stale.outcome() != "ok" || len(stale.logs) != 1 || !strings.HasPrefix(stale.logs[0], "warn: Phasio payloads carry no version") {
		t.Errorf("ignores-stale-snapshot: %s, logs %q; want an ok subtest logging the warning", stale.outcome(), stale.logs)
	}
	if got := report.Summary; got.Failed != 4 || got.Inconclusive != 1 {
		t.Errorf("report: %d failed and %d inconclusive, want 4 and 1", got.Failed, got.Inconclusive)
	}
}

func TestTestStopsOnConfigurationAndUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	closed := srv.URL
	srv.Close()
	for name, target := range map[string]any{"closed port": closed, "not a target": 42} {
		ft := &fakeT{name: "TestX"}
		if r := contracts.Test(ft, target, testProvider(t, "happycolis")); r != nil || !ft.fatal || len(ft.subs) != 0 {
			t.Errorf("%s: report %v, fatal %v, %d subtests; want Fatalf before any subtest", name, r, ft.fatal, len(ft.subs))
		}
	}
}

// TestTestWithRealT is how a consumer calls it: a correct handler passes
// under a real *testing.T.
func TestTestWithRealT(t *testing.T) {
	recv := newReceiver(t, testProfile(t, "happycolis"))
	r := contracts.Test(t, recv, testProvider(t, "happycolis"), contracts.WithProbe("/orders/{orderKey}"))
	if r.Summary.Passed != r.Summary.Total-2 {
		t.Errorf("summary %+v: want all passed but stale-timestamp and response-contract", r.Summary)
	}
}

func TestSend(t *testing.T) {
	recv := newReceiver(t, testProfile(t, "phasio"))
	order := generator.PhasioOrder(7, generator.Paid(), generator.Parts(3, "CNC Machining"))
	ev := contracts.PhasioEvent(generator.PhasioQuoteConverted, order)
	ctx := context.Background()
	first, err := contracts.Send(ctx, recv, testProvider(t, "phasio"), ev)
	if err != nil || first.Status != http.StatusOK || !strings.Contains(string(first.Body), "applied") {
		t.Fatalf("first send: %v %+v", err, first)
	}
	stored, ok := recv.Order(ev.OrderKey)
	if !ok || !strings.Contains(string(stored), `"paymentStatus":"PAID"`) || strings.Count(string(stored), `"technology":"CNC Machining"`) != 3 {
		t.Errorf("stored order %s: %s", ev.OrderKey, stored)
	}
	again, err := contracts.Send(ctx, recv, testProvider(t, "phasio"), ev)
	if err != nil || !strings.Contains(string(again.Body), "duplicate") {
		t.Errorf("the same event again is a redelivery: %v %s", err, again.Body)
	}

	hc := newReceiver(t, testProfile(t, "happycolis"))
	env := generator.HappyColisOrder(3, generator.Dispatched())
	resp, err := contracts.Send(ctx, contracts.HandlerAt(hc, "/hooks"), testProvider(t, "happycolis"), contracts.HappyColisEvent(env))
	if err != nil || resp.Status != http.StatusOK {
		t.Fatalf("happycolis send: %v %+v", err, resp)
	}
	if _, ok := hc.Order(env.Body.ID); !ok {
		t.Errorf("happycolis order %s not stored", env.Body.ID)
	}

	other, _ := wire.NewSecret("phasio", bytes.NewReader(bytes.Repeat([]byte{9}, 32)))
	wrongKey := contracts.Phasio(other)
	if resp, err := contracts.Send(ctx, recv, wrongKey, ev); err != nil || resp.Status != http.StatusUnauthorized {
		t.Errorf("another key: %v %+v, want a 401 answer and no error", err, resp)
	}
}

func TestSendScenario(t *testing.T) {
	recv := newReceiver(t, testProfile(t, "happycolis"))
	resps, err := contracts.SendScenario(context.Background(), recv, testProvider(t, "happycolis"), "happycolis/cancellation", 3)
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := generator.LoadScenario("happycolis/cancellation")
	if len(resps) != len(sc.Steps) || len(resps) == 0 {
		t.Fatalf("%d responses for %d steps", len(resps), len(sc.Steps))
	}
	for i, r := range resps {
		if r.Status != http.StatusOK {
			t.Errorf("response %d: %d %s", i, r.Status, r.Body)
		}
	}
	if st := recv.Stats(); st.Applied != int64(len(resps)) || st.Orders != 1 {
		t.Errorf("receiver stats %+v", st)
	}
	_, err = contracts.SendScenario(context.Background(), recv, testProvider(t, "happycolis"), "phasio/quote-to-paid", 3)
	if !errors.Is(err, contracts.ErrConfig) {
		t.Errorf("a phasio scenario for happycolis: %v, want ErrConfig", err)
	}
}

// bigOrderRejecter answers 422 to Phasio orders of more than maxParts parts
// and hands the rest to a correct receiver.
func bigOrderRejecter(t *testing.T, maxParts int) http.Handler {
	prof := testProfile(t, "phasio")
	next := newTestReceiver(prof, generator.ProviderPhasio, correct)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			body, _ := io.ReadAll(r.Body)
			if got, err := prof.Verify(r.Header, body); err == nil && strings.Count(string(got.Payload), `"specificationId"`) > maxParts {
				http.Error(w, "too many parts", http.StatusUnprocessableEntity)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		next.ServeHTTP(w, r)
	})
}

// TestSaveFailuresWritesAShrunkScenarioThatStillFails: a receiver that
// rejects orders of more than 3 parts fails the edge cases; the saved
// scenario is shrunk to one event just over the limit, replays to the same
// 422, and with WithShrinkBudget(0) the whole failing case is saved instead
// (one shrinking run serves both). The limit is low so that the shrinking's
// tries validate small orders: the same 200-part edge case fails first as
// with a limit of 50, whose tries validated orders of 51 parts and more.
func TestSaveFailuresWritesAShrunkScenarioThatStillFails(t *testing.T) {
	dir := t.TempDir()
	r := verifyWith(t, contracts.Handler(bigOrderRejecter(t, 3)), "phasio",
		contracts.WithOnly(contracts.CheckEdgeCases), contracts.WithSaveFailures(dir), contracts.WithSeed(9))
	res := r.Result(contracts.CheckEdgeCases)
	if res.Status != contracts.StatusFail || len(res.Saved) != 1 || !strings.Contains(res.Message, "shrunk to 1 event(s)") {
		t.Fatalf("result %+v", res)
	}
	sc, err := generator.LoadScenario(res.Saved[0])
	if err != nil {
		t.Fatal(err)
	}
	src, _ := os.ReadFile(res.Saved[0])
	parts := strings.Count(string(src), "specificationId")
	if sc.Provider != generator.ProviderPhasio || len(sc.Steps) != 1 || parts <= 3 || parts >= 200 {
		t.Fatalf("saved scenario: provider %s, %d steps, %d parts (want 1 step, 4..199 parts)", sc.Provider, len(sc.Steps), parts)
	}
	g, err := generator.New(generator.ProviderPhasio, generator.WithScenario(sc))
	if err != nil {
		t.Fatal(err)
	}
	fresh := bigOrderRejecter(t, 3)
	err = g.Run(func(ev *generator.Event) error {
		resp, err := contracts.Send(context.Background(), fresh, testProvider(t, "phasio"), ev)
		if err == nil && resp.Status != http.StatusUnprocessableEntity {
			t.Errorf("replayed shrunk case answered %d, want the same 422", resp.Status)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	// WithShrinkBudget(0) saves the failing case as it failed, every part
	// of it, without trying smaller ones.
	whole := verifyWith(t, contracts.Handler(bigOrderRejecter(t, 3)), "phasio",
		contracts.WithOnly(contracts.CheckEdgeCases), contracts.WithSaveFailures(t.TempDir()), contracts.WithSeed(9), contracts.WithShrinkBudget(0))
	b := whole.Result(contracts.CheckEdgeCases)
	if len(b.Saved) != 1 || !strings.Contains(b.Message, "in 0 tries") {
		t.Fatalf("with shrink budget 0: result %+v", b)
	}
	big, _ := os.ReadFile(b.Saved[0])
	if strings.Count(string(big), "specificationId") <= parts {
		t.Errorf("the unshrunk case (%d bytes) is not larger than the shrunk one (%d bytes)", len(big), len(src))
	}
}

// TestTestSaysTheDiagnosisOnce: in a go test suite the root cause is said
// once, in the first subtest it explains.
func TestTestSaysTheDiagnosisOnce(t *testing.T) {
	ft := &fakeT{name: "TestMyReceiver"}
	rv := wrongReceiver{provider: contracts.ProviderPhasio, secret: testSecret(t, contracts.ProviderPhasio), bug: bugDecodedKey}
	contracts.Test(ft, rv, testProvider(t, contracts.ProviderPhasio))
	var all []string
	for _, sub := range ft.subs {
		all = append(all, sub.errors...)
	}
	joined := strings.Join(all, "\n")
	if n := strings.Count(joined, "diagnosis: valid deliveries got 401, but the same delivery signed with the decoded key bytes was accepted"); n != 1 {
		t.Fatalf("diagnosis said %d times:\n%s", n, joined)
	}
	if first := ft.subs[0]; len(first.errors) == 0 || !strings.HasPrefix(first.errors[0], "diagnosis: ") {
		t.Errorf("the first failing subtest does not start with the diagnosis: %q", first.errors)
	}
}
