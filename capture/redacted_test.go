package capture

import (
	"path/filepath"
	"testing"

	"github.com/orderhooks/orderhooks/internal/redact"
	"github.com/orderhooks/orderhooks/internal/testkit"
)

// TestNeverPrintSalt: a store shows [redacted], never its salt (the key
// of its pseudonyms), under every fmt verb, String, GoString, JSON and
// slog.
func TestNeverPrintSalt(t *testing.T) {
	t.Parallel()
	s := openStore(t, filepath.Join(t.TempDir(), "c.db"))
	if len(s.salt) == 0 {
		t.Fatal("no salt loaded")
	}
	testkit.SecretPromise(t, s, redact.Mark, string(s.salt))
}
