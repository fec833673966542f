package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Secrets of the error lines below: valid in form, used nowhere else.
const (
	goldenPhasioSecret     = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
	goldenHappyColisSecret = "happycolis-golden-secret"
)

// TestErrorsGolden pins what a wrong command line prints and its exit
// code: one "[exit] line" pair per case, in the order below. A message
// that changes shows as a diff of the golden file, to be reviewed; no
// case may reach a network beyond a closed port of 127.0.0.1.
func TestErrorsGolden(t *testing.T) {
	dir := t.TempDir()
	events := filepath.Join(dir, "events.jsonl")
	if err := os.WriteFile(events, []byte(`{"seq":1,"provider":"phasio","event":"ORDER","orderKey":"1","payload":{"orderId":1}}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	targets := filepath.Join(dir, "targets.yaml")
	if err := os.WriteFile(targets, []byte("ORDER: {url: \"http://127.0.0.1:1/a\", secret: \"short\"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const closed = "http://127.0.0.1:1/hooks"
	ph := []string{"--provider", "phasio", "--url", closed, "--secret", goldenPhasioSecret}
	with := func(base []string, more ...string) []string { return append(append([]string(nil), base...), more...) }
	emit := with([]string{"emit"}, ph...)
	cases := [][]string{
		{"emti"},
		{"help", "emti"},
		{"emit", "--urll", closed},
		{"emit", "--concurrency", "abc"},
		{"emit"},
		{"emit", "--provider", "phasi", "--url", closed, "--secret", goldenPhasioSecret},
		{"emit", "--provider", "phasio", "--url", closed, "--secret", "short"},
		{"emit", "--provider", "phasio", "--url", closed},
		{"emit", "--provider", "phasio", "--secret", goldenPhasioSecret},
		{"emit", "--provider", "phasio", "--url", "ftp://x", "--secret", goldenPhasioSecret},
		{"emit", "--provider", "phasio", "--url", closed, "--secret", "env:ORDERHOOKS_GOLDEN_UNSET"},
		{"emit", "--provider", "phasio", "--url", closed, "--secret", "file:" + filepath.Join(dir, "missing.secret")},
		{"emit", "--provider", "happycolis", "--url", closed, "--secret", "a", "--secret", "b"},
		with(emit, "--tamper", "NaN"),
		with(emit, "--tamper", "1.5"),
		with(emit, "--duplicate", "-0.1"),
		with(emit, "--tamper", "0.6", "--bad-signature", "0.6"),
		with(emit, "--delay", "-1s"),
		with(emit, "--concurrency", "0"),
		with(emit, "--rate", "-1"),
		with(emit, "--retries", "101"),
		with(emit, "--backoff", "-1s"),
		with(emit, "--timeout", "0s"),
		with(emit, "-H", "Bad Header"),
		with(emit, "-H", "Host: example.test"),
		with(emit, "--unblock"),
		with(emit, "--reorder", "0.5"),
		with(emit, "--in", events, "--orders", "3"),
		with(emit, "--scenario", "phasio/no-such-scenario"),
		with(emit, "--start", "yesterday"),
		with(emit, "--orders", "-1"),
		emit,
		{"emit", "--provider", "phasio", "--targets", filepath.Join(dir, "missing.yaml")},
		{"emit", "--provider", "phasio", "--targets", targets},
		{"emit", "--provider", "phasio", "--targets", targets, "--url", closed},
		{"replay"},
		with([]string{"replay", events}, "--provider", "phasio", "--url", closed, "--secret", goldenPhasioSecret, "--speed", "NaN"),
		with([]string{"replay", events}, "--exact", "--url", closed, "--tamper", "0.5"),
		with([]string{"replay", events}, "--provider", "phasio", "--url", closed, "--secret", goldenPhasioSecret, "--event", "ORDER_CREATED"),
		{"receive", "--provider", "phasio"},
		{"receive", "--provider", "phasio", "--secret", goldenPhasioSecret, "--trigger", "ORDER_CREATD"},
		{"receive", "--provider", "happycolis", "--secret", goldenHappyColisSecret, "--trigger", "ORDER"},
		{"receive", "--provider", "phasio", "--secret", goldenPhasioSecret, "--max-body", "0"},
		{"receive", "--provider", "phasio", "--secret", goldenPhasioSecret, "--max-conns", "0"},
		{"generate"},
		{"generate", "--provider", "standard"},
		{"generate", "--provider", "phasio", "--seed", "x"},
		{"validate"},
		{"validate", "--schema", "phasio/ordr"},
		{"validate", "--schema", "phasio/order", "--strict"},
		{"schema"},
		{"schema", "show", "phasio/ordr"},
		{"scenarios", "extra"},
		{"secret"},
		{"secret", "new"},
		{"secret", "new", "--provider", "phasi"},
		{"sign", "--provider", "phasio", "--secret", goldenPhasioSecret, "--id", "x"},
		{"sign", "--provider", "phasio", "--secret", goldenPhasioSecret, "--nonce", "zz"},
		{"sign", "--provider", "standard", "--secret", "whsec_!!", "--timestamp", "soon"},
		{"decrypt"},
		{"decrypt", "--secret", "short"},
		{"verify"},
		{"verify", "--provider", "phasio", "--url", closed},
		{"verify", "--provider", "phasio", "--url", closed, "--secret", "short"},
		{"verify", "--provider", "phasio", "--url", closed, "--secret", goldenPhasioSecret, "--only", "rejects-bad-signatur"},
		{"verify", "--provider", "phasio", "--url", closed, "--secret", goldenPhasioSecret, "--compare", "/orderId"},
		{"verify", "--provider", "phasio", "--url", closed, "--secret", goldenPhasioSecret, "--slo", "0s"},
		{"verify", "--provider", "phasio", "--url", closed, "--secret", goldenPhasioSecret, "--report", "xml=out.xml"},
		{"verify", "--provider", "phasio", "--url", closed, "--secret", goldenPhasioSecret, "--only", "rejects-bad-sig"},
		{"verify", "--provider", "phasio", "--url", closed, "--secret", goldenPhasioSecret, "--report", "json=" + filepath.Join(dir, "missing", "r.json")},
		{"verify", "--provider", "phasio", "--url", closed, "--secret", goldenPhasioSecret, "--timeout", "200ms"},
		{"demo", "--orders", "0"},
	}
	var b strings.Builder
	for _, args := range cases {
		_, errOut, code := runCmd(t, "", args...)
		hide := strings.NewReplacer(dir, "$TMP", goldenPhasioSecret, "$PHASIO_SECRET", goldenHappyColisSecret, "$HAPPYCOLIS_SECRET")
		fmt.Fprintf(&b, "$ orderhooks %s\n[%d] %s\n", hide.Replace(strings.Join(args, " ")), code, hide.Replace(strings.TrimRight(errOut, "\n")))
	}
	golden(t, "TestErrorsGolden.golden.txt", b.String())
}
