package redact

import (
	"strings"
	"testing"
)

// FuzzURL: the password of a URL never survives redaction, whatever the
// rest of the URL.
func FuzzURL(f *testing.F) {
	f.Add("https", "user", "s3cret-pw", "hooks.example/path?q=1")
	f.Add("http", "", "tok3n-only", "127.0.0.1:8080")
	f.Fuzz(func(t *testing.T, scheme, user, password, rest string) {
		if len(password) < 6 || !userinfo(user) || !userinfo(password) || strings.Contains(scheme+rest, password) ||
			strings.Contains(scheme, "://") || strings.ContainsAny(scheme+rest, " \t\n\"<>") {
			return
		}
		raw := scheme + "://" + user + ":" + password + "@" + rest
		if got := URL(raw); strings.Contains(got, password) {
			t.Fatalf("URL(%q) = %q", raw, got)
		}
		if got := Text("failed: " + raw + " (retrying)"); strings.Contains(got, password) {
			t.Fatalf("Text kept the password: %q", got)
		}
	})
}

// userinfo reports whether s uses only the characters RFC 3986 allows in
// a URL's userinfo (':' aside, the user:password separator).
func userinfo(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-._~!$&'()*+,;=%", c)) {
			return false
		}
	}
	return true
}
