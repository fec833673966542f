// Package jsonform rewrites a JSON document into other legal forms of the
// same value: with spaces or indentation, with escapes, with another
// number or key order, as other runtimes re-serialise it (Node's
// JSON.stringify(JSON.parse(…)), Python's json.dumps(json.loads(…))).
// A receiver that verifies a signature over the raw bytes accepts every
// form signed as sent; one that verifies a re-serialised body does not.
//
// Documents are read with internal/jsonscan into a tree that keeps each
// string's and number's text as written, so a form changes exactly what
// it names.
package jsonform

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/orderhooks/orderhooks/internal/jsonscan"
)

// ErrSyntax is wrapped for input that is not one JSON document.
var ErrSyntax = errors.New("jsonform: not a JSON document")

// kind of a value in the tree.
type kind byte

const (
	kObject kind = iota
	kArray
	kString  // raw: the quoted text as written
	kNumber  // raw: the text as written
	kLiteral // true, false, null
)

// value is one JSON value, its scalars as written.
type value struct {
	kind    kind
	raw     string
	members []member // objects, in document order
	elems   []*value // arrays
}

type member struct {
	key string // raw, quoted
	val *value
}

// parse reads one JSON document (surrounding whitespace allowed) with
// internal/jsonscan, keeping each string and number as written.
func parse(doc []byte) (*value, error) {
	s := jsonscan.New(doc)
	v := build(s)
	if v == nil || !s.End() {
		if s.Err() == nil {
			return nil, fmt.Errorf("%w: unexpected end of input", ErrSyntax)
		}
		return nil, fmt.Errorf("%w: %w", ErrSyntax, s.Err())
	}
	return v, nil
}

// build reads the next value into a tree; nil after a syntax error.
func build(s *jsonscan.Scanner) *value {
	switch s.Peek() {
	case jsonscan.Object:
		v := &value{kind: kObject}
		if !s.BeginObject() {
			return nil
		}
		for {
			key, _, ok := s.NextKey()
			if !ok {
				break
			}
			val := build(s)
			if val == nil {
				return nil
			}
			v.members = append(v.members, member{`"` + string(key) + `"`, val})
		}
		if s.Err() != nil {
			return nil
		}
		return v
	case jsonscan.Array:
		v := &value{kind: kArray}
		if !s.BeginArray() {
			return nil
		}
		for s.NextItem() {
			el := build(s)
			if el == nil {
				return nil
			}
			v.elems = append(v.elems, el)
		}
		if s.Err() != nil {
			return nil
		}
		return v
	case jsonscan.String:
		raw, _, ok := s.String()
		if !ok {
			return nil
		}
		return &value{kind: kString, raw: `"` + string(raw) + `"`}
	case jsonscan.Number:
		raw, ok := s.Number()
		if !ok {
			return nil
		}
		return &value{kind: kNumber, raw: string(raw)}
	case jsonscan.Null, jsonscan.True, jsonscan.False:
		k, ok := s.Literal()
		if !ok {
			return nil
		}
		return &value{kind: kLiteral, raw: k.String()}
	}
	s.Skip() // records the syntax error
	return nil
}

// style says how to print a tree.
type style struct {
	comma, colon string // separators
	indent       string // per level; "" prints on one line
	str          func(raw string) string
	num          func(raw string) string
	reverse      bool // object members in reverse order
}

func (st *style) print(b *bytes.Buffer, v *value, depth int) {
	newline := func(d int) {
		if st.indent != "" {
			b.WriteByte('\n')
			b.WriteString(strings.Repeat(st.indent, d))
		}
	}
	switch v.kind {
	case kObject:
		b.WriteByte('{')
		ms := v.members
		if st.reverse && !duplicateKeys(ms) { // reversed, a duplicate's other value would win
			ms = slices.Clone(ms)
			slices.Reverse(ms)
		}
		for i, m := range ms {
			if i > 0 {
				b.WriteString(st.comma)
			}
			newline(depth + 1)
			b.WriteString(st.string(m.key))
			b.WriteString(st.colon)
			st.print(b, m.val, depth+1)
		}
		if len(ms) > 0 {
			newline(depth)
		}
		b.WriteByte('}')
	case kArray:
		b.WriteByte('[')
		for i, el := range v.elems {
			if i > 0 {
				b.WriteString(st.comma)
			}
			newline(depth + 1)
			st.print(b, el, depth+1)
		}
		if len(v.elems) > 0 {
			newline(depth)
		}
		b.WriteByte(']')
	case kString:
		b.WriteString(st.string(v.raw))
	case kNumber:
		if st.num != nil {
			b.WriteString(st.num(v.raw))
		} else {
			b.WriteString(v.raw)
		}
	default:
		b.WriteString(v.raw)
	}
}

// duplicateKeys reports whether two members are written with the same key.
func duplicateKeys(ms []member) bool {
	seen := map[string]bool{}
	for _, m := range ms {
		if seen[m.key] {
			return true
		}
		seen[m.key] = true
	}
	return false
}

func (st *style) string(raw string) string {
	if st.str != nil {
		return st.str(raw)
	}
	return raw
}

// render prints doc's tree in st.
func render(doc []byte, st style) ([]byte, error) {
	v, err := parse(doc)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	st.print(&b, v, 0)
	return b.Bytes(), nil
}

// compact is the separators of compact JSON.
var compact = style{comma: ",", colon: ":"}

// Form is one legal, non-canonical way to write a JSON document.
type Form struct {
	// Name is short and stable, e.g. "spaced".
	Name string
	// Description says what the form changes, for messages.
	Description string
	apply       func(doc []byte) ([]byte, error)
}

// Apply returns doc in the form. The result equals doc when the form
// changes nothing in it (no non-ASCII text to escape, no decimal number).
func (f Form) Apply(doc []byte) ([]byte, error) { return f.apply(doc) }

// Forms are the forms a JSON receiver must accept, signed as sent.
var Forms = []Form{
	{"spaced", "a space after each separator", func(d []byte) ([]byte, error) {
		st := compact
		st.comma, st.colon = ", ", ": "
		return render(d, st)
	}},
	{"indented", "two-space indentation", func(d []byte) ([]byte, error) {
		st := compact
		st.colon, st.indent = ": ", "  "
		return render(d, st)
	}},
	{"unicode-escaped", `non-ASCII text \u-escaped`, func(d []byte) ([]byte, error) {
		st := compact
		st.str = func(raw string) string { return escapeRunes(raw, func(r rune) bool { return r >= utf8.RuneSelf }) }
		return render(d, st)
	}},
	{"escaped-slash", `"/" written "\/"`, func(d []byte) ([]byte, error) {
		st := compact
		st.str = func(raw string) string { return strings.ReplaceAll(unescapedSlashes(raw), "/", `\/`) }
		return render(d, st)
	}},
	{"trailing-zero", "a trailing zero on every decimal number (12.50 for 12.5)", func(d []byte) ([]byte, error) {
		st := compact
		st.num = func(raw string) string {
			if strings.Contains(raw, ".") && !strings.ContainsAny(raw, "eE") {
				return raw + "0"
			}
			return raw
		}
		return render(d, st)
	}},
	{"key-order", "object members in reverse order", func(d []byte) ([]byte, error) {
		st := compact
		st.reverse = true
		return render(d, st)
	}},
	{"trailing-newline", "a newline after the document", func(d []byte) ([]byte, error) {
		out, err := render(d, compact)
		return append(out, '\n'), err
	}},
}

// Compact returns doc without insignificant whitespace, every string and
// number as written.
func Compact(doc []byte) ([]byte, error) { return render(doc, compact) }

// ShortNumbers returns doc compact with every number that has a fraction
// or an exponent in its shortest form (80.00 → 80, 1.50 → 1.5): the form
// in which JSON.stringify and json.dumps write such numbers back, so that
// only a form's own change sets a re-serialised body apart.
func ShortNumbers(doc []byte) ([]byte, error) {
	st := compact
	st.num = func(raw string) string {
		if !strings.ContainsAny(raw, ".eE") {
			return raw
		}
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return raw
		}
		return jsNumber(f)
	}
	return render(doc, st)
}

// escapeRunes rewrites the unescaped runes of a raw string for which esc
// is true as \u escapes (surrogate pairs beyond the BMP), lower-case hex.
func escapeRunes(raw string, esc func(rune) bool) string {
	var b strings.Builder
	inner := raw[1 : len(raw)-1]
	b.WriteByte('"')
	for i := 0; i < len(inner); {
		if inner[i] == '\\' { // keep an escape as it is
			n := 2
			if inner[i+1] == 'u' {
				n = 6
			}
			b.WriteString(inner[i : i+n])
			i += n
			continue
		}
		r, size := utf8.DecodeRuneInString(inner[i:])
		if esc(r) {
			writeU(&b, r)
		} else {
			b.WriteString(inner[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
	return b.String()
}

// writeU writes r as \uXXXX (a surrogate pair beyond the BMP).
func writeU(b *strings.Builder, r rune) {
	if r > 0xFFFF {
		r -= 0x10000
		fmt.Fprintf(b, `\u%04x\u%04x`, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
		return
	}
	fmt.Fprintf(b, `\u%04x`, r)
}

// unescapedSlashes returns raw with \/ written / (so escaping every slash
// does not double an escape).
func unescapedSlashes(raw string) string { return strings.ReplaceAll(raw, `\/`, "/") }

// SetString returns doc with the string value s at the object members
// named by path (each an object key), keeping everything else as written.
// The member is added when the last object lacks it.
func SetString(doc []byte, path []string, s string) ([]byte, error) {
	root, err := parse(doc)
	if err != nil {
		return nil, err
	}
	v := root
	for i, key := range path {
		if v.kind != kObject {
			return nil, fmt.Errorf("jsonform: %s is not an object", strings.Join(path[:i], "/"))
		}
		quoted := quote(key)
		j := slices.IndexFunc(v.members, func(m member) bool { return m.key == quoted })
		if i == len(path)-1 {
			val := &value{kind: kString, raw: quote(s)}
			if j < 0 {
				v.members = append(v.members, member{quoted, val})
			} else {
				v.members[j].val = val
			}
			break
		}
		if j < 0 {
			return nil, fmt.Errorf("jsonform: no %s", strings.Join(path[:i+1], "/"))
		}
		v = v.members[j].val
	}
	var b bytes.Buffer
	compact.print(&b, root, 0)
	return b.Bytes(), nil
}

// quote writes s as a JSON string the way the platforms do: UTF-8 kept,
// no HTML escaping.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			writeU(&b, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
