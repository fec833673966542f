package schemagen

import (
	"bytes"
	"encoding/json"
	"slices"
	"sort"
	"strings"

	"github.com/orderhooks/orderhooks/internal/jsonw"
	"github.com/orderhooks/orderhooks/internal/jsonptr"
)

// Generated values are nil, bool, json.Number, string, []any and *object:
// an object keeps its keys in the order the schema lists them, so payloads
// read like the documentation and serialise byte-identically.
type object struct {
	keys []string
	vals []any
}

func (o *object) get(k string) (any, bool) {
	for i, kk := range o.keys {
		if kk == k {
			return o.vals[i], true
		}
	}
	return nil, false
}

func (o *object) set(k string, v any) {
	for i, kk := range o.keys {
		if kk == k {
			o.vals[i] = v
			return
		}
	}
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
}

func (o *object) remove(k string) {
	for i, kk := range o.keys {
		if kk == k {
			o.keys = append(o.keys[:i:i], o.keys[i+1:]...)
			o.vals = append(o.vals[:i:i], o.vals[i+1:]...)
			return
		}
	}
}

// appendJSON writes v compactly, strings escaped as encoding/json does
// without HTML escaping.
func appendJSON(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		if x {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case json.Number:
		return append(b, x...)
	case string:
		return jsonw.String(b, x)
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, e)
		}
		return append(b, ']')
	case *object:
		return appendObject(b, x.keys, x.vals)
	case *omap: // a const, enum or example value taken from the schema
		return appendObject(b, x.keys, x.vals)
	}
	return append(b, "null"...) // unreachable: values are built by this package
}

func appendObject(b []byte, keys []string, vals []any) []byte {
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonw.String(b, k)
		b = append(b, ':')
		b = appendJSON(b, vals[i])
	}
	return append(b, '}')
}

// plain converts a value to the map[string]any form validators take.
func plain(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		return out
	case *object:
		m := make(map[string]any, len(x.keys))
		for i, k := range x.keys {
			m[k] = plain(x.vals[i])
		}
		return m
	case *omap:
		m := make(map[string]any, len(x.keys))
		for _, k := range x.keys {
			m[k] = plain(x.m[k])
		}
		return m
	}
	return v
}

// clone deep-copies the containers of a generated value.
func clone(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = clone(e)
		}
		return out
	case *object:
		o := &object{keys: append([]string(nil), x.keys...), vals: make([]any, len(x.vals))}
		for i, e := range x.vals {
			o.vals[i] = clone(e)
		}
		return o
	}
	return v
}

// canonical is a key under which equal JSON values (in the JSON Schema
// sense: object key order and number spelling aside) compare equal.
func canonical(v any) string {
	var sb strings.Builder
	writeCanonical(&sb, plain(v))
	return sb.String()
}

func writeCanonical(sb *strings.Builder, v any) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sortStrings(keys)
		sb.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.Write(jsonw.String(nil, k))
			sb.WriteByte(':')
			writeCanonical(sb, x[k])
		}
		sb.WriteByte('}')
	case []any:
		sb.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				sb.WriteByte(',')
			}
			writeCanonical(sb, e)
		}
		sb.WriteByte(']')
	case json.Number:
		if r, ok := ratOf(x); ok {
			sb.WriteString(r.RatString())
		} else {
			sb.WriteString(string(x))
		}
	default:
		sb.Write(appendJSON(nil, x))
	}
}

// splitPointer parses an RFC 6901 pointer ("" is the whole document).
func splitPointer(p string) ([]string, bool) {
	toks, err := jsonptr.Parse(p)
	return toks, err == nil
}

// omap is a JSON object parsed from a schema document, keys in document
// order (so generated objects list properties as the schema does).
type omap struct {
	keys []string
	vals []any // in keys' order
	m    map[string]any
}

// decodeOrdered parses JSON with numbers as json.Number and objects as *omap.
func decodeOrdered(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, errTrailing
	}
	return v, nil
}

const maxNesting = 1000

func decodeValue(dec *json.Decoder, depth int) (any, error) {
	if depth > maxNesting {
		return nil, errTooDeep
	}
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch x := t.(type) {
	case json.Delim:
		switch x {
		case '{':
			o := &omap{m: map[string]any{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := decodeValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				if _, dup := o.m[k]; !dup {
					o.keys = append(o.keys, k)
					o.vals = append(o.vals, v)
				} else {
					o.vals[slices.Index(o.keys, k)] = v
				}
				o.m[k] = v
			}
			_, err := dec.Token()
			return o, err
		case '[':
			a := []any{}
			for dec.More() {
				v, err := decodeValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			_, err := dec.Token()
			return a, err
		}
	}
	return t, nil
}

func sortStrings(s []string) { sort.Strings(s) }
