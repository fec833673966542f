package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/jsontree"
	"github.com/orderhooks/orderhooks/internal/jsonw"
	"github.com/orderhooks/orderhooks/provider"
)

// stamp is one field a profile writes into the payload at send time.
type stamp struct {
	ptr  jsonptr.Pointer
	tmpl *provider.Template
}

// stampField is one rendered stamp.
type stampField struct {
	ptr   jsonptr.Pointer
	value string
}

// stampPayload rewrites the given fields of a JSON object, keeping every
// other member and its bytes (number formats and escapes included) in
// order; a missing member is appended to its object, and a missing object
// on the way is an error. The result is compact.
func stampPayload(payload []byte, fields []stampField) ([]byte, error) {
	top, err := jsontree.DecodeMembers(payload)
	if err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	for _, f := range fields {
		if err := stampInto(top, f.ptr, json.RawMessage(jsonw.String(nil, f.value)), "payload"); err != nil {
			return nil, err
		}
	}
	var out bytes.Buffer
	out.Grow(len(payload) + 64)
	// The generator's payloads are compact already; others may not be.
	if err := json.Compact(&out, jsontree.Append(nil, top)); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// stampInto sets the member at ptr (one or more tokens) of obj to val,
// decoding the objects on the way one level at a time; at names obj in
// messages.
func stampInto(obj *jsontree.Object, ptr jsonptr.Pointer, val json.RawMessage, at string) error {
	if len(ptr) == 1 {
		obj.Set(ptr[0], val)
		return nil
	}
	raw, ok := obj.Get(ptr[0])
	if !ok {
		return fmt.Errorf("payload: no %s object", ptr[0])
	}
	inner, err := jsontree.DecodeMembers(raw.(json.RawMessage))
	if err != nil {
		return fmt.Errorf("%s %s: %w", at, ptr[0], err)
	}
	if err := stampInto(inner, ptr[1:], val, at+" "+ptr[0]); err != nil {
		return err
	}
	obj.Set(ptr[0], json.RawMessage(jsontree.Append(nil, inner)))
	return nil
}

// envelope is a definition's body envelope compiled into literal bytes
// and holes, in member order.
type envelope struct {
	segs []envSeg
}

// envSeg is literal JSON text, a template written as a JSON string, the
// payload's bytes or the sealed string.
type envSeg struct {
	lit  []byte
	tmpl *provider.Template
	hole string // "payload" or "sealed"
}

// compileEnvelope compiles the envelope, leaving out the members whose
// value is exactly one of the variables in drop (e.g. "{time}" when the
// timestamp field is off).
func compileEnvelope(def *provider.Definition, drop map[string]bool) (*envelope, error) {
	raw := def.Body().Envelope
	v, err := jsontree.Decode(raw, 64)
	if err != nil {
		return nil, fmt.Errorf("body envelope: %w", err)
	}
	e := &envelope{}
	var lit []byte
	flush := func() {
		if len(lit) > 0 {
			e.segs = append(e.segs, envSeg{lit: lit})
			lit = nil
		}
	}
	var walk func(v any, ptr string)
	walk = func(v any, ptr string) {
		switch v := v.(type) {
		case *jsontree.Object:
			lit = append(lit, '{')
			n := 0
			for i, k := range v.Keys {
				child := ptr + "/" + jsonptr.Escape(k)
				if t := def.Template("/body/envelope" + child); t != nil {
					if p, ok := t.Only(); ok && drop[p.Var] {
						continue
					}
				}
				if n > 0 {
					lit = append(lit, ',')
				}
				n++
				lit = append(jsonw.String(lit, k), ':')
				walk(v.Vals[i], child)
			}
			lit = append(lit, '}')
		case []any:
			lit = append(lit, '[')
			for i, m := range v {
				if i > 0 {
					lit = append(lit, ',')
				}
				walk(m, fmt.Sprintf("%s/%d", ptr, i))
			}
			lit = append(lit, ']')
		case string:
			t := def.Template("/body/envelope" + ptr)
			if t == nil {
				lit = jsonw.String(lit, v)
				return
			}
			if s, ok := t.Literal(); ok {
				lit = jsonw.String(lit, s)
				return
			}
			flush()
			if p, ok := t.Only(); ok && (p.Var == "payload" || p.Var == "sealed") {
				e.segs = append(e.segs, envSeg{hole: p.Var})
				return
			}
			e.segs = append(e.segs, envSeg{tmpl: t})
		default:
			lit = jsontree.Append(lit, v)
		}
	}
	walk(v, "")
	flush()
	return e, nil
}

// rawAt returns the JSON text of the value at ptr in doc, decoding one
// level at a time; ok is false when it is not there. err is set when doc
// (or a level on the way) is not JSON.
func rawAt(doc []byte, ptr jsonptr.Pointer) (raw json.RawMessage, ok bool, err error) {
	raw = doc
	for _, tok := range ptr {
		raw = bytes.TrimSpace(raw)
		switch {
		case len(raw) > 0 && raw[0] == '{':
			var m map[string]json.RawMessage
			if err := json.Unmarshal(raw, &m); err != nil {
				return nil, false, err
			}
			if raw, ok = m[tok]; !ok {
				return nil, false, nil
			}
		case len(raw) > 0 && raw[0] == '[':
			var a []json.RawMessage
			if err := json.Unmarshal(raw, &a); err != nil {
				return nil, false, err
			}
			i, ok := jsonptr.Index(tok, len(a), false)
			if !ok {
				return nil, false, nil
			}
			raw = a[i]
		default:
			if !json.Valid(raw) {
				return nil, false, fmt.Errorf("not JSON")
			}
			return nil, false, nil
		}
	}
	return raw, true, nil
}

// stringAt returns the string at ptr in doc: ok is false when there is
// none, err set when the value there is not a string.
func stringAt(doc []byte, ptr jsonptr.Pointer) (s string, ok bool, err error) {
	raw, ok, err := rawAt(doc, ptr)
	if err != nil || !ok {
		return "", false, err
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false, fmt.Errorf("not a string")
	}
	return s, true, nil
}

// dotted writes a pointer as a path of members, "/header/type" as
// "header.type", for messages.
func dotted(ptr string) string {
	p, err := jsonptr.Parse(ptr)
	if err != nil || len(p) == 0 {
		return ptr
	}
	return strings.Join(p, ".")
}

// fieldWrap returns the bytes before and after the sealed string of a
// body that is only the encryption field: `{"payload":"` and `"}`.
func fieldWrap(ptr jsonptr.Pointer) (before, after []byte) {
	for _, tok := range ptr {
		before = append(jsonw.String(append(before, '{'), tok), ':')
		after = append(after, '}')
	}
	return append(before, '"'), append([]byte{'"'}, after...)
}
