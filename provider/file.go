package provider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"
)

// File is what a definition file holds, field for field (the format is
// documented by Schema): plain data, with no rule checked. Parse and Load
// read it and New checks it into a Definition; Definition.File returns a
// copy to edit (the wire package's options do) and check again with New.
type File struct {
	Format      int          `json:"format"`
	Name        string       `json:"name"`
	Title       string       `json:"title,omitempty"`
	Description string       `json:"description,omitempty"`
	Source      string       `json:"source,omitempty"`
	Extends     string       `json:"extends,omitempty"`
	Generator   string       `json:"generator,omitempty"`
	Request     *Request     `json:"request,omitempty"`
	Body        *Body        `json:"body,omitempty"`
	Encryption  *Encryption  `json:"encryption,omitempty"`
	Signing     *Signing     `json:"signing,omitempty"`
	ID          *IDSpec      `json:"id,omitempty"`
	Timestamp   *Timestamp   `json:"timestamp,omitempty"`
	Events      *Events      `json:"events,omitempty"`
	Lifecycle   *Lifecycle   `json:"lifecycle,omitempty"`
	Delivery    *Delivery    `json:"delivery,omitempty"`
	Assumptions []Assumption `json:"assumptions,omitempty"`
	Vectors     []Vector     `json:"vectors,omitempty"`
}

// Request is the HTTP request around the body.
type Request struct {
	// Method is POST (default), PUT or PATCH.
	Method string `json:"method,omitempty"`
	// ContentType defaults to application/json.
	ContentType string `json:"contentType,omitempty"`
	// Headers are sent on every request: name → template.
	Headers Headers `json:"headers,omitzero"`
}

// Headers are header names and their templates, in file order.
type Headers = Ordered[string]

// Body is the body around the payload.
type Body struct {
	// Envelope is the body as a JSON value (members in file order) whose
	// string members may be templates; nil: the body is the payload.
	Envelope json.RawMessage `json:"envelope,omitempty"`
	// Stamp writes fields into the payload at send time: pointer → template.
	Stamp Ordered[string] `json:"stamp,omitzero"`
}

// Encryption is the optional encryption envelope (AES-256-GCM).
type Encryption struct {
	Algorithm string `json:"algorithm"`
	// Key is KeyDecoded or KeyUTF8.
	Key   string `json:"key"`
	Nonce *Nonce `json:"nonce,omitempty"`
	Tag   int    `json:"tag,omitempty"`
	AAD   string `json:"aad,omitempty"`
	// Encoding of the sealed bytes: base64url (default), base64 or hex.
	Encoding string `json:"encoding,omitempty"`
	Padded   bool   `json:"padded,omitempty"`
	// Field is the body member carrying the sealed string, e.g. /payload.
	Field string `json:"field"`
}

// Nonce is the encryption nonce's size and place.
type Nonce struct {
	Size int `json:"size,omitempty"`
	// At is NonceStart (nonce || ciphertext || tag) or NonceEnd.
	At string `json:"at,omitempty"`
}

// Signing says how requests are signed. A File whose Signing is
// SigningNone (None set) signs nothing.
type Signing struct {
	// None is the file's "signing: none".
	None bool `json:"-"`
	// Header carries the signatures.
	Header string `json:"header,omitempty"`
	// Content is the template of the signed bytes.
	Content string `json:"content,omitempty"`
	// Join separates signatures when several keys sign; JoinNone: one
	// signature, one secret. Default a space.
	Join string `json:"join,omitempty"`
	// TimestampItem is the template of the timestamp as an item of the
	// signature header (t={timestamp}).
	TimestampItem string   `json:"timestampItem,omitempty"`
	Schemes       []Scheme `json:"schemes,omitempty"`
}

// UnmarshalJSON reads "none" or an object.
func (s *Signing) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == `"none"` {
		*s = Signing{None: true}
		return nil
	}
	type plain Signing
	*s = Signing{}
	return json.Unmarshal(b, (*plain)(s))
}

// MarshalJSON writes "none" or an object.
func (s Signing) MarshalJSON() ([]byte, error) {
	if s.None {
		return []byte(`"none"`), nil
	}
	type plain Signing
	return json.Marshal(plain(s))
}

// Scheme is one kind of signature.
type Scheme struct {
	Name string `json:"name,omitempty"`
	// Algorithm is hmac-sha256, hmac-sha512 or ed25519.
	Algorithm string      `json:"algorithm"`
	Secret    SecretForm  `json:"secret"`
	Public    *SecretForm `json:"public,omitempty"`
	// Key is KeyUTF8 or KeyDecoded (HMAC).
	Key string `json:"key,omitempty"`
	// Encoding of the digest: hex, base64 or base64url.
	Encoding string `json:"encoding"`
	// Padded overrides the encoding's default padding (base64 padded,
	// base64url not).
	Padded *bool `json:"padded,omitempty"`
	// Signature is the template of one signature, with {sig} once.
	Signature string    `json:"signature"`
	Generate  *Generate `json:"generate,omitempty"`
}

// SecretForm is what a user holds: an optional prefix, an encoding, and
// the sizes accepted.
type SecretForm struct {
	Prefix string `json:"prefix,omitempty"`
	// Encoding is text, base64, base64url or hex.
	Encoding string `json:"encoding"`
	// Bytes are the sizes accepted (decoded bytes, or the text's bytes).
	Bytes *ByteCount `json:"bytes,omitempty"`
	// Hint says where users find the secret or what it looks like, for
	// messages about a secret that does not read.
	Hint string `json:"hint,omitempty"`
}

// ByteCount is a size in bytes: exactly N, a range, or a list of sizes.
type ByteCount struct {
	// Exact lists the sizes accepted (one for N); when empty, Min..Max.
	Exact []int
	// Min and Max bound the size (Max 0: no bound).
	Min, Max int
	// form remembers how it was written, to write it back the same way.
	form byte
}

// Allows reports whether n bytes are accepted.
func (c *ByteCount) Allows(n int) bool {
	if c == nil {
		return true
	}
	if len(c.Exact) > 0 {
		for _, e := range c.Exact {
			if e == n {
				return true
			}
		}
		return false
	}
	return n >= c.Min && (c.Max == 0 || n <= c.Max)
}

// String says what is accepted: "32", "16 to 64", "32 or 64", "at least 1".
func (c *ByteCount) String() string {
	switch {
	case c == nil:
		return "any number of"
	case len(c.Exact) == 1:
		return fmt.Sprint(c.Exact[0])
	case len(c.Exact) > 1:
		s := ""
		for i, e := range c.Exact {
			switch {
			case i == len(c.Exact)-1:
				s += " or "
			case i > 0:
				s += ", "
			}
			s += fmt.Sprint(e)
		}
		return s
	case c.Max == 0:
		return fmt.Sprintf("at least %d", c.Min)
	}
	return fmt.Sprintf("%d to %d", c.Min, c.Max)
}

// UnmarshalJSON reads N, {min, max} or [N, M].
func (c *ByteCount) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && b[0] == '{':
		var r struct{ Min, Max int }
		if err := json.Unmarshal(b, &r); err != nil {
			return err
		}
		*c = ByteCount{Min: r.Min, Max: r.Max, form: '{'}
	case len(b) > 0 && b[0] == '[':
		var l []int
		if err := json.Unmarshal(b, &l); err != nil {
			return err
		}
		*c = ByteCount{Exact: l, form: '['}
	default:
		var n int
		if err := json.Unmarshal(b, &n); err != nil {
			return err
		}
		*c = ByteCount{Exact: []int{n}}
	}
	return nil
}

// MarshalJSON writes the form it was read in.
func (c ByteCount) MarshalJSON() ([]byte, error) {
	switch {
	case c.form == '[' || len(c.Exact) > 1:
		return json.Marshal(c.Exact)
	case len(c.Exact) == 1:
		return json.Marshal(c.Exact[0])
	}
	var r struct {
		Min int `json:"min,omitempty"`
		Max int `json:"max,omitempty"`
	}
	r.Min, r.Max = c.Min, c.Max
	return json.Marshal(r)
}

// Generate is what a new secret is made of.
type Generate struct {
	Bytes int `json:"bytes,omitempty"`
	// As writes a text secret's random bytes: hex, base64 or base64url.
	As string `json:"as,omitempty"`
}

// IDSpec is where the message id travels.
type IDSpec struct {
	Header     string `json:"header,omitempty"`
	Pointer    string `json:"pointer,omitempty"`
	TestHeader string `json:"testHeader,omitempty"`
	Prefix     string `json:"prefix,omitempty"`
}

// Timestamp is the signed send time.
type Timestamp struct {
	Header string `json:"header,omitempty"`
	// Format is unix (default), unix-ms or rfc3339.
	Format    string   `json:"format,omitempty"`
	Tolerance Duration `json:"tolerance,omitzero"`
}

// Events are the events and how a receiver tells them apart.
type Events struct {
	Match      []Match     `json:"match,omitempty"`
	TestHeader string      `json:"testHeader,omitempty"`
	Default    string      `json:"default,omitempty"`
	Rename     string      `json:"rename,omitempty"`
	Key        Pointers    `json:"key,omitempty"`
	Time       *TimeSpec   `json:"time,omitempty"`
	Compare    []string    `json:"compare,omitempty"`
	FreeText   string      `json:"freeText,omitempty"`
	List       []EventSpec `json:"list,omitempty"`
	Others     []string    `json:"others,omitempty"`
	From       []From      `json:"from,omitempty"`
	Import     *Import     `json:"import,omitempty"`
}

// Match is one way a receiver tells events apart: exactly one of a
// header, a body pointer, or the URL.
type Match struct {
	Header  string `json:"header,omitempty"`
	Pointer string `json:"pointer,omitempty"`
	URL     bool   `json:"url,omitempty"`
}

// String is "header NAME", "pointer /PTR" or "url".
func (m Match) String() string {
	switch {
	case m.Header != "":
		return "header " + m.Header
	case m.Pointer != "":
		return "pointer " + m.Pointer
	}
	return "url"
}

// matchKeys yields each match of ms but the URL with its key in an
// event's match values (EventSpec.Match): its header name or its pointer.
func matchKeys(ms []Match) iter.Seq2[Match, string] {
	return func(yield func(Match, string) bool) {
		for _, m := range ms {
			k := m.Header
			if k == "" {
				k = m.Pointer
			}
			if !m.URL && !yield(m, k) {
				return
			}
		}
	}
}

// matchedBy reports whether k, a key of an event's match values, is one
// of ms: a pointer of them, or a header name without regard to case.
func matchedBy(ms []Match, k string) bool {
	return slices.ContainsFunc(ms, func(m Match) bool { return m.Pointer == k || strings.EqualFold(m.Header, k) })
}

// Pointers is one JSON pointer or a list of them (first present wins).
type Pointers []string

// UnmarshalJSON reads a pointer or a list of pointers.
func (p *Pointers) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*p = Pointers{s}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(p))
}

// MarshalJSON writes one pointer as a string.
func (p Pointers) MarshalJSON() ([]byte, error) {
	if len(p) == 1 {
		return json.Marshal(p[0])
	}
	return json.Marshal([]string(p))
}

// TimeSpec is where a payload carries its snapshot time, or none.
type TimeSpec struct {
	// None is the file's "time: none".
	None    bool
	Pointer string
	// Format is rfc3339 (default), unix or unix-ms.
	Format string
}

// UnmarshalJSON reads "none" or {pointer, format}.
func (t *TimeSpec) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == `"none"` {
		*t = TimeSpec{None: true}
		return nil
	}
	var v struct{ Pointer, Format string }
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*t = TimeSpec{Pointer: v.Pointer, Format: v.Format}
	return nil
}

// MarshalJSON writes "none" or {pointer, format}.
func (t TimeSpec) MarshalJSON() ([]byte, error) {
	if t.None {
		return []byte(`"none"`), nil
	}
	return json.Marshal(struct {
		Pointer string `json:"pointer"`
		Format  string `json:"format,omitempty"`
	}{t.Pointer, t.Format})
}

// EventSpec is one event of a definition.
type EventSpec struct {
	Name        string       `json:"name"`
	Title       string       `json:"title,omitempty"`
	Description string       `json:"description,omitempty"`
	Wire        string       `json:"wire,omitempty"`
	Schema      SchemaSource `json:"schema,omitzero"`
	// Match are this event's values of events.match, by header name or
	// pointer; default: the wire name.
	Match    Ordered[string] `json:"match,omitzero"`
	Key      Pointers        `json:"key,omitempty"`
	Compare  []string        `json:"compare,omitempty"`
	Time     *TimeSpec       `json:"time,omitempty"`
	FreeText string          `json:"freeText,omitempty"`
	Headers  Headers         `json:"headers,omitzero"`
}

// SchemaSource is where an event's payload schema is: exactly one of a
// built-in schema's name, a reference (FILE#POINTER relative to the
// definition, or #POINTER into the imported document), or the schema
// inline.
type SchemaSource struct {
	Builtin string
	Ref     string
	Inline  json.RawMessage
}

// IsZero reports whether no schema is given (omitzero drops it).
func (s SchemaSource) IsZero() bool { return s.Builtin == "" && s.Ref == "" && len(s.Inline) == 0 }

// UnmarshalJSON reads {builtin}, {$ref} or an inline schema.
func (s *SchemaSource) UnmarshalJSON(b []byte) error {
	var probe map[string]json.RawMessage
	if json.Unmarshal(b, &probe) == nil {
		if v, ok := probe["builtin"]; ok && len(probe) == 1 {
			*s = SchemaSource{}
			return json.Unmarshal(v, &s.Builtin)
		}
		if v, ok := probe["$ref"]; ok && len(probe) == 1 {
			*s = SchemaSource{}
			return json.Unmarshal(v, &s.Ref)
		}
	}
	*s = SchemaSource{Inline: bytes.Clone(b)}
	return nil
}

// MarshalJSON writes the form it holds.
func (s SchemaSource) MarshalJSON() ([]byte, error) {
	switch {
	case s.Builtin != "":
		return json.Marshal(map[string]string{"builtin": s.Builtin})
	case s.Ref != "":
		return json.Marshal(map[string]string{"$ref": s.Ref})
	case len(s.Inline) > 0:
		return s.Inline, nil
	}
	return []byte("null"), nil
}

// From carries another definition's events.
type From struct {
	Provider string `json:"provider"`
	Default  bool   `json:"default,omitempty"`
	When     *When  `json:"when,omitempty"`
}

// When is a condition on the received body: a pointer present or absent.
type When struct {
	Present string `json:"present,omitempty"`
	Absent  string `json:"absent,omitempty"`
}

// Import reads events from an OpenAPI 3.1 or AsyncAPI 3.0 document.
type Import struct {
	Spec    string          `json:"spec"`
	Include []string        `json:"include,omitempty"`
	Exclude []string        `json:"exclude,omitempty"`
	Match   Ordered[string] `json:"match,omitzero"`
	Key     Pointers        `json:"key,omitempty"`
	Compare []string        `json:"compare,omitempty"`
}

// Lifecycle is the entities' lifecycle.
type Lifecycle struct {
	Generator   string        `json:"generator,omitempty"`
	Snapshots   string        `json:"snapshots,omitempty"`
	State       string        `json:"state,omitempty"`
	Initial     string        `json:"initial,omitempty"`
	Transitions []Transition  `json:"transitions,omitempty"`
	Scenarios   []ScenarioRef `json:"scenarios,omitempty"`
}

// Transition is one step of a data lifecycle.
type Transition struct {
	Name string   `json:"name"`
	From []string `json:"from,omitempty"`
	To   string   `json:"to"`
	// Emits is the event it sends.
	Emits string `json:"emits"`
	// Set are field changes: pointer → JSON value, or a template string.
	Set    Ordered[json.RawMessage] `json:"set,omitzero"`
	Remove []string                 `json:"remove,omitempty"`
	// After is the [min, max] delay since the entity's previous event.
	After []Duration `json:"after,omitzero"`
}

// ScenarioRef is a built-in scenario's name, or a scenario inline.
type ScenarioRef struct {
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Steps       []string `json:"steps,omitempty"`
}

// UnmarshalJSON reads a name or {name, description, steps}.
func (s *ScenarioRef) UnmarshalJSON(b []byte) error {
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '"' {
		*s = ScenarioRef{}
		return json.Unmarshal(b, &s.Name)
	}
	type plain ScenarioRef
	return json.Unmarshal(b, (*plain)(s))
}

// MarshalJSON writes a name alone as a string.
func (s ScenarioRef) MarshalJSON() ([]byte, error) {
	if len(s.Steps) == 0 && s.Description == "" {
		return json.Marshal(s.Name)
	}
	type plain ScenarioRef
	return json.Marshal(plain(s))
}

// Delivery is how the provider delivers.
type Delivery struct {
	// Ordering is per-key, fifo or none.
	Ordering string `json:"ordering,omitempty"`
	// OnFailure is retry or block.
	OnFailure string `json:"onFailure,omitempty"`
	Retry     *Retry `json:"retry,omitempty"`
	// Timeout is the provider's request timeout.
	Timeout    Duration `json:"timeout,omitzero"`
	Duplicates string   `json:"duplicates,omitempty"`
	Redelivery string   `json:"redelivery,omitempty"`
}

// Retry is a retry policy: none, a schedule of waits, or an exponential
// backoff.
type Retry struct {
	None     bool       `json:"-"`
	Schedule []Duration `json:"schedule,omitzero"`
	Backoff  Duration   `json:"backoff,omitzero"`
	Factor   float64    `json:"factor,omitempty"`
	Attempts int        `json:"attempts,omitempty"`
}

// UnmarshalJSON reads "none" or an object.
func (r *Retry) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == `"none"` {
		*r = Retry{None: true}
		return nil
	}
	type plain Retry
	*r = Retry{}
	return json.Unmarshal(b, (*plain)(r))
}

// MarshalJSON writes "none" or an object.
func (r Retry) MarshalJSON() ([]byte, error) {
	if r.None {
		return []byte(`"none"`), nil
	}
	type plain Retry
	return json.Marshal(plain(r))
}

// Waits returns the waits before each retry: the schedule, or the
// backoff multiplied by the factor after each attempt (factor 1 when 0).
// nil for none.
func (r *Retry) Waits() []time.Duration {
	if r == nil || r.None {
		return nil
	}
	if len(r.Schedule) > 0 {
		out := make([]time.Duration, len(r.Schedule))
		for i, d := range r.Schedule {
			out[i] = d.D
		}
		return out
	}
	f := r.Factor
	if f == 0 {
		f = 1
	}
	out := make([]time.Duration, r.Attempts)
	w := float64(r.Backoff.D)
	for i := range out {
		out[i] = time.Duration(w)
		w *= f
	}
	return out
}

// Assumption is what the documentation leaves open.
type Assumption struct {
	What    string `json:"what"`
	Default string `json:"default"`
	Option  string `json:"option,omitempty"`
}

// Vector is a documented example the definition must reproduce.
type Vector struct {
	Name      string `json:"name"`
	Secret    string `json:"secret"`
	ID        string `json:"id,omitempty"`
	Timestamp string `json:"timestamp,omitempty"`
	// Nonce is hex.
	Nonce string `json:"nonce,omitempty"`
	Event string `json:"event,omitempty"`
	// Payload is the payload's JSON text, byte for byte (a string in the
	// file), or a JSON value.
	Payload json.RawMessage `json:"payload,omitempty"`
	// Body is the whole body when it is signed as given.
	Body   string `json:"body,omitempty"`
	Expect Expect `json:"expect"`
}

// PayloadBytes is the payload's JSON text: a string's content, byte for
// byte, or the value itself.
func (v *Vector) PayloadBytes() []byte {
	var s string
	if len(v.Payload) > 0 && v.Payload[0] == '"' && json.Unmarshal(v.Payload, &s) == nil {
		return []byte(s)
	}
	return v.Payload
}

// Expect is what a vector must give.
type Expect struct {
	Headers map[string]string `json:"headers,omitempty"`
	Body    string            `json:"body,omitempty"`
	Error   string            `json:"error,omitempty"`
}

// Duration is a Go duration written as text ("500ms", "5m").
type Duration struct{ D time.Duration }

// UnmarshalJSON reads a Go duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	d.D = v
	return nil
}

// MarshalJSON writes the duration as Go writes it.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// String is Go's form without needless zero units ("5m", not "5m0s").
func (d Duration) String() string {
	s := d.D.String()
	for _, z := range []string{"m0s", "h0m"} {
		if len(s) > len(z) && s[len(s)-len(z):] == z {
			s = s[:len(s)-len(z)+1]
		}
	}
	return s
}

// IsZero lets omitzero drop unset durations.
func (d Duration) IsZero() bool { return d.D == 0 }

// Ordered is a JSON object read and written in file order.
type Ordered[V any] struct {
	Keys []string
	Vals []V
}

// Len is the number of members.
func (o Ordered[V]) Len() int { return len(o.Keys) }

// Get returns the value of key.
func (o Ordered[V]) Get(key string) (V, bool) {
	for i, k := range o.Keys {
		if k == key {
			return o.Vals[i], true
		}
	}
	var zero V
	return zero, false
}

// Set sets key's value, appending a new key.
func (o *Ordered[V]) Set(key string, v V) {
	for i, k := range o.Keys {
		if k == key {
			o.Vals[i] = v
			return
		}
	}
	o.Keys = append(o.Keys, key)
	o.Vals = append(o.Vals, v)
}

// IsZero lets omitzero drop empty objects.
func (o Ordered[V]) IsZero() bool { return len(o.Keys) == 0 }

// UnmarshalJSON reads an object's members in order.
func (o *Ordered[V]) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("not an object")
	}
	*o = Ordered[V]{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		var v V
		if err := dec.Decode(&v); err != nil {
			return err
		}
		o.Keys = append(o.Keys, t.(string))
		o.Vals = append(o.Vals, v)
	}
	_, err := dec.Token()
	return err
}

// MarshalJSON writes the members in order.
func (o Ordered[V]) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, k := range o.Keys {
		if i > 0 {
			b = append(b, ',')
		}
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(o.Vals[i])
		if err != nil {
			return nil, err
		}
		b = append(append(append(b, kb...), ':'), vb...)
	}
	return append(b, '}'), nil
}
