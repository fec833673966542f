package capture

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/pii"
	"github.com/orderhooks/orderhooks/schemas"
)

// lifecycle returns the events of one order of a built-in scenario.
func lifecycle(t *testing.T, name string, seed int64) []*generator.Event {
	t.Helper()
	sc, err := generator.LoadScenario(name)
	if err != nil {
		t.Fatal(err)
	}
	g, err := generator.New(sc.Provider, generator.WithScenario(sc), generator.WithSeed(seed))
	if err != nil {
		t.Fatal(err)
	}
	var out []*generator.Event
	err = g.Run(func(ev *generator.Event) error {
		if len(out) == 0 || ev.OrderKey == out[0].OrderKey {
			out = append(out, ev)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 3 {
		t.Fatalf("%s: a lifecycle of %d events", name, len(out))
	}
	return out
}

func captures(evs []*generator.Event) []Captured {
	out := make([]Captured, len(evs))
	for i, ev := range evs {
		out[i] = Captured{Event: ev.Event, At: ev.At, Payload: ev.Payload, Source: "event " + ev.Step}
	}
	return out
}

// play runs a scenario file through the generator.
func play(t *testing.T, s *generator.Scenario) []*generator.Event {
	t.Helper()
	var file bytes.Buffer
	if err := WriteScenario(&file, s, "captured\nin a test"); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(file.String(), "# captured\n# in a test\nversion: 1\n") {
		t.Errorf("file starts %.60q", file.String())
	}
	back, err := generator.ParseScenario(file.Bytes(), "captured.yaml")
	if err != nil {
		t.Fatalf("%v\n%s", err, file.String())
	}
	g, err := generator.New(back.Provider, generator.WithScenario(back), generator.WithSeed(424242))
	if err != nil {
		t.Fatal(err)
	}
	var out []*generator.Event
	if err := g.Run(func(ev *generator.Event) error { out = append(out, ev); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// comparable is a payload as JSON without the sender's HappyColis header
// fields (a replay stamps fresh ones).
func comparable(t *testing.T, provider string, payload []byte) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(payload, &m); err != nil {
		t.Fatal(err)
	}
	if h, ok := m["header"].(map[string]any); ok && provider == generator.ProviderHappyColis {
		delete(h, "messageId")
		delete(h, "date")
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// TestScenarioReproducesCaptures: a captured lifecycle, turned into a
// scenario file and played by the generator (another seed, its own order),
// gives back the captured payloads, events and spacing.
func TestScenarioReproducesCaptures(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"phasio/quote-to-paid", "phasio/po-invoice", "happycolis/fulfilment", "happycolis/cancellation"} {
		t.Run(name, func(t *testing.T) {
			evs := lifecycle(t, name, 3)
			s, err := ScenarioFromCaptures(evs[0].Provider, captures(evs), ScenarioOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Steps) != len(evs) || len(s.Steps[0].Set) < 2 {
				t.Fatalf("%d steps for %d captures", len(s.Steps), len(evs))
			}
			// Later steps patch: far fewer values than a whole payload.
			for i, st := range s.Steps[1:] {
				if len(st.Set)+len(st.Remove) > 20 {
					t.Errorf("step %d sets %d and removes %d fields: not a patch", i+2, len(st.Set), len(st.Remove))
				}
			}
			got := play(t, s)
			if len(got) != len(evs) {
				t.Fatalf("played %d events, captured %d", len(got), len(evs))
			}
			for i := range evs {
				if got[i].Event != evs[i].Event || got[i].OrderKey != evs[i].OrderKey {
					t.Errorf("event %d: %s %s, captured %s %s", i+1, got[i].Event, got[i].OrderKey, evs[i].Event, evs[i].OrderKey)
				}
				if g, w := comparable(t, evs[i].Provider, got[i].Payload), comparable(t, evs[i].Provider, evs[i].Payload); g != w {
					t.Errorf("payload %d differs:\n got %.300s\nwant %.300s", i+1, g, w)
				}
				if i > 0 {
					if g, w := got[i].At.Sub(got[i-1].At), evs[i].At.Sub(evs[i-1].At).Truncate(time.Millisecond); g != w {
						t.Errorf("step %d after %s, captured %s", i+1, g, w)
					}
				}
			}
		})
	}
}

// TestScenarioRedacted: by default the scenario holds pseudonyms, the
// same in every step; played, its payloads validate strictly.
func TestScenarioRedacted(t *testing.T) {
	t.Parallel()
	r, err := pii.New(bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"phasio/quote-to-paid", "happycolis/fulfilment"} {
		evs := lifecycle(t, name, 5)
		s, err := ScenarioFromCaptures(evs[0].Provider, captures(evs), ScenarioOptions{Redactor: r})
		if err != nil {
			t.Fatal(err)
		}
		var file bytes.Buffer
		WriteScenario(&file, s, "")
		schema, _ := schemas.ForEvent(evs[0].Provider, evs[0].Event, false)
		fields, _ := pii.Fields(schema)
		var doc any
		json.Unmarshal(evs[0].Payload, &doc)
		checked := 0
		for _, f := range fields {
			for _, v := range testkit.StringsAt(doc, f.Pointer) {
				if len(v) >= pii.GuardLength && f.Kind != pii.KindCity {
					checked++
					if strings.Contains(strings.ToLower(file.String()), strings.ToLower(v)) {
						t.Errorf("%s: %q in the redacted scenario", name, v)
					}
				}
			}
		}
		if checked < 3 {
			t.Errorf("%s: only %d personal values checked", name, checked)
		}
		for i, ev := range play(t, s) {
			strict, _ := schemas.ForEvent(ev.Provider, ev.Event, true)
			if err := schemas.Validate(strict, ev.Payload); err != nil {
				t.Errorf("%s: played payload %d invalid: %v", name, i+1, err)
			}
			red, _, _ := r.Redact(evs[i].Provider, evs[i].Event, evs[i].Payload)
			if g, w := comparable(t, ev.Provider, ev.Payload), comparable(t, ev.Provider, red); g != w {
				t.Errorf("%s: payload %d is not the redacted capture", name, i+1)
			}
		}
	}
}

func TestStoreScenario(t *testing.T) {
	t.Parallel()
	s := openStore(t, t.TempDir()+"/sc.db")
	w := newWire(t)
	evs := lifecycle(t, "happycolis/fulfilment", 8)
	for i, ev := range evs {
		d := w.delivery(t, ev, i)
		if _, err := s.Put(ctx, d); err != nil {
			t.Fatal(err)
		}
		if i == 1 { // a redelivery of the same message, and a rejected one
			if _, err := s.Put(ctx, d); err != nil {
				t.Fatal(err)
			}
			bad := w.delivery(t, ev, 900)
			bad.Signature, bad.Payload, bad.Status = SignatureBad, nil, 401
			if _, err := s.Put(ctx, bad); err != nil {
				t.Fatal(err)
			}
		}
	}
	sc, err := s.Scenario(ctx, "", evs[0].OrderKey, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Steps) != len(evs) {
		t.Errorf("%d steps, want %d (each message once, verified ones only)", len(sc.Steps), len(evs))
	}
	if _, err := s.Scenario(ctx, "", "no-such-order", false); !errors.Is(err, ErrScenario) {
		t.Errorf("unknown order: %v", err)
	}
}

func TestScenarioErrors(t *testing.T) {
	t.Parallel()
	at := time.Unix(1, 0)
	for _, tt := range []struct {
		name string
		caps []Captured
		want string
	}{
		{"none", nil, "no payloads"},
		{"not an object", []Captured{{Event: "ORDER", At: at, Payload: []byte(`[1]`), Source: "d1"}}, "d1: the payload is not a JSON object"},
		{"not JSON", []Captured{{Event: "ORDER", At: at, Payload: []byte(`{`), Source: "d1"}}, "d1:"},
		{"reference", []Captured{{Event: "ORDER", At: at, Payload: []byte(`{"orderId":1,"customReference":"see ${quote:/x}"}`), Source: "d1"}},
			`d1: /customReference holds "${quote:/x}"`},
		{"unknown event", []Captured{{Event: "CART_CREATED", At: at, Payload: []byte(`{"orderId":1}`), Source: "d1"}}, "CART_CREATED"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ScenarioFromCaptures(generator.ProviderPhasio, tt.caps, ScenarioOptions{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
