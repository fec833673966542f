package redact

import (
	"cmp"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strings"
)

// minSecret is the shortest secret, and minSecretForm the shortest other
// form of one, that SecretForms returns: shorter strings would redact
// ordinary text.
const (
	minSecret     = 4
	minSecretForm = 8
)

// SecretForms returns the forms in which secret may be echoed back by a
// receiver, longest first, so each can be replaced: the secret string;
// without a "whsec_" prefix; and, when that decodes as base64 (standard or
// URL alphabet, padded or not) or hex to at least 16 bytes, the key bytes
// themselves, in lower- and upper-case hex and in every base64 variant.
// A secret under 4 characters, and other forms under 8, are left out.
func SecretForms(secret string) []string {
	var forms []string
	add := func(s string) {
		if len(s) >= minSecretForm && !slices.Contains(forms, s) {
			forms = append(forms, s)
		}
	}
	if len(secret) >= minSecret && len(secret) < minSecretForm {
		forms = append(forms, secret)
	}
	add(secret)
	text := strings.TrimPrefix(secret, "whsec_")
	add(text)
	for _, key := range Keys(secret) {
		add(string(key))
		add(hex.EncodeToString(key))
		add(strings.ToUpper(hex.EncodeToString(key)))
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			add(enc.EncodeToString(key))
		}
	}
	slices.SortStableFunc(forms, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return forms
}

// Keys returns the key bytes secret may stand for: what it decodes to,
// without a "whsec_" prefix, of at least 16 bytes, as hex or base64 in
// any alphabet and padding.
func Keys(secret string) [][]byte {
	text := strings.TrimPrefix(secret, "whsec_")
	var out [][]byte
	if b, err := hex.DecodeString(text); err == nil && len(b) >= 16 {
		out = append(out, b)
	}
	unpadded := strings.TrimRight(text, "=")
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(unpadded); err == nil && len(b) >= 16 {
			out = append(out, b)
		}
	}
	return out
}

// Secrets replaces every form of each secret (SecretForms) in s with
// "[secret]".
func Secrets(s string, secrets ...string) string {
	var forms []string
	for _, sec := range secrets {
		forms = append(forms, SecretForms(sec)...)
	}
	slices.SortStableFunc(forms, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	for _, f := range forms {
		s = strings.ReplaceAll(s, f, "[secret]")
	}
	return s
}
