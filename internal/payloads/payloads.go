// Package payloads reads the order payloads of a source, whatever its form:
// a capture store, a recording (emit --record, capture export), an events
// file (generate), or bare payloads as JSON or JSONL. Each payload comes
// with its platform, event, order key, time, message id and where it was
// read (FILE:LINE, or STORE delivery ID), so that drift analysis and
// scenarios from captures read every source alike, and every input
// problem names its file and line.
package payloads

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/orderhooks/orderhooks/capture"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/errs"
	"github.com/orderhooks/orderhooks/internal/input"
	"github.com/orderhooks/orderhooks/internal/jsonscan"
	"github.com/orderhooks/orderhooks/internal/platform"
	"github.com/orderhooks/orderhooks/provider"
	"github.com/orderhooks/orderhooks/wire"
)

// Payload is one payload read from a source.
type Payload struct {
	// Provider and Event are the platform's (phasio ORDER_UPDATED,
	// happycolis order/updated), also for Standard Webhooks deliveries.
	Provider, Event string
	// Key is the order key ("" when the source does not say and no
	// filter needed it).
	Key string
	// ID is the message id ("" when unknown); At when it was sent (a
	// recording's time) or received (a store), or the event's time (an
	// events file); zero when unknown.
	ID string
	At time.Time
	// Payload is the payload in the generator's Event.Payload form.
	Payload []byte
	// Source says where it was read: "orders.jsonl:7", "capture.db
	// delivery 42".
	Source string
}

// Options say how to read bare payloads and which payloads to keep.
type Options struct {
	// Provider is the platform of bare payloads (phasio, happycolis, or
	// standard for Standard Webhooks bodies); with other sources, only
	// its payloads are kept ("" keeps all).
	Provider string
	// Event is the event of bare Phasio payloads (their body does not
	// say; default ORDER_UPDATED).
	Event string
	// Key keeps only the payloads of one order.
	Key string
	// Definition is a provider definition whose payloads are read
	// besides the built-in platforms': records naming it are accepted,
	// and bare payloads are its own (of Event, or of its one event).
	Definition *provider.Definition
}

// validate refuses a Provider that is neither a built-in provider nor the
// definition's: an *errs.OptionError (Options.Provider) suggesting the
// closest name.
func (o Options) validate() error {
	known := platform.Providers()
	if o.Definition != nil {
		known = append(known, o.Definition.Name())
	}
	if o.Provider == "" || slices.Contains(known, o.Provider) {
		return nil
	}
	return &errs.OptionError{Package: "payloads", Option: "Options", Field: "Provider", Value: o.Provider,
		Want: "not one of " + strings.Join(known, ", "), Known: known}
}

// Error is an input problem: the file, the line (0 when there is none)
// and what is wrong.
type Error struct {
	File string
	Line int
	Err  error
}

func (e *Error) Error() string { return errs.At(e.File, e.Line, "", e.Err.Error()) }

// Unwrap returns what is wrong.
func (e *Error) Unwrap() error { return e.Err }

// ErrNoProvider is what is wrong with a bare payload read without
// Options.Provider.
var ErrNoProvider = errors.New("a bare payload, whose platform only --provider can tell")

// Read calls fn with every payload of the file at path (r instead when
// path is "-", named "<stdin>"): a capture store, a recording, an events
// file, or bare payloads (JSONL, or JSON documents spanning lines). Each
// message counts once: a redelivery, a retry or a duplicate of a message
// id seen before in the same source is left out. It returns fn's first
// error, an *Error for an input problem, or a read error. A Payload and
// its bytes are valid during fn only (the reader reuses its buffers): copy
// what outlives the call.
func Read(ctx context.Context, path string, r io.Reader, o Options, fn func(*Payload) error) error {
	if err := o.validate(); err != nil {
		return err
	}
	if path != "-" && capture.LooksLikeStore(path) {
		return readStore(ctx, path, o, fn)
	}
	name := path
	if path == "-" {
		name = "<stdin>"
	} else {
		f, err := input.Open(path)
		if err != nil {
			return err
		}
		defer f.Close() // read-only
		r = f
	}
	rd := &reader{name: name, o: o, fn: fn, seen: map[string]bool{}}
	return rd.read(input.Interruptible(ctx, r))
}

// readStore reads the verified deliveries of a capture store.
func readStore(ctx context.Context, path string, o Options, fn func(*Payload) error) error {
	s, err := capture.OpenReadOnly(path)
	if err != nil {
		return err
	}
	defer s.Close() // read-only
	f := capture.Filter{Key: o.Key}
	seen := map[string]bool{}
	return s.Payloads(ctx, f, func(d *capture.Delivery) error {
		if d.DeliveryID != "" {
			if seen[d.DeliveryID] {
				return nil
			}
			seen[d.DeliveryID] = true
		}
		provider, event := d.PlatformEvent()
		if o.Provider != "" && o.Provider != wire.ProviderStandard && provider != o.Provider {
			return nil // the platform's, also when received as Standard Webhooks
		}
		return fn(&Payload{Provider: provider, Event: event, Key: d.Key, ID: d.DeliveryID, At: d.ReceivedAt,
			Payload: d.Payload, Source: path + " delivery " + strconv.FormatInt(d.ID, 10)})
	})
}

// reader reads one file of records, events or bare payloads.
type reader struct {
	name string
	o    Options
	fn   func(*Payload) error
	seen map[string]bool
}

// read reads JSONL when the first non-blank line is a whole JSON value,
// JSON documents spanning lines otherwise.
func (rd *reader) read(r io.Reader) error {
	lines := input.NewLines(r, rd.name, input.EventLine)
	first := true
	for {
		line, err := lines.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		t := bytes.TrimSpace(line)
		if len(t) == 0 {
			continue
		}
		if first && !json.Valid(t) {
			return rd.documents(lines, t)
		}
		first = false
		if err := rd.document(t, lines.Line()); err != nil {
			return err
		}
	}
}

// documents reads JSON documents spanning lines, from the first one
// (which starts with first) to the end of the input.
func (rd *reader) documents(lines *input.Lines, first []byte) error {
	start := lines.Line()
	rest, err := lines.Rest(input.Document)
	if err != nil {
		return err
	}
	all := append(append(append([]byte(nil), first...), '\n'), rest...)
	dec := json.NewDecoder(bytes.NewReader(all))
	for {
		var raw json.RawMessage
		off := int(dec.InputOffset())
		for off < len(all) && (all[off] == ' ' || all[off] == '\t' || all[off] == '\r' || all[off] == '\n') {
			off++ // the document starts at its first byte, not at the space before it
		}
		err := dec.Decode(&raw)
		if err == io.EOF {
			return nil
		}
		line := start + bytes.Count(all[:off], []byte{'\n'})
		if err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) {
				line = start + bytes.Count(all[:min(int(se.Offset), len(all))], []byte{'\n'})
			}
			return &Error{File: rd.name, Line: line, Err: errors.New(input.NotJSON(err))}
		}
		if err := rd.document(bytes.TrimSpace(raw), line); err != nil {
			return err
		}
	}
}

// fields are the members of a document that tell a record, an events line
// and a bare payload apart, as byte ranges of the line (nil: absent).
type fields struct {
	id, event, provider, orderKey, at, payload []byte
	// time is a record's: when the delivery was sent or received.
	time []byte
	// Standard Webhooks bodies.
	typ, data []byte
	// HappyColis envelopes: header.type and header.messageId.
	headerType, headerID []byte
	eventIsObject        bool
}

// scanMembers reads the members of the object doc (top level, and one
// level into "event" and "header") without decoding anything else.
func scanMembers(doc []byte) (*fields, error) {
	var f fields
	sc := jsonscan.New(doc)
	if !sc.BeginObject() {
		return nil, errNotObject(sc)
	}
	for {
		key, esc, ok := sc.NextKey()
		if !ok {
			break
		}
		name := string(key)
		if esc {
			name = jsonscan.Text(key, true)
		}
		switch name {
		case "event":
			if sc.Peek() == jsonscan.Object {
				f.eventIsObject = true
				ev, err := scanEvent(sc, doc)
				if err != nil {
					return nil, err
				}
				f.provider, f.event, f.orderKey, f.at, f.payload = ev.provider, ev.event, ev.orderKey, ev.at, ev.payload
				continue
			}
			f.event = str(sc)
		case "header":
			if sc.Peek() == jsonscan.Object {
				sc.BeginObject()
				for {
					k, _, ok := sc.NextKey()
					if !ok {
						break
					}
					switch string(k) {
					case "type":
						f.headerType = str(sc)
					case "messageId":
						f.headerID = str(sc)
					default:
						sc.Skip()
					}
				}
				continue
			}
			sc.Skip()
		case "id":
			f.id = str(sc)
		case "time":
			f.time = str(sc)
		case "provider":
			if !f.eventIsObject {
				f.provider = str(sc)
			} else {
				sc.Skip()
			}
		case "orderKey":
			if !f.eventIsObject {
				f.orderKey = str(sc)
			} else {
				sc.Skip()
			}
		case "at":
			if !f.eventIsObject {
				f.at = str(sc)
			} else {
				sc.Skip()
			}
		case "payload":
			f.payload = value(sc, doc)
		case "type":
			f.typ = str(sc)
		case "data":
			f.data = value(sc, doc)
		default:
			sc.Skip()
		}
	}
	if sc.End(); sc.Err() != nil {
		return nil, sc.Err()
	}
	return &f, nil
}

// scanEvent reads a record's event object.
func scanEvent(sc *jsonscan.Scanner, doc []byte) (*fields, error) {
	var f fields
	sc.BeginObject()
	for {
		key, _, ok := sc.NextKey()
		if !ok {
			break
		}
		switch string(key) {
		case "provider":
			f.provider = str(sc)
		case "event":
			f.event = str(sc)
		case "orderKey":
			f.orderKey = str(sc)
		case "at":
			f.at = str(sc)
		case "payload":
			f.payload = value(sc, doc)
		default:
			sc.Skip()
		}
	}
	return &f, sc.Err()
}

// str reads a string value (nil for another kind, which is skipped).
func str(sc *jsonscan.Scanner) []byte {
	if sc.Peek() != jsonscan.String {
		sc.Skip()
		return nil
	}
	raw, esc, _ := sc.String()
	if esc {
		return []byte(jsonscan.Text(raw, true))
	}
	if raw == nil {
		return []byte{}
	}
	return raw
}

// value reads any value of doc and returns its bytes.
func value(sc *jsonscan.Scanner, doc []byte) []byte {
	start := sc.Pos()
	if !sc.Skip() {
		return nil
	}
	return bytes.TrimSpace(doc[start:sc.Pos()])
}

func errNotObject(sc *jsonscan.Scanner) error {
	if sc.Err() != nil {
		return sc.Err()
	}
	return errors.New("not a JSON object")
}

// document reads one JSON document: a record, an events line or a bare
// payload.
func (rd *reader) document(doc []byte, line int) error {
	bad := func(err error) error { return &Error{File: rd.name, Line: line, Err: err} }
	f, err := scanMembers(doc)
	if err != nil {
		return bad(err)
	}
	out := &Payload{Source: rd.name + ":" + strconv.Itoa(line)}
	switch {
	case f.eventIsObject || (f.event != nil && f.payload != nil): // a record, an events line
		out.Provider, out.Event, out.Key, out.ID = string(f.provider), string(f.event), string(f.orderKey), string(f.id)
		out.Payload = f.payload
		at, field := f.at, "at"
		if f.eventIsObject && len(f.time) > 0 {
			at, field = f.time, "time" // a record: when it was sent, not the event's own time
		}
		if len(at) > 0 {
			if out.At, err = time.Parse(time.RFC3339Nano, string(at)); err != nil {
				return bad(fmt.Errorf("%s: not an RFC 3339 time: %q", field, at))
			}
		}
	default: // a bare payload
		if err := rd.bare(f, doc, out); err != nil {
			return bad(err)
		}
	}
	if out.Provider == "" || out.Event == "" || len(out.Payload) == 0 {
		return bad(errors.New("no provider, event or payload"))
	}
	if _, ok := platform.Get(out.Provider); !ok && (rd.o.Definition == nil || out.Provider != rd.o.Definition.Name()) {
		return bad(fmt.Errorf("unknown provider %q", out.Provider))
	}
	if rd.o.Provider != "" && rd.o.Provider != wire.ProviderStandard && out.Provider != rd.o.Provider {
		return nil
	}
	if rd.o.Key != "" {
		if out.Key == "" {
			out.Key = keyOf(out.Payload)
		}
		if out.Key != rd.o.Key {
			return nil
		}
	}
	if out.ID != "" {
		if rd.seen[out.ID] {
			return nil
		}
		rd.seen[out.ID] = true
	}
	return rd.fn(out)
}

// bare fills out from a payload with no wrapper: the platform from
// Options.Provider, the event from the payload where it says (HappyColis
// header.type, a Standard Webhooks type) or Options.Event.
func (rd *reader) bare(f *fields, doc []byte, out *Payload) error {
	if def := rd.o.Definition; def != nil && rd.o.Provider == def.Name() {
		out.Provider, out.Event, out.Payload = def.Name(), rd.o.Event, doc
		if evs := def.Events(); out.Event == "" && len(evs) == 1 {
			out.Event = evs[0].Name
		}
		if out.Event == "" {
			return fmt.Errorf("a bare payload of %s, whose event only --event can tell (%s)", def.Name(), strings.Join(def.EventNames(), ", "))
		}
		return nil
	}
	switch rd.o.Provider {
	case "":
		return ErrNoProvider
	case wire.ProviderStandard:
		if len(f.typ) == 0 || len(f.data) == 0 {
			return errors.New("not a Standard Webhooks body: no type and data")
		}
		var data any
		_ = json.Unmarshal(f.data, &data) // JSON: part of a scanned document
		out.Provider, out.Event = platform.Origin(string(f.typ), data)
		out.Payload = f.data
		if out.Provider == platform.HappyColis {
			out.ID = headerID(f.data)
		}
	case platform.HappyColis:
		if len(f.headerType) == 0 {
			return errors.New("not a HappyColis envelope: no header.type")
		}
		out.Provider, out.Event, out.ID, out.Payload = platform.HappyColis, string(f.headerType), string(f.headerID), doc
	default:
		out.Provider, out.Event, out.Payload = rd.o.Provider, rd.o.Event, doc
		if out.Event == "" {
			out.Event = generator.PhasioOrderUpdated
		}
	}
	return nil
}

func headerID(envelope []byte) string {
	var e struct {
		Header struct {
			ID string `json:"messageId"`
		} `json:"header"`
	}
	_ = json.Unmarshal(envelope, &e) // absent: no id
	return e.Header.ID
}

func keyOf(payload []byte) string {
	var doc any
	if json.Unmarshal(payload, &doc) != nil {
		return ""
	}
	return platform.OrderKey(doc)
}
