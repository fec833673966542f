package contracts

import (
	"context"
	"errors"
	"testing"
)

// TestShrinkValue minimises a document against a predicate that fails on
// "any part named bad", keeping documents that have an id (the "schema").
func TestShrinkValue(t *testing.T) {
	doc := decode(t, `{"id":1,"note":"x","parts":[{"name":"a","qty":1},{"name":"b"},{"name":"bad","qty":2,"extra":{"k":[1,2,3]}},{"name":"c"}],"pricing":{"total":3}}`)
	valid := func(v any) bool {
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		_, ok = m["id"]
		return ok
	}
	fails := func(_ context.Context, v any) (bool, error) {
		parts, _ := v.(map[string]any)["parts"].([]any)
		for _, p := range parts {
			if m, ok := p.(map[string]any); ok && m["name"] == "bad" {
				return true, nil
			}
		}
		return false, nil
	}
	s := &shrinker{budget: 100, valid: valid, fails: fails}
	s.shrinkValue(context.Background(), &doc)
	got, err := encodeJSON(doc)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"id":null,"parts":[{"name":"bad"}]}`; string(got) != want {
		t.Errorf("shrunk to %s, want %s", got, want)
	}
	if s.tries == 0 || s.tries > 100 {
		t.Errorf("%d tries", s.tries)
	}

	// Deterministic: the same input shrinks the same way in the same tries.
	doc2 := decode(t, `{"id":1,"note":"x","parts":[{"name":"a","qty":1},{"name":"b"},{"name":"bad","qty":2,"extra":{"k":[1,2,3]}},{"name":"c"}],"pricing":{"total":3}}`)
	s2 := &shrinker{budget: 100, valid: valid, fails: fails}
	s2.shrinkValue(context.Background(), &doc2)
	got2, _ := encodeJSON(doc2)
	if string(got2) != string(got) || s2.tries != s.tries {
		t.Errorf("second run: %s in %d tries, first %s in %d", got2, s2.tries, got, s.tries)
	}
}

func TestShrinkValueRespectsBudgetAndErrors(t *testing.T) {
	always := func(context.Context, any) (bool, error) { return true, nil }
	doc := decode(t, `{"a":[1,2,3,4,5,6,7,8],"b":{"c":1,"d":2},"e":"f"}`)
	s := &shrinker{budget: 3, valid: func(any) bool { return true }, fails: always}
	s.shrinkValue(context.Background(), &doc)
	if s.tries != 3 || s.budget != 0 {
		t.Errorf("tries %d, budget left %d; want 3 and 0", s.tries, s.budget)
	}

	boom := errors.New("receiver gone")
	doc = decode(t, `{"a":[1,2],"b":1}`)
	s = &shrinker{budget: 50, valid: func(any) bool { return true }, fails: func(context.Context, any) (bool, error) { return false, boom }}
	s.shrinkValue(context.Background(), &doc)
	if !errors.Is(s.err, boom) || s.tries != 1 {
		t.Errorf("err %v after %d tries, want %v after 1", s.err, s.tries, boom)
	}
}

func TestShrinkList(t *testing.T) {
	items := []string{"create", "edit", "poison", "edit2", "pay"}
	// "pay" fails only after "poison" was delivered.
	fails := func(_ context.Context, l []string) (bool, error) {
		for _, it := range l {
			if it == "poison" {
				return true, nil
			}
		}
		return false, nil
	}
	s := &shrinker{budget: 50}
	got := shrinkList(context.Background(), s, items, fails)
	if len(got) != 2 || got[0] != "poison" || got[1] != "pay" {
		t.Errorf("shrunk to %q, want [poison pay]", got)
	}
	if s.tries == 0 || s.budget != 50-s.tries {
		t.Errorf("tries %d, budget %d", s.tries, s.budget)
	}
	if one := shrinkList(context.Background(), s, []string{"pay"}, fails); len(one) != 1 {
		t.Errorf("single item shrunk to %q", one)
	}
}
