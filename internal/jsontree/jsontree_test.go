package jsontree

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/internal/jsonptr"
)

// TestRoundTrip: compact documents come back byte for byte (order, number
// spelling), maps are written with sorted keys, duplicates keep the first
// position and the last value.
func TestRoundTrip(t *testing.T) {
	for _, doc := range []string{
		`{"b":1,"a":[1.50,-0,1e3,{"z":null,"y":true}],"c":"é\u2028<>&"}`,
		`[]`, `{}`, `"x"`, `12345678901234567890.000`,
	} {
		v, err := Decode([]byte(doc), 0)
		if err != nil {
			t.Fatal(err)
		}
		want := doc
		if strings.Contains(doc, `\u2028`) { // escaped as encoding/json does, HTML characters as they are
			want = strings.Replace(doc, "é\\u2028<>&", "é\\u2028<>&", 1)
		}
		if got := string(Append(nil, v)); got != want {
			t.Errorf("%s came back as %s", doc, got)
		}
		if got := string(Append(nil, Clone(v))); got != want {
			t.Errorf("clone of %s: %s", doc, got)
		}
	}
	v, _ := Decode([]byte(`{"a":1,"b":2,"a":3}`), 0)
	if got := string(Append(nil, v)); got != `{"a":3,"b":2}` {
		t.Errorf("duplicates: %s", got)
	}
	if got := string(Append(nil, map[string]any{"b": json.Number("2"), "a": []any{"x"}})); got != `{"a":["x"],"b":2}` {
		t.Errorf("map: %s", got)
	}
	if got := string(Append(nil, json.RawMessage(`{ "kept" : "\/" }`))); got != `{ "kept" : "\/" }` {
		t.Errorf("raw: %s", got)
	}
}

func TestDecodeErrors(t *testing.T) {
	if _, err := Decode([]byte(`{} {}`), 0); !errors.Is(err, ErrTrailing) {
		t.Errorf("trailing: %v", err)
	}
	if _, err := Decode([]byte(strings.Repeat("[", 20)+strings.Repeat("]", 20)), 10); !errors.Is(err, ErrTooDeep) {
		t.Errorf("depth: %v", err)
	}
	if _, err := Decode([]byte(`{"a":`), 0); err == nil {
		t.Error("truncated document accepted")
	}
	if _, err := DecodeMembers([]byte(`[1]`)); err == nil {
		t.Error("DecodeMembers accepted an array")
	}
}

func TestObjectAndPointers(t *testing.T) {
	v, _ := Decode([]byte(`{"a":{"b":[10,{"c":"d"}]}}`), 0)
	if got, ok := jsonptr.Get(v, []string{"a", "b", "1", "c"}); !ok || got != "d" {
		t.Fatalf("Get: %v %v", got, ok)
	}
	if _, ok := jsonptr.Get(v, []string{"a", "b", "2"}); ok {
		t.Fatal("Get found an item past the end")
	}
	o := v.(*Object)
	w := o.With("z", true)
	if o.Index("z") >= 0 || w.Index("z") != 1 {
		t.Fatal("With changed the original")
	}
	if !w.Remove("a") || w.Remove("a") || string(Append(nil, w)) != `{"z":true}` {
		t.Fatalf("Remove: %s", Append(nil, w))
	}
	m := Plain(v).(map[string]any)
	if _, ok := m["a"].(map[string]any); !ok {
		t.Fatal("Plain")
	}
	members, err := DecodeMembers([]byte(`{"n":1.50,"s":"\u00e9\/"}`))
	if err != nil || string(Append(nil, members)) != `{"n":1.50,"s":"\u00e9\/"}` {
		t.Fatalf("DecodeMembers: %s %v", Append(nil, members), err)
	}
}

func TestSetRemove(t *testing.T) {
	tests := []struct {
		doc, op, ptr, val, want, err string
	}{
		{`{"a":1,"b":2}`, "set", "/a", `3`, `{"a":3,"b":2}`, ""},
		{`{"a":1}`, "set", "/c", `[1]`, `{"a":1,"c":[1]}`, ""},
		{`{"a":[1,2]}`, "set", "/a/-", `3`, `{"a":[1,2,3]}`, ""},
		{`{"a":[1,2]}`, "set", "/a/2", `3`, `{"a":[1,2,3]}`, ""},
		{`{"a":[1,2]}`, "set", "/a/0", `0`, `{"a":[0,2]}`, ""},
		{`{"a":[1,2]}`, "set", "/a/3", `0`, "", "/a/3: no such array index"},
		{`{"a":1}`, "set", "/x/y", `0`, "", "no parent for /x/y"},
		{`{"a":1}`, "set", "/a/y", `0`, "", "/a/y: parent is not an object or array"},
		{`{"a":1}`, "set", "", `[]`, `[]`, ""},
		{`{"a":1,"b":2}`, "remove", "/a", "", `{"b":2}`, ""},
		{`{"a":[1,2,3]}`, "remove", "/a/1", "", `{"a":[1,3]}`, ""},
		{`{"a":1}`, "remove", "/b", "", "", "/b: nothing to remove"},
		{`{"a":1}`, "remove", "", "", "", "cannot remove the whole document"},
	}
	for _, tt := range tests {
		doc, _ := Decode([]byte(tt.doc), 0)
		p, _ := jsonptr.Parse(tt.ptr)
		var out any
		var err error
		if tt.op == "set" {
			val, _ := Decode([]byte(tt.val), 0)
			out, err = Set(doc, p, val)
		} else {
			out, err = Remove(doc, p)
		}
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%s %s %s: %v, want %s", tt.op, tt.ptr, tt.doc, err, tt.err)
			}
			continue
		}
		if err != nil || string(Append(nil, out)) != tt.want {
			t.Errorf("%s %s %s: %s %v, want %s", tt.op, tt.ptr, tt.doc, Append(nil, out), err, tt.want)
		}
	}
}

func TestKind(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string
	}{
		{nil, "null"}, {true, "a boolean"}, {"x", "a string"}, {[]any{1}, "a list"},
		{map[string]any{}, "a mapping"}, {&Object{}, "a mapping"}, {json.Number("1"), "a number"}, {1.5, "a number"},
	} {
		if got := Kind(tc.v); got != tc.want {
			t.Errorf("Kind(%#v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}
