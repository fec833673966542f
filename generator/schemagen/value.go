package schemagen

import (
	"encoding/json"
	"errors"
	"sort"
	"strings"

	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/jsontree"
	"github.com/orderhooks/orderhooks/internal/jsonw"
)

// Generated values are nil, bool, json.Number, string, []any and
// *jsontree.Object: an object keeps its keys in the order the schema lists
// them, so payloads read like the documentation and serialise
// byte-identically.
type object = jsontree.Object

// appendJSON writes v compactly, strings escaped as encoding/json does
// without HTML escaping; an object of the schema document (a const, enum
// or example value) is written as the document has it.
func appendJSON(b []byte, v any) []byte { return jsontree.Append(b, tree(v)) }

// tree is v with the schema document's objects as plain JSON trees.
func tree(v any) any {
	return jsontree.Map(v, func(x any) any {
		if o, ok := x.(*omap); ok {
			return tree(o.Object)
		}
		return x
	})
}

// plain converts a value to the map[string]any form validators take.
func plain(v any) any { return jsontree.Plain(tree(v)) }

// clone deep-copies the containers of a generated value.
func clone(v any) any { return jsontree.Clone(v) }

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
// order (so generated objects list properties as the schema does), with a
// map for the compiler's lookups; its values are *omap for objects.
type omap struct {
	*jsontree.Object
	m map[string]any
}

// maxNesting bounds a schema document's nesting.
const maxNesting = 1000

// decodeOrdered parses JSON with numbers as json.Number and objects as *omap.
func decodeOrdered(data []byte) (any, error) {
	v, err := jsontree.Decode(data, maxNesting)
	switch {
	case errors.Is(err, jsontree.ErrTrailing):
		return nil, errTrailing
	case errors.Is(err, jsontree.ErrTooDeep):
		return nil, errTooDeep
	case err != nil:
		return nil, err
	}
	return indexed(v), nil
}

// indexed turns the tree's objects into *omap.
func indexed(v any) any {
	switch x := v.(type) {
	case *jsontree.Object:
		o := &omap{Object: x, m: make(map[string]any, len(x.Keys))}
		for i, k := range x.Keys {
			x.Vals[i] = indexed(x.Vals[i])
			o.m[k] = x.Vals[i]
		}
		return o
	case []any:
		for i, e := range x {
			x[i] = indexed(e)
		}
	}
	return v
}

func sortStrings(s []string) { sort.Strings(s) }
