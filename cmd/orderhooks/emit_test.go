package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit/testrecv"
	"github.com/orderhooks/orderhooks/wire"
)

// Emit test secrets: one per Phasio webhook, and one for HappyColis.
const (
	emitSecret      = "Zm9yLXRlc3RzLW9ubHktZW1pdC1zZWNyZXQtMzItYnk"
	emitSecretQuote = "cXVvdGUtY29udmVydGVkLXNlY3JldC0zMi1ieXRlcyE"
	emitSecretHC    = "hc-emit-test-client-secret-000000"
)

// startVerifying starts a verifying receiver for provider and secret.
var startVerifying = testrecv.Start

// closedPort returns a 127.0.0.1 URL nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return url
}

// checkNoSecret fails when a secret shows in any output.
func checkNoSecret(t *testing.T, outputs ...string) {
	t.Helper()
	for _, out := range outputs {
		for _, s := range []string{emitSecret, emitSecretQuote, emitSecretHC} {
			if strings.Contains(out, s) {
				t.Fatalf("a secret appears in the output:\n%.300s", out)
			}
		}
	}
}

func TestEmitExitCodes(t *testing.T) {
	rcv := startVerifying(t, generator.ProviderPhasio, emitSecret)
	rcvHC := startVerifying(t, generator.ProviderHappyColis, emitSecretHC)
	vars := map[string]string{"EMIT_SECRET": emitSecret}
	hcEvents, _, code := runCmd(t, "", "generate", "--provider", "happycolis", "--orders", "1")
	if code != exitOK {
		t.Fatalf("generate: exit %d", code)
	}
	hcFile := filepath.Join(t.TempDir(), "hc.jsonl")
	if err := os.WriteFile(hcFile, []byte("\n"+hcEvents), 0o600); err != nil {
		t.Fatal(err)
	}
	acceptAll := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer acceptAll.Close()
	tests := []struct {
		name     string
		args     []string
		code     int
		contains string // in stdout+stderr
	}{
		{"events of another platform", []string{"--provider", "phasio", "--url", rcv.URL, "--secret", emitSecret, "--in", hcFile}, exitUsage,
			"--in " + hcFile + ":2: a happycolis event, but --provider phasio\n"},
		{"all delivered", []string{"--provider", "phasio", "--url", rcv.URL, "--secret", "env:EMIT_SECRET", "--orders", "5"}, exitOK, "deliveries 5: 5 ok, 0 failed"},
		{"lifecycles", []string{"--provider", "phasio", "--url", rcv.URL, "--secret", emitSecret, "--scenario", "phasio/quote-to-paid", "--concurrency", "16"}, exitOK, " ok, 0 failed"},
		{"happycolis", []string{"--provider", "happycolis", "--url", rcvHC.URL, "--secret", emitSecretHC, "--scenario", "happycolis/fulfilment", "--validate"}, exitOK, " ok, 0 failed"},
		// Forgeries the receiver rejects are what a correct receiver does: exit 0.
		{"tampered", []string{"--provider", "phasio", "--url", rcv.URL, "--secret", emitSecret, "--orders", "4", "--tamper", "1"}, exitOK,
			"deliveries 4: 0 ok, 0 failed, 4 forged (4 rejected, 0 accepted)"},
		{"forgeries among valid", []string{"--provider", "happycolis", "--url", rcvHC.URL, "--secret", emitSecretHC, "--orders", "40",
			"--bad-signature", "0.3", "--wrong-key", "0.2", "--duplicate", "0.2", "--seed", "3"}, exitOK, "deliveries 45: 23 ok, 0 failed, 22 forged (22 rejected, 0 accepted)"},
		{"forgery accepted", []string{"--provider", "phasio", "--url", acceptAll.URL, "--secret", emitSecret, "--orders", "4", "--tamper", "0.5", "--seed", "2"}, exitFailure,
			"tamper 4: 0 rejected, 4 accepted"},
		{"wrong secret", []string{"--provider", "happycolis", "--url", rcvHC.URL, "--secret", "not-the-secret", "--orders", "2"}, exitFailure, "0 ok, 2 failed"},
		{"unreachable", []string{"--provider", "phasio", "--url", closedPort(t), "--secret", emitSecret}, exitUnreachable, ": unreachable: "},
		{"no provider", []string{"--url", rcv.URL, "--secret", emitSecret}, exitUsage, "--provider"},
		{"no url", []string{"--provider", "phasio", "--secret", emitSecret}, exitUsage, "--url"},
		{"no secret", []string{"--provider", "phasio", "--url", rcv.URL}, exitUsage, "--secret"},
		{"bad secret", []string{"--provider", "phasio", "--url", rcv.URL, "--secret", "short"}, exitUsage, "--secret"},
		{"unset env", []string{"--provider", "phasio", "--url", rcv.URL, "--secret", "env:NOPE"}, exitUsage, "NOPE"},
		{"bad url", []string{"--provider", "phasio", "--url", "ftp://x", "--secret", emitSecret}, exitUsage, "orderhooks emit: --url ftp://x: needs http:// or https://"},
		{"unknown provider", []string{"--provider", "nope", "--url", rcv.URL, "--secret", emitSecret}, exitUsage,
			"orderhooks emit: --provider nope: not one of phasio, happycolis, standard\n"},
		{"concurrency", []string{"--provider", "phasio", "--url", rcv.URL, "--secret", emitSecret, "--concurrency", "0"}, exitUsage, "--concurrency"},
		{"probability", []string{"--provider", "phasio", "--url", rcv.URL, "--secret", emitSecret, "--duplicate", "1.5"}, exitUsage, "--duplicate"},
		{"request faults", []string{"--provider", "phasio", "--url", rcv.URL, "--secret", emitSecret, "--tamper", "0.7", "--wrong-key", "0.7"}, exitUsage, "--tamper"},
		{"header", []string{"--provider", "phasio", "--url", rcv.URL, "--secret", emitSecret, "-H", "no colon"}, exitUsage, "-H"},
		{"in and scenario", []string{"--provider", "phasio", "--url", rcv.URL, "--secret", emitSecret, "--in", "x.jsonl", "--scenario", "phasio/po-invoice"}, exitUsage, "--in and --scenario"},
		{"missing in", []string{"--provider", "phasio", "--url", rcv.URL, "--secret", emitSecret, "--in", filepath.Join(t.TempDir(), "none.jsonl")}, exitUsage, "--in"},
		{"targets and url", []string{"--provider", "phasio", "--url", rcv.URL, "--targets", "t.yaml"}, exitUsage, "--targets excludes"},
		{"argument", []string{"--provider", "phasio", "--url", rcv.URL, "--secret", emitSecret, "extra"}, exitUsage, `"extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCmdEnv(t, context.Background(), "", vars, append([]string{"emit"}, tt.args...)...)
			if code != tt.code || !strings.Contains(out+errOut, tt.contains) {
				t.Fatalf("exit %d (want %d), output does not contain %q:\n%s%s", code, tt.code, tt.contains, out, errOut)
			}
			if tt.code == exitUsage && strings.Count(errOut, "\n") != 1 {
				t.Fatalf("usage error is not one line: %q", errOut)
			}
			checkNoSecret(t, out, errOut)
		})
	}
}

// TestEmitRecordAndJSON checks the record (one line per attempt, no
// secret) and the JSON summary, with events from a file.
func TestEmitRecordAndJSON(t *testing.T) {
	rcv := startVerifying(t, generator.ProviderPhasio, emitSecret)
	dir := t.TempDir()
	events := filepath.Join(dir, "events.jsonl")
	if _, errOut, code := runCmd(t, "", "generate", "--provider", "phasio", "--scenario", "phasio/po-invoice", "--orders", "3", "--out", events); code != exitOK {
		t.Fatalf("generate: %s", errOut)
	}
	record := filepath.Join(dir, "record.jsonl")
	out, errOut, code := runCmd(t, "", "emit", "--provider", "phasio", "--url", rcv.URL, "--secret", emitSecret,
		"--in", events, "--record", record, "--json", "--duplicate", "0.5", "-H", "X-Test: yes", "-H", "Authorization: Bearer tok-cli-5e2b")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var sum emitter.Summary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("summary is not JSON: %v\n%s", err, out)
	}
	data, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	checkNoSecret(t, out, errOut, string(data))
	if strings.Contains(string(data), "tok-cli-5e2b") {
		t.Fatal("the -H token is in the record")
	}
	var recs []*emitter.Record
	if err := emitter.ReadRecords(strings.NewReader(string(data)), func(r *emitter.Record) error { recs = append(recs, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(recs) != sum.Attempts || sum.Deliveries != sum.OK || sum.Faults[wire.FaultDuplicate] == 0 {
		t.Fatalf("%d records for summary %+v", len(recs), sum)
	}
	for _, r := range recs {
		if r.Request.Header.Get("X-Test") != emitter.Redacted || r.Request.Header.Get("Authorization") != emitter.Redacted ||
			r.Request.Header.Get(wire.PhasioSignatureHeader) == "" || r.Response == nil || r.Response.Status != http.StatusOK {
			t.Fatalf("record of delivery %d lacks the (redacted) request headers or response: %+v", r.Delivery, r)
		}
	}
}

// TestEmitTargets routes each Phasio trigger to its own receiver and secret.
func TestEmitTargets(t *testing.T) {
	dir := t.TempDir()
	rcv := startVerifying(t, generator.ProviderPhasio, emitSecret)
	quote := startVerifying(t, generator.ProviderPhasio, emitSecretQuote)
	secretFile := filepath.Join(dir, "quote.secret")
	if err := os.WriteFile(secretFile, []byte(emitSecretQuote+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	targets := filepath.Join(dir, "targets.yaml")
	body := "ORDER: {url: " + rcv.URL + "/created, secret: env:S}\nORDER_UPDATED: {url: " + rcv.URL + "/updated, secret: env:S}\n" +
		"QUOTE_CONVERTED:\n  url: " + quote.URL + "\n  secret: file:" + secretFile + "\n"
	if err := os.WriteFile(targets, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"S": emitSecret}
	out, errOut, code := runCmdEnv(t, context.Background(), "", vars, "emit", "--provider", "phasio", "--targets", targets, "--scenario", "phasio/quote-to-paid", "--orders", "3")
	if code != exitOK {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	if quote.Stats().Applied == 0 || rcv.Stats().Applied == 0 || rcv.Stats().Unauthorized+quote.Stats().Unauthorized != 0 {
		t.Fatalf("quote receiver %+v, order receiver %+v", quote.Stats(), rcv.Stats())
	}
	checkNoSecret(t, out, errOut)

	for _, tt := range []struct{ name, file, want string }{
		{"unknown trigger", "ORDERS: {url: http://127.0.0.1:1, secret: x}\n", `"ORDERS": not a Phasio trigger (ORDER, ORDER_UPDATED, QUOTE_CONVERTED, …) or default`},
		{"no url", "ORDER: {secret: env:S}\n", "ORDER.url: required"},
		{"no secret", "ORDER: {url: http://127.0.0.1:1}\n", "ORDER.secret: required"},
		{"unknown field", "ORDER: {url: http://127.0.0.1:1, secret: env:S, retries: 3}\n", `bad.yaml: line 1: unknown field "retries"` + "\n"},
		{"missing trigger", "ORDER: {url: http://127.0.0.1:1, secret: env:S}\nORDER_UPDATED: {url: http://127.0.0.1:1, secret: env:S}\n",
			"bad.yaml: no target for QUOTE_CONVERTED (add it, or a default entry)\n"},
		{"empty", "", "bad.yaml: empty targets file\n"},
		{"comments only", "# ORDER: {url: http://127.0.0.1:1}\n", "bad.yaml: empty targets file\n"},
		{"bad secret", "ORDER: {url: http://127.0.0.1:1, secret: tooshort}\n", "ORDER.secret"},
		{"unset env", "ORDER: {url: http://127.0.0.1:1, secret: env:UNSET}\n", "UNSET"},
		{"not yaml", "ORDER: [\n", "bad.yaml"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "bad.yaml")
			if err := os.WriteFile(path, []byte(tt.file), 0o600); err != nil {
				t.Fatal(err)
			}
			_, errOut, code := runCmdEnv(t, context.Background(), "", vars, "emit", "--provider", "phasio", "--targets", path)
			if code != exitUsage || !strings.Contains(errOut, tt.want) || !strings.Contains(errOut, "bad.yaml") {
				t.Fatalf("exit %d, stderr %q; want exit 2 naming bad.yaml and %q", code, errOut, tt.want)
			}
			checkNoSecret(t, errOut)
		})
	}
	t.Run("happycolis missing type", func(t *testing.T) {
		path := filepath.Join(dir, "bad.yaml")
		if err := os.WriteFile(path, []byte("order/created: {url: http://127.0.0.1:1, secret: env:S}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, errOut, code := runCmdEnv(t, context.Background(), "", vars, "emit", "--provider", "happycolis", "--targets", path)
		if want := "bad.yaml: no target for order/opened (add it, or a default entry)"; code != exitUsage || !strings.Contains(errOut, want) {
			t.Fatalf("exit %d, stderr %q; want exit 2 and %q", code, errOut, want)
		}
	})
}

// TestEmitInterrupted cancels the command's context (as SIGINT/SIGTERM
// do) from the server after some requests: the summary is printed, the
// record is complete JSONL, the exit code is 1.
func TestEmitInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 30 {
			cancel()
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	record := filepath.Join(t.TempDir(), "record.jsonl")
	out, errOut, code := runCmdEnv(t, ctx, "", nil, "emit", "--provider", "happycolis", "--url", srv.URL, "--secret", emitSecretHC,
		"--scenario", "happycolis/fulfilment", "--orders", "50", "--record", record)
	if code != exitFailure || !strings.Contains(out, "interrupted") || !strings.Contains(errOut, "interrupted") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	data, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	lines := 0
	if err := emitter.ReadRecords(strings.NewReader(string(data)), func(*emitter.Record) error { lines++; return nil }); err != nil {
		t.Fatalf("record is not complete JSONL: %v", err)
	}
	if lines < 30 || lines >= 50*4 || !strings.HasSuffix(string(data), "\n") {
		t.Fatalf("%d record lines after cancelling at request 30", lines)
	}
	checkNoSecret(t, out, errOut, string(data))
}

// TestEmitProgress shows the live line only on a terminal.
func TestEmitProgress(t *testing.T) {
	rcv := startVerifying(t, generator.ProviderPhasio, emitSecret)
	for _, tty := range []bool{true, false} {
		var out, errOut strings.Builder
		code := run(context.Background(), []string{"emit", "--provider", "phasio", "--url", rcv.URL, "--secret", emitSecret, "--orders", "3"},
			&env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, tty: tty, getenv: func(string) string { return "" }})
		if code != exitOK {
			t.Fatalf("tty %v: exit %d: %s", tty, code, errOut.String())
		}
		line := strings.Contains(errOut.String(), "\rsent 3 of 3 events (100%)  2xx 3  failed 0")
		if line != tty || strings.Contains(out.String(), "\r") {
			t.Fatalf("tty %v: stderr %q, stdout %q", tty, errOut.String(), out.String())
		}
	}
}

// TestEmitMalformedInput: a bad line of --in (or of replay's FILE) is a
// usage error naming the file and line; what was sent before it stays in
// the record.
func TestEmitMalformedInput(t *testing.T) {
	rcv := startVerifying(t, generator.ProviderPhasio, emitSecret)
	dir := t.TempDir()
	events, _, code := runCmd(t, "", "generate", "--provider", "phasio", "--orders", "2")
	if code != exitOK {
		t.Fatalf("generate: exit %d", code)
	}
	lines := strings.SplitAfter(events, "\n")
	mixed := filepath.Join(dir, "mixed.jsonl")
	if err := os.WriteFile(mixed, []byte(lines[0]+lines[1]+"{not json\n"+lines[2]), 0o600); err != nil {
		t.Fatal(err)
	}
	record := filepath.Join(dir, "record.jsonl")
	phasio := []string{"--provider", "phasio", "--url", rcv.URL, "--secret", emitSecret, "--concurrency", "1"}
	_, errOut, code := runCmd(t, "", append([]string{"emit", "--in", mixed, "--record", record}, phasio...)...)
	if want := "emit: --in " + mixed + ":3: "; code != exitUsage || !strings.Contains(errOut, want) || strings.Count(errOut, "\n") != 1 {
		t.Fatalf("emit: exit %d, stderr %q; want exit 2 and %q", code, errOut, want)
	}
	data, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), "\n"); n != 2 {
		t.Fatalf("record has %d lines, want the 2 deliveries made before line 3", n)
	}
	badRecord := filepath.Join(dir, "bad-record.jsonl")
	if err := os.WriteFile(badRecord, append(data, "{\"event\": 5}\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{mixed, badRecord} {
		_, errOut, code := runCmd(t, "", append([]string{"replay", file}, phasio...)...)
		if want := "replay: " + file + ":3: "; code != exitUsage || !strings.Contains(errOut, want) {
			t.Fatalf("replay %s: exit %d, stderr %q; want exit 2 and %q", file, code, errOut, want)
		}
	}
}
