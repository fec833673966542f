package emitter

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSaveSecret: a new file is 0600; an existing 0600 file is rewritten;
// a looser file, a symbolic link (even to a 0600 file) and a directory are
// refused and left as they were.
func TestSaveSecret(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const secret = "s3cret-value"
	fresh := filepath.Join(dir, "fresh.secret")
	if err := SaveSecret(fresh, secret); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(fresh); st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %04o", st.Mode().Perm())
	}
	if err := SaveSecret(fresh, "second"); err != nil {
		t.Fatalf("rewriting a 0600 file: %v", err)
	}
	if b, _ := os.ReadFile(fresh); string(b) != "second\n" {
		t.Fatalf("content %q", b)
	}
	loose := filepath.Join(dir, "loose.secret")
	os.WriteFile(loose, []byte("old\n"), 0o644)
	os.Chmod(loose, 0o644)
	target := filepath.Join(dir, "target")
	os.WriteFile(target, []byte("keep\n"), 0o600)
	link := filepath.Join(dir, "link.secret")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub.secret")
	os.Mkdir(sub, 0o700)
	for _, tt := range []struct{ path, want string }{
		{loose, "has mode 0644"},
		{link, "symbolic link"},
		{sub, "is a directory"},
	} {
		err := SaveSecret(tt.path, secret)
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), secret) {
			t.Errorf("%s: %v, want an error with %q", tt.path, err, tt.want)
		}
		if tt.path != sub && !errors.Is(err, ErrSecretFile) {
			t.Errorf("%s: %v does not wrap ErrSecretFile", tt.path, err)
		}
	}
	if b, _ := os.ReadFile(loose); string(b) != "old\n" {
		t.Fatalf("the loose file was changed: %q", b)
	}
	if b, _ := os.ReadFile(target); string(b) != "keep\n" {
		t.Fatalf("the link's target was changed: %q", b)
	}
}
