package safefile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPending(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}

	p, err := CreatePending(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.WriteString("new"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("before Commit the path holds %q, want the earlier file", b)
	}
	if err := p.Commit(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Errorf("after Commit the path holds %q", b)
	}

	d, err := CreatePending(path)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = d.WriteString("dropped")
	d.Discard()
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Errorf("after Discard the path holds %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

// TestPendingErrors: each error names the path the user gave and what is
// wrong with it, never the temporary file.
func TestPendingErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, path, want string
	}{
		{"missing directory", filepath.Join(dir, "nope", "r.json"), "r.json: no such directory " + filepath.Join(dir, "nope")},
		{"a directory", dir, dir + ": is a directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := WriteFile(tc.path, []byte("x"))
			if err == nil || !strings.HasSuffix(err.Error(), tc.want) || strings.Contains(err.Error(), ".tmp") {
				t.Errorf("error %v, want one ending %q and no temporary name", err, tc.want)
			}
		})
	}
	if os.Geteuid() != 0 {
		ro := filepath.Join(dir, "ro")
		if err := os.Mkdir(ro, 0o555); err != nil {
			t.Fatal(err)
		}
		err := WriteFile(filepath.Join(ro, "r.json"), []byte("x"))
		if err == nil || !strings.Contains(err.Error(), "cannot write in "+ro) {
			t.Errorf("read-only directory: %v", err)
		}
	}
}
