package jsonptr

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestParse covers the edge cases the four implementations this package
// replaced disagreed on: "" is the whole document, a missing leading "/"
// and a lone or unknown "~" escape are errors, "~01" is "~1".
func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Pointer
		err  string
	}{
		{"", nil, ""},
		{"/", Pointer{""}, ""},
		{"/a/b", Pointer{"a", "b"}, ""},
		{"/a~1b/m~0n", Pointer{"a/b", "m~n"}, ""},
		{"/~01", Pointer{"~1"}, ""},
		{"/a//", Pointer{"a", "", ""}, ""},
		{"a/b", nil, "must be empty or start with /"},
		{"/a~", nil, "~ must be followed by 0 or 1"},
		{"/a~2", nil, "~ must be followed by 0 or 1"},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Parse(%q): %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) || got.String() != tt.in {
			t.Errorf("Parse(%q) = %q, %v (String %q)", tt.in, got, err, got.String())
		}
	}
	if p, err := ParseFragment("#/components/a%20b/x~1y"); err != nil || !slices.Equal(p, Pointer{"components", "a b", "x/y"}) {
		t.Errorf("ParseFragment: %q %v", p, err)
	}
	if _, err := ParseFragment("#/%zz"); err == nil {
		t.Error("ParseFragment accepted a bad escape")
	}
}

func TestIndexAndGet(t *testing.T) {
	for _, tt := range []struct {
		tok  string
		n    int
		end  bool
		want int
		ok   bool
	}{
		{"0", 2, false, 0, true}, {"1", 2, false, 1, true}, {"2", 2, false, 0, false}, {"2", 2, true, 2, true},
		{"-", 2, true, 2, true}, {"-", 2, false, 0, false}, {"01", 2, false, 0, false}, {"-1", 2, false, 0, false},
		{"+1", 2, false, 0, false}, {"", 2, false, 0, false}, {"99999999999999999999", 2, false, 0, false},
	} {
		if got, ok := Index(tt.tok, tt.n, tt.end); got != tt.want || ok != tt.ok {
			t.Errorf("Index(%q, %d, %v) = %d, %v", tt.tok, tt.n, tt.end, got, ok)
		}
	}
	var doc any
	_ = json.Unmarshal([]byte(`{"a":{"b~c":[10,{"d/e":true}]},"":1}`), &doc)
	for ptr, want := range map[string]any{"/a/b~0c/0": 10.0, "/a/b~0c/1/d~1e": true, "/": 1.0} {
		p, _ := Parse(ptr)
		if got, ok := Get(doc, p); !ok || got != want {
			t.Errorf("Get(%s) = %v, %v", ptr, got, ok)
		}
	}
	for _, ptr := range []string{"/a/b~0c/2", "/a/b~0c/01", "/x", "/a/b~0c/0/deeper"} {
		p, _ := Parse(ptr)
		if _, ok := Get(doc, p); ok {
			t.Errorf("Get(%s) found something", ptr)
		}
	}
	if v, ok := Get(doc, nil); !ok || v == nil {
		t.Error("the empty pointer is the document")
	}
	if Join("/a", "b/c") != "/a/b~1c" || (Pointer{"x"}).Append("y~").String() != "/x/y~0" {
		t.Error("Join or Append")
	}
}

// FuzzParse: Parse never panics, and what it accepts formats back to the
// same text (and parses to the same tokens).
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "/", "/a~1b", "/~0~1", "/a~", "x", "#/a%20b", "/0/-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			return
		}
		if p.String() != s {
			t.Fatalf("Parse(%q).String() = %q", s, p.String())
		}
		again, err := Parse(p.String())
		if err != nil || !slices.Equal(again, p) {
			t.Fatalf("round trip of %q: %q %v", s, again, err)
		}
		_, _ = ParseFragment(s)
	})
}

// members is an object that keeps its members in order, as jsontree's does.
type members struct{ keys, vals []any }

func (m members) Get(key string) (any, bool) {
	for i, k := range m.keys {
		if k == key {
			return m.vals[i], true
		}
	}
	return nil, false
}

// TestGetMembers: Get walks objects that keep their own members (Members)
// as it walks maps, through arrays of them.
func TestGetMembers(t *testing.T) {
	doc := members{[]any{"a"}, []any{[]any{members{[]any{"b"}, []any{"c"}}}}}
	if got, ok := Get(doc, Pointer{"a", "0", "b"}); !ok || got != "c" {
		t.Errorf("Get(/a/0/b) = %v, %v", got, ok)
	}
	if _, ok := Get(doc, Pointer{"a", "0", "x"}); ok {
		t.Error("Get(/a/0/x) found something")
	}
}
