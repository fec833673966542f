package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/internal/testkit"
)

// loadPhasioVectors returns the Phasio known-answer vectors.
func loadPhasioVectors(t *testing.T) testkit.VectorFile { return testkit.Vectors(t)["phasio"] }

// TestDecryptVectors decrypts every valid vector from a file, from stdin
// and as a bare string, with and without its signature, and rejects every
// invalid one with its named reason (exit 1, or 2 for a bad secret). The
// secret never appears in the output.
func TestDecryptVectors(t *testing.T) {
	vs := loadPhasioVectors(t)
	dir := t.TempDir()
	for _, v := range vs.Valid {
		body := filepath.Join(dir, v.Name+".json")
		if err := os.WriteFile(body, []byte(v.Body), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			name, stdin string
			args        []string
		}{
			{"file with signature", "", []string{"--signature", v.PhasioSignature, body}},
			{"file", "", []string{body}},
			{"stdin body", v.Body, []string{"-"}},
			{"stdin bare string", v.EncryptedPayload + "\n", []string{"--signature", v.PhasioSignature}},
		} {
			t.Run(v.Name+"/"+tt.name, func(t *testing.T) {
				out, errOut, code := runCmdEnv(t, t.Context(), tt.stdin, map[string]string{"K": v.Secret},
					append([]string{"decrypt", "--secret", "env:K"}, tt.args...)...)
				if code != exitOK || out != v.Plaintext+"\n" {
					t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
				}
			})
		}
	}
	for _, v := range vs.Invalid {
		t.Run(v.Name, func(t *testing.T) {
			want := exitFailure
			if v.EncryptedPayload == "" {
				want = exitUsage
			}
			_, errOut, code := runCmd(t, v.EncryptedPayload, "decrypt", "--secret", v.Secret, "--signature", v.PhasioSignature)
			if code != want || !strings.Contains(errOut, "orderhooks decrypt: ") {
				t.Fatalf("exit %d, stderr %q; want %d", code, errOut, want)
			}
			reason := strings.TrimSpace(strings.TrimPrefix(errOut, "orderhooks decrypt: "))
			for _, what := range []string{"<stdin>: ", "--secret: "} {
				reason = strings.TrimPrefix(reason, what)
			}
			if !strings.Contains(v.Expect, reason) && !strings.Contains(reason, v.Expect) || strings.Contains(errOut, "wire:") {
				t.Fatalf("stderr %q does not name %q, or names a Go package", errOut, v.Expect)
			}
			if strings.Contains(errOut, v.Secret) {
				t.Fatal("the secret appears on stderr")
			}
		})
	}
}

// TestDecryptUsage covers flag and input errors (exit 2).
func TestDecryptUsage(t *testing.T) {
	secret := loadPhasioVectors(t).Valid[0].Secret
	tests := []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"no secret", "x", nil, "--secret is required"},
		{"unset env", "x", []string{"--secret", "env:NOPE"}, "NOPE"},
		{"two inputs", "", []string{"--secret", secret, "a", "b"}, "one input at most"},
		{"missing file", "", []string{"--secret", secret, "/nonexistent/body.json"}, "/nonexistent/body.json"},
		{"empty stdin", "", []string{"--secret", secret}, "empty input"},
		{"not base64url", "x", []string{"--secret", "not a key!"}, "not base64url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := runCmd(t, tt.stdin, append([]string{"decrypt"}, tt.args...)...)
			if code != exitUsage || !strings.Contains(errOut, tt.want) {
				t.Fatalf("exit %d, stderr %q; want 2 with %q", code, errOut, tt.want)
			}
			if strings.Contains(errOut, secret) || strings.Contains(errOut, "not a key!") {
				t.Fatal("the secret appears on stderr")
			}
		})
	}
}
