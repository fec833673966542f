package generator

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestEventJSONLRoundTrip(t *testing.T) {
	in := []Event{
		{Seq: 1, Provider: ProviderPhasio, Event: PhasioOrderCreated, OrderKey: "12345",
			At: time.Date(2025, 6, 15, 10, 30, 0, 0, time.UTC), Payload: json.RawMessage(`{"orderId":12345,"note":"<&>"}`)},
		{Seq: 2, Provider: ProviderHappyColis, Event: HappyColisUpdated, OrderKey: "d4e5",
			At: time.Date(2024, 3, 15, 11, 5, 0, 0, time.UTC), Payload: json.RawMessage(`{"header":{},"body":{}}`),
			Variant: "drift", Label: "added /body/newField"},
	}
	var buf bytes.Buffer
	w := NewEventWriter(&buf)
	for i := range in {
		if err := w.Write(&in[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(buf.String(), "\n"); got != len(in) {
		t.Fatalf("wrote %d lines, want %d", got, len(in))
	}
	if strings.Contains(buf.String(), `\u003c`) {
		t.Errorf("HTML escaping changed the payload: %s", buf.String())
	}
	var out []Event
	if err := ReadEvents(&buf, func(ev Event) error { out = append(out, ev); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in) {
		t.Fatalf("read %d events, want %d", len(out), len(in))
	}
	for i := range in {
		if out[i].Seq != in[i].Seq || out[i].Event != in[i].Event || !out[i].At.Equal(in[i].At) ||
			string(out[i].Payload) != string(in[i].Payload) || out[i].Label != in[i].Label {
			t.Errorf("event %d: got %+v, want %+v", i, out[i], in[i])
		}
	}
}

func TestReadEventsErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"not json", "{\"seq\":1,\"provider\":\"phasio\",\"event\":\"ORDER\",\"payload\":{}}\n\n{oops", "line 3"},
		{"missing payload", `{"seq":1,"provider":"phasio","event":"ORDER"}`, "line 1: provider, event and payload are required"},
		{"missing provider", `{"seq":1,"event":"ORDER","payload":{}}`, "line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ReadEvents(strings.NewReader(tt.in), func(Event) error { return nil })
			if !errors.Is(err, ErrEventFormat) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want ErrEventFormat mentioning %q", err, tt.want)
			}
		})
	}
}

// TestEventWriterPayloads: generated payloads are copied, others compacted
// and checked, so a line is always one valid JSON object.
func TestEventWriterPayloads(t *testing.T) {
	g, err := New(ProviderPhasio, WithOrders(3))
	if err != nil {
		t.Fatal(err)
	}
	var evs []*Event
	_ = g.Run(func(ev *Event) error { evs = append(evs, ev); return nil })
	evs[1].Payload = json.RawMessage("{\n  \"edited\": true\n}")
	bad := *evs[2]
	bad.Payload = json.RawMessage(`{"oops"`)
	var buf bytes.Buffer
	w := NewEventWriter(&buf)
	for _, ev := range evs[:2] {
		if err := w.Write(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Write(&bad); !errors.Is(err, ErrEventFormat) {
		t.Fatalf("invalid payload written: %v", err)
	}
	w.Flush()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], `"payload":{"edited":true}`) {
		t.Fatalf("lines: %q", lines)
	}
	for _, l := range lines {
		if !json.Valid([]byte(l)) {
			t.Fatalf("invalid line %s", l)
		}
	}
}

// TestEventPayloadsOwnMemory: the payloads are written in one scratch
// buffer per run and copied out, so every event kept keeps its own bytes
// (the same as a second run gives, after all later events were written)
// and holds no more memory than a copy of them (where each event had a
// 4 KiB buffer of its own).
func TestEventPayloadsOwnMemory(t *testing.T) {
	life, err := LoadScenario("phasio/quote-to-paid")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		provider string
		opts     []Option
	}{
		{ProviderPhasio, []Option{WithOrders(30)}},
		{ProviderPhasio, []Option{WithOrders(5), WithScenario(life)}},
		{ProviderPhasio, []Option{WithOrders(20), WithDrift()}},
		{ProviderPhasio, []Option{WithEdge()}},
		{ProviderHappyColis, []Option{WithOrders(30)}},
	} {
		collect := func() []*Event {
			g, err := New(c.provider, c.opts...)
			if err != nil {
				t.Fatal(err)
			}
			var evs []*Event
			if err := g.Run(func(ev *Event) error { evs = append(evs, ev); return nil }); err != nil {
				t.Fatal(err)
			}
			return evs
		}
		kept, again := collect(), collect()
		for i, ev := range kept {
			if !bytes.Equal(ev.Payload, again[i].Payload) || !json.Valid(ev.Payload) {
				t.Fatalf("%s event %d: the payload kept changed after later events: %.80s…", c.provider, i, ev.Payload)
			}
			if n, least := len(ev.Payload), cap(bytes.Clone(ev.Payload)); cap(ev.Payload) > least {
				t.Fatalf("%s event %d: a %d-byte payload holds %d bytes, not %d", c.provider, i, n, cap(ev.Payload), least)
			}
		}
	}
}
