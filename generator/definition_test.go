package generator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/provider"
)

// TestFromDefinition plays the made-up shop's lifecycles and single
// events: every payload validates against its event's schema, an entity
// keeps its key and moves through its states in time order, and the same
// seed gives the same bytes.
func TestFromDefinition(t *testing.T) {
	def, err := provider.Load(filepath.Join("..", "testdata", "providers", "shop.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	scenarios := DefinitionScenarios(def)
	if got := strings.Join(scenarios, " "); got != "shop/happy shop/cancelled event:order_created event:order_paid event:order_fulfilled event:order_cancelled" {
		t.Fatalf("scenarios %s", got)
	}
	for _, sc := range scenarios {
		t.Run(sc, func(t *testing.T) {
			evs, err := FromDefinition(def, 5, sc, 3, false)
			if err != nil {
				t.Fatal(err)
			}
			again, _ := FromDefinition(def, 5, sc, 3, false)
			other, _ := FromDefinition(def, 6, sc, 3, false)
			if len(again) != len(evs) || !bytes.Equal(again[len(again)-1].Payload, evs[len(evs)-1].Payload) {
				t.Fatal("the same seed gave other events")
			}
			if bytes.Equal(other[0].Payload, evs[0].Payload) {
				t.Fatal("another seed gave the same first payload")
			}
			keys := map[string]bool{}
			last := map[string]time.Time{}
			for _, ev := range evs {
				e, ok := def.Event(ev.Event)
				if !ok || ev.Provider != "shop" || ev.OrderKey == "" {
					t.Fatalf("event %+v", ev)
				}
				s, _ := e.Schema()
				if err := s.Check(ev.Payload); err != nil {
					t.Fatalf("%s: %v\n%s", ev.Step, err, ev.Payload)
				}
				var doc struct{ ID, Status, UpdatedAt string }
				_ = json.Unmarshal(ev.Payload, &doc)
				if doc.ID != ev.OrderKey {
					t.Fatalf("key %q, payload id %q", ev.OrderKey, doc.ID)
				}
				if t0, ok := last[ev.OrderKey]; ok && !ev.At.After(t0) {
					t.Fatalf("%s: %s not after %s", ev.Step, ev.At, t0)
				}
				last[ev.OrderKey] = ev.At
				keys[ev.OrderKey] = true
				if !strings.HasPrefix(sc, SingleEventScenario) {
					want := map[string]string{"create": "pending", "pay": "paid", "fulfil": "fulfilled", "cancel": "cancelled"}[ev.Step]
					if doc.Status != want || doc.UpdatedAt != ev.At.UTC().Format(time.RFC3339Nano) {
						t.Fatalf("%s: status %q updatedAt %q at %s", ev.Step, doc.Status, doc.UpdatedAt, ev.At)
					}
				}
			}
			if len(keys) != 3 {
				t.Fatalf("%d entities, want 3", len(keys))
			}
		})
	}
	edge, err := FromDefinition(def, 1, "", 0, true)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, ev := range edge {
		keys[ev.OrderKey] = true
	}
	if len(edge) < 20 || len(keys) < len(edge)*9/10 {
		t.Fatalf("%d edge cases, %d keys", len(edge), len(keys))
	}
	if err := CheckDefinitionScenario(def, "shop/sad"); err == nil || !strings.Contains(err.Error(), "shop/happy") {
		t.Fatalf("unknown scenario: %v", err)
	}
}

// TestFromDefinitionDistinctKeys: every entity of a run gets a key of its
// own while the key's schema has values enough (a pattern, an integer
// range narrower than the run, GitHub's ids whose documented example is
// 42), the same for the same seed; runs in different key slots share
// none; where the schema has fewer values, keys repeat but Entity still
// numbers the entities.
func TestFromDefinitionDistinctKeys(t *testing.T) {
	shop, err := provider.Load(filepath.Join("..", "testdata", "providers", "shop.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	small := func(id string) *provider.Definition {
		d, err := provider.Parse([]byte(`format: 1
name: small
signing: none
events:
  match: [{header: X-Event}]
  key: /id
  list:
    - {name: created, schema: {type: object, required: [id], properties: {id: `+id+`}}}
`), "small.yaml")
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	// GitHub's issues-opened as its description has it
	// (testdata/specs/github-webhooks-api.github.com.json), but for what
	// the keys need: the first of three entity key pointers present, each
	// an int64 id behind a $ref, documented with the example 42 or 1. (The
	// whole 4.8 MB description cost 0.8 CPU-s here; importing it is
	// provider's and wire's tests' business.)
	github, err := provider.Parse([]byte(`format: 1
name: github
signing: none
events:
  match: [{header: X-GitHub-Event}, {pointer: /action}]
  key: [/repository/id, /organization/id, /sender/id]
  list:
    - name: issues-opened
      schema:
        type: object
        required: [action, repository, sender]
        properties:
          action: {type: string, enum: [opened]}
          repository: {$ref: "#/$defs/repository-webhooks"}
          organization: {$ref: "#/$defs/organization-simple-webhooks"}
          sender: {$ref: "#/$defs/simple-user"}
        $defs:
          repository-webhooks:
            type: object
            required: [id, name]
            properties:
              id: {description: Unique identifier of the repository, type: integer, format: int64, examples: [42]}
              name: {type: string, examples: [Team Environment]}
          organization-simple-webhooks:
            type: object
            required: [id]
            properties: {id: {type: integer, examples: [1]}}
          simple-user:
            type: object
            required: [id, login]
            properties:
              id: {type: integer, format: int64, examples: [1]}
              login: {type: string, examples: [octocat]}
`), "github.yaml")
	if err != nil {
		t.Fatal(err)
	}
	entities := func(evs []*Event) (keys, ents map[string]bool) {
		keys, ents = map[string]bool{}, map[string]bool{}
		byEntity := map[int]string{}
		for _, ev := range evs {
			if k, ok := byEntity[ev.Entity]; ok && k != ev.OrderKey {
				t.Fatalf("entity %d has keys %s and %s", ev.Entity, k, ev.OrderKey)
			}
			byEntity[ev.Entity] = ev.OrderKey
			keys[ev.OrderKey] = true
			ents[fmt.Sprint(ev.Entity)] = true
		}
		return keys, ents
	}
	for _, tc := range []struct {
		name     string
		def      *provider.Definition
		scenario string
		orders   int
		distinct int // want distinct keys
	}{
		{"pattern, single events", shop, "event:order_created", 300, 300},
		{"pattern, lifecycles", shop, "shop/happy", 40, 40},
		{"integers 1 to 500", small("{type: integer, minimum: 1, maximum: 500}"), "event:created", 500, 500},
		{"integers 1 to 3", small("{type: integer, minimum: 1, maximum: 3}"), "event:created", 20, 3},
		{"uuid with an example", small("{type: string, format: uuid, examples: [3f2504e0-4f89-41d3-9a0c-0305e82c3301]}"), "event:created", 200, 200},
		{"GitHub's example ids", github, "event:issues-opened", 12, 12},
	} {
		t.Run(tc.name, func(t *testing.T) {
			evs, err := FromDefinition(tc.def, 7, tc.scenario, tc.orders, false)
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range evs {
				e, _ := tc.def.Event(ev.Event)
				s, _ := e.Schema()
				if err := s.Check(ev.Payload); err != nil {
					t.Fatalf("%s: %v", ev.Payload, err)
				}
			}
			keys, ents := entities(evs)
			if len(keys) != tc.distinct || len(ents) != tc.orders {
				t.Fatalf("%d keys of %d entities, want %d of %d", len(keys), len(ents), tc.distinct, tc.orders)
			}
			again, _ := FromDefinition(tc.def, 7, tc.scenario, tc.orders, false)
			if again[len(again)-1].OrderKey != evs[len(evs)-1].OrderKey {
				t.Fatal("the same seed gave other keys")
			}
			if tc.distinct < tc.orders {
				return
			}
			// two slots of ten: no key in common
			a, _ := FromDefinition(tc.def, 1, tc.scenario, tc.orders/10, false, WithKeySlot(3, 10, 99))
			b, _ := FromDefinition(tc.def, 2, tc.scenario, tc.orders/10, false, WithKeySlot(4, 10, 99))
			ka, _ := entities(a)
			kb, _ := entities(b)
			for k := range ka {
				if kb[k] {
					t.Fatalf("slots 3 and 4 share key %s", k)
				}
			}
		})
	}
	if _, err := FromDefinition(shop, 1, "event:order_created", 1, false, WithKeySlot(2, 2, 0)); err == nil {
		t.Error("WithKeySlot(2, 2, 0) accepted")
	}
	if _, err := New(ProviderPhasio, WithKeySlot(0, 1, 0)); err == nil {
		t.Error("New accepted WithKeySlot")
	}
}

// TestFromDefinitionInterrupted cancels FromDefinition while it generates
// a million entities of each kind of scenario (minutes of work): it must
// return the context's error, not events, once the context is done.
func TestFromDefinitionInterrupted(t *testing.T) {
	def, err := provider.Load(filepath.Join("..", "testdata", "providers", "shop.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range []string{"shop/happy", "event:order_created"} {
		t.Run(sc, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			timer := time.AfterFunc(50*time.Millisecond, cancel)
			defer timer.Stop()
			done := make(chan error, 1)
			go func() {
				evs, err := FromDefinition(def, 1, sc, 1_000_000, false, WithContext(ctx))
				if evs != nil {
					err = fmt.Errorf("%d events and %v", len(evs), err)
				}
				done <- err
			}()
			select {
			case err := <-done:
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("FromDefinition = %v, want context.Canceled", err)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("FromDefinition still generating 20 s after its context was cancelled")
			}
		})
	}
}
