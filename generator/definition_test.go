package generator

import (
	"bytes"
	"encoding/json"
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
