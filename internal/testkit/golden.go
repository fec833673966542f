package testkit

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// Update is the -update flag of every test binary that imports testkit:
// golden files are rewritten instead of compared.
var Update = flag.Bool("update", false, "rewrite the golden files under testdata/ instead of comparing")

// Golden compares got with testdata/name (by convention
// "<TestName>.golden.<ext>"), or writes it there under -update.
func Golden(t testing.TB, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *Update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("output differs from %s (run go test -update after checking the diff):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// GoldenJSON is Golden of text followed by v as indented JSON, in
// testdata/<test name>.golden.json.
func GoldenJSON(t testing.TB, v any, text string) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	Golden(t, t.Name()+".golden.json", []byte(text+string(b)+"\n"))
}
