// Package redact keeps credentials out of everything orderhooks prints or
// records: a receiver URL's userinfo (https://user:password@host/…) is
// shown as "redacted@", whatever the URL's shape.
package redact

import "strings"

// Placeholder replaces a URL's userinfo.
const Placeholder = "redacted"

// URL returns raw with its userinfo, if any, replaced by Placeholder. It
// works on the text, not on a parse, so a URL that does not parse is
// redacted too.
func URL(raw string) string {
	i := strings.Index(raw, "://")
	if i < 0 {
		if strings.HasPrefix(raw, "//") {
			i = -1 // scheme-relative
		} else {
			return raw
		}
	}
	start := i + 3
	if i < 0 {
		start = 2
	}
	authority := raw[start:]
	if end := strings.IndexAny(authority, "/?#"); end >= 0 {
		authority = authority[:end]
	}
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return raw
	}
	return raw[:start] + Placeholder + raw[start+at:]
}

// Text redacts every URL's userinfo in a longer text (an error message
// quoting a URL).
func Text(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "://")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		// The URL's scheme starts after the last separator before "://".
		j := strings.LastIndexAny(s[:i], " \t\"'(<=,;") + 1
		b.WriteString(s[:j])
		// The URL ends at white space or a quote; userinfo may hold any
		// other character a URL allows, ')' and '\'' included.
		end := i + 3 + strings.IndexAny(s[i+3:]+" ", " \t\n\"<>")
		b.WriteString(URL(s[j:end]))
		s = s[end:]
	}
}
