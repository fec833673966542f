package provider_test

import (
	"testing"

	"github.com/orderhooks/orderhooks/internal/corpus"
	"github.com/orderhooks/orderhooks/provider"
	"github.com/orderhooks/orderhooks/schemas"
)

// TestKeyOfJSON holds KeyOfJSON, which reads a payload in place, to
// KeyOf on the payload decoded by encoding/json: the same key for
// duplicate members, escapes, numbers, arrays and kinds that are no key.
func TestKeyOfJSON(t *testing.T) {
	ptrs := []string{"/missing", "/orderId", "/body/id", "/items/1/ref", "/a~1b", "/id"}
	for _, doc := range []string{
		`{"orderId":57930}`,
		`{"orderId":"ord_1","orderId":"ord_2"}`,
		`{"orderId":{"x":1},"id":"fallback"}`,
		`{"orderId":null,"id":7.50}`,
		`{"orderId":true,"id":-1e3}`,
		`{"body":{"id":"hc\u00e9\"1"},"body":{"other":1},"id":"x"}`,
		`{"body":{"id":"first"},"body":{"id":"second"}}`,
		`{"items":[{"ref":"a"},{"ref":"b"}],"id":""}`,
		`{"items":[{"ref":"a"}],"id":"short"}`,
		`{"items":{"1":{"ref":"not an array"}}}`,
		`{"a/b":"slash","id":1}`,
		`{"\u006frderId":"escaped name"}`,
		`{"orderId":""}`,
		`[{"id":1}]`,
		`"id"`,
		`{}`,
	} {
		want := keyOf(t, []byte(doc), ptrs)
		if got := provider.KeyOfJSON([]byte(doc), ptrs); got != want {
			t.Errorf("KeyOfJSON(%s) = %q, KeyOf on the decoded payload %q", doc, got, want)
		}
	}
	if got := provider.KeyOfJSON([]byte(`{"orderId":"ord_1",`), ptrs); got != "" {
		t.Errorf("KeyOfJSON of a broken document = %q, want none", got)
	}
	evs, err := corpus.Clean(600, 5)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		def, ok := provider.Builtin(ev.Provider)
		if !ok {
			t.Fatalf("no definition of %s", ev.Provider)
		}
		e, _ := def.Event(ev.Event)
		doc, err := schemas.Decode(ev.Payload)
		if err != nil {
			t.Fatal(err)
		}
		want := def.EntityKey(e, doc)
		if want == "" {
			t.Fatalf("%s %s: no key in %s", ev.Provider, ev.Event, ev.Payload)
		}
		if got := def.EntityKeyJSON(e, ev.Payload); got != want {
			t.Errorf("%s %s: EntityKeyJSON = %q, EntityKey %q", ev.Provider, ev.Event, got, want)
		}
	}
}

func keyOf(t *testing.T, doc []byte, ptrs []string) string {
	t.Helper()
	v, err := schemas.Decode(doc)
	if err != nil {
		t.Fatal(err)
	}
	return provider.KeyOf(v, ptrs)
}
