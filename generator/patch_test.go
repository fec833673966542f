package generator

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestSetRemoveAndReferences: set and remove change the step's payload and
// every later one; references take earlier steps' values, keeping their
// type when a string is one reference.
func TestSetRemoveAndReferences(t *testing.T) {
	s := mustParse(t, `version: 1
name: test/patch
provider: phasio
steps:
  - name: quote
    event: ORDER
    action: create-quote
    set:
      /customReference: "PO-1"
      /parts/0/quantity: 5
      /pricing/exchangeRate: 1.0845
  - name: paid
    event: QUOTE_CONVERTED
    action: pay
    set:
      /threadId: "${quote:/orderId}"
      /customReference: "for ${quote:/quoteNumber}, ${quote:/parts/0/quantity} pcs"
    remove: [/expenses, /pricing/exchangeRate]
  - event: ORDER_UPDATED
    action: move
`)
	evs := generate(t, ProviderPhasio, WithScenario(s), WithSeed(3))
	var payloads []map[string]any
	for _, ev := range evs {
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(ev.Payload))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		payloads = append(payloads, m)
	}
	q, paid, moved := payloads[0], payloads[1], payloads[2]
	part := func(m map[string]any) any { return m["parts"].([]any)[0].(map[string]any)["quantity"] }
	if q["customReference"] != "PO-1" || part(q) != json.Number("5") || q["pricing"].(map[string]any)["exchangeRate"] != json.Number("1.0845") {
		t.Fatalf("step 1 not patched: %s", evs[0].Payload)
	}
	want := "for " + q["quoteNumber"].(string) + ", 5 pcs"
	for i, m := range []map[string]any{paid, moved} {
		if m["threadId"] != q["orderId"] {
			t.Errorf("event %d: threadId %v, want the quote's orderId %v as a number", i+2, m["threadId"], q["orderId"])
		}
		if m["customReference"] != want || part(m) != json.Number("5") {
			t.Errorf("event %d: customReference %v, quantity %v", i+2, m["customReference"], part(m))
		}
		if _, ok := m["expenses"]; ok {
			t.Errorf("event %d: /expenses not removed", i+2)
		}
		if _, ok := m["pricing"].(map[string]any)["exchangeRate"]; ok {
			t.Errorf("event %d: /pricing/exchangeRate not removed", i+2)
		}
	}
	// The patched payload keeps the documented field order.
	if !bytes.HasPrefix(evs[1].Payload, []byte(`{"orderId":`)) || bytes.Index(evs[1].Payload, []byte(`"threadId"`)) > bytes.Index(evs[1].Payload, []byte(`"quoteNumber"`)) {
		t.Fatalf("field order lost: %s", evs[1].Payload)
	}
	if moved["kanbanColumnName"] != "In Progress" {
		t.Fatalf("the move after patches did not happen: %v", moved["kanbanColumnName"])
	}
}

func TestPatchErrors(t *testing.T) {
	tests := []struct{ name, step, want string }{
		{"missing parent", "set: {/nope/x: 1}", "/steps/0: order"},
		{"remove missing", "remove: [/nope]", "/nope: nothing to remove"},
		{"array index past the end", "set: {/parts/9/quantity: 1}", "no parent for /parts/9/quantity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustParse(t, "version: 1\nname: t\nprovider: phasio\nsteps:\n  - event: ORDER\n    action: create-quote\n    "+tt.step+"\n")
			g, err := New(ProviderPhasio, WithScenario(s))
			if err != nil {
				t.Fatal(err)
			}
			err = g.Run(func(*Event) error { return nil })
			if !errors.Is(err, ErrScenario) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want ErrScenario containing %q", err, tt.want)
			}
		})
	}
}

// TestScenarioFromEvents: a scenario made from events replays their
// payloads byte for byte, with their order keys and spacing.
func TestScenarioFromEvents(t *testing.T) {
	for _, name := range []string{"phasio/batch-update", "happycolis/fulfilment"} {
		t.Run(name, func(t *testing.T) {
			s, _ := LoadScenario(name)
			evs := generate(t, s.Provider, WithScenario(s), WithDrift())
			saved, err := ScenarioFromEvents("replay/"+name, evs)
			if err != nil {
				t.Fatal(err)
			}
			file, err := saved.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			back, err := ParseScenario(file, "saved.yaml")
			if err != nil {
				t.Fatalf("%v\n%s", err, file)
			}
			again := generate(t, s.Provider, WithScenario(back))
			if len(again) != len(evs) {
				t.Fatalf("%d events, want %d", len(again), len(evs))
			}
			for i := range evs {
				a, b := evs[i], again[i]
				if !bytes.Equal(a.Payload, b.Payload) || a.OrderKey != b.OrderKey || a.Event != b.Event {
					t.Fatalf("event %d differs:\n%s %s %s\n%s %s %s", i+1, a.Event, a.OrderKey, a.Payload, b.Event, b.OrderKey, b.Payload)
				}
				if i > 0 && a.At.Sub(evs[i-1].At) != b.At.Sub(again[i-1].At) {
					t.Fatalf("event %d: spacing %s, want %s", i+1, b.At.Sub(again[i-1].At), a.At.Sub(evs[i-1].At))
				}
			}
		})
	}
	if _, err := ScenarioFromEvents("x", nil); !errors.Is(err, ErrScenario) {
		t.Fatalf("no events: %v", err)
	}
	mixed := []*Event{{Provider: ProviderPhasio, Event: PhasioOrderCreated, Payload: []byte(`{}`)}, {Provider: ProviderHappyColis, Event: HappyColisCreated, Payload: []byte(`{}`)}}
	if _, err := ScenarioFromEvents("x", mixed); !errors.Is(err, ErrScenario) {
		t.Fatalf("mixed providers: %v", err)
	}
}
