package mdtext

import "testing"

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"plain text, 12.50":                       "plain text, 12.50",
		"<webhook-id>.<webhook-timestamp>.<body>": `\<webhook-id\>.\<webhook-timestamp\>.\<body\>`,
		"nonce || ciphertext || tag":              `nonce \|\| ciphertext \|\| tag`,
		"ORDER_UPDATED *and* `code` a\\b":         "ORDER\\_UPDATED \\*and\\* \\`code\\` a\\\\b",
	} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}
