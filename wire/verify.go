package wire

import (
	"bytes"
	"crypto/hmac"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/provider"
)

// VerifyHeader checks that the signature header (and the id and
// timestamp headers it signs) are there (see HeaderVerifier).
func (p *Compiled) VerifyHeader(h http.Header) error {
	if !p.signs {
		return nil
	}
	if p.join == "" {
		if h.Get(p.sigHeader) == "" {
			return fmt.Errorf("%w: no %s header", ErrMissingSignature, p.sigName)
		}
	} else if strings.TrimSpace(strings.Join(h.Values(p.sigHeader), " ")) == "" {
		return fmt.Errorf("%w: no %s header", ErrMissingSignature, p.sigName)
	}
	if p.needIDHeaders {
		var names []string
		for _, n := range []string{p.def.ID().Header, p.tsHeaderName} {
			if n != "" {
				names = append(names, n)
			}
		}
		for _, n := range names {
			if h.Get(n) == "" {
				verb := "is"
				if len(names) > 1 {
					verb = "are"
				}
				return fmt.Errorf("%w: %s %s required", ErrMissingSignature, strings.Join(names, " and "), verb)
			}
		}
	}
	return nil
}

// Verify checks a received request as the definition says: the
// signature first (any signature by any of the profile's keys, in
// constant time for HMAC), then the timestamp against the clock and
// tolerance, then decryption and the body. Received.Event is the event's
// name as the request tells it (a header, a body member, or for one URL
// per event the test header or the default event), ID the message id,
// Time the snapshot time (the payload's event time when the definition
// names one, else the signed timestamp), Payload the payload (decrypted,
// or taken out of the envelope).
func (p *Compiled) Verify(h http.Header, body []byte) (*Received, error) {
	if err := p.VerifyHeader(h); err != nil {
		return nil, err
	}
	var field []byte
	if p.field != nil {
		var err error
		if field, err = p.bodyString(body, p.field, p.fieldName); err != nil {
			return nil, err
		}
	}
	var items []string
	if p.signs {
		var itemsArr [4]string
		items = p.items(itemsArr[:0], h)
	}
	rc := &Received{}
	var ts string
	if p.hasTS {
		ts = p.timestamp(h, items)
	}
	if p.signs {
		in := signedInput{id: h.Get(p.idHeader), ts: ts, body: body, field: field, event: p.headerEvent(h),
			hdr: h, method: p.method}
		var partsArr [8][]byte
		parts, err := p.input(partsArr[:0], in)
		if err != nil {
			return nil, err
		}
		input := parts[0]
		if len(parts) > 1 {
			input = bytes.Join(parts, nil)
		}
		if !p.anySignature(items, input) {
			return nil, ErrSignatureMismatch
		}
	}
	if p.hasTS {
		at, err := parseTimestamp(ts, p.tsFormat)
		if err != nil {
			return nil, fmt.Errorf("%w: %s is not %s", ErrStaleTimestamp, p.tsName(), timestampFormatName(p.tsFormat))
		}
		if d := p.now().Sub(at); d > p.tolerance || d < -p.tolerance {
			return nil, fmt.Errorf("%w: %s is %s off", ErrStaleTimestamp, p.tsName(), d.Round(time.Second))
		}
		rc.Time = at
	}
	payload := body
	if p.seal != nil {
		sealed := field
		if sealed == nil || p.fieldName != p.seal.field {
			var err error
			if sealed, err = p.bodyString(body, p.seal.fieldPtr, p.seal.field); err != nil {
				return nil, err
			}
		}
		plain, err := p.seal.open(p.aead, sealed)
		if err != nil {
			return nil, err
		}
		payload = plain
	}
	doc := &lazyDoc{raw: body}
	if p.seal != nil && p.env == nil {
		doc.raw = payload
	}
	if p.env != nil && p.payloadPtr != nil && p.seal == nil {
		raw, ok, err := doc.at(p.payloadPtr)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("%w: no %s", ErrMalformedBody, dotted(p.payloadAt))
		}
		payload = raw
	}
	var err error
	if rc.Event, err = p.event(h, doc); err != nil {
		return nil, err
	}
	if rc.ID, err = p.id(h, doc); err != nil {
		return nil, err
	}
	if err := p.eventTimeOf(rc, doc); err != nil {
		return nil, err
	}
	if len(p.keyParents) > 0 {
		pd := doc // the body is the payload (HappyColis): decoded once
		if len(payload) != len(doc.raw) || len(payload) == 0 || &payload[0] != &doc.raw[0] {
			pd = &lazyDoc{raw: payload}
		}
		for _, parent := range p.keyParents {
			raw, ok, err := pd.at(parent)
			if err != nil {
				return nil, err
			}
			if !ok || len(raw) == 0 || raw[0] != '{' {
				return nil, fmt.Errorf("%w: %s is not an object", ErrMalformedBody, strings.Join(parent, "."))
			}
		}
	}
	if !doc.done && p.seal == nil && !json.Valid(payload) {
		return nil, fmt.Errorf("%w: not JSON", ErrMalformedBody)
	}
	rc.Payload = payload
	return rc, nil
}

// tsName names where the signed timestamp travels, for messages.
func (p *Compiled) tsName() string {
	if p.tsHeaderName != "" {
		return p.tsHeaderName
	}
	return "the timestamp of " + p.sigName
}

// items splits the signature header into its items.
func (p *Compiled) items(out []string, h http.Header) []string {
	switch p.join {
	case "":
		return append(out, strings.TrimSpace(h.Get(p.sigHeader)))
	case " ":
		return append(out, strings.Fields(strings.Join(h.Values(p.sigHeader), " "))...)
	}
	for _, s := range strings.Split(strings.Join(h.Values(p.sigHeader), p.join), p.join) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// timestamp is the signed timestamp as received: its header, or the
// timestamp item of the signature header.
func (p *Compiled) timestamp(h http.Header, items []string) string {
	if p.tsHeader != "" {
		return h.Get(p.tsHeader)
	}
	for _, it := range items {
		if len(it) >= len(p.tsItemBefore)+len(p.tsItemAfter) && strings.HasPrefix(it, p.tsItemBefore) && strings.HasSuffix(it, p.tsItemAfter) {
			return it[len(p.tsItemBefore) : len(it)-len(p.tsItemAfter)]
		}
	}
	return ""
}

// anySignature reports whether one of the items is a signature of input
// by one of the keys; items of no scheme, or that do not decode, are
// ignored.
func (p *Compiled) anySignature(items []string, input []byte) bool {
	var macsArr [4][]byte
	var macs [][]byte // HMAC of input per key, computed once
	for _, it := range items {
		for _, s := range p.schemes {
			if len(it) < len(s.before)+len(s.after) || !strings.HasPrefix(it, s.before) || !strings.HasSuffix(it, s.after) {
				continue
			}
			got, err := s.enc.decode(it[len(s.before) : len(it)-len(s.after)])
			if err != nil {
				continue
			}
			for i, k := range p.keys {
				if k.scheme != s {
					continue
				}
				if s.isEd25519() {
					if k.verify(got, input) {
						return true
					}
					continue
				}
				if macs == nil {
					macs = macsArr[:0]
					if len(p.keys) > len(macsArr) {
						macs = make([][]byte, 0, len(p.keys))
					}
					macs = macs[:len(p.keys)]
				}
				if macs[i] == nil {
					macs[i] = k.sign(make([]byte, 0, 64), input)
				}
				if equalMAC(got, macs[i]) {
					return true
				}
			}
		}
	}
	return false
}

// headerEvent is the event a request names in a header, for {event} in
// the signed content.
func (p *Compiled) headerEvent(h http.Header) string {
	for _, m := range p.matchers {
		switch {
		case m.header != "":
			return h.Get(m.header)
		case m.url && p.eventTestHeader != "":
			if v := h.Get(p.eventTestHeader); v != "" {
				return v
			}
			return p.defaultEvent
		case m.url:
			return p.defaultEvent
		}
	}
	return ""
}

// event reads the event's name as the request tells it.
func (p *Compiled) event(h http.Header, doc *lazyDoc) (string, error) {
	if p.tuples != nil {
		vals := make([]string, len(p.matchers))
		for i, m := range p.matchers {
			if m.header != "" {
				vals[i] = h.Get(m.header)
			} else if s, ok, err := doc.stringAt(m.ptr); err == nil && ok {
				vals[i] = s
			}
		}
		if w, ok := p.tuples[strings.Join(vals, "\x00")]; ok {
			return w, nil
		}
		// An event that fixes no value at a body pointer (GitHub's
		// repository_dispatch: any action) is named by the rest.
		for i, m := range p.matchers {
			if m.header == "" {
				vals[i] = ""
			}
		}
		if w, ok := p.tuples[strings.Join(vals, "\x00")]; ok {
			return w, nil
		}
	}
	event := ""
	for _, m := range p.matchers {
		var v string
		switch {
		case m.header != "":
			if v = h.Get(m.header); v == "" {
				return "", fmt.Errorf("%w: no %s header", ErrMalformedBody, m.header)
			}
		case m.url:
			if p.eventTestHeaderRead != "" {
				v = h.Get(p.eventTestHeaderRead)
			}
			if v == "" {
				v = p.defaultEvent
			}
		default:
			s, ok, err := doc.stringAt(m.ptr)
			if err != nil {
				return "", notString(err, m.ptrName)
			}
			if !ok || s == "" {
				return "", fmt.Errorf("%w: no %s", ErrMalformedBody, dotted(m.ptrName))
			}
			v = s
		}
		if event == "" {
			event = v
		}
	}
	return event, nil
}

// id reads the message id.
func (p *Compiled) id(h http.Header, doc *lazyDoc) (string, error) {
	switch {
	case p.idHeader != "":
		return h.Get(p.idHeader), nil
	case p.idPtr != nil:
		s, _, err := doc.stringAt(p.idPtr)
		if err != nil {
			return "", notString(err, p.idPtrName)
		}
		return s, nil
	case p.idTestHeaderRead != "":
		return h.Get(p.idTestHeaderRead), nil
	}
	return "", nil
}

// eventTimeOf sets rc.Time to the payload's event time when the
// definition names one.
func (p *Compiled) eventTimeOf(rc *Received, doc *lazyDoc) error {
	spec := p.eventTime
	if e := p.listedByWire(rc.Event); e != nil && e.Time != nil {
		spec = e.Time
	}
	switch {
	case spec == nil:
		return nil
	case spec.None:
		rc.Time = time.Time{}
		return nil
	}
	ptr, err := jsonptr.Parse(spec.Pointer)
	if err != nil {
		return nil
	}
	raw, ok, err := doc.at(ptr)
	if err != nil {
		return err
	}
	if !ok {
		rc.Time = time.Time{}
		return nil
	}
	format := spec.Format
	if format == "" {
		format = provider.TimeRFC3339
	}
	text := string(raw)
	if len(raw) > 0 && raw[0] == '"' {
		if err := json.Unmarshal(raw, &text); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrMalformedBody, dotted(spec.Pointer), err)
		}
	}
	at, err := parseTimestamp(text, format)
	if err != nil {
		return fmt.Errorf("%w: %s is not %s", ErrMalformedBody, dotted(spec.Pointer), timestampFormatName(format))
	}
	rc.Time = at
	return nil
}

// listedByWire is the listed event with that wire name, nil for none.
func (p *Compiled) listedByWire(wire string) *provider.Event {
	for _, e := range p.def.Events() {
		if e.Wire == wire {
			return e
		}
	}
	return nil
}

// bodyString returns the string member at ptr of a JSON object body.
// The common compact form {"payload":"…"} is sliced out directly;
// anything else goes through encoding/json.
func (p *Compiled) bodyString(body []byte, ptr jsonptr.Pointer, name string) ([]byte, error) {
	if p.wrapBefore != nil && p.seal != nil && name == p.seal.field {
		if rest, ok := bytes.CutPrefix(body, p.wrapBefore); ok {
			if s, ok := bytes.CutSuffix(rest, p.wrapAfter); ok && !bytes.ContainsAny(s, `"\`) {
				return s, nil
			}
		}
	}
	doc := &lazyDoc{raw: body}
	s, ok, err := doc.stringAt(ptr)
	switch {
	case err == errNotObject:
		return nil, fmt.Errorf("%w: not a JSON object", ErrMalformedBody)
	case err != nil || !ok:
		return nil, fmt.Errorf("%w: no %q string field", ErrMalformedBody, dotted(name))
	}
	return []byte(s), nil
}

// Open decrypts a captured body (the JSON object carrying the encrypted
// payload string) or a bare encrypted payload string (optionally
// JSON-quoted), checking signature first when it is not "" (for
// definitions that sign that string alone, such as Phasio). It is the
// library side of `orderhooks decrypt`; definitions without encryption
// have nothing to open.
func (p *Compiled) Open(data []byte, signature string) ([]byte, error) {
	if p.seal == nil {
		return nil, fmt.Errorf("%w: %s requests are not encrypted", ErrMalformedBody, p.name)
	}
	data = bytes.TrimSpace(data)
	var sealed []byte
	switch {
	case len(data) > 0 && data[0] == '{':
		var err error
		if sealed, err = p.bodyString(data, p.seal.fieldPtr, p.seal.field); err != nil {
			return nil, err
		}
	case len(data) > 0 && data[0] == '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return nil, fmt.Errorf("%w: not a JSON string: %v", ErrMalformedBody, err)
		}
		sealed = []byte(s)
	default:
		sealed = data
	}
	if signature != "" {
		if p.field == nil || p.fieldName != p.seal.field {
			return nil, fmt.Errorf("%w: %s signs more than the encrypted payload string: verify the whole request", ErrSignatureMismatch, p.name)
		}
		if !p.anySignature(p.items(nil, http.Header{p.sigHeader: {signature}}), sealed) {
			return nil, ErrSignatureMismatch
		}
	}
	return p.seal.open(p.aead, sealed)
}

// notString is the error of a member that is not the string it must
// be, or of the document around it.
func notString(err error, ptr string) error {
	if errors.Is(err, ErrMalformedBody) {
		return err
	}
	return fmt.Errorf("%w: %s is not a string", ErrMalformedBody, dotted(ptr))
}

// errNotObject is lazyDoc's error for a document that is not a JSON
// object.
var errNotObject = fmt.Errorf("%w: not a JSON object", ErrMalformedBody)

// lazyDoc looks pointers up in a JSON object, decoding its top level once.
type lazyDoc struct {
	raw  []byte
	top  map[string]json.RawMessage
	done bool
	err  error
	// sub caches the objects one level down, decoded once: the pointers
	// a definition reads often share a parent (/header/type,
	// /header/messageId, /header/date).
	sub map[string]map[string]json.RawMessage
}

func (d *lazyDoc) at(ptr jsonptr.Pointer) (json.RawMessage, bool, error) {
	if !d.done {
		d.done = true
		var top map[string]json.RawMessage
		if err := json.Unmarshal(d.raw, &top); err != nil || top == nil {
			d.err = errNotObject
		}
		d.top = top
	}
	if d.err != nil {
		return nil, false, d.err
	}
	if len(ptr) == 0 {
		return d.raw, true, nil
	}
	raw, ok := d.top[ptr[0]]
	if !ok {
		return nil, false, nil
	}
	rest := ptr[1:]
	if len(rest) > 0 {
		if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '{' {
			obj, cached := d.sub[ptr[0]]
			if !cached {
				if err := json.Unmarshal(t, &obj); err != nil {
					return nil, false, fmt.Errorf("%w: %v", ErrMalformedBody, err)
				}
				if d.sub == nil {
					d.sub = map[string]map[string]json.RawMessage{}
				}
				d.sub[ptr[0]] = obj
			}
			if raw, ok = obj[rest[0]]; !ok {
				return nil, false, nil
			}
			rest = rest[1:]
		}
	}
	raw, ok, err := rawAt(raw, rest)
	if err != nil {
		return nil, false, fmt.Errorf("%w: %v", ErrMalformedBody, err)
	}
	return raw, ok, nil
}

func (d *lazyDoc) stringAt(ptr jsonptr.Pointer) (string, bool, error) {
	raw, ok, err := d.at(ptr)
	if err != nil || !ok {
		return "", false, err
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false, fmt.Errorf("not a string")
	}
	return s, true, nil
}

// equalMAC compares two MACs in constant time.
func equalMAC(a, b []byte) bool { return hmac.Equal(a, b) }
