package capture

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/platform"
	"github.com/orderhooks/orderhooks/wire"
)

// ExportOptions choose what Export writes.
type ExportOptions struct {
	// Filter selects the deliveries (all by default).
	Filter Filter
	// Redact replaces personal data by the store's pseudonyms (see
	// Store.Redactor); deliveries redacted when stored stay as they are.
	// The original request cannot go with a redacted payload (its body
	// holds the data): the record's request is rebuilt by Resign, or left
	// out (replay then builds fresh requests; exact replay skips them).
	Redact bool
	// Resign, when set, rebuilds each record's request from the exported
	// payload with this profile: signed (and encrypted, for Phasio) with
	// its secret, the delivery's message id and time kept. Without
	// Redact, it replaces the captured request too.
	Resign wire.Profile
}

// ExportStats counts what Export did.
type ExportStats struct {
	// Written counts the records written.
	Written int `json:"written"`
	// Skipped counts the deliveries without a record: nothing was
	// verified of them (no payload or no event name), so there is
	// nothing to replay.
	Skipped int `json:"skipped"`
}

// Export writes the deliveries as JSONL in the record format of the
// emitter (emitter.Record, read by emitter.ReadRecords and `orderhooks
// replay`), one line per delivery, oldest first: the event (provider,
// event name, order key, arrival time, payload), the request as received
// and the receiver's answer. Each line is written whole; an error stops
// the export with the lines so far complete.
func (s *Store) Export(ctx context.Context, w io.Writer, o ExportOptions) (ExportStats, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	var st ExportStats
	err := s.Records(ctx, o, func(rec *emitter.Record) error {
		if rec == nil {
			st.Skipped++
			return nil
		}
		if err := enc.Encode(rec); err != nil {
			return err
		}
		st.Written++
		return nil
	})
	if ferr := bw.Flush(); err == nil && ferr != nil {
		err = ferr
	}
	return st, err
}

// Records calls fn with the record of every delivery o selects, oldest
// first, and with nil for each delivery that has none (see
// ExportStats.Skipped): what Export writes, for a replay straight from the
// store.
func (s *Store) Records(ctx context.Context, o ExportOptions, fn func(*emitter.Record) error) error {
	var redactor interface {
		Redact(provider, event string, payload []byte) ([]byte, int, error)
	}
	if o.Redact {
		r, err := s.Redactor()
		if err != nil {
			return err
		}
		redactor = r
	}
	return s.Each(ctx, o.Filter, func(d *Delivery) error {
		if len(d.Payload) == 0 || d.Event == "" {
			return fn(nil)
		}
		payload := d.Payload
		if redactor != nil && !d.Redacted {
			var err error
			provider, event := platformEvent(d)
			if payload, _, err = redactor.Redact(provider, event, d.Payload); err != nil {
				return fmt.Errorf("delivery %d: %w", d.ID, err)
			}
		}
		rec, err := s.record(d, payload, o)
		if err != nil {
			return fmt.Errorf("delivery %d: %w", d.ID, err)
		}
		return fn(rec)
	})
}

func (s *Store) record(d *Delivery, payload []byte, o ExportOptions) (*emitter.Record, error) {
	compact, err := compactJSON(payload)
	if err != nil {
		return nil, fmt.Errorf("payload is not JSON: %w", err)
	}
	provider, event := platformEvent(d)
	ev := &generator.Event{Seq: d.ID, Provider: provider, Event: event, OrderKey: d.Key, At: d.ReceivedAt, Payload: compact}
	rec := &emitter.Record{Time: d.ReceivedAt, Delivery: d.ID, ID: d.DeliveryID, Attempt: 1, URL: d.url(), Event: ev,
		Latency: d.Handled}
	switch {
	case o.Resign != nil:
		req, err := o.Resign.Build(&wire.Message{Event: ev, ID: d.DeliveryID, Time: d.ReceivedAt}, wire.FaultNone)
		if err != nil {
			return nil, fmt.Errorf("re-signing: %w", err)
		}
		rec.Request = &emitter.RecordedRequest{Header: req.Header, Body: req.Body}
	case !o.Redact || d.Redacted:
		// As received (a delivery redacted when stored has its body
		// rebuilt from the redacted payload already).
		rec.Request = &emitter.RecordedRequest{Header: d.Header, Body: d.Body}
	}
	if d.Status != 0 {
		rec.Response = &emitter.RecordedResponse{Status: d.Status, Body: d.Answer}
	}
	return rec, nil
}

// platformEvent is the generator's provider and event name of a
// delivery: a Standard Webhooks delivery carries a HappyColis envelope
// (type order.updated is order/updated) or a Phasio order (ORDER_UPDATED),
// as the receiver tells them apart.
func platformEvent(d *Delivery) (provider, event string) {
	if d.Provider != wire.ProviderStandard {
		return d.Provider, d.Event
	}
	var data any
	_ = json.Unmarshal(d.Payload, &data) // not JSON: taken for Phasio, as the receiver does
	return platform.Origin(d.Event, data)
}

// url is where the delivery was sent, as the platform addressed it.
func (d *Delivery) url() string {
	if d.Host == "" {
		return d.Path
	}
	scheme := "http"
	if p := d.Header.Get("X-Forwarded-Proto"); p == "https" {
		scheme = "https"
	}
	return scheme + "://" + d.Host + d.Path
}

func compactJSON(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	err := json.Compact(&buf, b)
	return buf.Bytes(), err
}
