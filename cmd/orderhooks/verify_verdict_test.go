package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/receiver"
	"github.com/orderhooks/orderhooks/schemas"
	"github.com/orderhooks/orderhooks/wire"
)

// testServer serves h on 127.0.0.1 until the test ends, ending requests
// that are still held.
func testServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	return srv
}

// holdPosts answers the first answered POSTs 200 (and every other method),
// then holds each POST until the client hangs up.
func holdPosts(answered int64) http.HandlerFunc {
	var n atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && n.Add(1) > answered {
			io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
			return
		}
		w.WriteHeader(http.StatusOK)
	}
}

// readReport reads and validates a JSON report written by --report.
func readReport(t *testing.T, path string) *contracts.Report {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := schemas.MustCompile("contracts/report", contracts.ReportSchema).ValidateJSON(b); err != nil {
		t.Fatalf("report breaks its schema: %v\n%s", err, b)
	}
	var r contracts.Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

// TestVerifyNoFalsePass: against a URL that answers 404 to everything,
// the rejects-* checks used to pass; now they are inconclusive, exit 1.
func TestVerifyNoFalsePass(t *testing.T) {
	srv := testServer(t, http.NotFound)
	out, errOut, code := runCmd(t, "", "verify", "--provider", "phasio", "--url", srv.URL+"/typo", "--secret", phasioTestSecret,
		"--only", "rejects-missing-signature,rejects-bad-signature,rejects-tampered-payload,rejects-wrong-key,rejects-malformed-body")
	if code != exitFailure {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "5 checks: 0 passed, 0 failed, 5 inconclusive") || strings.Count(out, "(control answered 404)") != 10 {
		t.Errorf("want five inconclusive checks naming the control's 404:\n%s", out)
	}
	if !strings.Contains(out, "preflight: POST ORDER order ") || !strings.Contains(out, "got 404") {
		t.Errorf("the preflight does not say what came back:\n%s", out)
	}
	if !strings.Contains(out, "Diagnosis:\n  - every valid delivery got 404 (not found): the URL's path is wrong") {
		t.Errorf("no diagnosis of the wrong URL:\n%s", out)
	}
}

// phasioTestSecret is a valid Phasio secret for these tests.
const phasioTestSecret = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"

// TestVerifyHangsOnPost: a receiver that answers HEAD but never a POST
// ends the run as unreachable (exit 3) after the preflight's tries, well
// under the 15 s the whole run may take with --timeout 1s, with the reason
// in the report. The default suite waits 3 × 300 ms; ORDERHOOKS_LONG=1
// (.ci/run) runs it with --timeout 1s.
func TestVerifyHangsOnPost(t *testing.T) {
	t.Parallel() // it mostly waits (a duration, timeouts): beside the others, after the sequential tests
	timeout := "300ms"
	if os.Getenv("ORDERHOOKS_LONG") != "" {
		timeout = "1s"
	}
	srv := testServer(t, holdPosts(0))
	report := filepath.Join(t.TempDir(), "report.json")
	start := time.Now()
	_, errOut, code := runCmd(t, "", "verify", "--provider", "happycolis", "--url", srv.URL, "--secret", verifySecret,
		"--timeout", timeout, "--report", "json="+report)
	if code != exitUnreachable {
		t.Fatalf("exit %d, want 3: %s", code, errOut)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("took %s, want under 15s", d)
	}
	if !strings.Contains(errOut, "a valid delivery got no answer in 3 tries ("+timeout+")") {
		t.Errorf("stderr %q", errOut)
	}
	if r := readReport(t, report); !strings.Contains(r.Error, "got no answer") || len(r.Checks) != 0 || r.Provider != "happycolis" {
		t.Errorf("report %+v, want the reason and no checks", r)
	}
}

// TestVerifyStopsWhenTheReceiverStopsAnswering: answered deliveries, then
// silence: the run stops after three, the rest is not run, exit 1.
func TestVerifyStopsWhenTheReceiverStopsAnswering(t *testing.T) {
	t.Parallel() // it mostly waits (a duration, timeouts): beside the others, after the sequential tests
	srv := testServer(t, holdPosts(2))
	dir := t.TempDir()
	out, errOut, code := runCmd(t, "", "verify", "--provider", "happycolis", "--url", srv.URL, "--secret", verifySecret,
		"--timeout", "200ms", "--report", "junit="+filepath.Join(dir, "r.xml"), "--report", "json="+filepath.Join(dir, "r.json"))
	if code != exitFailure {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "STOPPED receiver stopped answering: 3 deliveries in a row got no answer") {
		t.Errorf("stdout does not say why the run stopped:\n%s", out)
	}
	if n := strings.Count(errOut, "skip "); n < len(contracts.Checks())-2 || !strings.Contains(errOut, "not run: receiver stopped answering") {
		t.Errorf("stderr has %d skipped lines, want the rest not run:\n%s", n, errOut)
	}
	r := readReport(t, filepath.Join(dir, "r.json"))
	if r.Stopped == nil || r.Stopped.Reason != contracts.StopNoAnswer || len(r.Checks) != len(contracts.Checks()) {
		t.Errorf("JSON report: stopped %+v, %d checks", r.Stopped, len(r.Checks))
	}
	x, err := os.ReadFile(filepath.Join(dir, "r.xml"))
	if err != nil || !strings.Contains(string(x), `name="stopped" value="receiver stopped answering`) {
		t.Errorf("JUnit report %v:\n%s", err, x)
	}
}

// TestVerifyInterrupted: Ctrl-C while a check sends (every request
// answered 2xx) marks that check interrupted, never failed, in the
// terminal report, the JSON and the JUnit; exit 1.
func TestVerifyInterrupted(t *testing.T) {
	p, err := wire.NewHappyColis(verifySecret)
	if err != nil {
		t.Fatal(err)
	}
	recv := newReceiver(t, p)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var n atomic.Int64
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && n.Add(1) == 6 {
			cancel() // Ctrl-C during accepts-valid-lifecycle
		}
		recv.ServeHTTP(w, r)
	})
	dir := t.TempDir()
	out, errOut, code := runCmdEnv(t, ctx, "", nil, "verify", "--provider", "happycolis", "--url", srv.URL, "--secret", verifySecret,
		"--report", "junit="+filepath.Join(dir, "r.xml"), "--report", "json="+filepath.Join(dir, "r.json"))
	if code != exitFailure || !strings.Contains(errOut, fmt.Sprintf("interrupted after 0 of %d checks", len(contracts.Checks()))) {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if strings.Contains(out, "FAIL") || !strings.Contains(out, "interrupted  accepts-valid-lifecycle    interrupted: the run was interrupted") {
		t.Errorf("terminal report:\n%s", out)
	}
	r := readReport(t, filepath.Join(dir, "r.json"))
	if r.Summary.Failed != 0 || r.Summary.Interrupted != 1 || r.Checks[0].Status != contracts.StatusInterrupted {
		t.Errorf("JSON report summary %+v", r.Summary)
	}
	var doc struct {
		Failures int `xml:"failures,attr"`
		Errors   int `xml:"errors,attr"`
		Cases    []struct {
			Name  string `xml:"name,attr"`
			Error *struct {
				Type string `xml:"type,attr"`
			} `xml:"error"`
		} `xml:"testsuite>testcase"`
	}
	x, err := os.ReadFile(filepath.Join(dir, "r.xml"))
	if err == nil {
		err = xml.Unmarshal(x, &doc)
	}
	if err != nil || doc.Failures != 0 || doc.Errors != 1 || doc.Cases[0].Error == nil || doc.Cases[0].Error.Type != "interrupted" {
		t.Errorf("JUnit report %v:\n%s", err, x)
	}
}

// TestVerifyReportAlwaysWritten: a report is written on usage errors and
// unreachable receivers too, with the reason; the previous report stays
// whole until the new one replaces it.
func TestVerifyReportAlwaysWritten(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.json")
	closed := httptest.NewServer(nil)
	closed.Close()
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"usage error", []string{"--provider", "happycolis", "--url", "http://127.0.0.1:1/", "--secret", "env:UNSET"}, exitUsage, "UNSET is empty or unset"},
		{"unknown provider", []string{"--provider", "stripe", "--url", "http://127.0.0.1:1/", "--secret", "x"}, exitUsage, `--provider stripe: not one of`},
		{"unreachable", []string{"--provider", "happycolis", "--url", closed.URL, "--secret", verifySecret, "--timeout", "1s"}, exitUnreachable, "unreachable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCmd(t, "", append(append([]string{"verify"}, tt.args...), "--report", "json="+path)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, errOut)
			}
			if out != "" {
				t.Errorf("an input error printed a report on stdout:\n%s", out)
			}
			if r := readReport(t, path); !strings.Contains(r.Error, tt.want) || len(r.Checks) != 0 || !r.Failed() {
				t.Errorf("report error %q, want it to contain %q", r.Error, tt.want)
			}
		})
	}
	// During a run the old report is intact: the receiver reads it.
	old := []byte(`{"previous":"report"}`)
	if err := os.WriteFile(path, old, 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := wire.NewHappyColis(verifySecret)
	if err != nil {
		t.Fatal(err)
	}
	recv := newReceiver(t, p)
	var intact atomic.Bool
	intact.Store(true)
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) {
		if b, err := os.ReadFile(path); err != nil || string(b) != string(old) {
			intact.Store(false)
		}
		recv.ServeHTTP(w, r)
	})
	if _, errOut, code := runCmd(t, "", "verify", "--provider", "happycolis", "--url", srv.URL, "--secret", verifySecret,
		"--only", "rejects-bad-signature", "--report", "json="+path); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !intact.Load() {
		t.Error("the previous report was changed before the run ended")
	}
	if r := readReport(t, path); len(r.Checks) != 1 || r.Error != "" {
		t.Errorf("new report %+v", r)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestVerifyDeadline: --deadline bounds the run; the running check is
// interrupted, the rest not run, exit 1.
func TestVerifyDeadline(t *testing.T) {
	t.Parallel() // it mostly waits (a duration, timeouts): beside the others, after the sequential tests
	p, err := wire.NewHappyColis(verifySecret)
	if err != nil {
		t.Fatal(err)
	}
	recv := newReceiver(t, p)
	var n atomic.Int64
	srv := testServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) > 1 {
			time.Sleep(40 * time.Millisecond)
		}
		recv.ServeHTTP(w, r)
	})
	out, errOut, code := runCmd(t, "", "verify", "--provider", "happycolis", "--url", srv.URL, "--secret", verifySecret, "--deadline", "250ms")
	if code != exitFailure {
		t.Fatalf("exit %d, want 1: %s", code, errOut)
	}
	if !strings.Contains(out, "STOPPED the run's deadline (250ms) was reached") || strings.Contains(out, "FAIL") {
		t.Errorf("stdout:\n%s", out)
	}
}

// TestVerifyRecord: --record writes every request and response of the
// run, replayable, with each delivery's check and role, and no secret.
func TestVerifyRecord(t *testing.T) {
	srv := startVerifyReceiver(t)
	path := filepath.Join(t.TempDir(), "run.jsonl")
	out, errOut, code := runCmd(t, "", "verify", "--provider", "happycolis", "--url", srv.URL, "--secret", verifySecret,
		"--only", "rejects-bad-signature,idempotent-duplicates", "--record", path)
	if code != exitOK {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), verifySecret) {
		t.Fatal("the record holds the secret")
	}
	var roles []string
	var lines []contracts.RecordLine
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var rl contracts.RecordLine
		if err := json.Unmarshal([]byte(l), &rl); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, rl)
		roles = append(roles, rl.Check+":"+rl.Role)
	}
	want := []string{":preflight", "rejects-bad-signature:forgery", "rejects-bad-signature:control"}
	if len(roles) < 5 || strings.Join(roles[:3], " ") != strings.Join(want, " ") || roles[len(roles)-1] != "idempotent-duplicates:redelivery" {
		t.Errorf("roles %v", roles)
	}
	for i, l := range lines {
		if l.Delivery != int64(i+1) || l.Attempt != 1 || l.Response == nil || l.Request == nil || len(l.Request.Body) == 0 {
			t.Errorf("line %d: %+v", i+1, l)
		}
	}
	if lines[1].Response.Status != http.StatusUnauthorized || len(lines[1].Faults) != 1 {
		t.Errorf("forgery line %+v", lines[1])
	}
	// The record replays: emitter.ReadRecords accepts every line.
	n := 0
	if err := emitter.ReadRecords(strings.NewReader(string(b)), func(*emitter.Record) error { n++; return nil }); err != nil || n != len(lines) {
		t.Errorf("ReadRecords: %d lines, %v", n, err)
	}
}

// TestVerifyTargets: verify --targets reads the file emit --targets reads
// (one webhook per trigger, each with its secret) and sends each event to
// its own webhook.
func TestVerifyTargets(t *testing.T) {
	mux := http.NewServeMux()
	vars := map[string]string{}
	var file strings.Builder
	srv := testServer(t, mux.ServeHTTP)
	for i, trigger := range []string{"ORDER", "ORDER_UPDATED", "QUOTE_CONVERTED"} {
		secret, err := wire.NewSecret("phasio", strings.NewReader(strings.Repeat(string(rune('a'+i)), 32)))
		if err != nil {
			t.Fatal(err)
		}
		p, err := wire.NewPhasio(secret, wire.WithDefaultTrigger(trigger))
		if err != nil {
			t.Fatal(err)
		}
		mux.Handle("/hooks/"+trigger, newReceiver(t, p))
		vars["SECRET_"+trigger] = secret
		fmt.Fprintf(&file, "%s: {url: %q, secret: \"env:SECRET_%s\"}\n", trigger, srv.URL+"/hooks/"+trigger, trigger)
	}
	path := filepath.Join(t.TempDir(), "targets.yaml")
	if err := os.WriteFile(path, []byte(file.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCmdEnv(t, t.Context(), "", vars, "verify", "--provider", "phasio", "--targets", path)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if strings.Count(errOut, "preflight: ") != 3 || !strings.Contains(out, "ORDER="+srv.URL+"/hooks/ORDER, ORDER_UPDATED=") {
		t.Errorf("want three preflights and every route in the header:\n%s%s", out, errOut)
	}
	for _, v := range vars {
		if strings.Contains(out+errOut, v) {
			t.Fatal("a secret was printed")
		}
	}
	_, errOut, code = runCmdEnv(t, t.Context(), "", vars, "verify", "--provider", "phasio", "--targets", path, "--url", srv.URL)
	if code != exitUsage || !strings.Contains(errOut, "--targets excludes --url and --secret") {
		t.Errorf("--targets with --url: exit %d, %s", code, errOut)
	}
}

// newReceiver is receiver.New, failing the test on an error.
func newReceiver(t *testing.T, p wire.Profile) *receiver.Receiver {
	t.Helper()
	r, err := receiver.New(p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
