package wire

import (
	"bytes"
	"crypto/cipher"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/jsonw"
	"github.com/orderhooks/orderhooks/provider"
)

// Build makes the request for one delivery of msg as the definition
// says: the payload stamped, sealed and put in its envelope, the signed
// content signed by every secret (each with its scheme), the headers.
// Request.Plaintext is msg.Event.Payload itself (not a copy).
//
// Faults: tamper changes one character of what is signed after signing
// (a digit of the body, or a character of the signed body string such as
// Phasio's encrypted payload string); bad-signature writes random bytes
// in place of each digest; wrong-key signs (and seals) with a random key
// of the same form; missing-signature drops the signature header;
// stale-timestamp signs a timestamp twice the tolerance before
// Message.Time (definitions with a timestamp only); malformed-body sends
// the first half of the body (signed, when the whole body is signed).
func (p *Compiled) Build(msg *Message, fault Fault) (*Request, error) {
	if err := checkMessage(msg, p.needID); err != nil {
		return nil, err
	}
	if err := p.checkFault(fault); err != nil {
		return nil, err
	}
	keys, aead := p.signers, p.aead
	if p.signs && len(keys) == 0 {
		return nil, badSecret("%s: a public key verifies but cannot sign", p.name)
	}
	if fault == FaultWrongKey && p.signs {
		raw := make([]byte, 32)
		if err := p.rand.fill(raw); err != nil {
			return nil, err
		}
		k := randomKey(keys[0].scheme, raw)
		keys = []*key{k}
		if p.seal != nil {
			var err error
			if aead, err = p.seal.aead(k); err != nil {
				return nil, err
			}
		}
	}
	wire := p.def.WireName(msg.Event.Event)
	var ts string
	if p.hasTS {
		at := msg.Time
		if fault == FaultStaleTimestamp {
			at = at.Add(-2 * p.tolerance)
		}
		ts = formatTimestamp(at, p.tsFormat)
	}
	vars := sendVars{msg: msg, wire: wire, ts: ts}
	payload := msg.Event.Payload
	if len(p.stamps) > 0 || len(p.stampWire) > 0 {
		fields := make([]stampField, 0, len(p.stamps)+len(p.stampWire))
		for _, s := range p.stamps {
			v, err := s.tmpl.Render(vars.lookup)
			if err != nil {
				return nil, fmt.Errorf("%w: event %d: %w", ErrBadMessage, msg.Event.Seq, err)
			}
			fields = append(fields, stampField{s.ptr, v})
		}
		for _, m := range p.stampWire {
			if v := p.matchValue(msg.Event.Event, m, wire); v != "" {
				fields = append(fields, stampField{m.ptr, v})
			}
		}
		var err error
		if payload, err = stampPayload(payload, fields); err != nil {
			return nil, fmt.Errorf("%w: event %d: %w", ErrBadMessage, msg.Event.Seq, err)
		}
	}
	body, from, to, err := p.body(aead, payload, vars, msg.Buf)
	if err != nil {
		return nil, err
	}
	// A cut body is signed as sent when the whole body is signed; a body
	// string cannot be read from it, so it is signed first.
	if fault == FaultMalformedBody && p.signedField == "" {
		body = body[:len(body)/2]
	}
	var sig string
	if p.signs && fault != FaultMissingSignature {
		if sig, err = p.signature(keys, msg, wire, ts, body, from, to, fault == FaultBadSignature); err != nil {
			return nil, err
		}
	}
	switch fault {
	case FaultMalformedBody:
		if p.signedField != "" {
			body = body[:len(body)/2]
		}
	case FaultTamper:
		if len(body) > 0 && &body[0] == &msg.Event.Payload[0] {
			body = bytes.Clone(body)
		}
		body = p.tamper(body, from, to)
	}
	return &Request{Header: p.header(msg, wire, ts, sig), Body: body, Plaintext: msg.Event.Payload, Fault: fault}, nil
}

// tamper changes one character of what is signed: a digit of the body
// when the whole body is signed, else the signed body string (between
// from and to when Build knows where it is).
func (p *Compiled) tamper(body []byte, from, to int) []byte {
	if p.wholeBody || p.signedField == "" {
		return tamperJSON(body)
	}
	if from < 0 {
		if raw, ok, err := rawAt(body, p.signedFieldPtr); err == nil && ok && len(raw) > 2 {
			if i := bytes.Index(body, raw); i >= 0 {
				from, to = i+1, i+len(raw)-1
			}
		}
	}
	if from < 0 {
		return tamperJSON(body)
	}
	tamperString(body[from:to])
	return body
}

// checkFault accepts the faults Build knows; stale-timestamp needs a
// timestamp.
func (p *Compiled) checkFault(fault Fault) error {
	switch fault {
	case FaultNone, FaultDuplicate, FaultReorder, FaultDelay, FaultTamper, FaultBadSignature,
		FaultWrongKey, FaultMissingSignature, FaultMalformedBody:
		return nil
	case FaultStaleTimestamp:
		if p.hasTS {
			return nil
		}
		return fmt.Errorf("%w: %s: %s requests carry no signed timestamp", ErrFaultNotApplicable, fault, p.name)
	}
	return fmt.Errorf("%w: unknown fault %q", ErrFaultNotApplicable, fault)
}

// body makes the body around payload: sealed in its field, in the
// envelope, or the payload itself; in buf when it has room (Message.Buf).
// from and to delimit the signed body string when the profile signs one
// and Build knows where it is (-1 otherwise).
func (p *Compiled) body(aead cipher.AEAD, payload []byte, vars sendVars, buf []byte) (body []byte, from, to int, err error) {
	switch {
	case p.seal != nil && p.env == nil:
		return p.seal.seal(aead, p.rand, payload, p.wrapBefore, p.wrapAfter, buf)
	case p.env != nil:
		var sealed []byte
		if p.seal != nil {
			if sealed, _, _, err = p.seal.seal(aead, p.rand, payload, nil, nil, nil); err != nil {
				return nil, -1, -1, err
			}
		}
		body = room(buf, len(payload)+len(sealed)+128)
		from, to = -1, -1
		for _, s := range p.env.segs {
			switch {
			case s.lit != nil:
				body = append(body, s.lit...)
			case s.hole == "payload":
				body = append(body, payload...)
			case s.hole == "sealed":
				body = append(body, '"')
				if p.signedField == p.seal.field {
					from = len(body)
				}
				body = append(body, sealed...)
				if from >= 0 {
					to = len(body)
				}
				body = append(body, '"')
			default:
				v, err := s.tmpl.Render(vars.lookup)
				if err != nil {
					return nil, -1, -1, fmt.Errorf("%w: %w", ErrBadMessage, err)
				}
				body = jsonw.String(body, v)
			}
		}
		return body, from, to, nil
	}
	return payload, -1, -1, nil
}

// room returns buf emptied when it holds n bytes, else a new buffer of
// capacity n.
func room(buf []byte, n int) []byte {
	if cap(buf) >= n {
		return buf[:0]
	}
	return make([]byte, 0, n)
}

// signature makes the signature header's value: the timestamp item, then
// one signature per key, joined.
func (p *Compiled) signature(keys []*key, msg *Message, wire, ts string, body []byte, from, to int, bad bool) (string, error) {
	var field []byte
	if p.field != nil {
		if from >= 0 && p.fieldName == p.signedField {
			field = body[from:to]
		} else {
			s, ok, err := stringAt(body, p.field)
			if err != nil || !ok {
				return "", fmt.Errorf("%w: the body has no %s string to sign", ErrBadMessage, p.fieldName)
			}
			field = []byte(s)
		}
	}
	in := signedInput{id: msg.ID, ts: ts, body: body, field: field, event: wire, msg: msg, method: p.method}
	var partsArr [8][]byte
	parts, err := p.input(partsArr[:0], in)
	if err != nil {
		return "", err
	}
	var outArr [192]byte
	out := outArr[:0]
	if p.tsItem {
		out = append(append(append(out, p.tsItemBefore...), ts...), p.tsItemAfter...)
	}
	digest := make([]byte, 0, 64)
	for i, k := range keys {
		if i > 0 || p.tsItem {
			out = append(out, p.join...)
		}
		digest = k.sign(digest[:0], parts...)
		if bad {
			if err := p.rand.fill(digest); err != nil {
				return "", err
			}
		}
		out = append(out, k.scheme.before...)
		out = k.scheme.enc.encode(out, digest)
		out = append(out, k.scheme.after...)
	}
	return string(out), nil
}

// signedInput is what the signed content's variables read: a request
// being built (msg set) or received (hdr set).
type signedInput struct {
	id, ts, event, method string
	body, field           []byte
	msg                   *Message
	hdr                   http.Header
}

// input renders the signed content into the parts written to the MAC,
// appended to parts.
func (p *Compiled) input(parts [][]byte, in signedInput) ([][]byte, error) {
	for _, c := range p.content {
		var v []byte
		switch c.v {
		case "":
			v = c.lit
		case "id":
			v = []byte(in.id)
		case "timestamp":
			v = []byte(in.ts)
		case "body":
			v = in.body
		case "field":
			v = in.field
			if v == nil {
				s, ok, err := stringOrRaw(in.body, c.ptr)
				if err != nil || !ok {
					return nil, fmt.Errorf("%w: no %s in the body", ErrMalformedBody, dotted(c.name))
				}
				v = s
			}
		case "header":
			if in.msg != nil {
				v = []byte(p.sentHeader(c.name, in.msg, in.event, in.ts))
			} else {
				v = []byte(in.hdr.Get(c.name))
			}
		case "method":
			v = []byte(in.method)
		case "event":
			v = []byte(in.event)
		}
		if c.filter != nil {
			v = []byte(c.filter.Apply(string(v)))
		}
		parts = append(parts, v)
	}
	return parts, nil
}

// stringOrRaw returns the string at ptr, or the JSON text of another
// value there.
func stringOrRaw(doc []byte, ptr jsonptr.Pointer) ([]byte, bool, error) {
	raw, ok, err := rawAt(doc, ptr)
	if err != nil || !ok {
		return nil, ok, err
	}
	if s, ok, err := stringAt(raw, nil); err == nil && ok {
		return []byte(s), true, nil
	}
	return raw, true, nil
}

// header makes the request's headers.
func (p *Compiled) header(msg *Message, wire, ts, sig string) http.Header {
	// One backing array for the header values: Build is the hot path.
	vals := make([]string, 0, 6+len(p.headers))
	h := make(http.Header, 6+len(p.headers))
	set := func(k, v string) {
		vals = append(vals, v)
		h[k] = vals[len(vals)-1:]
	}
	set("Content-Type", p.contentType)
	if sig != "" {
		set(p.sigHeader, sig)
	}
	if p.idHeader != "" {
		set(p.idHeader, msg.ID)
	}
	if p.tsHeader != "" {
		set(p.tsHeader, ts)
	}
	if p.eventTestHeader != "" {
		set(p.eventTestHeader, msg.Event.Event)
	}
	if p.idTestHeader != "" && msg.ID != "" {
		set(p.idTestHeader, msg.ID)
	}
	for _, m := range p.matchers {
		if m.header != "" {
			if v := p.matchValue(msg.Event.Event, m, wire); v != "" {
				set(m.header, v)
			}
		}
	}
	vars := sendVars{msg: msg, wire: wire, ts: ts}
	for _, sh := range p.headers {
		if v, err := sh.tmpl.Render(vars.lookup); err == nil {
			set(sh.name, v)
		}
	}
	if e, ok := p.def.Event(msg.Event.Event); ok {
		for _, name := range e.Headers.Keys {
			if t := p.def.Template(e.Pointer() + "/headers/" + jsonptr.Escape(name)); t != nil {
				if v, err := t.Render(vars.lookup); err == nil {
					set(http.CanonicalHeaderKey(name), v)
				}
			}
		}
	}
	return h
}

// matchValue is what an event carries for one of events.match: its own
// value, or its wire name.
func (p *Compiled) matchValue(event string, m matcher, wire string) string {
	if e, ok := p.def.Event(event); ok {
		for k, v := range e.Match {
			if k == m.ptrName || (m.header != "" && http.CanonicalHeaderKey(k) == m.header) {
				return v
			}
		}
	}
	return wire
}

// sentHeader is the value Build gives header name (canonical), for
// {header:NAME} in the signed content.
func (p *Compiled) sentHeader(name string, msg *Message, wire, ts string) string {
	switch name {
	case "Content-Type":
		return p.contentType
	case p.idHeader:
		return msg.ID
	case p.tsHeader:
		return ts
	case p.eventTestHeader:
		return msg.Event.Event
	}
	for _, m := range p.matchers {
		if m.header == name {
			return p.matchValue(msg.Event.Event, m, wire)
		}
	}
	vars := sendVars{msg: msg, wire: wire, ts: ts}
	for _, sh := range p.headers {
		if sh.name == name {
			v, _ := sh.tmpl.Render(vars.lookup)
			return v
		}
	}
	return ""
}

// sendVars are the values of the send-time templates.
type sendVars struct {
	msg  *Message
	wire string
	ts   string
}

func (v sendVars) lookup(part provider.Part) (string, error) {
	switch part.Var {
	case "event":
		return v.wire, nil
	case "id":
		return v.msg.ID, nil
	case "time":
		return v.msg.Time.UTC().Format(time.RFC3339Nano), nil
	case "time.unix":
		return strconv.FormatInt(v.msg.Time.Unix(), 10), nil
	case "timestamp":
		if v.ts == "" {
			return "", provider.ErrTemplateValue
		}
		return v.ts, nil
	}
	return "", provider.ErrTemplateValue
}

// formatTimestamp writes a signed timestamp: Unix seconds, milliseconds
// or RFC 3339.
func formatTimestamp(at time.Time, format string) string {
	switch format {
	case provider.TimeUnixMS:
		return strconv.FormatInt(at.UnixMilli(), 10)
	case provider.TimeRFC3339:
		return at.UTC().Format(time.RFC3339)
	}
	return strconv.FormatInt(at.Unix(), 10)
}

// parseTimestamp reads a signed timestamp.
func parseTimestamp(s, format string) (time.Time, error) {
	switch format {
	case provider.TimeUnixMS:
		ms, err := strconv.ParseInt(s, 10, 64)
		return time.UnixMilli(ms), err
	case provider.TimeRFC3339:
		return time.Parse(time.RFC3339Nano, s)
	}
	sec, err := strconv.ParseInt(s, 10, 64)
	return time.Unix(sec, 0), err
}

// timestampFormatName says what a timestamp format is, for messages.
func timestampFormatName(format string) string {
	switch format {
	case provider.TimeUnixMS:
		return "Unix milliseconds"
	case provider.TimeRFC3339:
		return "an RFC 3339 time"
	}
	return "Unix seconds"
}
