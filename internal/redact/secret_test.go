package redact

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
)

func TestSecretForms(t *testing.T) {
	key := []byte("0123456789abcdef0123456789ABCDEF") // 32 bytes
	tests := []struct {
		name, secret string
		echoes       []string
	}{
		{"standard", "whsec_" + base64.StdEncoding.EncodeToString(key), []string{
			base64.StdEncoding.EncodeToString(key), hex.EncodeToString(key), strings.ToUpper(hex.EncodeToString(key)),
			base64.RawURLEncoding.EncodeToString(key), string(key)}},
		{"phasio", base64.RawURLEncoding.EncodeToString(key), []string{
			base64.StdEncoding.EncodeToString(key), base64.URLEncoding.EncodeToString(key), hex.EncodeToString(key), string(key)}},
		{"hex client secret", hex.EncodeToString(key), []string{base64.StdEncoding.EncodeToString(key), string(key)}},
		{"plain client secret", "hc_test_client_secret", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, echo := range append([]string{tt.secret}, tt.echoes...) {
				got := Secrets("receiver said: "+echo+".", tt.secret)
				if got != "receiver said: [secret]." {
					t.Errorf("echo %q: %q", echo, got)
				}
			}
			for _, f := range SecretForms(tt.secret) {
				if len(f) < minSecretForm && f != tt.secret {
					t.Errorf("form %q shorter than %d", f, minSecretForm)
				}
			}
		})
	}
	if got := Secrets("short: abc", "abc"); got != "short: abc" {
		t.Errorf("a 3-character secret redacted ordinary text: %q", got)
	}
	if got := Secrets("short: abcde", "abcde"); got != "short: [secret]" {
		t.Errorf("a 5-character secret kept: %q", got)
	}
}
