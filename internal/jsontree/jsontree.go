// Package jsontree is the one order-preserving JSON tree of orderhooks:
// documents whose objects keep their members in order, so that a payload
// patched by a scenario, a schema derived from another or an envelope
// stamped with a message id reads (and serialises) as its source did.
//
// Values are nil, bool, json.Number, string, []any and *Object;
// json.RawMessage is written verbatim.
package jsontree

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"

	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/jsonw"
)

// Object is a JSON object, its members in order.
type Object struct {
	Keys []string
	Vals []any
}

// Index returns the position of key, or -1.
func (o *Object) Index(key string) int { return slices.Index(o.Keys, key) }

// Get returns the value of key.
func (o *Object) Get(key string) (any, bool) {
	if i := o.Index(key); i >= 0 {
		return o.Vals[i], true
	}
	return nil, false
}

// Set replaces the value of key in place, or appends the member.
func (o *Object) Set(key string, v any) {
	if i := o.Index(key); i >= 0 {
		o.Vals[i] = v
		return
	}
	o.Keys, o.Vals = append(o.Keys, key), append(o.Vals, v)
}

// With returns a copy of o (its members, not their values) with key set,
// leaving o as it was.
func (o *Object) With(key string, v any) *Object {
	c := &Object{Keys: slices.Clone(o.Keys), Vals: slices.Clone(o.Vals)}
	c.Set(key, v)
	return c
}

// Remove deletes the member key and reports whether it was there.
func (o *Object) Remove(key string) bool {
	i := o.Index(key)
	if i < 0 {
		return false
	}
	o.Keys = append(o.Keys[:i:i], o.Keys[i+1:]...)
	o.Vals = append(o.Vals[:i:i], o.Vals[i+1:]...)
	return true
}

// Errors of Decode.
var (
	ErrTrailing = errors.New("unexpected data after the JSON value")
	ErrTooDeep  = errors.New("JSON nested too deeply")
)

// Decode parses one JSON value: objects as *Object, numbers as
// json.Number. A key given twice keeps its first position and its last
// value. Nesting deeper than maxDepth (0: no limit) is ErrTooDeep; data
// after the value is ErrTrailing.
func Decode(data []byte, maxDepth int) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decode(dec, 0, maxDepth)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, ErrTrailing
	}
	return v, nil
}

func decode(dec *json.Decoder, depth, maxDepth int) (any, error) {
	if maxDepth > 0 && depth > maxDepth {
		return nil, ErrTooDeep
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		o := &Object{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			v, err := decode(dec, depth+1, maxDepth)
			if err != nil {
				return nil, err
			}
			key, _ := k.(string)
			o.Set(key, v)
		}
		_, err := dec.Token()
		return o, err
	case json.Delim('['):
		a := []any{}
		for dec.More() {
			v, err := decode(dec, depth+1, maxDepth)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		_, err := dec.Token()
		return a, err
	}
	return tok, nil
}

// DecodeMembers parses a JSON object one level deep: its members in order,
// each value as the json.RawMessage of its exact bytes (numbers, escapes
// and spacing kept). A key given twice keeps its first position and its
// last value.
func DecodeMembers(data []byte) (*Object, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	o := &Object{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		key, _ := t.(string)
		o.Set(key, raw)
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, ErrTrailing
	}
	return o, nil
}

// Append appends v as compact JSON: strings escaped as encoding/json does
// without HTML escaping, numbers and raw messages as written, the members
// of a map[string]any sorted by key.
func Append(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return jsonw.Null(b)
	case bool:
		return jsonw.Bool(b, x)
	case json.Number:
		return append(b, x...)
	case json.RawMessage:
		return append(b, x...)
	case string:
		return jsonw.String(b, x)
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = Append(b, e)
		}
		return append(b, ']')
	case *Object:
		b = append(b, '{')
		for i, k := range x.Keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonw.String(b, k)
			b = append(b, ':')
			b = Append(b, x.Vals[i])
		}
		return append(b, '}')
	case map[string]any:
		return Append(b, FromMap(x))
	}
	panic(fmt.Sprintf("jsontree: %T is not a JSON tree value", v))
}

// FromMap returns m as an *Object, keys sorted, values copied as they are.
func FromMap(m map[string]any) *Object {
	o := &Object{Keys: make([]string, 0, len(m))}
	for k := range m {
		o.Keys = append(o.Keys, k)
	}
	sort.Strings(o.Keys)
	for _, k := range o.Keys {
		o.Vals = append(o.Vals, m[k])
	}
	return o
}

// Map copies v deep, objects keeping their order (maps becoming objects
// with sorted keys), and passes every other value through leaf.
func Map(v any, leaf func(any) any) any {
	switch x := v.(type) {
	case map[string]any:
		return Map(FromMap(x), leaf)
	case *Object:
		o := &Object{Keys: slices.Clone(x.Keys), Vals: make([]any, len(x.Vals))}
		for i, e := range x.Vals {
			o.Vals[i] = Map(e, leaf)
		}
		return o
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = Map(e, leaf)
		}
		return out
	}
	return leaf(v)
}

// Clone copies v deep.
func Clone(v any) any { return Map(v, func(x any) any { return x }) }

// Plain returns v in the map[string]any form validators take.
func Plain(v any) any {
	switch x := v.(type) {
	case *Object:
		m := make(map[string]any, len(x.Keys))
		for i, k := range x.Keys {
			m[k] = Plain(x.Vals[i])
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = Plain(e)
		}
		return out
	}
	return v
}

// Set sets the value at p: an object member is replaced or appended, an
// array item replaced, or appended at index len or "-". It returns the
// new root (val itself for the empty pointer).
func Set(root any, p jsonptr.Pointer, val any) (any, error) {
	if len(p) == 0 {
		return val, nil
	}
	parent, ok := jsonptr.Get(root, p[:len(p)-1])
	if !ok {
		return root, fmt.Errorf("no parent for %s", p)
	}
	last := p[len(p)-1]
	switch x := parent.(type) {
	case *Object:
		x.Set(last, val)
		return root, nil
	case []any:
		i, ok := jsonptr.Index(last, len(x), true)
		if !ok {
			return root, fmt.Errorf("%s: no such array index", p)
		}
		if i < len(x) {
			x[i] = val
			return root, nil
		}
		return Set(root, p[:len(p)-1], append(x, val))
	}
	return root, fmt.Errorf("%s: parent is not an object or array", p)
}

// Remove removes the member or array item at p, returning the new root.
func Remove(root any, p jsonptr.Pointer) (any, error) {
	if len(p) == 0 {
		return root, fmt.Errorf("cannot remove the whole document")
	}
	parent, ok := jsonptr.Get(root, p[:len(p)-1])
	last := p[len(p)-1]
	switch x := parent.(type) {
	case *Object:
		if ok && x.Remove(last) {
			return root, nil
		}
	case []any:
		if i, okIdx := jsonptr.Index(last, len(x), true); ok && okIdx && i < len(x) {
			return Set(root, p[:len(p)-1], append(x[:i:i], x[i+1:]...))
		}
	}
	return root, fmt.Errorf("%s: nothing to remove", p)
}

// Kind names a decoded value's kind for a message ("a mapping, not a
// list"): a value of this package, or of encoding/json and the YAML
// documents converted to JSON (map[string]any, float64, json.Number).
func Kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case []any:
		return "a list"
	case *Object, map[string]any:
		return "a mapping"
	}
	return "a number"
}
