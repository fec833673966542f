// Package jsonscan reads a JSON document in place, one token at a time,
// without building a tree: the caller drives the walk (BeginObject,
// NextKey, BeginArray, NextItem, String, Number, Literal, Skip) and keeps
// whatever context it needs on its own stack. Nothing is allocated unless
// a string has escapes and the caller asks for its text.
//
// It exists for the two hot paths that look at every value of every
// payload: personal-data redaction (which rewrites strings in place, so
// the rest of the document keeps its bytes and field order) and drift
// analysis (tens of thousands of payloads a second). Both need the byte
// offsets of values, which encoding/json does not give.
//
// The grammar is RFC 8259's; strings must be valid UTF-8 (encoding/json
// would replace a bad byte silently) and nesting is bounded by MaxDepth.
package jsonscan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"unicode/utf8"
)

// Kind is the kind of the next value.
type Kind uint8

// Kinds of values. Invalid is returned at the end of input or after an error.
const (
	Invalid Kind = iota
	Null
	False
	True
	Number
	String
	Object
	Array
)

var kindNames = [...]string{"invalid", "null", "false", "true", "number", "string", "object", "array"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "invalid"
}

// MaxDepth bounds the nesting of objects and arrays.
const MaxDepth = 512

// ErrSyntax is wrapped by every *SyntaxError.
var ErrSyntax = errors.New("not JSON")

// SyntaxError says where a document stops being JSON.
type SyntaxError struct {
	// Offset is the byte offset of the offending byte.
	Offset int
	Msg    string
}

// Error is "not JSON at byte N: what was expected", N counted from 1 as
// encoding/json's syntax errors are worded (input.JSONError).
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("not JSON at byte %d: %s", e.Offset+1, e.Msg)
}

// Unwrap returns ErrSyntax.
func (e *SyntaxError) Unwrap() error { return ErrSyntax }

// Scanner reads one JSON document. The zero value is not usable; call
// Reset or New. After the first error every method reports failure and
// Err returns the error.
type Scanner struct {
	data  []byte
	pos   int
	depth int
	first bool // just after BeginObject or BeginArray
	err   error
}

// New returns a Scanner over data.
func New(data []byte) *Scanner {
	s := &Scanner{}
	s.Reset(data)
	return s
}

// Reset starts reading data, so one Scanner can read many documents.
func (s *Scanner) Reset(data []byte) {
	*s = Scanner{data: data}
}

// Err returns the first syntax error, or nil.
func (s *Scanner) Err() error { return s.err }

// Pos is the offset of the next unread byte.
func (s *Scanner) Pos() int { return s.pos }

func (s *Scanner) fail(off int, format string, args ...any) {
	if s.err == nil {
		s.err = &SyntaxError{Offset: off, Msg: fmt.Sprintf(format, args...)}
	}
	s.pos = len(s.data)
}

func (s *Scanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// Peek returns the kind of the next value without consuming it (Invalid
// at the end of input, after an error, or before a byte no value starts
// with).
func (s *Scanner) Peek() Kind {
	if s.err != nil {
		return Invalid
	}
	s.skipSpace()
	if s.pos >= len(s.data) {
		return Invalid
	}
	switch c := s.data[s.pos]; {
	case c == '{':
		return Object
	case c == '[':
		return Array
	case c == '"':
		return String
	case c == 'n':
		return Null
	case c == 't':
		return True
	case c == 'f':
		return False
	case c == '-' || (c >= '0' && c <= '9'):
		return Number
	}
	return Invalid
}

// expectValue fails unless a value starts here.
func (s *Scanner) expectValue(k Kind) bool {
	got := s.Peek()
	if got == k {
		return true
	}
	if s.err == nil {
		if s.pos >= len(s.data) {
			s.fail(s.pos, "unexpected end of input, expected %s", k)
		} else {
			s.fail(s.pos, "expected %s, found %q", k, s.data[s.pos])
		}
	}
	return false
}

// BeginObject consumes '{'. Then call NextKey until it returns false.
func (s *Scanner) BeginObject() bool {
	if !s.expectValue(Object) {
		return false
	}
	return s.open()
}

// BeginArray consumes '['. Then call NextItem until it returns false.
func (s *Scanner) BeginArray() bool {
	if !s.expectValue(Array) {
		return false
	}
	return s.open()
}

func (s *Scanner) open() bool {
	if s.depth++; s.depth > MaxDepth {
		s.fail(s.pos, "nested deeper than %d", MaxDepth)
		return false
	}
	s.pos++
	s.first = true
	return true
}

// more handles the separator before the next member or item: it returns
// false, consuming the closing byte, at the container's end.
func (s *Scanner) more(closing byte) bool {
	if s.err != nil {
		return false
	}
	s.skipSpace()
	if s.pos >= len(s.data) {
		s.fail(s.pos, "unexpected end of input, expected %q", closing)
		return false
	}
	first := s.first
	s.first = false
	if s.data[s.pos] == closing {
		s.pos++
		s.depth--
		return false
	}
	if !first {
		if s.data[s.pos] != ',' {
			s.fail(s.pos, "expected ',' or %q, found %q", closing, s.data[s.pos])
			return false
		}
		s.pos++
		s.skipSpace()
	}
	return true
}

// NextKey reads the next member's key and its colon, leaving the value to
// be read; it returns ok false at the object's end. raw is the key's text
// between the quotes (escapes undone only by Text).
func (s *Scanner) NextKey() (raw []byte, escaped, ok bool) {
	if !s.more('}') {
		return nil, false, false
	}
	if s.pos >= len(s.data) || s.data[s.pos] != '"' {
		if s.pos < len(s.data) && s.data[s.pos] == '}' {
			s.fail(s.pos-1, "trailing comma")
		} else {
			s.fail(s.pos, "expected a member name")
		}
		return nil, false, false
	}
	raw, escaped, ok = s.String()
	if !ok {
		return nil, false, false
	}
	s.skipSpace()
	if s.pos >= len(s.data) || s.data[s.pos] != ':' {
		s.fail(s.pos, "expected ':' after a member name")
		return nil, false, false
	}
	s.pos++
	return raw, escaped, true
}

// NextItem prepares the next array item; it returns false at the array's end.
func (s *Scanner) NextItem() bool {
	if !s.more(']') {
		return false
	}
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.fail(s.pos-1, "trailing comma")
		return false
	}
	return true
}

// String reads a string and returns its text between the quotes; escaped
// says whether it holds escapes (then Text gives the decoded string).
func (s *Scanner) String() (raw []byte, escaped, ok bool) {
	if !s.expectValue(String) {
		return nil, false, false
	}
	start := s.pos + 1
	i := start
	ascii := true
	for {
		i = PlainRun(s.data, i)
		if i >= len(s.data) {
			s.fail(start-1, "unterminated string")
			return nil, false, false
		}
		c := s.data[i]
		switch {
		case c == '"':
			raw = s.data[start:i]
			if !ascii && !utf8.Valid(raw) {
				s.fail(start+invalidUTF8(raw), "invalid UTF-8 in a string")
				return nil, false, false
			}
			s.pos = i + 1
			return raw, escaped, true
		case c == '\\':
			escaped = true
			if i+1 >= len(s.data) {
				s.fail(i, "unterminated escape")
				return nil, false, false
			}
			switch s.data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(s.data) || !isHex4(s.data[i+2:i+6]) {
					s.fail(i, `\u needs four hex digits`)
					return nil, false, false
				}
				i += 6
			default:
				s.fail(i, "invalid escape %q", s.data[i:i+2])
				return nil, false, false
			}
		case c < 0x20:
			s.fail(i, "control character in a string")
			return nil, false, false
		default:
			if c >= utf8.RuneSelf {
				ascii = false
			}
			i++
		}
	}
}

// Bytes of 8-byte words for PlainRun, one lane per byte.
const (
	lanes01 = 0x0101010101010101
	lanes7f = 0x7f7f7f7f7f7f7f7f
	lanes80 = 0x8080808080808080
)

// PlainRun returns the offset of the first byte at or after i that a
// string's reader or writer must look at ('"', '\\', a control character
// or a byte of a multi-byte UTF-8 sequence), or len(b). It tests eight
// bytes at a time, sixteen while it can: the bodies in recordings are
// kilobytes of base64 between escapes, and most strings of a payload need
// no escape at all.
func PlainRun[T string | []byte](b T, i int) int {
	for ; i >= 0 && i <= len(b)-16; i += 16 {
		w := b[i : i+16]
		x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		y := uint64(w[8]) | uint64(w[9])<<8 | uint64(w[10])<<16 | uint64(w[11])<<24 |
			uint64(w[12])<<32 | uint64(w[13])<<40 | uint64(w[14])<<48 | uint64(w[15])<<56
		if m := stops(x); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
		if m := stops(y); m != 0 {
			return i + 8 + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i >= 0 && i <= len(b)-8; i += 8 {
		w := b[i : i+8]
		x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		if m := stops(x); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			return i
		}
	}
	return i
}

// stops sets the high bit of the lanes of x (a little-endian word of a
// string) that PlainRun stops at; the lowest lane set is the first such
// byte. A lane below 0x80 plus 0x60 has its high bit set when it is at
// least 0x20, and one that is not zero plus 0x7f has it set too, without
// a carry into the next lane; a lane of 0x80 or more is set by x itself,
// and what it carries only reaches the lanes above it.
func stops(x uint64) uint64 {
	plain := (x + 0x60*lanes01) & ((x ^ '"'*lanes01) + lanes7f) & ((x ^ '\\'*lanes01) + lanes7f)
	return (^plain | x) & lanes80
}

func invalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return 0
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// Text returns a string token's text (raw from String or NextKey),
// decoding escapes when there are any.
func Text(raw []byte, escaped bool) string {
	if !escaped {
		return string(raw)
	}
	out, ok := unescape(bytes.Clone(raw))
	if !ok {
		return textSlow(raw)
	}
	return string(out)
}

// AppendText appends a string token's text (raw from String or NextKey)
// to dst, decoding escapes when there are any.
func AppendText(dst, raw []byte, escaped bool) []byte {
	n := len(dst)
	dst = append(dst, raw...)
	if !escaped {
		return dst
	}
	out, ok := unescape(dst[n:])
	if !ok {
		return append(dst[:n], textSlow(raw)...)
	}
	return dst[:n+len(out)]
}

// unescape undoes the escapes of b in place (the text is never longer
// than its escaped form) and returns it shortened. The usual escapes (a
// JSON body inside a JSON string is all \") are undone here, the text
// between them moved whole; on a \u escape (surrogate pairs, invalid ones
// replaced: encoding/json's rules) it returns false, b partly rewritten.
func unescape(b []byte) ([]byte, bool) {
	w := bytes.IndexByte(b, '\\')
	if w < 0 {
		return b, true
	}
	r := w
	for {
		c := b[r+1] // String checked that an escape is whole
		switch c {
		case '"', '\\', '/':
		case 'b':
			c = '\b'
		case 'f':
			c = '\f'
		case 'n':
			c = '\n'
		case 'r':
			c = '\r'
		case 't':
			c = '\t'
		default:
			return nil, false
		}
		b[w] = c
		w, r = w+1, r+2
		k := bytes.IndexByte(b[r:], '\\')
		if k < 0 {
			w += copy(b[w:], b[r:])
			return b[:w], true
		}
		w += copy(b[w:], b[r:r+k])
		r += k
	}
}

func textSlow(raw []byte) string {
	q := make([]byte, 0, len(raw)+2)
	q = append(append(append(q, '"'), raw...), '"')
	var out string
	_ = json.Unmarshal(q, &out) // validated by String
	return out
}

// Number reads a number and returns its text.
func (s *Scanner) Number() ([]byte, bool) {
	if !s.expectValue(Number) {
		return nil, false
	}
	start, i := s.pos, s.pos
	d := s.data
	if d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	default:
		s.fail(i, "a number needs digits")
		return nil, false
	}
	if i < len(d) && d[i] == '.' {
		i++
		j := i
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
		if i == j {
			s.fail(i, "a number needs digits after the decimal point")
			return nil, false
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := i
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
		if i == j {
			s.fail(i, "a number needs digits in its exponent")
			return nil, false
		}
	}
	s.pos = i
	return d[start:i], true
}

// Literal reads null, true or false.
func (s *Scanner) Literal() (Kind, bool) {
	k := s.Peek()
	var word string
	switch k {
	case Null:
		word = "null"
	case True:
		word = "true"
	case False:
		word = "false"
	default:
		s.failValue()
		return Invalid, false
	}
	if len(s.data)-s.pos < len(word) || string(s.data[s.pos:s.pos+len(word)]) != word {
		s.fail(s.pos, "invalid literal, expected %s", word)
		return Invalid, false
	}
	s.pos += len(word)
	return k, true
}

// Skip reads one value of any kind, containers whole.
func (s *Scanner) Skip() bool {
	return s.skipFast() || s.skipTokens()
}

// skipTokens is Skip token by token: where skipFast gives up, it finds
// the error and its offset.
func (s *Scanner) skipTokens() bool {
	switch s.Peek() {
	case Object:
		if !s.BeginObject() {
			return false
		}
		for {
			if _, _, ok := s.NextKey(); !ok {
				return s.err == nil
			}
			if !s.skipTokens() {
				return false
			}
		}
	case Array:
		if !s.BeginArray() {
			return false
		}
		for s.NextItem() {
			if !s.skipTokens() {
				return false
			}
		}
		return s.err == nil
	case String:
		_, _, ok := s.String()
		return ok
	case Number:
		_, ok := s.Number()
		return ok
	case Null, True, False:
		_, ok := s.Literal()
		return ok
	}
	s.failValue()
	return false
}

// failValue reports that no value starts at the current position.
func (s *Scanner) failValue() {
	switch {
	case s.err != nil:
	case s.pos >= len(s.data):
		s.fail(s.pos, "unexpected end of input, expected a value")
	default:
		s.fail(s.pos, "expected a value, found %q", s.data[s.pos])
	}
}

// End succeeds when only white space is left after the document.
func (s *Scanner) End() bool {
	if s.err != nil {
		return false
	}
	s.skipSpace()
	if s.pos < len(s.data) {
		s.fail(s.pos, "unexpected data after the document")
		return false
	}
	return true
}

// Valid reports whether data is exactly one JSON document (UTF-8 strings,
// nesting within MaxDepth), and the syntax error if not.
func Valid(data []byte) error {
	s := New(data)
	if s.Skip() && s.End() {
		return nil
	}
	if s.err == nil {
		s.fail(len(data), "unexpected end of input")
	}
	return s.err
}
