package schemagen_test

import (
	"encoding/json"
	"testing"

	"github.com/orderhooks/orderhooks/generator/schemagen"
)

// TestKeys: the values Keys gives at an entity key are pairwise distinct,
// each valid in a whole payload where the generated key stood, and as
// many as the key's schema allows (no more); examples are not repeated.
func TestKeys(t *testing.T) {
	cases := []struct {
		name, key string
		count     int64 // want Count; 0: at least 1000
	}{
		{"github example id", `{"type":"integer","examples":[42]}`, 0},
		{"narrow range", `{"type":"integer","minimum":3,"maximum":7}`, 5},
		{"exclusive range with multipleOf", `{"type":"integer","exclusiveMinimum":0,"maximum":100,"multipleOf":25}`, 4},
		{"decimal multipleOf", `{"type":"number","minimum":0,"maximum":1,"multipleOf":0.25}`, 5},
		{"enum of two", `{"type":"string","enum":["ord_1","ord_2"]}`, 2},
		{"const", `{"const":"only"}`, 1},
		{"enum filtered by pattern", `{"type":"string","enum":["a1","b2","zz"],"pattern":"[0-9]$"}`, 2},
		{"uuid", `{"type":"string","format":"uuid","examples":["00000000-0000-4000-8000-000000000000"]}`, 0},
		{"email", `{"type":"string","format":"email"}`, 0},
		{"date-time", `{"type":"string","format":"date-time"}`, 0},
		{"pattern", `{"type":"string","pattern":"^ord_[0-9a-f]{12}$"}`, 0},
		{"narrow pattern", `{"type":"string","pattern":"^[ab]-(x|y)$"}`, 4},
		{"pattern with repeats", `{"type":"string","pattern":"^[A-Z]{2}\\d+$","maxLength":6}`, 0},
		{"length bounds", `{"type":"string","minLength":2,"maxLength":3}`, 0},
		{"one character", `{"type":"string","maxLength":1,"minLength":1,"pattern":"^[0-9]$"}`, 10},
		{"boolean", `{"type":"boolean"}`, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			schema := `{"type":"object","required":["order"],"properties":{"order":{"type":"object","required":["id","note"],` +
				`"properties":{"id":` + tc.key + `,"note":{"type":"string"}}}}}`
			g, err := schemagen.New([]byte(schema))
			if err != nil {
				t.Fatal(err)
			}
			v := projectSchema(t, map[string][]byte{base: []byte(schema)}, base)
			k, err := g.Keys("/order/id", 1)
			if err != nil {
				t.Fatal(err)
			}
			n := k.Count()
			if tc.count > 0 && n != tc.count || tc.count == 0 && n < 1000 {
				t.Fatalf("Count = %d, want %d (0: at least 1000)", n, tc.count)
			}
			tries := min(n, 2000)
			seen := map[string]int64{}
			for i := int64(0); i < tries; i++ {
				val, ok := k.Value(10_000_000 + i)
				if !ok {
					if tc.name == "pattern with repeats" {
						continue // the ranked strings past maxLength
					}
					t.Fatalf("Value(%d): not valid", i)
				}
				if j, dup := seen[string(val)]; dup {
					t.Fatalf("Value(%d) = Value(%d) = %s", i, j, val)
				}
				seen[string(val)] = i
				var payload any
				doc := `{"order":{"id":` + string(val) + `,"note":"x"}}`
				if err := json.Unmarshal([]byte(doc), &payload); err != nil {
					t.Fatal(err)
				}
				if err := v.Validate(payload); err != nil {
					t.Fatalf("Value(%d) = %s: %v", i, val, err)
				}
			}
			if len(seen) == 0 {
				t.Fatal("no valid value")
			}
			if again, _ := k.Value(10_000_000); string(again) != firstKey(seen) {
				t.Errorf("Value is not a function of its index: %s", again)
			}
		})
	}
}

// firstKey is the value seen at index 0.
func firstKey(seen map[string]int64) string {
	for v, i := range seen {
		if i == 0 {
			return v
		}
	}
	return ""
}

// TestKeysMissingPlace: a place the payloads do not have is an error.
func TestKeysMissingPlace(t *testing.T) {
	g, err := schemagen.New([]byte(`{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"],"additionalProperties":false}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Keys("/order/id", 1); err == nil {
		t.Fatal("no error for a pointer the payloads lack")
	}
}
