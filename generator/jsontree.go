package generator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/orderhooks/orderhooks/internal/jsonw"
	"github.com/orderhooks/orderhooks/internal/jsonptr"
)

// The payload patches of scenarios and drift work on an order-preserving
// JSON tree, so a patched payload keeps the documented field order: values
// are nil, bool, json.Number, string, []any and *object.

type object struct {
	keys []string
	vals []any
}

func (o *object) index(key string) int {
	for i, k := range o.keys {
		if k == key {
			return i
		}
	}
	return -1
}

// ErrPointer is wrapped when a JSON pointer does not resolve in a payload.
var ErrPointer = errors.New("generator: JSON pointer")

func decodeTree(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return decodeValue(dec)
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			arr := []any{}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			_, err := dec.Token()
			return arr, err
		}
		obj := &object{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			v, err := decodeValue(dec)
			if err != nil {
				return nil, err
			}
			obj.keys = append(obj.keys, k.(string))
			obj.vals = append(obj.vals, v)
		}
		_, err := dec.Token()
		return obj, err
	}
	return tok, nil
}

func encodeTree(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return jsonw.Null(b)
	case bool:
		return jsonw.Bool(b, x)
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
			b = encodeTree(b, e)
		}
		return append(b, ']')
	case *object:
		b = append(b, '{')
		for i, k := range x.keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonw.String(b, k)
			b = append(b, ':')
			b = encodeTree(b, x.vals[i])
		}
		return append(b, '}')
	}
	panic(fmt.Sprintf("generator: unexpected %T in JSON tree", v))
}

// mapTree deep-copies a JSON value into tree form, maps becoming objects
// with sorted keys, and passes every scalar through leaf.
func mapTree(v any, leaf func(any) any) any {
	switch x := v.(type) {
	case map[string]any:
		o := &object{}
		for k := range x {
			o.keys = append(o.keys, k)
		}
		sort.Strings(o.keys)
		for _, k := range o.keys {
			o.vals = append(o.vals, mapTree(x[k], leaf))
		}
		return o
	case *object:
		o := &object{keys: append([]string(nil), x.keys...), vals: make([]any, len(x.vals))}
		for i, e := range x.vals {
			o.vals[i] = mapTree(e, leaf)
		}
		return o
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = mapTree(e, leaf)
		}
		return out
	}
	return leaf(v)
}

func same(v any) any { return v }

func errPointerf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrPointer}, args...)...)
}

// splitPointer parses an RFC 6901 pointer into unescaped tokens; the
// whole payload ("") is no place a scenario step can set or remove.
func splitPointer(p string) ([]string, error) {
	if p == "" || p[0] != '/' {
		return nil, fmt.Errorf("%w %q: must start with /", ErrPointer, p)
	}
	toks, err := jsonptr.Parse(p)
	if err != nil {
		return nil, fmt.Errorf("%w %w", ErrPointer, err)
	}
	return toks, nil
}

// lookup returns the value at the pointer's tokens.
func lookup(root any, toks []string) (any, bool) {
	v := root
	for _, t := range toks {
		switch x := v.(type) {
		case *object:
			i := x.index(t)
			if i < 0 {
				return nil, false
			}
			v = x.vals[i]
		case []any:
			i, ok := arrayIndex(t, len(x))
			if !ok || i == len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

func arrayIndex(tok string, n int) (int, bool) { return jsonptr.Index(tok, n, true) }

// setAt sets the value at toks: an object member is replaced or appended,
// an array item replaced, or appended at index len or "-". It returns the
// new root.
func setAt(root any, toks []string, val any) (any, error) {
	if len(toks) == 0 {
		return val, nil
	}
	parent, ok := lookup(root, toks[:len(toks)-1])
	if !ok {
		return root, fmt.Errorf("%w: no parent for %s", ErrPointer, joinPointer(toks))
	}
	last := toks[len(toks)-1]
	switch x := parent.(type) {
	case *object:
		if i := x.index(last); i >= 0 {
			x.vals[i] = val
		} else {
			x.keys, x.vals = append(x.keys, last), append(x.vals, val)
		}
		return root, nil
	case []any:
		i, ok := arrayIndex(last, len(x))
		if !ok {
			return root, fmt.Errorf("%w: %s: no such array index", ErrPointer, joinPointer(toks))
		}
		if i < len(x) {
			x[i] = val
			return root, nil
		}
		return setAt(root, toks[:len(toks)-1], append(x, val))
	}
	return root, fmt.Errorf("%w: %s: parent is not an object or array", ErrPointer, joinPointer(toks))
}

// removeAt removes the member or array item at toks.
func removeAt(root any, toks []string) (any, error) {
	if len(toks) == 0 {
		return root, fmt.Errorf("%w: cannot remove the whole payload", ErrPointer)
	}
	parent, ok := lookup(root, toks[:len(toks)-1])
	last := toks[len(toks)-1]
	switch x := parent.(type) {
	case *object:
		if i := x.index(last); ok && i >= 0 {
			x.keys = append(x.keys[:i], x.keys[i+1:]...)
			x.vals = append(x.vals[:i], x.vals[i+1:]...)
			return root, nil
		}
	case []any:
		if i, okIdx := arrayIndex(last, len(x)); ok && okIdx && i < len(x) {
			return setAt(root, toks[:len(toks)-1], append(x[:i:i], x[i+1:]...))
		}
	}
	return root, fmt.Errorf("%w: %s: nothing to remove", ErrPointer, joinPointer(toks))
}

func joinPointer(toks []string) string { return jsonptr.Pointer(toks).String() }
