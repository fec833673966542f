package contracts

import (
	"errors"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/schemas"
)

func decode(t *testing.T, s string) any {
	t.Helper()
	v, err := schemas.Decode([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestParsePointer(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  bool
	}{
		{"", nil, false},
		{"/", []string{""}, false},
		{"/pricing/totalPrice", []string{"pricing", "totalPrice"}, false},
		{"/a~1b/c~0d", []string{"a/b", "c~d"}, false},
		{"pricing", nil, true},
		{"/a~2", nil, true},
		{"/a~", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parsePointer(tt.in)
			if tt.err {
				if !errors.Is(err, ErrPointer) || !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.in) {
					t.Fatalf("got %v, want an ErrPointer naming %q", err, tt.in)
				}
				return
			}
			if err != nil || strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestCompareState(t *testing.T) {
	snap := decode(t, `{"orderId":1,"orderNumber":null,"pricing":{"totalPrice":102.00},"parts":[{"id":7}],"body":{"state":"OPENED"}}`)
	tests := []struct {
		name     string
		specs    []string
		state    string
		mismatch []string
	}{
		{"equal, numbers by value", []string{"/orderId", "/orderNumber", "/pricing/totalPrice"}, `{"orderId":1.0,"orderNumber":null,"pricing":{"totalPrice":102}}`, nil},
		{"changed value", []string{"/orderId", "/pricing/totalPrice"}, `{"orderId":1,"pricing":{"totalPrice":99.5}}`, []string{"/pricing/totalPrice: expected 102.00, got 99.5"}},
		{"missing in state", []string{"/orderNumber"}, `{}`, []string{"/orderNumber: expected null, got (absent)"}},
		{"absent on both sides", []string{"/kanbanColumnName"}, `{}`, nil},
		{"array index", []string{"/parts/0/id"}, `{"parts":[{"id":8}]}`, []string{"/parts/0/id: expected 7, got 8"}},
		{"mapped pointer", []string{"/body/state=/state"}, `{"state":"OPENED"}`, nil},
		{"mapped pointer differs", []string{"/body/state=/state"}, `{"state":"DRAFT"}`, []string{`/body/state=/state: expected "OPENED", got "DRAFT"`}},
		{"type differs", []string{"/orderId"}, `{"orderId":"1"}`, []string{`/orderId: expected 1, got "1"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cmps []Comparison
			for _, s := range tt.specs {
				c, err := ParseComparison(s)
				if err != nil {
					t.Fatal(err)
				}
				if c.String() != s {
					t.Errorf("String() = %q, want %q", c.String(), s)
				}
				cmps = append(cmps, c)
			}
			mm := compareState(cmps, snap, decode(t, tt.state))
			var got []string
			for _, m := range mm {
				got = append(got, m.String())
			}
			if strings.Join(got, "\n") != strings.Join(tt.mismatch, "\n") {
				t.Fatalf("mismatches %q, want %q", got, tt.mismatch)
			}
		})
	}
}

func TestParseComparisonRejectsBadPointers(t *testing.T) {
	for _, spec := range []string{"orderId", "/a=b", "/a~3"} {
		if _, err := ParseComparison(spec); !errors.Is(err, ErrConfig) {
			t.Errorf("%q: got %v, want a configuration error", spec, err)
		}
	}
}

func TestDiffJSON(t *testing.T) {
	a := decode(t, `{"n":1,"list":[1,2],"obj":{"x":"a","y/z":true},"gone":0}`)
	b := decode(t, `{"n":1.0,"list":[1,3],"obj":{"x":"b","y/z":true},"new":null}`)
	got := diffJSON(a, b, "", 10)
	want := []difference{
		{"/gone", "0", "(absent)"},
		{"/list/1", "2", "3"},
		{"/new", "(absent)", "null"},
		{"/obj/x", `"a"`, `"b"`},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("diff %d = %v, want %v", i, got[i], want[i])
		}
	}
	if n := len(diffJSON(a, b, "", 2)); n != 2 {
		t.Errorf("limit 2 gave %d differences", n)
	}
	if d := diffJSON(a, a, "", 10); len(d) != 0 {
		t.Errorf("a document differs from itself: %v", d)
	}
}

func TestExcerpt(t *testing.T) {
	long := strings.Repeat("é", 150) // 300 bytes
	got := excerpt([]byte(long))
	if len(got) > MaxExcerpt+len("…") || !strings.HasSuffix(got, "…") || strings.ContainsRune(got, '\uFFFD') {
		t.Errorf("excerpt of a long text: %q", got)
	}
	if got := excerpt([]byte("a\n  b\tc\xff")); got != "a b c\uFFFD" {
		t.Errorf("excerpt = %q", got)
	}
}
