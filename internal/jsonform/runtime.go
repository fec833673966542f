package jsonform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// runtime is how one language writes a parsed document back.
type runtime struct {
	comma, colon string
	str          func(b *bytes.Buffer, s string)
	// num writes a number token; ints are written with int when not nil.
	num func(b *bytes.Buffer, raw string) error
	// order sorts an object's decoded keys in place (nil: insertion order).
	order func(keys []string)
}

// node is JSON.stringify(JSON.parse(…)).
var node = runtime{comma: ",", colon: ":", str: nodeString, num: func(b *bytes.Buffer, raw string) error {
	f, err := parseFloat(raw)
	b.WriteString(jsNumber(f))
	return err
}, order: v8Order}

// python is json.dumps(json.loads(…)) with the defaults.
var python = runtime{comma: ", ", colon: ": ", str: pythonString, num: func(b *bytes.Buffer, raw string) error {
	if !strings.ContainsAny(raw, ".eE") { // an int, any size
		n, ok := new(big.Int).SetString(raw, 10)
		if !ok {
			return fmt.Errorf("%w: number %s", ErrSyntax, raw)
		}
		b.WriteString(n.String())
		return nil
	}
	f, err := parseFloat(raw)
	b.WriteString(pyFloat(f))
	return err
}}

// Node returns doc as Node.js re-serialises it: JSON.stringify(JSON.parse(doc)).
// Numbers become doubles printed shortest (80.00 → 80, 1e21 → 1e+21),
// strings lose their escapes (only ", \ and control characters are
// escaped), duplicate keys keep the last value at the first place, and
// integer-like keys move first in numeric order, as V8 orders them.
func Node(doc []byte) ([]byte, error) { return node.rewrite(doc) }

// Python returns doc as Python re-serialises it with the defaults:
// json.dumps(json.loads(doc)). Separators are ", " and ": ", every
// non-ASCII character is \u-escaped (ensure_ascii), integers keep their
// digits, other numbers become floats printed by repr (80.00 → 80.0, 1e16
// → 1e+16), and duplicate keys keep the last value at the first place.
func Python(doc []byte) ([]byte, error) { return python.rewrite(doc) }

func (rt runtime) rewrite(doc []byte) ([]byte, error) {
	v, err := parse(doc)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := rt.value(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// decoded is an object's members after parsing: keys decoded, duplicates
// merged (last value, first place).
func decoded(v *value) ([]string, map[string]*value, error) {
	var keys []string
	vals := map[string]*value{}
	for _, m := range v.members {
		k, err := unquote(m.key)
		if err != nil {
			return nil, nil, err
		}
		if _, dup := vals[k]; !dup {
			keys = append(keys, k)
		}
		vals[k] = m.val
	}
	return keys, vals, nil
}

func unquote(raw string) (string, error) {
	var s string
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return "", fmt.Errorf("%w: %v", ErrSyntax, err)
	}
	return s, nil
}

// parseFloat reads a number token as a double; overflow gives ±Inf.
func parseFloat(raw string) (float64, error) {
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil && !math.IsInf(f, 0) {
		return 0, fmt.Errorf("%w: number %s", ErrSyntax, raw)
	}
	return f, nil
}

func (rt runtime) value(b *bytes.Buffer, v *value) error {
	switch v.kind {
	case kObject:
		keys, vals, err := decoded(v)
		if err != nil {
			return err
		}
		if rt.order != nil {
			rt.order(keys)
		}
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteString(rt.comma)
			}
			rt.str(b, k)
			b.WriteString(rt.colon)
			if err := rt.value(b, vals[k]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case kArray:
		b.WriteByte('[')
		for i, el := range v.elems {
			if i > 0 {
				b.WriteString(rt.comma)
			}
			if err := rt.value(b, el); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case kString:
		s, err := unquote(v.raw)
		if err != nil {
			return err
		}
		rt.str(b, s)
	case kNumber:
		return rt.num(b, v.raw)
	default:
		b.WriteString(v.raw)
	}
	return nil
}

// v8Order lists array-index keys first, ascending, then the others in
// insertion order, as V8 enumerates an object's keys.
func v8Order(keys []string) {
	slices.SortStableFunc(keys, func(a, c string) int {
		ia, aok := arrayIndex(a)
		ic, cok := arrayIndex(c)
		switch {
		case aok && cok:
			return int(ia - ic)
		case aok:
			return -1
		case cok:
			return 1
		}
		return 0
	})
}

// arrayIndex reports whether k is an array index (0 to 2³²−2, canonical).
func arrayIndex(k string) (int64, bool) {
	if k == "" || len(k) > 10 || (len(k) > 1 && k[0] == '0') {
		return 0, false
	}
	n, err := strconv.ParseInt(k, 10, 64)
	if err != nil || n < 0 || n >= 1<<32-1 || strconv.FormatInt(n, 10) != k {
		return 0, false
	}
	return n, true
}

// nodeString writes s as JSON.stringify does.
func nodeString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 {
				fmt.Fprintf(b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

// shortest returns the shortest digits that round-trip f (no sign) and the
// decimal point's position n: |f| = 0.d₁d₂… × 10ⁿ.
func shortest(f float64) (string, int) {
	s := strconv.FormatFloat(math.Abs(f), 'e', -1, 64) // d.ddde±x
	mant, exp, _ := strings.Cut(s, "e")
	e, _ := strconv.Atoi(exp)
	return strings.Replace(mant, ".", "", 1), e + 1
}

// jsNumber formats f as JavaScript's Number.prototype.toString (what
// JSON.stringify writes); infinities become null.
func jsNumber(f float64) string {
	switch {
	case math.IsInf(f, 0) || math.IsNaN(f):
		return "null"
	case f == 0:
		return "0"
	}
	sign := ""
	if f < 0 {
		sign = "-"
	}
	d, n := shortest(f)
	k := len(d)
	switch {
	case k <= n && n <= 21:
		return sign + d + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		return sign + d[:n] + "." + d[n:]
	case -6 < n && n <= 0:
		return sign + "0." + strings.Repeat("0", -n) + d
	}
	e := n - 1
	es := "+" + strconv.Itoa(e)
	if e < 0 {
		es = strconv.Itoa(e)
	}
	if k == 1 {
		return sign + d + "e" + es
	}
	return sign + d[:1] + "." + d[1:] + "e" + es
}

// pythonString writes s as json.dumps does with ensure_ascii: everything
// outside printable ASCII escaped, lower-case hex.
func pythonString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r >= ' ' && r <= '~':
			b.WriteRune(r)
		case r > 0xFFFF:
			r -= 0x10000
			fmt.Fprintf(b, `\u%04x\u%04x`, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
		case r == utf8.RuneError:
			b.WriteString(`\ufffd`)
		default:
			fmt.Fprintf(b, `\u%04x`, r)
		}
	}
	b.WriteByte('"')
}

// pyFloat formats f as Python's repr(float).
func pyFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case math.IsNaN(f):
		return "NaN"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	sign := ""
	if f < 0 {
		sign = "-"
	}
	d, n := shortest(f)
	k := len(d)
	if -4 < n && n <= 16 {
		switch {
		case n <= 0:
			return sign + "0." + strings.Repeat("0", -n) + d
		case n >= k:
			return sign + d + strings.Repeat("0", n-k) + ".0"
		}
		return sign + d[:n] + "." + d[n:]
	}
	e := n - 1
	es := fmt.Sprintf("+%02d", e)
	if e < 0 {
		es = fmt.Sprintf("-%02d", -e)
	}
	if k == 1 {
		return sign + d + "e" + es
	}
	return sign + d[:1] + "." + d[1:] + "e" + es
}
