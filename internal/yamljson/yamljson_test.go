package yamljson

import (
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/internal/input"
)

var lim = Limits{Expansion: input.Limit{What: "test expansion", Bytes: 4 << 10}, Nodes: 500, Depth: 8}

func TestToJSON(t *testing.T) {
	tests := []struct{ in, want string }{
		{"b: 1\na: [x, 2.50, true, null, '<&>']\n", `{"b":1,"a":["x",2.50,true,null,"<&>"]}`},
		{`{"z": 1e3, "y": "é\n"}`, `{"z":1e3,"y":"é\n"}`},
		{"a: &x {k: v}\nb: *x\n", `{"a":{"k":"v"},"b":{"k":"v"}}`},
		{"n: 123456789012345678901234567890\n", `{"n":123456789012345678901234567890}`},
		{"f: .5\n", `{"f":0.5}`},
	}
	for _, tt := range tests {
		got, err := ToJSON([]byte(tt.in), lim)
		if err != nil || string(got) != tt.want {
			t.Errorf("%q: %s %v, want %s", tt.in, got, err, tt.want)
		}
	}
}

func TestToJSONErrors(t *testing.T) {
	bomb := "a: &a [" + strings.Repeat("xxxxxxxxxx,", 40) + "x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
	tests := []struct{ in, want string }{
		{"a: [1\n", "yaml: line 1: did not find expected ',' or ']'"},
		{"", "empty document"},
		{"a: 1\na: 2\n", `line 2: key "a" appears twice`},
		{"? [1]\n: 2\n", "line 1: keys must be plain strings"},
		{"a: .nan\n", `line 1: ".nan" is not a JSON number`},
		{bomb, "line 1: the document expands (aliases included) beyond the test expansion limit of 4 KiB"},
		{strings.Repeat("[", 12) + strings.Repeat("]", 12), "nested too deeply"},
		{"a: [" + strings.Repeat("1,", 600) + "1]\n", "line 1: more than 500 values"},
	}
	for _, tt := range tests {
		_, err := ToJSON([]byte(tt.in), lim)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%.40q: %v, want %q", tt.in, err, tt.want)
		}
	}
	// Past the YAML parser's own bound of 10,000 levels, the limit is
	// still the one reported, at its line and pointer.
	for _, in := range []string{
		"a: 1\nb: " + strings.Repeat("[", 20_000) + strings.Repeat("]", 20_000) + "\n",
		"a: |\n  [[[[[[[[[[\nb: " + strings.Repeat("[", 20_000) + strings.Repeat("]", 20_000) + "\n",
	} {
		_, err := ToJSON([]byte(in), lim)
		if e, ok := err.(*Error); !ok || e.Line != strings.Count(in, "\n") || e.Pointer != "/b/0/0/0/0/0/0/0/0" || e.Msg != "nested too deeply" {
			t.Errorf("%.20q: %v", in, err)
		}
	}
	_, err := ToJSON([]byte("a:\n  b:\n    c: 1\n    c: 2\n"), lim)
	if e, ok := err.(*Error); !ok || e.Line != 4 || e.Pointer != "/a/b" {
		t.Errorf("located error %#v", err)
	}
}

func TestLocate(t *testing.T) {
	doc := []byte("format: 1\nsigning:\n  schemes:\n    - name: v1\n      encoding: base32\nlist: [a, b]\n")
	tests := []struct {
		ptr       string
		line, col int
	}{
		{"", 1, 1},
		{"/signing", 2, 1},
		{"/signing/schemes/0/encoding", 5, 7},
		{"/signing/schemes/0/missing", 4, 7},
		{"/list/1", 6, 11},
		{"/nope/deeper", 1, 1},
	}
	for _, tt := range tests {
		if l, c := Locate(doc, tt.ptr); l != tt.line || c != tt.col {
			t.Errorf("%s: %d:%d, want %d:%d", tt.ptr, l, c, tt.line, tt.col)
		}
	}
	if l, _ := Locate([]byte("{\n \"a\": {\n  \"b/c\": 1}}"), "/a/b~1c"); l != 3 {
		t.Errorf("JSON: line %d", l)
	}
	if l, _ := Locate([]byte("a: [1"), "/a"); l != 0 {
		t.Errorf("broken: line %d", l)
	}
}
