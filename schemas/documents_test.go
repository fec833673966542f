package schemas_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/schemas"
)

// readAll collects what ReadDocuments reports as "LINE: value-or-error".
func readAll(t testing.TB, in string) []string {
	t.Helper()
	var out []string
	err := schemas.ReadDocuments(strings.NewReader(in), func(d schemas.Document) error {
		if d.Err != nil {
			var se *schemas.SyntaxError
			if !errors.As(d.Err, &se) || !errors.Is(d.Err, schemas.ErrInvalidJSON) {
				t.Fatalf("line %d: %v is not a *SyntaxError wrapping ErrInvalidJSON", d.Line, d.Err)
			}
			out = append(out, fmt.Sprintf("%d: error at %d:%d", d.Line, se.Line, se.Column))
			return nil
		}
		out = append(out, fmt.Sprintf("%d: %v %s", d.Line, d.Value, d.Raw))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestReadDocuments(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"jsonl", "{\"a\":1}\n\n{\"a\":2}\r\n", []string{"1: map[a:1] {\"a\":1}", "3: map[a:2] {\"a\":2}"}},
		{"jsonl bad line goes on", "{\"a\":1}\n{\"a\":\n{\"a\":3}", []string{"1: map[a:1] {\"a\":1}", "2: error at 2:6", "3: map[a:3] {\"a\":3}"}},
		{"jsonl two values on a line", "1\n1 2\n", []string{"1: 1 1", "2: error at 2:3"}},
		{"leading blank lines", "\n\n  [1]\n", []string{"3: [1]   [1]"}},
		{"multi-line document", "\n{\n  \"a\": [\n    1\n  ]\n}\n", []string{"2: map[a:[1]] {\n  \"a\": [\n    1\n  ]\n}"}},
		{"multi-line documents", "{\n}\n{\n\"b\": true}", []string{"1: map[] {\n}", "3: map[b:true] {\n\"b\": true}"}},
		{"multi-line stops at bad", "{\n\"a\": 1,\n}\n{}\n", []string{"1: error at 3:1"}},
		{"truncated", "{\n\"a\": [1,", []string{"1: error at 2:9"}},
		{"empty", "", nil},
		{"blank", "\n \n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readAll(t, tt.in)
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tt.want) {
				t.Fatalf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestReadDocumentsStopsOnCallbackError(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := schemas.ReadDocuments(strings.NewReader("1\n2\n3\n"), func(schemas.Document) error {
		n++
		return stop
	})
	if err != stop || n != 1 {
		t.Fatalf("err %v after %d documents", err, n)
	}
}

func TestLineOf(t *testing.T) {
	doc := []byte(readExample(t, "phasio-order-created.json"))
	lines := strings.Split(string(doc), "\n")
	tests := []struct{ pointer, wantLine string }{
		{"", "{"},
		{"/orderId", `"orderId": 12345,`},
		{"/parts/0/quantity", `"quantity": 100,`},
		{"/parts/0/productionSteps/2", "{"},
		{"/parts/0/productionSteps/2/name", `"name": "Quality Check",`},
		{"/shipping/address/zip", `"zip": "73301",`},
		{"/shipping/address/missing", `"address": {`},
		{"/nope/deeper", "{"},
	}
	for _, tt := range tests {
		t.Run(tt.pointer, func(t *testing.T) {
			n := schemas.LineOf(doc, tt.pointer)
			if n < 1 || n > len(lines) || lines[n-1] != tt.wantLine {
				t.Fatalf("line %d, want the line %q", n, tt.wantLine)
			}
		})
	}
	if n := schemas.LineOf([]byte("{\"a/b\":\n{\"~x\":\n1}}"), "/a~1b/~0x"); n != 3 {
		t.Fatalf("escaped pointer: line %d, want 3", n)
	}
	if n := schemas.LineOf([]byte("{\n\"a\": [1,\n"), "/a/5"); n != 2 {
		t.Fatalf("truncated document: line %d, want 2", n)
	}
}

// TestLinesOf: the lines of many pointers found in one pass are each
// pointer's own LineOf, whatever else is asked with it (shared ancestors,
// repeats, missing members, array indexes, a truncated document).
func TestLinesOf(t *testing.T) {
	doc := []byte(readExample(t, "phasio-order-created.json"))
	for _, tt := range []struct {
		doc      []byte
		pointers []string
	}{
		{doc, []string{"/parts/0/quantity", "", "/orderId", "/parts/0/productionSteps/2/name", "/parts/0/productionSteps/2",
			"/shipping/address/missing", "/nope/deeper", "/parts/0/quantity", "/parts", "/parts/9", "/shipping/address/zip"}},
		{[]byte("{\"a/b\":\n{\"~x\":\n1}, \"a\": [\n1,\n\n2]}"), []string{"/a/1", "/a~1b/~0x", "/a/0", "/a~1b", "/a/7"}},
		{[]byte("{\n\"a\": [1,\n"), []string{"/a/5", "/a/0", "/a", "/b"}},
		{nil, []string{"", "/a"}},
	} {
		got := schemas.LinesOf(tt.doc, tt.pointers)
		if len(got) != len(tt.pointers) {
			t.Fatalf("%d lines for %d pointers", len(got), len(tt.pointers))
		}
		for i, p := range tt.pointers {
			if want := schemas.LineOf(tt.doc, p); got[i] != want {
				t.Errorf("%.20q %q: line %d among others, %d alone", tt.doc, p, got[i], want)
			}
		}
	}
}

// FuzzReadDocuments: arbitrary input never panics, every document is either
// a value or a positioned error, and LineOf stays within the document.
func FuzzReadDocuments(f *testing.F) {
	for _, s := range []string{"{\"a\":1}\n{\"a\":\n", "{\n\"a\": [1,", "\n\n[1]\n", "1 2", "{\"a\":{\"b\":[0,{\"c\":1}]}}", "\"\\u00", "\r\n\r\n{}"} {
		f.Add(s, "/a/b/1/c")
	}
	f.Fuzz(func(t *testing.T, in, pointer string) {
		err := schemas.ReadDocuments(strings.NewReader(in), func(d schemas.Document) error {
			if (d.Err == nil) == (d.Value == nil && string(d.Raw) != "null") {
				t.Fatalf("line %d: value %v with error %v", d.Line, d.Value, d.Err)
			}
			if d.Line < 1 || d.Line > strings.Count(in, "\n")+1 {
				t.Fatalf("line %d out of range", d.Line)
			}
			n := schemas.LineOf(d.Raw, pointer)
			if n < 1 || n > strings.Count(string(d.Raw), "\n")+1 {
				t.Fatalf("LineOf = %d out of range", n)
			}
			parent := pointer[:max(strings.LastIndex(pointer, "/"), 0)]
			if got := schemas.LinesOf(d.Raw, []string{parent, pointer, "/0"}); got[1] != n || got[0] != schemas.LineOf(d.Raw, parent) {
				t.Fatalf("LinesOf = %v, LineOf %d", got, n)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestReadDocumentsHostile: a byte order mark is skipped, a line that is
// not UTF-8 is a positioned syntax error, and a JSONL line over the 16 MiB
// limit is reported and skipped without being held in memory.
func TestReadDocumentsHostile(t *testing.T) {
	if got := readAll(t, "\ufeff{\"a\":1}\n{\"b\":\"\xff\"}\n[2]\n"); fmt.Sprintf("%q", got) != fmt.Sprintf("%q", []string{
		"1: map[a:1] {\"a\":1}", "2: error at 2:7", "3: [2] [2]"}) {
		t.Fatalf("got %q", got)
	}
	long := "[" + strings.Repeat("1,", 9<<20) + "1]"
	var got []string
	err := schemas.ReadDocuments(strings.NewReader("{}\n"+long+"\n{}\n"), func(d schemas.Document) error {
		if d.Err != nil {
			got = append(got, fmt.Sprintf("%d: %v", d.Line, d.Err))
		} else {
			got = append(got, fmt.Sprintf("%d: ok", d.Line))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"1: ok", "2: line 2: longer than the line limit of 16 MiB", "3: ok"}
	if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}
