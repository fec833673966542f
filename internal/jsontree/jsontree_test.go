package jsontree

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
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
	if got, ok := Get(v, []string{"a", "b", "1", "c"}); !ok || got != "d" {
		t.Fatalf("Get: %v %v", got, ok)
	}
	if _, ok := Get(v, []string{"a", "b", "2"}); ok {
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
