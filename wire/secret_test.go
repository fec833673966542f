package wire

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
)

// TestResolveSecret reads literals, env:NAME and file:PATH; errors name
// the variable or file but never the value.
func TestResolveSecret(t *testing.T) {
	const value = "s3cr3t-value"
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	withNL, crlf, empty := write("nl", value+"\n"), write("crlf", value+"\r\n"), write("empty", "\n")
	env := map[string]string{"HOOK_SECRET": value}
	tests := []struct {
		spec, want, errHas string
	}{
		{value, value, ""},
		{"env:HOOK_SECRET", value, ""},
		{"env:NOT_SET", "", "NOT_SET"},
		{"file:" + withNL, value, ""},
		{"file:" + crlf, value, ""},
		{"file:" + empty, "", empty},
		{"file:" + filepath.Join(dir, "missing"), "", "missing"},
		{"", "", "secret: none given"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := ResolveSecret(tt.spec, func(k string) string { return env[k] })
			if tt.errHas == "" {
				if err != nil || got != tt.want {
					t.Fatalf("got %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			if !errors.Is(err, ErrBadSecret) || !strings.Contains(err.Error(), tt.errHas) {
				t.Fatalf("err %v, want ErrBadSecret naming %q", err, tt.errHas)
			}
			if strings.Contains(err.Error(), value) {
				t.Fatalf("error %q contains the secret", err)
			}
		})
	}
}

// TestNewSecret: each provider's secret is accepted by its profile, and
// the source decides it.
func TestNewSecret(t *testing.T) {
	tests := []struct {
		provider string
		length   int
		prefix   string
	}{
		{generator.ProviderPhasio, 43, ""},
		{generator.ProviderHappyColis, 64, ""},
		{ProviderStandard, 6 + 32, "whsec_"},
	}
	for _, tt := range tests {
		t.Run(tt.provider, func(t *testing.T) {
			s, err := NewSecret(tt.provider, testkit.Rand(5))
			if err != nil {
				t.Fatal(err)
			}
			if len(s) != tt.length || !strings.HasPrefix(s, tt.prefix) {
				t.Fatalf("secret of %d characters %q…, want %d starting %q", len(s), s[:8], tt.length, tt.prefix)
			}
			if same, _ := NewSecret(tt.provider, testkit.Rand(5)); same != s {
				t.Fatal("same source, different secret")
			}
			if other, _ := NewSecret(tt.provider, testkit.Rand(6)); other == s {
				t.Fatal("different sources, same secret")
			}
			if _, err := New(tt.provider, []string{s}); err != nil {
				t.Fatalf("the profile rejects the new secret: %v", err)
			}
		})
	}
	if _, err := NewSecret("shopify", testkit.Rand(1)); !errors.Is(err, ErrUnknownProvider) {
		t.Fatalf("unknown provider: %v", err)
	}
	if _, err := NewSecret(generator.ProviderPhasio, strings.NewReader("short")); err == nil {
		t.Fatal("a short source gave a secret")
	}
}
