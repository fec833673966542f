package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemo runs the demo end to end: it must pass its own contract suite,
// leave complete recordings, and never print a secret.
func TestDemo(t *testing.T) {
	dir := t.TempDir()
	out, errOut, code := runCmd(t, "", "demo", "--dir", dir)
	if code != exitOK {
		t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{"phasio contract suite", "happycolis contract suite", "Recordings", "accepts-valid-lifecycle"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	for _, p := range demoProviders {
		secret, err := os.ReadFile(filepath.Join(dir, p+".secret"))
		if err != nil {
			t.Fatal(err)
		}
		if s := strings.TrimSpace(string(secret)); strings.Contains(out+errOut, s) {
			t.Errorf("the %s secret appears in the output", p)
		}
		if info, err := os.Stat(filepath.Join(dir, p+".secret")); err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("%s.secret: mode %v, %v; want 0600", p, info.Mode().Perm(), err)
		}
		for _, f := range []string{p + "-sent.jsonl", p + "-received.jsonl"} {
			if n := jsonLines(t, filepath.Join(dir, f)); n < 10 {
				t.Errorf("%s: %d records, want at least 10", f, n)
			}
		}
	}
}

// jsonLines counts the lines of a JSONL file, failing on any that is not
// a JSON object.
func jsonLines(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	n := 0
	for sc.Scan() {
		var v map[string]any
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("%s:%d: %v", path, n+1, err)
		}
		n++
	}
	return n
}

func TestDemoUsage(t *testing.T) {
	_, errOut, code := runCmd(t, "", "demo", "--orders", "0")
	if code != exitUsage || !strings.Contains(errOut, "--orders") {
		t.Fatalf("exit %d, stderr %q; want 2 naming --orders", code, errOut)
	}
}
