package inspect_test

import (
	"path/filepath"
	"testing"

	"github.com/orderhooks/orderhooks/capture"
	"github.com/orderhooks/orderhooks/inspect"
	"github.com/orderhooks/orderhooks/internal/redact"
	"github.com/orderhooks/orderhooks/internal/testkit"
)

// TestNeverPrintToken: an inspector shows [redacted], never its token,
// under every fmt verb, String, GoString, JSON and slog.
func TestNeverPrintToken(t *testing.T) {
	t.Parallel()
	s, err := capture.Open(filepath.Join(t.TempDir(), "capture.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const token = "tok-0123456789abcdef0123456789"
	in, err := inspect.New(s, "0.0.0.0:0", inspect.WithToken(token))
	if err != nil {
		t.Fatal(err)
	}
	testkit.SecretPromise(t, in, redact.Mark, token)
}
