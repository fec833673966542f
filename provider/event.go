package provider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/orderhooks/orderhooks/generator/schemagen"
	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/schemas"
)

// Event is one event of a definition, its section defaults applied.
type Event struct {
	// Name is the event's name (the generator's event field); Title the
	// documentation's; Wire its name on the wire.
	Name, Title, Description, Wire string
	// Provider is the name of the definition it belongs to.
	Provider string
	// Key are the pointers of the entity key in its payload, first
	// present wins; Compare the pointers the state checks compare.
	Key, Compare []string
	// Time is where its payload holds the snapshot time (nil: the
	// transport timestamp if any; None: no time).
	Time *TimeSpec
	// FreeText is a free-text string field of its payload.
	FreeText string
	// Match are its values of events.match, by header name or pointer.
	Match map[string]string
	// Headers are extra headers for this event (templates at
	// /events/list/N/headers/NAME).
	Headers Headers
	// SchemaSource is where its payload schema is.
	SchemaSource SchemaSource

	def   *Definition
	index int
	ptr   string    // where it is declared, when not in the list
	imp   *imported // the document it was imported from

	once   sync.Once
	schema *EventSchema
	err    error
}

// Pointer is the event's pointer in its definition ("/events/list/2").
func (e *Event) Pointer() string {
	if e.ptr != "" {
		return e.ptr
	}
	return fmt.Sprintf("/events/list/%d", e.index)
}

// Events are the definition's own listed events, in file order (see
// Origins for the events it carries from others).
func (d *Definition) Events() []*Event { return d.events }

// Event returns the listed event called name.
func (d *Definition) Event(name string) (*Event, bool) {
	e, ok := d.byName[name]
	return e, ok
}

// Others are the documented events that are not generated.
func (d *Definition) Others() []string {
	if d.f.Events == nil {
		return nil
	}
	return d.f.Events.Others
}

// EventNames lists every event a receiver of the definition accepts by
// name: the listed events, the others, and those carried from other
// definitions (by their names there), each once.
func (d *Definition) EventNames() []string {
	var out []string
	seen := map[string]bool{}
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, e := range d.events {
		add(e.Name)
	}
	for _, o := range d.Others() {
		add(o)
	}
	for _, o := range d.from {
		for _, n := range o.Definition.EventNames() {
			add(n)
		}
	}
	return out
}

// WireName is what the definition calls event name on the wire: a listed
// event's wire name, or name renamed by events.rename.
func (d *Definition) WireName(name string) string {
	if e, ok := d.byName[name]; ok {
		return e.Wire
	}
	return wireName(d.tmpl["/events/rename"], name)
}

// Origin is another definition whose events a definition carries
// (events.from): Standard Webhooks carries Phasio's and HappyColis'.
type Origin struct {
	Definition *Definition
	// Default is generated unless told otherwise.
	Default bool
	// When is the condition on the received body under which a wire name
	// belongs to this origin rather than one without a condition.
	When When
}

// Origins are the definitions whose events this one carries.
func (d *Definition) Origins() []*Origin { return d.from }

// Holds reports whether the decoded body satisfies the condition (an
// empty condition always holds).
func (w When) Holds(body any) bool {
	switch {
	case w.Present != "":
		_, ok := lookup(body, w.Present)
		return ok
	case w.Absent != "":
		_, ok := lookup(body, w.Absent)
		return !ok
	}
	return true
}

// Conditional reports whether the condition says anything.
func (w When) Conditional() bool { return w.Present != "" || w.Absent != "" }

// Resolve finds the event behind a wire name: a listed event, or an
// event of an origin (whose wire name here is its name renamed), the
// origin whose condition holds on the decoded body winning over one
// without. ok is false when no event has that wire name.
func (d *Definition) Resolve(wire string, body any) (*Event, bool) {
	for _, e := range d.events {
		if e.Wire == wire {
			return e, true
		}
	}
	var fallback *Event
	for _, o := range d.from {
		for _, e := range o.Definition.events {
			if d.WireName(e.Name) != wire {
				continue
			}
			if o.When.Conditional() {
				if o.When.Holds(body) {
					return e, true
				}
				continue
			}
			if fallback == nil {
				fallback = e
			}
		}
	}
	return fallback, fallback != nil
}

// EventSchema is an event's compiled payload schema.
type EventSchema struct {
	name    string
	builtin string
	source  []byte
	v       *schemas.Schema
	gen     func() (*schemagen.Generator, error)
}

// Schema compiles the event's payload schema, once.
func (e *Event) Schema() (*EventSchema, error) {
	e.once.Do(func() { e.schema, e.err = e.compile() })
	return e.schema, e.err
}

func (e *Event) compile() (*EventSchema, error) {
	at := e.Pointer() + "/schema"
	fail := func(err error) error {
		file, line := e.def.Locate(at)
		return &Error{Class: ErrDefinition, File: file, Line: line, Pointer: at, Message: err.Error(), Err: err}
	}
	s := e.SchemaSource
	es := &EventSchema{name: e.Provider + "/" + e.Name}
	var src []byte
	switch {
	case e.imp != nil:
		return e.imp.compile(es)
	case s.Builtin != "":
		v, err := schemas.Get(s.Builtin)
		if err != nil {
			return nil, fail(err)
		}
		es.builtin, es.v, es.source = s.Builtin, v, v.Source()
		es.gen = sync.OnceValues(func() (*schemagen.Generator, error) {
			return schemagen.New(es.source, schemagen.WithLoader(schemas.LoadURL))
		})
		return es, nil
	case s.Ref != "":
		file, frag, _ := strings.Cut(s.Ref, "#")
		if file == "" {
			return nil, fail(fmt.Errorf("$ref %s: a reference into an imported document needs events.import", s.Ref))
		}
		doc, err := e.def.readRef(file)
		if err != nil {
			return nil, fail(err)
		}
		if src, err = subschema(doc, frag); err != nil {
			return nil, fail(fmt.Errorf("$ref %s: %w", s.Ref, err))
		}
	default:
		src = s.Inline
	}
	v, err := schemas.Compile(es.name, src)
	if err != nil {
		return nil, fail(err)
	}
	es.v, es.source = v, src
	es.gen = sync.OnceValues(func() (*schemagen.Generator, error) { return schemagen.New(src, schemagen.WithLoader(schemas.LoadURL)) })
	return es, nil
}

// subschema returns the schema at fragment frag of a JSON or YAML
// document, as JSON.
func subschema(doc []byte, frag string) ([]byte, error) {
	raw, err := yamlOrJSON(doc)
	if err != nil {
		return nil, err
	}
	if frag == "" {
		return raw, nil
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	sub, ok := lookup(v, frag)
	if !ok {
		return nil, fmt.Errorf("no %s in the document", frag)
	}
	return json.Marshal(sub)
}

// Name is the schema's name in messages: PROVIDER/EVENT.
func (s *EventSchema) Name() string { return s.name }

// Builtin is the built-in schema's name, "" for another schema.
func (s *EventSchema) Builtin() string { return s.builtin }

// Source is the schema's JSON text.
func (s *EventSchema) Source() []byte { return bytes.Clone(s.source) }

// Check validates a payload (a *schemas.ValidationError when it does not
// match; a *schemas.SyntaxError when it is not JSON).
func (s *EventSchema) Check(payload []byte) error { return s.v.ValidateJSON(payload) }

// Generate returns a payload generated from the schema for seed (the
// schema-driven generator; the named generators make the built-in
// platforms' payloads).
func (s *EventSchema) Generate(seed int64) ([]byte, error) {
	g, err := s.gen()
	if err != nil {
		return nil, err
	}
	return g.Generate(seed)
}

// builtinSchemas are the schemas a definition may name with builtin:
// the platforms' loose schemas.
func builtinSchemas() []string {
	var out []string
	for _, n := range schemas.Names() {
		if !strings.HasSuffix(n, "-strict") && path.Dir(n) != "." {
			out = append(out, n)
		}
	}
	return out
}

// Validate checks a decoded payload (encoding/json's form, numbers as
// json.Number or float64) against the schema.
func (s *EventSchema) Validate(doc any) error { return s.v.Validate(doc) }

// ResolvePayload finds the event behind a received delivery from its wire
// name and its decoded payload (the body without the definition's
// envelope, decrypted): a listed event, or an event of a definition this
// one carries, the origin's condition read on the body the payload was
// carried in. ok is false when no event has that wire name.
func (d *Definition) ResolvePayload(wire string, payload any) (*Event, bool) {
	if e, ok := d.ListedWire(wire); ok {
		return e, true
	}
	if len(d.from) == 0 {
		return nil, false
	}
	return d.Resolve(wire, d.bodyOf(payload))
}

// ListedWire returns the listed event whose wire name is wire: the event
// ResolvePayload finds for any payload of that name. Events carried from
// other definitions are not looked at (ResolvePayload needs the payload
// for them).
func (d *Definition) ListedWire(wire string) (*Event, bool) {
	for _, e := range d.events {
		if e.Wire == wire {
			return e, true
		}
	}
	return nil, false
}

// bodyOf wraps a decoded payload as the body the envelope carries it in,
// enough for the origins' conditions: {"data": payload} for an envelope
// holding the payload at /data.
func (d *Definition) bodyOf(payload any) any {
	ptr, ok := d.envPtr["payload"]
	if !ok || ptr == "" {
		return payload
	}
	p, err := jsonptr.Parse(ptr)
	if err != nil {
		return payload
	}
	body := payload
	for i := len(p) - 1; i >= 0; i-- {
		body = map[string]any{p[i]: body}
	}
	return body
}

// WireNames lists the wire names a receiver of the definition accepts
// for a payload like this one: the listed events', or those of the
// origin the payload belongs to (the one whose condition holds, else
// the default).
func (d *Definition) WireNames(payload any) []string {
	var out []string
	if len(d.events) > 0 || len(d.from) == 0 {
		for _, e := range d.events {
			out = append(out, e.Wire)
		}
		return out
	}
	body := d.bodyOf(payload)
	var pick *Origin
	for _, o := range d.from {
		if o.When.Conditional() && o.When.Holds(body) {
			pick = o
			break
		}
	}
	if pick == nil {
		for _, o := range d.from {
			if o.Default || (pick == nil && !o.When.Conditional()) {
				pick = o
			}
		}
	}
	if pick == nil {
		return nil
	}
	for _, e := range pick.Definition.events {
		if w := d.WireName(e.Name); !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// EntityKey finds the entity key of a decoded payload of event e (nil
// when the event is not known): the value at e's key pointers, else at
// any key pointer of the definition's events and of those it carries,
// else a top-level "id" ("" when none is there).
func (d *Definition) EntityKey(e *Event, payload any) string {
	return d.entityKey(e, func(ptrs []string) string { return KeyOf(payload, ptrs) })
}

// EntityKeyJSON is EntityKey on the payload's JSON text, read in place
// without decoding it: the same key for every JSON document.
func (d *Definition) EntityKeyJSON(e *Event, payload []byte) string {
	return d.entityKey(e, func(ptrs []string) string { return KeyOfJSON(payload, ptrs) })
}

// entityKey is EntityKey with keyOf reading the payload.
func (d *Definition) entityKey(e *Event, keyOf func(ptrs []string) string) string {
	if e != nil {
		if k := keyOf(e.Key); k != "" {
			return k
		}
	}
	var ptrs []string
	add := func(ps []string) {
		for _, p := range ps {
			if !slices.Contains(ptrs, p) {
				ptrs = append(ptrs, p)
			}
		}
	}
	if d.f.Events != nil {
		add(d.f.Events.Key)
	}
	for _, ev := range d.events {
		add(ev.Key)
	}
	for _, o := range d.from {
		for _, ev := range o.Definition.events {
			add(ev.Key)
		}
	}
	add([]string{"/id"})
	return keyOf(ptrs)
}

// Keys returns the distinct values the schema allows at instance pointer
// ptr of its payloads, an entity key say (see schemagen.Generator.Keys),
// found on a payload generated with seed.
func (s *EventSchema) Keys(ptr string, seed int64) (*schemagen.Keys, error) {
	g, err := s.gen()
	if err != nil {
		return nil, err
	}
	return g.Keys(ptr, seed)
}

// Validator is the compiled schema, for code that validates decoded
// documents itself.
func (s *EventSchema) Validator() *schemas.Schema { return s.v }

// EdgeCases returns payloads at the schema's boundaries (see
// schemagen.Generator.EdgeCases), each valid and labelled.
func (s *EventSchema) EdgeCases(seed int64) ([]schemagen.Case, error) {
	g, err := s.gen()
	if err != nil {
		return nil, err
	}
	return g.EdgeCases(seed)
}
