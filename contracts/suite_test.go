package contracts_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit/sweep"
	"github.com/orderhooks/orderhooks/provider"
	"github.com/orderhooks/orderhooks/receiver"
	"github.com/orderhooks/orderhooks/schemas"
	"github.com/orderhooks/orderhooks/wire"
)

var providers = []string{contracts.ProviderPhasio, contracts.ProviderHappyColis, contracts.ProviderStandard}

// testSecret is a fixed, valid secret for provider.
func testSecret(t testing.TB, provider string) string {
	t.Helper()
	s, err := wire.NewSecret(provider, bytes.NewReader(bytes.Repeat([]byte{7}, 64)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func testProfile(t testing.TB, provider string) wire.Profile {
	t.Helper()
	p, err := wire.New(provider, []string{testSecret(t, provider)})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// newReceiver is receiver.New, failing the test on an error.
func newReceiver(t testing.TB, p wire.Profile) *receiver.Receiver {
	t.Helper()
	r, err := receiver.New(p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// compile is wire.Compile, failing the test on an error.
func compile(t testing.TB, def *provider.Definition, secret string) wire.Profile {
	t.Helper()
	p, err := wire.Compile(def, secret)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// fromSpec imports the document spec with opts (provider.FromSpec),
// failing the test on an error.
func fromSpec(t testing.TB, spec string, opts ...provider.Option) *provider.Definition {
	t.Helper()
	def, err := provider.FromSpec(spec, nil, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return def
}

func testProvider(t testing.TB, provider string) contracts.Provider {
	t.Helper()
	p, err := contracts.NewProvider(provider, testSecret(t, provider))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// payloadsOf is the generator provider whose payloads provider carries.
func payloadsOf(provider string) string {
	if provider == contracts.ProviderHappyColis {
		return generator.ProviderHappyColis
	}
	return generator.ProviderPhasio
}

// ackSchema is the response contract of the receivers in these tests.
var ackSchema = schemas.MustCompile("test/ack", []byte(`{"type":"object","required":["ok"],"properties":{"ok":{"type":"boolean"}}}`))

// statuses is a report as a map from check name to status.
func statuses(r *contracts.Report) map[string]contracts.Status {
	m := map[string]contracts.Status{}
	for _, c := range r.Checks {
		m[c.Name] = c.Status
	}
	return m
}

// correctStatuses is what a correct receiver gets from a run with a probe
// and a response schema: every check passes but stale-timestamp, which only
// the standard profile has, and ignores-stale-snapshot, a warning for
// Phasio, whose payloads carry no time.
func correctStatuses(provider string) map[string]contracts.Status {
	m := map[string]contracts.Status{}
	for _, c := range contracts.Checks() {
		m[c.Name] = contracts.StatusPass
	}
	if provider != contracts.ProviderStandard {
		m[contracts.CheckStaleTimestamp] = contracts.StatusSkip
	}
	if provider == contracts.ProviderPhasio {
		m[contracts.CheckStaleSnapshot] = contracts.StatusWarn
	}
	return m
}

func diffStatuses(t *testing.T, r *contracts.Report, want map[string]contracts.Status) {
	t.Helper()
	got := statuses(r)
	if maps.Equal(got, want) {
		return
	}
	for _, name := range slices.Sorted(maps.Keys(want)) {
		if got[name] != want[name] {
			res := r.Result(name)
			detail := "not run"
			if res != nil {
				detail = res.Message
				for _, e := range res.Evidence {
					detail += "\n      " + e.String()
				}
			}
			t.Errorf("%s: %s, want %s: %s", name, got[name], want[name], detail)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d results, want %d", len(got), len(want))
	}
}

// verify runs the whole suite with a probe and the ack response schema.
func verify(t *testing.T, target contracts.Target, provider string, opts ...contracts.Option) *contracts.Report {
	t.Helper()
	opts = append([]contracts.Option{contracts.WithProbe("/orders/{orderKey}"), contracts.WithResponseSchema(ackSchema)}, opts...)
	return verifyWith(t, target, provider, opts...)
}

// verifyWith runs the suite with exactly opts.
func verifyWith(t *testing.T, target contracts.Target, provider string, opts ...contracts.Option) *contracts.Report {
	t.Helper()
	r, err := contracts.Verify(context.Background(), target, testProvider(t, provider), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestCorrectReceiversPass runs the suite against the project's receiver
// (over 127.0.0.1 and in-process) and the hand-written one.
func TestCorrectReceiversPass(t *testing.T) {
	for _, provider := range providers {
		t.Run(provider+"/receiver.Start", func(t *testing.T) {
			srv, err := receiver.Start(testProfile(t, provider))
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			r := verify(t, contracts.URL(srv.URL+"/webhooks"), provider)
			diffStatuses(t, r, correctStatuses(provider))
			if provider == contracts.ProviderPhasio {
				if msg := r.Result(contracts.CheckStaleSnapshot).Message; !strings.Contains(msg, "carry no version") {
					t.Errorf("phasio warning does not explain itself: %q", msg)
				}
			}
		})
		t.Run(provider+"/receiver.Receiver in-process", func(t *testing.T) {
			r := verify(t, contracts.HandlerAt(newReceiver(t, testProfile(t, provider)), "/webhooks/"+provider), provider)
			diffStatuses(t, r, correctStatuses(provider))
		})
		t.Run(provider+"/hand-written", func(t *testing.T) {
			h := newTestReceiver(testProfile(t, provider), payloadsOf(provider), correct)
			diffStatuses(t, verify(t, contracts.Handler(h), provider), correctStatuses(provider))
		})
	}
}

// TestBrokenReceivers proves each check can fail: every broken receiver
// fails exactly the checks its flaw breaks, for every provider under
// ORDERHOOKS_LONG=1. The default run judges the flaws that fail the
// rejects-* checks (which differ between providers) on every provider and
// each other flaw on one, in turn among those where the checks it fails
// pass for a correct receiver.
func TestBrokenReceivers(t *testing.T) {
	rejects := []string{contracts.CheckMissingSignature, contracts.CheckBadSignature, contracts.CheckTamperedPayload, contracts.CheckWrongKey, contracts.CheckStaleTimestamp}
	tests := []struct {
		name  string
		flaw  flaw
		fails []string
		skips []string // checks with nothing left to judge
		// checks whose valid control was rejected, so nothing was judged
		inconclusive []string
		opts         []contracts.Option
		// message each failing rejects-* check starts with, if any
		rejectMessage string
	}{
		// Accepting legal forms proves nothing when a wrong signature is accepted too.
		{name: "accepts any signature", flaw: acceptsAnySignature, fails: rejects, inconclusive: []string{contracts.CheckRawBody}, rejectMessage: "security failure"},
		{name: "500 on a redelivery", flaw: failsRedelivery, fails: []string{contracts.CheckDuplicates}},
		{name: "applies duplicates twice", flaw: appliesDuplicates, fails: []string{contracts.CheckDuplicates}},
		{name: "applies stale snapshots", flaw: appliesStale, fails: []string{contracts.CheckStaleSnapshot}},
		{name: "slow", flaw: slow, fails: []string{contracts.CheckSLO}, opts: []contracts.Option{contracts.WithSLO(slowDelay / 2)}},
		{name: "rejects unknown fields", flaw: rejectsUnknownFields, fails: []string{contracts.CheckUnknownFields}},
		{
			// A rejection proves nothing when valid deliveries are rejected too.
			name: "always 500", flaw: always500,
			fails: []string{contracts.CheckValidLifecycle, contracts.CheckUnknownFields,
				contracts.CheckEdgeCases, contracts.CheckStateMatches},
			inconclusive: append(slices.Clone(rejects), contracts.CheckMalformedBody, contracts.CheckRawBody,
				contracts.CheckDuplicates, contracts.CheckStaleSnapshot),
			skips: []string{contracts.CheckSLO, contracts.CheckResponseContract},
		},
		{
			// Its probe answers {"ok":true} for any order: an unchanged
			// state after a redelivery or a late snapshot proves nothing, so
			// those checks are inconclusive; state-matches-snapshot fails.
			name: "200 to everything", flaw: always200,
			fails:         append(slices.Clone(rejects), contracts.CheckMalformedBody, contracts.CheckStateMatches),
			inconclusive:  []string{contracts.CheckRawBody, contracts.CheckDuplicates, contracts.CheckStaleSnapshot},
			rejectMessage: "security failure",
		},
		{name: "2xx with a non-JSON body", flaw: badResponseBody, fails: []string{contracts.CheckResponseContract}},
	}
	for i, tt := range tests {
		sample := ""
		for j := range providers {
			p := providers[(i+j)%len(providers)]
			if sample == "" && !slices.ContainsFunc(tt.fails, func(name string) bool { return correctStatuses(p)[name] != contracts.StatusPass }) {
				sample = p
			}
		}
		for _, provider := range providers {
			if !sweep.Long() && tt.rejectMessage == "" && provider != sample {
				continue
			}
			t.Run(tt.name+"/"+provider, func(t *testing.T) {
				t.Parallel() // each has its own receiver
				want := correctStatuses(provider)
				for _, name := range tt.fails {
					if want[name] == contracts.StatusPass { // skips and warnings do not apply to this provider
						want[name] = contracts.StatusFail
					}
				}
				for _, name := range tt.skips {
					want[name] = contracts.StatusSkip
				}
				for _, name := range tt.inconclusive {
					if want[name] == contracts.StatusPass {
						want[name] = contracts.StatusInconclusive
					}
				}
				h := newTestReceiver(testProfile(t, provider), payloadsOf(provider), tt.flaw)
				r := verify(t, contracts.Handler(h), provider, tt.opts...)
				diffStatuses(t, r, want)
				if tt.rejectMessage == "" {
					return
				}
				for _, name := range rejects {
					if res := r.Result(name); res.Status == contracts.StatusFail && !strings.HasPrefix(res.Message, tt.rejectMessage) {
						t.Errorf("%s: message %q, want it to start with %q", name, res.Message, tt.rejectMessage)
					}
				}
			})
		}
	}
}

// TestReportsOfARealRun writes the reports of a failing run and reads
// them back: the JSON against the embedded schema, the JUnit XML with
// encoding/xml, one failure per failed check.
func TestReportsOfARealRun(t *testing.T) {
	r := verify(t, contracts.Handler(newTestReceiver(testProfile(t, "standard"), generator.ProviderPhasio, always200)), "standard",
		contracts.WithReproduce(func(check string, seed int64) string { return "rerun " + check }))
	var js bytes.Buffer
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if err := schemas.MustCompile("contracts/report", contracts.ReportSchema).ValidateJSON(js.Bytes()); err != nil {
		t.Errorf("JSON report: %v\n%s", err, js.Bytes())
	}
	var x bytes.Buffer
	if err := r.WriteJUnit(&x); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		XMLName  xml.Name `xml:"testsuites"`
		Failures int      `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
				Skipped *struct{} `xml:"skipped"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(x.Bytes(), &doc); err != nil {
		t.Fatalf("JUnit report does not parse: %v\n%s", err, x.Bytes())
	}
	if doc.Failures != r.Summary.Failed+r.Summary.Inconclusive || r.Summary.Failed == 0 || len(doc.Suites) != 1 {
		t.Fatalf("failures=%d suites=%d, report has %d failed", doc.Failures, len(doc.Suites), r.Summary.Failed)
	}
	var page bytes.Buffer
	if err := r.WriteHTML(&page); err != nil {
		t.Fatal(err)
	}
	checkHTMLReport(t, page.Bytes(), r)
	answered := 0
	for _, d := range r.Sent {
		if d.Status != 0 {
			answered++
		}
	}
	if len(r.Sent) == 0 || !strings.Contains(page.String(), fmt.Sprintf("<span>%d answered</span>", answered)) {
		t.Errorf("the HTML report does not count the %d answered deliveries of %d sent", answered, len(r.Sent))
	}
	for i, c := range doc.Suites[0].Cases {
		res := r.Checks[i]
		if c.Name != res.Name || (c.Failure != nil) != (res.Status == contracts.StatusFail || res.Status == contracts.StatusInconclusive) || (c.Skipped != nil) != (res.Status == contracts.StatusSkip) {
			t.Errorf("testcase %d = %+v, result %s %s", i, c, res.Name, res.Status)
		}
		if res.Status == contracts.StatusFail && res.Reproduce != "rerun "+res.Name {
			t.Errorf("%s: reproduce %q", res.Name, res.Reproduce)
		}
	}
}

// TestSecretNeverReported: a receiver that echoes the request headers
// (which carry no secret) and the secret itself gets [secret] in evidence.
func TestSecretNeverReported(t *testing.T) {
	secret := testSecret(t, "happycolis")
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "bad secret "+secret, http.StatusInternalServerError)
	})
	r, err := contracts.Verify(context.Background(), contracts.Handler(h), contracts.HappyColis(secret), contracts.WithOnly(contracts.CheckValidLifecycle))
	if err != nil {
		t.Fatal(err)
	}
	if all := everyFormat(r); strings.Contains(all, secret) || !strings.Contains(all, "[secret]") {
		t.Errorf("secret not redacted:\n%s", all)
	}
}

// everyFormat is r written as JSON, JUnit and text, one after the other.
func everyFormat(r *contracts.Report) string {
	var all bytes.Buffer
	r.WriteJSON(&all)
	r.WriteJUnit(&all)
	r.WriteText(&all, false)
	r.WriteHTML(&all)
	return all.String()
}

func TestUnreachableAndConfigErrors(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, err := contracts.Verify(context.Background(), contracts.URL(url), testProvider(t, "phasio"), contracts.WithTimeout(2*time.Second))
	if !errors.Is(err, contracts.ErrUnreachable) {
		t.Errorf("closed port: %v, want ErrUnreachable", err)
	}
	// A receiver that answers, with a probe on a closed port.
	live, err := receiver.Start(testProfile(t, contracts.ProviderPhasio))
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	_, err = contracts.Verify(context.Background(), contracts.URL(live.URL+"/webhooks"), testProvider(t, "phasio"),
		contracts.WithTimeout(2*time.Second), contracts.WithProbe(url+"/orders/{orderKey}"))
	if !errors.Is(err, contracts.ErrUnreachable) || !strings.Contains(err.Error(), "probe") {
		t.Errorf("probe on a closed port: %v, want ErrUnreachable naming the probe", err)
	}
	for name, p := range map[string]contracts.Provider{
		"short phasio key":  contracts.Phasio("c2hvcnQ"),
		"no secret":         contracts.HappyColis(""),
		"wrong scenario":    contracts.Phasio(testSecret(t, "phasio"), contracts.WithScenarios("happycolis/fulfilment")),
		"unknown scenario":  contracts.Phasio(testSecret(t, "phasio"), contracts.WithScenarios("phasio/nope")),
		"standard hc bytes": contracts.Standard("not-whsec"),
	} {
		// Verify, since a secret can also come with the target (Routes).
		if _, err := contracts.Verify(context.Background(), contracts.Handler(http.NotFoundHandler()), p); !errors.Is(err, contracts.ErrConfig) {
			t.Errorf("%s: %v, want ErrConfig", name, err)
		} else if strings.Contains(err.Error(), "c2hvcnQ") {
			t.Errorf("%s: error shows the secret: %v", name, err)
		}
	}
}

// TestCompareTypoFails: a compared pointer that no snapshot has would
// "match" by being absent on both sides; the check must say so instead.
func TestCompareTypoFails(t *testing.T) {
	srv, err := receiver.Start(testProfile(t, contracts.ProviderPhasio))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	r := verifyWith(t, contracts.URL(srv.URL+"/webhooks"), contracts.ProviderPhasio, contracts.WithProbe("/orders/{orderKey}"),
		contracts.WithOnly(contracts.CheckStateMatches), contracts.WithCompare("/orderId", "/orderNumbr"))
	res := r.Result(contracts.CheckStateMatches)
	if res == nil || res.Status != contracts.StatusFail || !strings.Contains(res.Message, "/orderNumbr") {
		t.Fatalf("state-matches-snapshot with a mistyped pointer: %+v", res)
	}
	r = verifyWith(t, contracts.URL(srv.URL+"/webhooks"), contracts.ProviderPhasio, contracts.WithProbe("/orders/{orderKey}"),
		contracts.WithOnly(contracts.CheckStateMatches), contracts.WithCompare("/orderId", "/orderNumber"))
	if res := r.Result(contracts.CheckStateMatches); res == nil || res.Status != contracts.StatusPass {
		t.Fatalf("state-matches-snapshot with real pointers: %+v", res)
	}
}

// recordTB records what the go test API reports for each check.
type recordTB struct {
	name string
	got  map[string]string // check name → "skip: …", "fail: …"
}

func (r recordTB) Helper()      {}
func (r recordTB) Name() string { return r.name }
func (r recordTB) Errorf(format string, a ...any) {
	r.got[r.name] = "fail: " + fmt.Sprintf(format, a...)
}
func (r recordTB) Fatalf(format string, a ...any) {
	r.got[r.name] = "fatal: " + fmt.Sprintf(format, a...)
}
func (r recordTB) Logf(string, ...any) {}
func (r recordTB) Skip(a ...any)       { r.got[r.name] = "skip: " + fmt.Sprint(a...) }
func (r recordTB) Run(name string, f func(recordTB)) bool {
	f(recordTB{name: name, got: r.got})
	return true
}

// TestDuplicatesWithoutProbe: without a probe, a 2xx to a redelivery
// proves only that it was accepted, so idempotent-duplicates is skipped,
// saying why, in every report and in the go test API, even for a
// receiver that applies duplicates twice (it passed before); a refused
// redelivery still fails it.
func TestDuplicatesWithoutProbe(t *testing.T) {
	const reason = "state not probed: give --probe URL (WithProbe) to judge idempotency"
	tests := []struct {
		name string
		flaw flaw
		want contracts.Status
	}{
		{"correct", correct, contracts.StatusSkip},
		{"applies duplicates twice", appliesDuplicates, contracts.StatusSkip},
		{"500 on a redelivery", failsRedelivery, contracts.StatusFail},
	}
	for _, tt := range tests {
		for _, provider := range providers {
			t.Run(tt.name+"/"+provider, func(t *testing.T) {
				h := newTestReceiver(testProfile(t, provider), payloadsOf(provider), tt.flaw)
				r := verifyWith(t, contracts.Handler(h), provider, contracts.WithOnly(contracts.CheckDuplicates))
				res := r.Result(contracts.CheckDuplicates)
				if res.Status != tt.want {
					t.Fatalf("%s: %s, want %s", res.Status, res.Message, tt.want)
				}
				if tt.want != contracts.StatusSkip {
					return
				}
				if !strings.HasPrefix(res.Message, reason) || r.Summary.Passed != 0 || r.Summary.Skipped != 1 {
					t.Errorf("%q, %+v", res.Message, r.Summary)
				}
				var text, js, junit bytes.Buffer
				if err := r.WriteText(&text, false); err != nil {
					t.Fatal(err)
				}
				if err := r.WriteJSON(&js); err != nil {
					t.Fatal(err)
				}
				if err := r.WriteJUnit(&junit); err != nil {
					t.Fatal(err)
				}
				if !regexp.MustCompile(`(?m)^\s*skip\s+` + contracts.CheckDuplicates + `\s+` + regexp.QuoteMeta(reason)).Match(text.Bytes()) {
					t.Errorf("text report:\n%s", text.Bytes())
				}
				var doc struct {
					Checks []struct{ Name, Status, Message string }
				}
				if err := json.Unmarshal(js.Bytes(), &doc); err != nil || len(doc.Checks) != 1 || doc.Checks[0].Status != "skip" || !strings.HasPrefix(doc.Checks[0].Message, reason) {
					t.Errorf("JSON report (%v):\n%s", err, js.Bytes())
				}
				if !regexp.MustCompile(`<skipped message="` + regexp.QuoteMeta(reason)).Match(junit.Bytes()) {
					t.Errorf("JUnit report:\n%s", junit.Bytes())
				}
				rec := recordTB{name: "TestX", got: map[string]string{}}
				contracts.Test(rec, contracts.Handler(newTestReceiver(testProfile(t, provider), payloadsOf(provider), tt.flaw)),
					testProvider(t, provider), contracts.WithOnly(contracts.CheckDuplicates))
				if got := rec.got[contracts.CheckDuplicates]; !strings.HasPrefix(got, "skip: "+reason) {
					t.Errorf("go test API: %q", got)
				}
			})
		}
	}
}
