// Package jsonw appends JSON values to byte slices, for the payload models
// that write their fields in the documented order: Struct writes a model
// from its declaration, the other functions write single values.
package jsonw

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/orderhooks/orderhooks/internal/jsonscan"
)

const hex = "0123456789abcdef"

// String appends s as a JSON string, escaped as encoding/json does with
// HTML escaping off (control characters, U+2028, U+2029, invalid UTF-8).
func String(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; ; {
		if i = jsonscan.PlainRun(s, i); i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// Key appends a comma unless this is the object's first member, then the
// quoted key and a colon. Keys are plain ASCII identifiers.
func Key(b []byte, key string) []byte {
	if n := len(b); n > 0 && b[n-1] != '{' && b[n-1] != '[' {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

// Comma appends a comma unless b ends an opening bracket (for array items).
func Comma(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] != '{' && b[n-1] != '[' {
		b = append(b, ',')
	}
	return b
}

// Null is the JSON null literal.
func Null(b []byte) []byte { return append(b, "null"...) }

// Bool appends true or false.
func Bool(b []byte, v bool) []byte { return strconv.AppendBool(b, v) }

// Int appends an integer.
func Int(b []byte, v int64) []byte { return strconv.AppendInt(b, v, 10) }

// Raw appends already encoded JSON, or null when it is empty.
func Raw(b []byte, raw []byte) []byte {
	if len(raw) == 0 {
		return Null(b)
	}
	return append(b, raw...)
}

// TimeMillis appends t in UTC as an RFC 3339 string with milliseconds
// ("2024-03-15T11:05:00.000Z").
func TimeMillis(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z")
	return append(b, '"')
}
