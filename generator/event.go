package generator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/orderhooks/orderhooks/internal/input"
	"github.com/orderhooks/orderhooks/internal/jsonw"
	"github.com/orderhooks/orderhooks/internal/platform"
)

// Providers the generator knows.
const (
	ProviderPhasio     = platform.Phasio
	ProviderHappyColis = platform.HappyColis
)

// Phasio triggers (the event names of Phasio order webhooks).
const (
	PhasioOrderCreated   = "ORDER"
	PhasioOrderUpdated   = "ORDER_UPDATED"
	PhasioQuoteConverted = "QUOTE_CONVERTED"
)

// HappyColis event types (header.type of the envelope).
const (
	HappyColisCreated   = "order/created"
	HappyColisUpdated   = "order/updated"
	HappyColisOpened    = "order/opened"
	HappyColisCompleted = "order/completed"
	HappyColisCancelled = "order/cancelled"
)

// Events returns the names of provider's order events (Phasio triggers,
// HappyColis types), or nil for a provider the generator does not know.
func Events(provider string) []string {
	if p, ok := platform.Get(provider); ok {
		return p.EventNames()
	}
	return nil
}

// Event is one webhook the platform would send: the stage boundary between
// the generator and the emitter, written and read as one JSON object per line
// (JSONL). Payload is the full-state snapshot: for Phasio the decrypted order
// object, for HappyColis the whole {header, body} envelope.
type Event struct {
	// Seq numbers events from 1 in the order they were generated.
	Seq int64 `json:"seq"`
	// Provider is ProviderPhasio or ProviderHappyColis.
	Provider string `json:"provider"`
	// Event is the Phasio trigger ("ORDER_UPDATED") or HappyColis type ("order/updated").
	Event string `json:"event"`
	// OrderKey identifies the order across its lifecycle (Phasio orderId, HappyColis body.id).
	OrderKey string `json:"orderKey"`
	// At is when the platform fires the event (generated, never the wall clock).
	At time.Time `json:"at"`
	// Payload is the snapshot, compact JSON.
	Payload json.RawMessage `json:"payload"`
	// Scenario and Step name where the event came from, when it came from a scenario.
	Scenario string `json:"scenario,omitempty"`
	Step     string `json:"step,omitempty"`
	// Variant is "edge" or "drift" for variant events; Label says what was changed.
	Variant string `json:"variant,omitempty"`
	Label   string `json:"label,omitempty"`
	// Entity numbers, from 0, the entity (order) the event is a snapshot
	// of among those of the run that made it (FromDefinition's), so two
	// entities that share a key can be told apart; not written in JSONL.
	Entity int `json:"-"`

	// compact is the payload as the generator wrote it: compact, valid
	// JSON that EventWriter need not check again while Payload is still
	// that very slice.
	compact []byte
}

// Source streams events to yield, in order, stopping at the first error
// yield returns (which it passes back). A generator run, a JSONL file and a
// recording are all Sources, so the emitter and the verifier take any of them.
type Source func(yield func(*Event) error) error

// EventsFrom returns a Source reading JSONL events from r (see ReadEvents).
func EventsFrom(r io.Reader) Source {
	return func(yield func(*Event) error) error {
		return ReadEvents(r, func(ev Event) error { return yield(&ev) })
	}
}

// ErrEventFormat is wrapped by ReadEvents for lines that are not events.
var ErrEventFormat = errors.New("generator: bad event line")

// ReadEvents calls fn for every event in a JSONL stream. Blank lines are
// skipped; lines are numbered from 1 in errors ("line 3: …"). Lines that are
// recordings of the emitter (they carry an "event" object rather than a
// string) are not accepted here; the emitter's replay reads those. A line
// is at most 16 MiB (a 200-part order is well under 1 MiB) and valid UTF-8;
// a byte order mark before the first line is ignored.
func ReadEvents(r io.Reader, fn func(Event) error) error {
	err := input.EachLine(r, input.EventLine, func(b []byte, n int) error {
		var ev Event
		if err := json.Unmarshal(b, &ev); err != nil {
			return fmt.Errorf("%w: line %d: %s", ErrEventFormat, n, input.JSONError(err))
		}
		if ev.Provider == "" || ev.Event == "" || len(ev.Payload) == 0 {
			return fmt.Errorf("%w: line %d: provider, event and payload are required", ErrEventFormat, n)
		}
		return fn(ev)
	})
	if ie := (*input.Error)(nil); errors.As(err, &ie) && !errors.Is(err, ErrEventFormat) {
		return fmt.Errorf("%w: %w", ErrEventFormat, err)
	}
	return err // fn's, a read error, or an interrupted read
}

// EventWriter writes events as JSONL through a buffer; call Flush at the end.
type EventWriter struct {
	w   *bufio.Writer
	buf []byte
}

// NewEventWriter returns an EventWriter on w.
func NewEventWriter(w io.Writer) *EventWriter {
	return &EventWriter{w: bufio.NewWriterSize(w, 256<<10)}
}

// Write writes one event as one line, fields in the order of Event, the
// payload compacted (the generator's own payloads are compact already and
// are copied as they are).
func (ew *EventWriter) Write(ev *Event) error {
	b := append(ew.buf[:0], `{"seq":`...)
	b = strconv.AppendInt(b, ev.Seq, 10)
	b = append(b, `,"provider":`...)
	b = jsonw.String(b, ev.Provider)
	b = append(b, `,"event":`...)
	b = jsonw.String(b, ev.Event)
	b = append(b, `,"orderKey":`...)
	b = jsonw.String(b, ev.OrderKey)
	b = append(b, `,"at":`...)
	at, err := ev.At.MarshalJSON()
	if err != nil {
		return fmt.Errorf("%w: event %d: %w", ErrEventFormat, ev.Seq, err)
	}
	b = append(b, at...)
	b = append(b, `,"payload":`...)
	if p := ev.Payload; len(p) > 0 && len(p) == len(ev.compact) && &p[0] == &ev.compact[0] {
		b = append(b, ev.Payload...)
	} else {
		var c bytes.Buffer
		if err := json.Compact(&c, ev.Payload); err != nil {
			return fmt.Errorf("%w: event %d: payload: %w", ErrEventFormat, ev.Seq, err)
		}
		b = append(b, c.Bytes()...)
	}
	for _, f := range [...]struct{ key, val string }{
		{`,"scenario":`, ev.Scenario}, {`,"step":`, ev.Step}, {`,"variant":`, ev.Variant}, {`,"label":`, ev.Label},
	} {
		if f.val != "" {
			b = append(b, f.key...)
			b = jsonw.String(b, f.val)
		}
	}
	b = append(b, '}', '\n')
	ew.buf = b
	_, err = ew.w.Write(b)
	return err
}

// Flush writes any buffered events to the underlying writer.
func (ew *EventWriter) Flush() error { return ew.w.Flush() }
