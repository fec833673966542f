package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/generator"
)

// TestGenerateGolden guards reproducibility: generate --seed 1 of every
// built-in scenario, byte for byte (refresh with go test -update).
func TestGenerateGolden(t *testing.T) {
	for _, s := range generator.Scenarios() {
		t.Run(s.Name, func(t *testing.T) {
			out, errOut, code := runCmd(t, "", "generate", "--provider", s.Provider, "--scenario", s.Name, "--seed", "1")
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if n := strings.Count(out, "\n"); n != len(s.Steps)*max(1, s.Orders) {
				t.Fatalf("%d lines, want %d", n, len(s.Steps)*max(1, s.Orders))
			}
			golden(t, "TestGenerateGolden_"+strings.ReplaceAll(s.Name, "/", "-")+".golden.jsonl", out)
		})
	}
}

func TestScenariosGolden(t *testing.T) {
	out, errOut, code := runCmd(t, "", "scenarios")
	if code != exitOK || !strings.Contains(out, "phasio/quote-to-paid") {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	golden(t, "TestScenariosGolden.golden.txt", out)
}

func TestGenerate(t *testing.T) {
	dir := t.TempDir()
	scenario := filepath.Join(dir, "mine.yaml")
	if err := os.WriteFile(scenario, []byte("version: 1\nname: mine\nprovider: happycolis\nsteps:\n  - {event: order/created, action: create}\n  - {event: order/cancelled, action: cancel}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(dir, "broken.yaml")
	if err := os.WriteFile(broken, []byte("version: 1\nname: b\nprovider: phasio\nsteps:\n  - {event: ORDER_CREATED, action: pay}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		args  []string
		code  int
		lines int
		want  string // in stdout (exit 0) or stderr
	}{
		{"single orders", []string{"--provider", "phasio", "--orders", "25"}, exitOK, 25, `"event":"ORDER"`},
		{"happycolis", []string{"--provider", "happycolis", "--orders", "3", "--seed", "4"}, exitOK, 3, `"event":"order/created"`},
		{"scenario file", []string{"--provider", "happycolis", "--scenario", scenario, "--orders", "2"}, exitOK, 4, `"event":"order/cancelled"`},
		{"batch scenario, orders rounded to runs", []string{"--provider", "phasio", "--scenario", "phasio/batch-update", "--orders", "7"}, exitOK, 21, `"step":"bulk-move"`},
		{"edge", []string{"--provider", "phasio", "--edge"}, exitOK, 7, `"variant":"edge"`},
		{"drift", []string{"--provider", "happycolis", "--drift", "--orders", "2"}, exitOK, 2, `"label":"drift: `},
		{"kanban", []string{"--provider", "phasio", "--scenario", "phasio/precommitted", "--kanban", "Queued,Printing,Finishing"}, exitOK, 5, `"kanbanColumnName":"Finishing"`},
		{"no kanban", []string{"--provider", "phasio", "--orders", "20", "--kanban", "none"}, exitOK, 20, `"kanbanColumnName":null`},
		{"start", []string{"--provider", "phasio", "--start", "2031-02-03T04:05:06Z"}, exitOK, 1, `"createdDate":"2031-02-03T04:05:06"`},
		{"no provider", nil, exitUsage, 0, "--provider is required"},
		{"unknown provider", []string{"--provider", "shopify"}, exitUsage, 0, `--provider shopify: not one of phasio, happycolis`},
		{"unknown scenario", []string{"--provider", "phasio", "--scenario", "phasio/nope"}, exitUsage, 0, `--scenario phasio/nope: not a built-in`},
		{"broken scenario file", []string{"--provider", "phasio", "--scenario", broken}, exitUsage, 0, "broken.yaml: /steps/0/event: value must be one of"},
		{"scenario of the other provider", []string{"--provider", "phasio", "--scenario", "happycolis/fulfilment"}, exitUsage, 0, "--scenario happycolis/fulfilment: a happycolis scenario, not a phasio one (--provider)"},
		{"edge and drift", []string{"--provider", "phasio", "--edge", "--drift"}, exitUsage, 0, "exclude each other"},
		{"bad start", []string{"--provider", "phasio", "--start", "yesterday"}, exitUsage, 0, `--start "yesterday"`},
		{"board too short", []string{"--provider", "phasio", "--scenario", "phasio/quote-to-paid", "--kanban", "A,B"}, exitUsage, 0, "already in the last column"},
		{"argument", []string{"--provider", "phasio", "extra"}, exitUsage, 0, `unexpected argument "extra"`},
		{"bad out", []string{"--provider", "phasio", "--out", filepath.Join(dir, "no", "such", "dir.jsonl")}, exitUsage, 0, "--out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCmd(t, "", append([]string{"generate"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, errOut)
			}
			if code != exitOK {
				if !strings.Contains(errOut, tt.want) || strings.Count(errOut, "\n") != 1 {
					t.Fatalf("stderr %q, want one line containing %q", errOut, tt.want)
				}
				return
			}
			if n := strings.Count(out, "\n"); n != tt.lines || !strings.Contains(out, tt.want) {
				t.Fatalf("%d lines, want %d containing %q:\n%.600s", n, tt.lines, tt.want, out)
			}
			var evs int
			if err := generator.ReadEvents(strings.NewReader(out), func(generator.Event) error { evs++; return nil }); err != nil || evs != tt.lines {
				t.Fatalf("output does not read back as %d events: %v", tt.lines, err)
			}
		})
	}
}

// TestGenerateOut: --out writes the same bytes as stdout; the seed flag
// and the scenario's seed agree on the default.
func TestGenerateOut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.jsonl")
	stdout, _, code := runCmd(t, "", "generate", "--provider", "phasio", "--scenario", "phasio/po-invoice", "--seed", "1")
	if code != exitOK {
		t.Fatal(code)
	}
	if _, errOut, code := runCmd(t, "", "generate", "--provider", "phasio", "--scenario", "phasio/po-invoice", "-o", path); code != exitOK {
		t.Fatal(errOut)
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, []byte(stdout)) {
		t.Fatalf("--out file differs from stdout (%v)", err)
	}
	other, _, _ := runCmd(t, "", "generate", "--provider", "phasio", "--scenario", "phasio/po-invoice", "--seed", "2")
	if other == stdout {
		t.Fatal("--seed 2 gave the output of seed 1")
	}
}

// TestGenerateProgress: a progress line on a terminal when the events go
// to a file; nothing when stderr is not a terminal or the events go to it.
func TestGenerateProgress(t *testing.T) {
	for _, tt := range []struct {
		name string
		tty  bool
		out  string
		want bool
	}{
		{"tty, file", true, "events.jsonl", true},
		{"not a tty", false, "events.jsonl", false},
		{"tty, stdout", true, "-", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := tt.out
			if out != "-" {
				out = filepath.Join(t.TempDir(), out)
			}
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"generate", "--provider", "phasio", "--orders", "300", "--out", out},
				&env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, tty: tt.tty, getenv: func(string) string { return "" }})
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			got := strings.Contains(stderr.String(), "generated 300 events")
			if got != tt.want {
				t.Fatalf("progress shown %v, want %v (stderr %q)", got, tt.want, stderr.String())
			}
		})
	}
}
