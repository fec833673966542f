package schemas_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/orderhooks/orderhooks/schemas"
)

// TestStrictRejectsUnknownFields adds an undocumented field to every object
// of every example: the strict variant rejects it at its pointer, the loose
// schema accepts it (platforms add fields; receivers must tolerate them).
func TestStrictRejectsUnknownFields(t *testing.T) {
	pairs := []struct{ file, loose, strict string }{
		{"phasio-order-created.json", schemas.PhasioOrder, schemas.PhasioOrderStrict},
		{"phasio-order-updated.json", schemas.PhasioOrder, schemas.PhasioOrderStrict},
		{"phasio-quote-converted.json", schemas.PhasioQuoteConverted, schemas.PhasioQuoteConvertedStrict},
		{"happycolis-order-updated.json", schemas.HappyColisOrderEvent, schemas.HappyColisOrderEventStrict},
	}
	for _, p := range pairs {
		doc := readExample(t, p.file)
		for _, at := range objectPointers(decodeFresh(t, doc), "") {
			t.Run(p.file+at, func(t *testing.T) {
				v := decodeFresh(t, doc)
				object(t, v, at)["undocumented"] = "x"
				expectValid(t, p.loose, v)
				expectOnlyAt(t, p.strict, v, at+"/undocumented")
			})
		}
	}
}

// TestStrictSourceIsDerived checks what `schema show` prints for a strict
// variant: the loose document with additionalProperties false on each
// object schema that lists properties and nowhere else.
func TestStrictSourceIsDerived(t *testing.T) {
	for _, loose := range []string{schemas.PhasioOrder, schemas.PhasioQuoteConverted, schemas.HappyColisOrderEvent} {
		strict := loose + "-strict"
		t.Run(strict, func(t *testing.T) {
			ls, ss := schemas.MustGet(loose).Source(), schemas.MustGet(strict).Source()
			if bytes.Contains(ls, []byte(`"additionalProperties"`)) {
				t.Fatalf("%s sets additionalProperties; the loose schemas must stay open", loose)
			}
			var lv, sv any
			if err := json.Unmarshal(ls, &lv); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(ss, &sv); err != nil {
				t.Fatal(err)
			}
			want := closedObjectCount(lv)
			if got := bytes.Count(ss, []byte(`"additionalProperties": false`)); got != want {
				t.Fatalf("%d additionalProperties false, want %d (one per object schema with properties)", got, want)
			}
			if closedObjectCount(sv) != want {
				t.Fatalf("the strict document lost object schemas")
			}
			root := sv.(map[string]any)
			if id := root["$id"]; id != "https://orderhooks.dev/schemas/"+strict+".json" {
				t.Fatalf("$id %v", id)
			}
			// Quote Converted is the order schema plus rules: its strict
			// variant must build on the strict order schema.
			if ref, ok := root["$ref"]; ok && ref != "order-strict.json" {
				t.Fatalf("$ref %v, want order-strict.json", ref)
			}
		})
	}
}

// closedObjectCount counts object schemas that list properties.
func closedObjectCount(v any) int {
	n := 0
	switch c := v.(type) {
	case map[string]any:
		if _, ok := c["properties"]; ok && admitsObject(c["type"]) {
			n++
		}
		for k, e := range c {
			if k != "enum" && k != "const" {
				n += closedObjectCount(e)
			}
		}
	case []any:
		for _, e := range c {
			n += closedObjectCount(e)
		}
	}
	return n
}

func admitsObject(t any) bool {
	if t == "object" {
		return true
	}
	ts, _ := t.([]any)
	for _, e := range ts {
		if e == "object" {
			return true
		}
	}
	return false
}
