package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/internal/testkit"
)

// splitRequest parses sign's output: headers (name → value) and the body.
func splitRequest(t *testing.T, out string) (map[string]string, string) {
	t.Helper()
	head, body, ok := strings.Cut(out, "\r\n\r\n")
	lines := strings.Split(head, "\r\n")
	if !ok || lines[0] != "POST / HTTP/1.1" {
		t.Fatalf("not an HTTP request:\n%q", out)
	}
	h := map[string]string{}
	for _, l := range lines[1:] {
		k, v, ok := strings.Cut(l, ": ")
		if !ok {
			t.Fatalf("header line %q", l)
		}
		h[strings.ToLower(k)] = v
	}
	return h, body
}

// TestSignVectors: sign prints, byte for byte, the body and signature of
// every known-answer vector of the three providers; --explain adds the
// steps and never the secret.
func TestSignVectors(t *testing.T) {
	type tc struct {
		name, provider, secret, payload string
		flags                           []string
		body, header, signature         string
	}
	var cases []tc
	for _, v := range testkit.Vectors(t)["phasio"].Valid {
		cases = append(cases, tc{"phasio/" + v.Name, "phasio", v.Secret, v.Plaintext, []string{"--nonce", v.NonceHex}, v.Body, "x-phasio-signature", v.PhasioSignature})
	}
	for _, v := range testkit.Vectors(t)["happycolis"].Valid {
		cases = append(cases, tc{"happycolis/" + v.Name, "happycolis", v.ClientSecret, v.Body, nil, v.Body, "x-happycolis-webhook-signature", v.HCSignature})
	}
	for _, v := range testkit.Vectors(t)["standard"].Valid {
		cases = append(cases, tc{"standard/" + v.Name, "standard", v.Secret, v.Body, []string{"--id", v.WebhookID, "--timestamp", v.WebhookTimestamp}, v.Body, "webhook-signature", v.WebhookSignature})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "payload.json")
			if err := os.WriteFile(file, []byte(c.payload+"\n"), 0o600); err != nil { // an editor's newline
				t.Fatal(err)
			}
			args := append([]string{"sign", "--provider", c.provider, "--secret", "env:SIGN_SECRET"}, c.flags...)
			vars := map[string]string{"SIGN_SECRET": c.secret}
			out, errOut, code := runCmdEnv(t, t.Context(), "", vars, append(args, file)...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			h, body := splitRequest(t, out)
			if body != c.body {
				t.Errorf("body\n got %s\nwant %s", body, c.body)
			}
			if h[c.header] != c.signature || h["content-length"] != itoa(len(c.body)) || h["content-type"] != "application/json" {
				t.Errorf("headers %v, want %s: %s", h, c.header, c.signature)
			}
			// The same from stdin, explained.
			explained, errOut, code := runCmdEnv(t, t.Context(), c.payload, vars, append(args, "--explain", "-")...)
			if code != exitOK {
				t.Fatalf("--explain: exit %d: %s", code, errOut)
			}
			steps, request, _ := strings.Cut(explained, "\n\n")
			if request != out || strings.Contains(explained, c.secret) {
				t.Errorf("--explain: the request differs or the secret shows:\n%s", explained)
			}
			for _, want := range []string{"HMAC key: ", "signed input: ", "digest: HMAC-SHA256: ", "encoding: "} {
				if !strings.Contains(steps, want) {
					t.Errorf("--explain lacks %q:\n%s", want, steps)
				}
			}
		})
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestSignUsageErrors(t *testing.T) {
	const secret = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
	tests := []struct {
		name  string
		args  []string
		stdin string
		want  string
	}{
		{"no provider", []string{"--secret", secret}, "{}", "--provider is required"},
		{"no secret", []string{"--provider", "phasio"}, "{}", "--secret is required"},
		{"nonce for happycolis", []string{"--provider", "happycolis", "--secret", "s", "--nonce", "000102030405060708090a0b"}, "{}", "--nonce does not apply to --provider happycolis (only to phasio)"},
		{"id for phasio", []string{"--provider", "phasio", "--secret", secret, "--id", "x"}, "{}", "--id does not apply to --provider phasio"},
		{"timestamp for happycolis", []string{"--provider", "happycolis", "--secret", "s", "--timestamp", "1700000000"}, "{}", "--timestamp does not apply"},
		{"bad nonce", []string{"--provider", "phasio", "--secret", secret, "--nonce", "00"}, "{}", `--nonce "00": want 12 bytes in hex`},
		{"bad timestamp", []string{"--provider", "standard", "--secret", "whsec_c2VjcmV0", "--timestamp", "yesterday"}, "{}", `--timestamp "yesterday"`},
		{"bad secret", []string{"--provider", "phasio", "--secret", "c2hvcnQ"}, "{}", "--secret: "},
		{"not JSON", []string{"--provider", "phasio", "--secret", secret}, "{", "<stdin>: wire: cannot sign: the payload is not JSON"},
		{"not an envelope", []string{"--provider", "happycolis", "--secret", "s"}, `{"orderId":1}`, "<stdin>: wire: cannot sign: not a HappyColis payload: no header object"},
		{"empty input", []string{"--provider", "phasio", "--secret", secret}, "", "empty input"},
		{"two inputs", []string{"--provider", "phasio", "--secret", secret, "a", "b"}, "", "one input at most"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCmd(t, tt.stdin, append([]string{"sign"}, tt.args...)...)
			if code != exitUsage || !strings.Contains(errOut, tt.want) || out != "" {
				t.Errorf("exit %d, stdout %q, stderr %q: want 2 and %q", code, out, errOut, tt.want)
			}
			if strings.Contains(errOut, secret) || strings.Contains(errOut, "c2hvcnQ") {
				t.Errorf("the secret was printed: %s", errOut)
			}
		})
	}
}
