package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/wire"
)

// hostileFiles writes the inputs the hostile cases use into dir.
type hostileFiles struct {
	dir, events, numberBomb, digits, bom, latin1, typeErr, longLine, aliasBomb, schema string
}

func writeHostileFiles(t *testing.T) hostileFiles {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	events, _, code := runCmd(t, "", "generate", "--provider", "phasio", "--orders", "2")
	if code != exitOK {
		t.Fatalf("generate: exit %d", code)
	}
	first := strings.SplitAfter(events, "\n")[0]
	var ev generator.Event
	if err := json.Unmarshal([]byte(first), &ev); err != nil {
		t.Fatal(err)
	}
	bomb := strings.Replace(first, `"totalPrice":`, `"totalPrice":1e1000001,"x":`, 1)
	digits := strings.Replace(first, `"totalPrice":`, `"totalPrice":`+strings.Repeat("7", 1_000_000)+`,"x":`, 1)
	var alias strings.Builder
	alias.WriteString("version: 1\nname: &big " + strings.Repeat("x", 1<<20) + "\nprovider: phasio\nsteps:\n")
	for range 2000 {
		alias.WriteString("  - {event: ORDER, action: create-quote, name: *big}\n")
	}
	return hostileFiles{
		dir:        dir,
		events:     write("events.jsonl", []byte(events)),
		numberBomb: write("bomb.jsonl", []byte(bomb)),
		digits:     write("digits.jsonl", []byte(digits)),
		bom:        write("bom.jsonl", []byte("\ufeff"+events)),
		latin1:     write("latin1.jsonl", []byte(strings.Replace(first, `"currency":"`, "\"currency\":\"\xe9", 1))),
		typeErr:    write("type.jsonl", []byte(`{"seq":1,"provider":"phasio","event":{"x":1},"payload":{}}`+"\n")),
		longLine:   write("long.jsonl", []byte(first+strings.Repeat(" ", 17<<20)+"x\n")),
		aliasBomb:  write("bomb.yaml", []byte(alias.String())),
		schema:     write("schema.json", []byte(`{"type":"object","properties":{"n":{"maximum":1e1000001}}}`)),
	}
}

// TestHostileInputs reproduces, in-process, each way hostile input used to
// crash or mislead a command: each now gets its documented exit code and
// one clear line naming the input and, where there is one, the limit.
func TestHostileInputs(t *testing.T) {
	t.Parallel() // after the sequential tests (the docs test changes directory)
	f := writeHostileFiles(t)
	rcv := startVerifying(t, generator.ProviderPhasio, emitSecret)
	emit := func(args ...string) []string {
		return append([]string{"emit", "--provider", "phasio", "--url", rcv.URL, "--secret", emitSecret}, args...)
	}
	zeroYAML := filepath.Join(f.dir, "zero.yaml")
	if err := os.Symlink("/dev/zero", zeroYAML); err != nil {
		t.Fatal(err)
	}
	dirYAML := filepath.Join(f.dir, "dir.yaml")
	if err := os.Mkdir(dirYAML, 0o700); err != nil {
		t.Fatal(err)
	}
	huge := strings.Repeat("a", 65<<10)
	tests := []struct {
		name     string
		args     []string
		stdin    string
		code     int
		contains string   // in stdout+stderr
		absent   []string // nowhere in the output
	}{
		// Numbers the validator could not compare.
		{"validate number bomb", []string{"validate", "--schema", "auto", f.numberBomb}, "", exitFailure,
			"/payload/pricing/totalPrice: number out of range: exponent beyond ±1000", []string{"panic", "goroutine"}},
		{"validate a million digits", []string{"validate", "--schema", "auto", f.digits}, "", exitFailure,
			"number out of range: 1000000 digits", nil},
		{"emit --validate number bomb", emit("--in", f.numberBomb, "--validate"), "", exitFailure,
			"deliveries 1: 0 ok, 1 failed (not sent: 1 invalid)", []string{"panic"}},
		{"response schema number bomb", []string{"verify", "--provider", "phasio", "--url", rcv.URL, "--secret", emitSecret,
			"--response-schema", f.schema}, "", exitUsage, "number out of range", nil},
		// Scenario files.
		{"alias bomb", []string{"generate", "--provider", "phasio", "--scenario", f.aliasBomb}, "", exitUsage,
			"expands (aliases included) beyond the scenario expansion limit of 16 MiB", nil},
		{"endless scenario", []string{"generate", "--provider", "phasio", "--scenario", zeroYAML}, "", exitUsage,
			"larger than the scenario file limit of 4 MiB", nil},
		{"scenario directory", []string{"generate", "--provider", "phasio", "--scenario", dirYAML}, "", exitUsage, "is a directory", nil},
		// Unbounded reads.
		{"secret /dev/zero", emit("--secret", "file:/dev/zero"), "", exitUsage, "larger than the secret file limit of 64 KiB", nil},
		{"secret directory", emit("--secret", "file:"+f.dir), "", exitUsage, "is a directory", nil},
		{"ca /dev/zero", emit("--ca-file", "/dev/zero"), "", exitUsage, "--ca-file /dev/zero: larger than the CA file limit", nil},
		{"targets /dev/zero", []string{"emit", "--provider", "phasio", "--targets", "/dev/zero"}, "", exitUsage,
			"larger than the targets file limit of 1 MiB", nil},
		{"replay /dev/zero", []string{"replay", "/dev/zero", "--provider", "phasio", "--url", rcv.URL, "--secret", emitSecret}, "", exitUsage,
			"longer than the record line limit of 64 MiB", nil},
		{"emit --in /dev/zero", emit("--in", "/dev/zero"), "", exitUsage, ":1: longer than the line limit of 16 MiB", []string{"bufio"}},
		{"reorder check of /dev/zero", emit("--in", "/dev/zero", "--reorder", "0.1"), "", exitUsage, ":1: longer than the line limit of 16 MiB", nil},
		{"decrypt /dev/zero", []string{"decrypt", "--secret", emitSecret, "/dev/zero"}, "", exitUsage, "larger than the decrypt input limit of 64 MiB", nil},
		{"validate long line", []string{"validate", "--schema", "auto", f.longLine}, "", exitFailure,
			"long.jsonl:2: longer than the line limit of 16 MiB; not read", []string{"bufio"}},
		{"emit long line", emit("--in", f.longLine), "", exitUsage, "--in " + f.longLine + ":2: longer than the line limit of 16 MiB", []string{"bufio", "line 0"}},
		// Directories, encodings, wording.
		{"validate directory", []string{"validate", "--schema", "auto", f.dir}, "", exitUsage, "is a directory", nil},
		{"emit --in directory", emit("--in", f.dir), "", exitUsage, "is a directory", nil},
		{"replay directory", []string{"replay", f.dir, "--provider", "phasio", "--url", rcv.URL, "--secret", emitSecret}, "", exitUsage, "is a directory", nil},
		{"decrypt directory", []string{"decrypt", "--secret", emitSecret, f.dir}, "", exitUsage, "is a directory", nil},
		{"validate BOM", []string{"validate", "--schema", "auto", f.bom}, "", exitOK, "2 documents, 0 invalid", nil},
		{"emit BOM", emit("--in", f.bom), "", exitOK, "deliveries 2: 2 ok", nil},
		{"validate invalid UTF-8", []string{"validate", "--schema", "auto", f.latin1}, "", exitFailure, "latin1.jsonl:1:", nil},
		{"emit type error", emit("--in", f.typeErr), "", exitUsage, ":1: /event: expected a string, got an object", []string{"Go struct", "Event.event"}},
		{"huge flag value", emit("--url", huge), "", exitUsage, "--url: larger than the flag value limit of 64 KiB", nil},
		// Flags out of range.
		{"rate tiny", emit("--rate", "1e-10"), "", exitUsage, "--rate 1e-10", nil},
		{"rate NaN", emit("--rate", "NaN"), "", exitUsage, "--rate NaN", nil},
		{"rate Inf", emit("--rate", "+Inf"), "", exitUsage, "--rate +Inf", nil},
		{"duplicate NaN", emit("--duplicate", "NaN"), "", exitUsage, "--duplicate NaN", nil},
		{"speed tiny", []string{"replay", f.events, "--provider", "phasio", "--url", rcv.URL, "--secret", emitSecret, "--speed", "1e-9"}, "", exitUsage, "--speed 1e-09", nil},
		{"speed NaN", []string{"replay", f.events, "--provider", "phasio", "--url", rcv.URL, "--secret", emitSecret, "--speed", "NaN"}, "", exitUsage, "--speed NaN", nil},
		{"concurrency huge", emit("--concurrency", "1000000"), "", exitUsage, "--concurrency 1000000: must be between 1 and 10000", nil},
		{"retries huge", emit("--retries", "1000000"), "", exitUsage, "--retries 1000000", nil},
		{"max-body overflow", []string{"receive", "--provider", "phasio", "--secret", emitSecret, "--max-body", "9223372036854775807"}, "", exitUsage,
			"--max-body 9223372036854775807: must be between 1 and", nil},
		{"start far future", []string{"generate", "--provider", "phasio", "--start", "9999-12-31T23:59:59Z"}, "", exitUsage,
			"--start 9999-12-31T23:59:59Z: must be between 1970-01-01T00:00:00Z and 2999-12-31T23:59:59Z", nil},
		{"header CRLF", emit("-H", "X-A: b\r\nInjected: 1"), "", exitUsage, `--header X-A: the value holds the control character "\r"`, nil},
		{"header non-ASCII name", emit("-H", "X-Café: 1"), "", exitUsage, "not allowed in a header name", nil},
		{"demo orders huge", []string{"demo", "--orders", "1000000000"}, "", exitUsage, "--orders 1000000000: must be between 1 and 10000", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCmd(t, tt.stdin, tt.args...)
			all := out + errOut
			if code != tt.code || !strings.Contains(all, tt.contains) {
				t.Fatalf("exit %d (want %d), output lacks %q:\n%.2000s", code, tt.code, tt.contains, all)
			}
			for _, a := range tt.absent {
				if strings.Contains(all, a) {
					t.Fatalf("output contains %q:\n%.2000s", a, all)
				}
			}
			if tt.code == exitUsage && (strings.Count(errOut, "\n") != 1 || len(errOut) > 2200) {
				t.Fatalf("usage error is not one short line (%d bytes): %.300q", len(errOut), errOut)
			}
		})
	}
}

// TestEmitConcatenatedFiles: two generated files concatenated on stdin are
// ten different orders, not five orders and five redeliveries.
func TestEmitConcatenatedFiles(t *testing.T) {
	rcv := startVerifying(t, generator.ProviderHappyColis, emitSecretHC)
	a, _, _ := runCmd(t, "", "generate", "--provider", "happycolis", "--orders", "5", "--seed", "1")
	b, _, _ := runCmd(t, "", "generate", "--provider", "happycolis", "--orders", "5", "--seed", "2")
	out, errOut, code := runCmd(t, a+b, "emit", "--provider", "happycolis", "--url", rcv.URL, "--secret", emitSecretHC, "--in", "-")
	if code != exitOK || !strings.Contains(out, "deliveries 10: 10 ok") || !strings.Contains(out, "renumbered 5 events") {
		t.Fatalf("exit %d:\n%s%s", code, out, errOut)
	}
	if st := rcv.Stats(); st.Applied != 10 || st.Duplicates != 0 {
		t.Fatalf("receiver %+v: want 10 applied, no duplicate", st)
	}
}

// TestEmitHappyColisFaults: HappyColis lifecycles with every fault against
// a correct receiver: nothing is blocked, the forgeries are rejected, the
// exit code is 0, and the record's delivery numbers have no gap.
func TestEmitHappyColisFaults(t *testing.T) {
	t.Parallel() // after the sequential tests (the docs test changes directory)
	rcv := startVerifying(t, generator.ProviderHappyColis, emitSecretHC)
	record := filepath.Join(t.TempDir(), "sent.jsonl")
	out, errOut, code := runCmd(t, "", "emit", "--provider", "happycolis", "--url", rcv.URL, "--secret", emitSecretHC,
		"--scenario", "happycolis/fulfilment", "--orders", "30", "--tamper", "0.1", "--bad-signature", "0.05", "--wrong-key", "0.05",
		"--duplicate", "0.1", "--reorder", "0.2", "--record", record, "--json")
	if code != exitOK {
		t.Fatalf("exit %d:\n%s%s", code, out, errOut)
	}
	var sum emitter.Summary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Blocked != 0 || sum.Failed != 0 || sum.Forged == 0 || sum.Rejected != sum.Forged || sum.ByFault[wire.FaultTamper] == nil {
		t.Fatalf("summary %+v", sum)
	}
	data, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	if err := emitter.ReadRecords(bytes.NewReader(data), func(r *emitter.Record) error { seen[r.Delivery] = true; return nil }); err != nil {
		t.Fatal(err)
	}
	for n := int64(1); n <= int64(sum.Deliveries); n++ {
		if !seen[n] {
			t.Fatalf("delivery %d missing from the record (%d deliveries)", n, sum.Deliveries)
		}
	}
}

// TestDemoDirSecrets: demo --dir refuses to put a secret in a file others
// can read, or through a planted symbolic link, and leaves both as they
// were.
func TestDemoDirSecrets(t *testing.T) {
	dir := t.TempDir()
	loose := filepath.Join(dir, "phasio.secret")
	if err := os.WriteFile(loose, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(loose, 0o644)
	_, errOut, code := runCmd(t, "", "demo", "--dir", dir)
	if code != exitUsage || !strings.Contains(errOut, "has mode 0644") {
		t.Fatalf("loose file: exit %d: %s", code, errOut)
	}
	if b, _ := os.ReadFile(loose); string(b) != "old\n" {
		t.Fatalf("the file was changed: %q", b)
	}
	dir2 := t.TempDir()
	target := filepath.Join(t.TempDir(), "elsewhere")
	if err := os.Symlink(target, filepath.Join(dir2, "phasio.secret")); err != nil {
		t.Fatal(err)
	}
	_, errOut, code = runCmd(t, "", "demo", "--dir", dir2)
	if code != exitUsage || !strings.Contains(errOut, "symbolic link") {
		t.Fatalf("planted link: exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Fatalf("the link was followed: %v", err)
	}
}

// TestUserinfoNeverShown: a password in the receiver URL appears in no
// output and no record of emit, and in no output or report of verify.
func TestUserinfoNeverShown(t *testing.T) {
	rcv := startVerifying(t, generator.ProviderPhasio, emitSecret)
	url := strings.Replace(rcv.URL, "http://", "http://alice:hunter2@", 1)
	dir := t.TempDir()
	record := filepath.Join(dir, "sent.jsonl")
	out, errOut, _ := runCmd(t, "", "emit", "--provider", "phasio", "--url", url, "--secret", emitSecret, "--orders", "2",
		"--record", record)
	rec, _ := os.ReadFile(record)
	vout, verr, _ := runCmd(t, "", "verify", "--provider", "phasio", "--url", url+"/typo", "--secret", emitSecret,
		"--only", "accepts-valid-lifecycle", "--report", "json="+filepath.Join(dir, "r.json"))
	report, _ := os.ReadFile(filepath.Join(dir, "r.json"))
	all := out + errOut + string(rec) + vout + verr + string(report)
	if strings.Contains(all, "hunter2") || strings.Contains(all, "alice") {
		t.Fatalf("the URL's userinfo appears:\n%.3000s", all)
	}
	if !strings.Contains(string(rec), "redacted@") {
		t.Fatalf("record without the redacted URL:\n%.500s", rec)
	}
}

// TestNoAnswerInSummary: connection-level failures show their cause in the
// summary, counted, not only in the record.
func TestNoAnswerInSummary(t *testing.T) {
	rcv := startVerifying(t, generator.ProviderPhasio, emitSecret)
	tlsURL := strings.Replace(rcv.URL, "http://", "https://", 1)
	out, errOut, code := runCmd(t, "", "emit", "--provider", "phasio", "--url", tlsURL, "--secret", emitSecret, "--orders", "3", "--retries", "0")
	if code != exitFailure || !strings.Contains(out, "no answer: TLS: the server does not speak TLS (an http:// URL?) 3") {
		t.Fatalf("exit %d:\n%s%s", code, out, errOut)
	}
}

// TestGenerateHugeOrders: --orders at the top of the int range streams
// events (it used to overflow to none and exit 0) until interrupted, here
// once it has written ten (interrupted after a fixed time, it wrote tens
// of MB the secret scan then read).
func TestGenerateHugeOrders(t *testing.T) {
	t.Parallel() // after the sequential tests (the docs test changes directory)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	args := []string{"generate", "--provider", "phasio", "--orders", "9223372036854775807", "--scenario", "phasio/batch-update"}
	scan := beginSecretScan(args, nil)
	out := &linesThenCancel{n: 10, cancel: cancel}
	var errOut bytes.Buffer
	code := run(ctx, args, &env{stdin: strings.NewReader(""), stdout: out, stderr: &errOut, getenv: func(string) string { return "" }})
	scan.check(t, args, map[string]string{"stdout": out.String(), "stderr": errOut.String()})
	if code != exitFailure || strings.Count(out.String(), "\n") < 10 || !errors.Is(ctx.Err(), context.Canceled) {
		t.Fatalf("exit %d after %d events (%v): %s", code, strings.Count(out.String(), "\n"), ctx.Err(), errOut.String())
	}
}

// linesThenCancel keeps what is written and calls cancel once it holds n
// lines.
type linesThenCancel struct {
	bytes.Buffer
	n, lines int
	cancel   context.CancelFunc
}

func (w *linesThenCancel) Write(p []byte) (int, error) {
	if w.lines += bytes.Count(p, []byte("\n")); w.lines >= w.n {
		w.cancel()
	}
	return w.Buffer.Write(p)
}
