package jsonscan

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// decode builds the encoding/json (UseNumber) value of a document by
// driving the Scanner, so the tests compare the two readers value for value.
func decode(s *Scanner) (any, bool) {
	switch s.Peek() {
	case Object:
		m := map[string]any{}
		s.BeginObject()
		for {
			k, esc, ok := s.NextKey()
			if !ok {
				return m, s.Err() == nil
			}
			v, ok := decode(s)
			if !ok {
				return nil, false
			}
			m[Text(k, esc)] = v
		}
	case Array:
		a := []any{}
		s.BeginArray()
		for s.NextItem() {
			v, ok := decode(s)
			if !ok {
				return nil, false
			}
			a = append(a, v)
		}
		return a, s.Err() == nil
	case String:
		raw, esc, ok := s.String()
		return Text(raw, esc), ok
	case Number:
		n, ok := s.Number()
		return json.Number(n), ok
	case Null, True, False:
		k, ok := s.Literal()
		switch k {
		case True:
			return true, ok
		case False:
			return false, ok
		}
		return nil, ok
	}
	s.Skip() // records the error
	return nil, false
}

func TestValid(t *testing.T) {
	for _, tt := range []struct {
		doc string
		ok  bool
		at  int // offset of the error
	}{
		{`{}`, true, 0},
		{` {"a" : [1, -2.5e+3, true, false, null, "x\u00e9\n"], "b": {}} `, true, 0},
		{`[]`, true, 0},
		{`"\ud83d\ude00"`, true, 0},
		{`0`, true, 0},
		{`-0.0E-0`, true, 0},
		{``, false, 0},
		{`   `, false, 3},
		{`{`, false, 1},
		{`{"a"}`, false, 4},
		{`{"a":1,}`, false, 6},
		{`[1,]`, false, 2},
		{`[1 2]`, false, 3},
		{`{"a":1 "b":2}`, false, 7},
		{`{1:2}`, false, 1},
		{`[01]`, false, 2},
		{`[1.]`, false, 3},
		{`[1e]`, false, 3},
		{`[-]`, false, 2},
		{`[+1]`, false, 1},
		{`["a\x"]`, false, 3},
		{`["\u12"]`, false, 2},
		{"[\"a\tb\"]", false, 3},
		{"[\"\xff\"]", false, 2},
		{`[tru]`, false, 1},
		{`[nul`, false, 1},
		{`{} {}`, false, 3},
		{`]`, false, 0},
		{`{"a":1]`, false, 6},
		{strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth), true, 0},
		{strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1), false, MaxDepth},
	} {
		err := Valid([]byte(tt.doc))
		if (err == nil) != tt.ok {
			t.Errorf("Valid(%.40q) = %v, want ok=%v", tt.doc, err, tt.ok)
			continue
		}
		if err == nil {
			continue
		}
		var se *SyntaxError
		if !errors.As(err, &se) || !errors.Is(err, ErrSyntax) {
			t.Errorf("Valid(%.40q) = %T %v, want a *SyntaxError", tt.doc, err, err)
			continue
		}
		if se.Offset != tt.at {
			t.Errorf("Valid(%.40q): error at offset %d (%v), want %d", tt.doc, se.Offset, err, tt.at)
		}
	}
}

func TestDecodeMatchesEncodingJSON(t *testing.T) {
	for _, doc := range []string{
		`{"orderId":57930,"name":"Ashleigh \"Ash\" Blake","tags":["a","b\\c"],"nested":{"x":[{"y":null}]},"t":true,"f":false}`,
		`[1, 2.50, -3e10, "\u00e9\u4e16", "\/"]`,
		`"plain"`,
		`{"dup":1,"dup":2}`,
	} {
		s := New([]byte(doc))
		got, ok := decode(s)
		if !ok || !s.End() {
			t.Fatalf("%s: %v", doc, s.Err())
		}
		dec := json.NewDecoder(strings.NewReader(doc))
		dec.UseNumber()
		var want any
		if err := dec.Decode(&want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %#v\nwant %#v", doc, got, want)
		}
	}
}

func TestOffsets(t *testing.T) {
	doc := []byte(`{"a": "xy", "b": [12, "z"]}`)
	s := New(doc)
	s.BeginObject()
	s.NextKey()
	s.Peek()
	start := s.Pos()
	s.String()
	if got := string(doc[start:s.Pos()]); got != `"xy"` {
		t.Errorf("string token = %q, want %q", got, `"xy"`)
	}
	s.NextKey()
	start = s.Pos()
	s.Skip()
	if got := string(doc[start:s.Pos()]); got != ` [12, "z"]` && got != `[12, "z"]` {
		t.Errorf("skipped value = %q", got)
	}
	if _, _, ok := s.NextKey(); ok || !s.End() {
		t.Errorf("object should end cleanly: %v", s.Err())
	}
}

// depth is the deepest nesting of data, strings skipped.
func depth(data []byte) int {
	d, most, inStr, esc := 0, 0, false, false
	for _, c := range data {
		switch {
		case inStr && esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case inStr && c == '"':
			inStr = false
		case inStr:
		case c == '"':
			inStr = true
		case c == '[' || c == '{':
			d++
			most = max(most, d)
		case c == ']' || c == '}':
			d--
		}
	}
	return most
}

// FuzzValid holds the scanner to encoding/json: it accepts exactly the
// documents encoding/json accepts that are valid UTF-8 and nested within
// MaxDepth, and decodes them to the same value.
func FuzzValid(f *testing.F) {
	for _, seed := range []string{`{"a":[1,2.5,"x"]}`, `[]`, `"\u00e9"`, `{"a":}`, `[1,]`, `-0.1e5`, "\"\xff\"", `nul`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		err := Valid(data)
		want := json.Valid(data) && utf8.Valid(data) && depth(data) <= MaxDepth
		if (err == nil) != want {
			t.Fatalf("Valid(%q) = %v, encoding/json valid UTF-8 document: %v", data, err, want)
		}
		if err != nil {
			return
		}
		s := New(data)
		got, ok := decode(s)
		if !ok {
			t.Fatalf("decode(%q): %v", data, s.Err())
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var ref any
		if err := dec.Decode(&ref); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, ref) {
			t.Fatalf("decode(%q) = %#v, encoding/json %#v", data, got, ref)
		}
	})
}

func BenchmarkSkip(b *testing.B) {
	doc := []byte(`{"orderId":57930,"parts":[` + strings.Repeat(`{"id":1,"name":"motor housing","price":943.13,"color":null,"steps":[{"name":"Printing","sequence":1}]},`, 20) + `{}],"ok":true}`)
	b.SetBytes(int64(len(doc)))
	var s Scanner
	for range b.N {
		s.Reset(doc)
		if !s.Skip() || !s.End() {
			b.Fatal(s.Err())
		}
	}
}

// TestText: a string's text is encoding/json's, whichever escapes it has.
func TestText(t *testing.T) {
	for _, doc := range []string{
		`""`, `"plain"`, `"a\"b"`, `"{\"payload\":\"x\"}"`, `"\\\/\b\f\n\r\t"`, `"tab\there"`,
		`"\"x\""`, `"\\"`, `"ab\nc\td\"efgh\/"`, `"\u00e9t\u00e9"`, `"\ud83d\ude00 smile"`, `"lone \ud83d surrogate"`, `"mixed \" and \u0041"`, `"é\"ü"`,
	} {
		s := New([]byte(doc))
		raw, esc, ok := s.String()
		if !ok {
			t.Fatalf("%s: %v", doc, s.Err())
		}
		var want string
		if err := json.Unmarshal([]byte(doc), &want); err != nil {
			t.Fatal(err)
		}
		if got := Text(raw, esc); got != want {
			t.Errorf("Text(%s) = %q, want %q", doc, got, want)
		}
		if got := AppendText([]byte("pre:"), raw, esc); string(got) != "pre:"+want {
			t.Errorf("AppendText(pre:, %s) = %q, want %q", doc, got, "pre:"+want)
		}
	}
}

// TestPlainRun puts each byte a string's scan must stop at (and bytes
// next to them, which it must not stop at) at every offset of runs
// longer than two words, alone and with a second such byte after it in
// the same word or the next, against the byte-by-byte rule.
func TestPlainRun(t *testing.T) {
	stops := func(c byte) bool { return c == '"' || c == '\\' || c < 0x20 || c >= 0x80 }
	cs := []byte{'"', '\\', 0, 0x01, 0x1f, 0x20, 0x21, 0x23, 0x5b, 0x5d, 0x7f, 0x80, 0xa0, 0xa2, 0xdc, 0xff, 'A'}
	for _, c := range cs {
		for _, second := range []byte{'a', 0, 0x01, '"', '\\', 0x20, 0x80} {
			for n := 0; n <= 40; n++ {
				for at := 0; at <= n; at++ {
					b := bytes.Repeat([]byte("aZ09-_+/=~"), 4)[:n]
					if at < n {
						b[at] = c
					}
					if after := at + 1 + at%9; after < n {
						b[after] = second
					}
					for from := 0; from <= n; from++ {
						want := from
						for want < n && !stops(b[want]) {
							want++
						}
						if got := PlainRun(b, from); got != want {
							t.Fatalf("PlainRun(%q, %d) = %d, want %d", b, from, got, want)
						}
						if got := PlainRun(string(b), from); got != want {
							t.Fatalf("PlainRun(string %q, %d) = %d, want %d", b, from, got, want)
						}
					}
				}
			}
		}
	}
}
