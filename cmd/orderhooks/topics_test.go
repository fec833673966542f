package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/wire"
)

// TestHelpWire prints every profile's wire format, or one, from
// wire.Formats: every header name and secret description appears.
func TestHelpWire(t *testing.T) {
	all, _, code := runCmd(t, "", "help", "wire")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, f := range wire.Formats() {
		one, errOut, code := runCmd(t, "", "help", "wire", f.Provider)
		if code != exitOK || !strings.Contains(all, one) {
			t.Fatalf("help wire %s: exit %d %s", f.Provider, code, errOut)
		}
		for _, s := range []string{f.Title, f.Secret, f.SignedInput} {
			if !strings.Contains(one, s) {
				t.Errorf("help wire %s does not say %q", f.Provider, s)
			}
		}
		for _, h := range f.Headers {
			if !strings.Contains(one, h.Name) {
				t.Errorf("help wire %s does not name %s", f.Provider, h.Name)
			}
		}
	}
	for _, args := range [][]string{{"help", "wire", "phasi"}, {"help", "wire", "phasio", "extra"}} {
		_, errOut, code := runCmd(t, "", args...)
		if code != exitUsage || !strings.Contains(errOut, "phasio") {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
	}
}

// TestScenariosShow: every built-in scenario printed by `scenarios show`
// and read back as a file generates the same events, byte for byte, as
// the built-in itself.
func TestScenariosShow(t *testing.T) {
	dir := t.TempDir()
	for _, s := range generator.Scenarios() {
		t.Run(s.Name, func(t *testing.T) {
			file, errOut, code := runCmd(t, "", "scenarios", "show", s.Name)
			if code != exitOK || !strings.HasPrefix(file, "#") {
				t.Fatalf("exit %d %s: %.60q", code, errOut, file)
			}
			path := filepath.Join(dir, strings.ReplaceAll(s.Name, "/", "-")+".yaml")
			if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
				t.Fatal(err)
			}
			want, _, _ := runCmd(t, "", "generate", "--provider", s.Provider, "--scenario", s.Name, "--orders", "3")
			got, errOut, code := runCmd(t, "", "generate", "--provider", s.Provider, "--scenario", path, "--orders", "3")
			if code != exitOK || got != want || want == "" {
				t.Fatalf("the shown file generates other events (exit %d %s)", code, errOut)
			}
		})
	}
	for _, args := range [][]string{{"scenarios", "show"}, {"scenarios", "show", "phasio/quote-to-pai"}, {"scenarios", "shw"}} {
		_, errOut, code := runCmd(t, "", args...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
	}
	if _, errOut, _ := runCmd(t, "", "scenarios", "show", "phasio/quote-to-pai"); !strings.Contains(errOut, `did you mean "phasio/quote-to-paid"`) {
		t.Errorf("no suggestion: %q", errOut)
	}
}
