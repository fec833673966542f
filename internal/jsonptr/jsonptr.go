// Package jsonptr is the one implementation of JSON Pointers (RFC 6901) in
// orderhooks: parsing with one rule set, formatting, escaping, the array
// index rule, and lookups in decoded documents.
package jsonptr

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Pointer is a parsed JSON pointer: its reference tokens, unescaped. The
// empty (nil) Pointer is the whole document.
type Pointer []string

// Error says why a text is not a JSON pointer.
type Error struct {
	// Pointer is the text as given.
	Pointer string
	// Reason says what is wrong with it.
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("%q: %s", e.Pointer, e.Reason) }

// Parse parses an RFC 6901 pointer: "" is the whole document; anything
// else starts with "/"; "~" appears only as "~0" (a "~") or "~1" (a "/").
func Parse(s string) (Pointer, error) {
	if s == "" {
		return nil, nil
	}
	if s[0] != '/' {
		return nil, &Error{s, "must be empty or start with /"}
	}
	toks := strings.Split(s[1:], "/")
	for i, t := range toks {
		u, ok := unescape(t)
		if !ok {
			return nil, &Error{s, "~ must be followed by 0 or 1"}
		}
		toks[i] = u
	}
	return toks, nil
}

// ParseFragment parses a pointer in a URI fragment (RFC 6901 §6), as in
// "#/components/schemas/a%20b": "#" is optional, %XX are decoded first.
func ParseFragment(f string) (Pointer, error) {
	f = strings.TrimPrefix(f, "#")
	s, err := url.PathUnescape(f)
	if err != nil {
		return nil, &Error{f, "bad percent-encoding"}
	}
	return Parse(s)
}

// unescape turns ~1 into / and ~0 into ~; a lone ~ is an error.
func unescape(t string) (string, bool) {
	if !strings.Contains(t, "~") {
		return t, true
	}
	var b strings.Builder
	for i := 0; i < len(t); i++ {
		if t[i] != '~' {
			b.WriteByte(t[i])
			continue
		}
		if i+1 == len(t) || (t[i+1] != '0' && t[i+1] != '1') {
			return "", false
		}
		b.WriteByte("~/"[t[i+1]-'0'])
		i++
	}
	return b.String(), true
}

// Escape escapes one reference token: "~" as "~0", then "/" as "~1".
func Escape(tok string) string {
	if !strings.ContainsAny(tok, "~/") {
		return tok
	}
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
}

// String formats p: "" for the whole document, else "/tok/tok".
func (p Pointer) String() string {
	var b strings.Builder
	for _, t := range p {
		b.WriteByte('/')
		b.WriteString(Escape(t))
	}
	return b.String()
}

// Append returns p with tokens added, sharing nothing with p.
func (p Pointer) Append(tok ...string) Pointer {
	out := make(Pointer, 0, len(p)+len(tok))
	return append(append(out, p...), tok...)
}

// Join is the pointer of a member of the value at parent: parent + "/" +
// the escaped token.
func Join(parent, tok string) string { return parent + "/" + Escape(tok) }

// Index reads an array index token for an array of n items: "0" or a
// decimal without leading zeros, less than n. With end, n itself and "-"
// (the position after the last item) are accepted too, as n.
func Index(tok string, n int, end bool) (int, bool) {
	if tok == "-" {
		if !end {
			return 0, false
		}
		return n, true
	}
	if tok == "" || (len(tok) > 1 && tok[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(tok); i++ {
		if tok[i] < '0' || tok[i] > '9' {
			return 0, false
		}
	}
	i, err := strconv.Atoi(tok)
	if err != nil || i > n || (i == n && !end) {
		return 0, false
	}
	return i, true
}

// Members is an object that keeps its members its own way (jsontree's
// ordered Object): Get returns the member named key.
type Members interface {
	Get(key string) (any, bool)
}

// Get returns the value at p in a document decoded into map[string]any
// (encoding/json) or Members objects, and []any, and whether it is there.
func Get(doc any, p Pointer) (any, bool) {
	v := doc
	for _, t := range p {
		switch x := v.(type) {
		case map[string]any:
			next, ok := x[t]
			if !ok {
				return nil, false
			}
			v = next
		case Members:
			next, ok := x.Get(t)
			if !ok {
				return nil, false
			}
			v = next
		case []any:
			i, ok := Index(t, len(x), false)
			if !ok {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}
