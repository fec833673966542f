package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/generator"
)

// writeEvents writes the output of one generate command line to a file.
func writeEvents(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, errOut, code := runCmd(t, "", append([]string{"generate"}, args...)...)
	if code != exitOK {
		t.Fatalf("generate: exit %d: %s", code, errOut)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestNoSilentNoOp: every flag that used to change nothing while the
// command exited 0 is a usage error (exit 2) naming it, with a hint where
// one helps, before anything is sent; an input error prints no summary.
func TestNoSilentNoOp(t *testing.T) {
	rcv := startVerifying(t, generator.ProviderPhasio, emitSecret)
	single := writeEvents(t, "single.jsonl", "--provider", "phasio", "--orders", "3")
	life := writeEvents(t, "life.jsonl", "--provider", "phasio", "--scenario", "phasio/quote-to-paid", "--orders", "2")
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	if err := os.WriteFile(bad, []byte("{not json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ph := []string{"--provider", "phasio", "--url", rcv.URL, "--secret", emitSecret}
	verify := []string{"verify", "--provider", "phasio", "--url", rcv.URL, "--secret", emitSecret}
	tests := []struct {
		name  string
		args  []string
		stdin string
		want  string // the one stderr line contains it
	}{
		{"replay --event typo", append([]string{"replay", life, "--event", "ORDER_UPDATE"}, ph...), "",
			`--event "ORDER_UPDATE": not a phasio order event (did you mean "ORDER_UPDATED"?); known: ORDER, ORDER_UPDATED, QUOTE_CONVERTED`},
		{"replay --order matching nothing", append([]string{"replay", life, "--order", "999999"}, ph...), "",
			"--order 999999: no event of " + life + " has order key 999999; nothing was sent; it has "},
		{"replay --event matching nothing", append([]string{"replay", single, "--event", "QUOTE_CONVERTED"}, ph...), "",
			"--event QUOTE_CONVERTED: no event of " + single + " has event QUOTE_CONVERTED; nothing was sent; it has ORDER"},
		{"replay filters together matching nothing", append([]string{"replay", life, "--event", "QUOTE_CONVERTED", "--from-seq", "1000"}, ph...), "",
			"--from-seq 1000: no event of"},
		{"emit --reorder, single-event default", append([]string{"emit", "--reorder", "0.5"}, ph...), "",
			"--reorder: every order of the generated events (no multi-event --scenario) has a single event"},
		{"emit --reorder, single-event file", append([]string{"emit", "--in", single, "--reorder", "0.5"}, ph...), "",
			"--reorder: every order of --in " + single + " has a single event"},
		{"replay --reorder, single-event file", append([]string{"replay", single, "--reorder", "1"}, ph...), "",
			"--reorder: every order of " + single + " has a single event"},
		{"emit --reorder, --edge", append([]string{"emit", "--edge", "--reorder", "0.1"}, ph...), "", "--reorder: every order of the generated events"},
		{"emit --unblock for phasio", append([]string{"emit", "--unblock"}, ph...), "", "--unblock only applies to --provider happycolis"},
		{"replay --exact with a request fault", []string{"replay", life, "--exact", "--url", rcv.URL, "--tamper", "0.5"}, "", "--tamper cannot apply with --exact"},
		{"receive --trigger not a trigger", []string{"receive", "--provider", "phasio", "--secret", emitSecret, "--listen", "127.0.0.1:0", "--trigger", "ORDER_CREATED"}, "",
			`--trigger "ORDER_CREATED": not a phasio order event (did you mean "ORDER"?)`},
		{"verify --only X --skip X", append(verify, "--only", "rejects-bad-signature", "--skip", "rejects-bad-signature"), "",
			"--skip: check rejects-bad-signature is also selected to run; it cannot be both (--only)"},
		{"verify --skip outside --only", append(verify, "--only", "rejects-bad-signature", "--skip", "rejects-wrong-key"), "",
			"--skip: check rejects-wrong-key is not among the checks selected to run, so skipping it changes nothing (--only)"},
		{"verify --compare without --probe", append(verify, "--compare", "/orderId"), "",
			"--compare: the compared pointers are read from the receiver's state, which only a probe reads (--probe)"},
		{"verify --slo without its check", append(verify, "--only", "rejects-bad-signature", "--slo", "1s"), "",
			"--slo: responds-within-slo, the only check that uses it, does not run (--only)"},
		{"verify --probe without a state check", append(verify, "--only", "accepts-valid-lifecycle,verifies-raw-body", "--probe", "/orders/{orderKey}"), "",
			"--probe: no check that reads the receiver's state runs"},
		{"emit --in with a bad first line", append([]string{"emit", "--in", bad}, ph...), "", "--in " + bad + ":1: "},
		{"emit --in - with a bad first line", append([]string{"emit", "--in", "-"}, ph...), "{not json\n", "--in -:1: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := rcv.Stats().Received
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			out, errOut, code := runCmdEnv(t, ctx, tt.stdin, nil, tt.args...)
			if code != exitUsage {
				t.Fatalf("exit %d, want 2\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
			if !strings.Contains(errOut, tt.want) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
				t.Errorf("stderr %q: want one line containing %q", errOut, tt.want)
			}
			if tt.args[0] != "receive" && out != "" {
				t.Errorf("printed a summary or report before a usage error:\n%s", out)
			}
			if got := rcv.Stats().Received; got != before {
				t.Errorf("%d deliveries were sent before the usage error", got-before)
			}
		})
	}
}

// TestReorderOnStdin: an events stream on stdin cannot be read twice, so
// --reorder on single-event orders is found after the run: the summary of
// what was sent, then the usage error. A multi-event stream is reordered.
func TestReorderOnStdin(t *testing.T) {
	rcv := startVerifying(t, generator.ProviderPhasio, emitSecret)
	ph := []string{"emit", "--provider", "phasio", "--url", rcv.URL, "--secret", emitSecret, "--in", "-", "--reorder", "1"}
	single, _, _ := runCmd(t, "", "generate", "--provider", "phasio", "--orders", "3")
	out, errOut, code := runCmd(t, single, ph...)
	if code != exitUsage || !strings.Contains(errOut, "--reorder: every order of --in - has a single event") || !strings.Contains(out, "deliveries 3") {
		t.Errorf("single-event stream: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	life, _, _ := runCmd(t, "", "generate", "--provider", "phasio", "--scenario", "phasio/quote-to-paid", "--orders", "2")
	out, errOut, code = runCmd(t, life, ph...)
	if code != exitOK || !bytes.Contains([]byte(out), []byte("reorder")) {
		t.Errorf("multi-event stream: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}
