package schemas

import (
	"bytes"
	"encoding/json"
	"errors"
	"path"
	"slices"
	"strings"

	"github.com/orderhooks/orderhooks/internal/jsontree"
)

// strictOf maps each loose schema to its strict variant. The strict documents
// are derived from the loose ones when the package loads, so there is one
// source of truth per payload and `schema show` prints what is enforced.
var strictOf = map[string]string{
	PhasioOrder:          PhasioOrderStrict,
	PhasioQuoteConverted: PhasioQuoteConvertedStrict,
	HappyColisOrderEvent: HappyColisOrderEventStrict,
}

// deriveStrict returns the strict variant of the loose schema document src
// called name: every schema that declares properties of an object gets
// additionalProperties false (unless it already says otherwise), and $id and
// references to other loose schemas point at their strict variants. Schemas
// without properties (free-form metadata objects) stay open on purpose.
func deriveStrict(name string, src []byte) ([]byte, error) {
	doc, err := parseOrdered(src)
	if err != nil {
		return nil, err
	}
	root, ok := doc.(object)
	if !ok {
		return nil, errors.New("schema document is not an object")
	}
	root = root.With("$id", resourceURL(strictOf[name]+".json"))
	if t, ok := get(root, "title").(string); ok {
		root = root.With("title", t+", strict: no undocumented fields")
	}
	d, _ := get(root, "description").(string)
	root = root.With("description", "Strict variant of "+name+", derived from it when orderhooks loads: "+
		"additionalProperties is false on every object schema that lists properties, so a field the platform "+
		"does not document is an error. "+d)
	var buf bytes.Buffer
	encodeOrdered(&buf, closeObjects(root, path.Dir(name)))
	var out bytes.Buffer
	if err := json.Indent(&out, buf.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// closeObjects applies the strict transform to a schema and its subschemas.
func closeObjects(v any, dir string) any {
	switch v := v.(type) {
	case object:
		out := &jsontree.Object{Keys: slices.Clone(v.Keys), Vals: make([]any, len(v.Vals))}
		for i, k := range v.Keys {
			val := v.Vals[i]
			switch k {
			case "enum", "const", "examples", "default":
				// Values, not schemas: an object here must stay as written.
			case "$ref":
				if ref, ok := val.(string); ok {
					val = strictRef(ref, dir)
				}
			default:
				val = closeObjects(val, dir)
			}
			out.Vals[i] = val
		}
		if get(out, "properties") != nil && get(out, "additionalProperties") == nil && allowsObject(get(out, "type")) {
			out.Set("additionalProperties", false)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = closeObjects(e, dir)
		}
		return out
	}
	return v
}

// allowsObject reports whether a "type" keyword value admits objects.
func allowsObject(t any) bool {
	switch t := t.(type) {
	case string:
		return t == "object"
	case []any:
		return slices.Contains(t, any("object"))
	}
	return false
}

// strictRef points a reference to another loose schema at its strict variant;
// fragment-only references stay within the document.
func strictRef(ref, dir string) string {
	file, frag, _ := strings.Cut(ref, "#")
	if file == "" || !strings.HasSuffix(file, ".json") {
		return ref
	}
	strict, ok := strictOf[path.Join(dir, strings.TrimSuffix(file, ".json"))]
	if !ok {
		return ref
	}
	out := path.Base(strict) + ".json"
	if strings.Contains(ref, "#") {
		out += "#" + frag
	}
	return out
}

// object is a schema document's object, its members in order, so the
// derived document reads like its source.
type object = *jsontree.Object

// get is the value of key, nil when absent.
func get(o object, key string) any {
	v, _ := o.Get(key)
	return v
}

// parseOrdered decodes a JSON document as an ordered tree.
func parseOrdered(src []byte) (any, error) {
	v, err := jsontree.Decode(src, 0)
	if errors.Is(err, jsontree.ErrTrailing) {
		return nil, errors.New("unexpected data after the schema document")
	}
	return v, err
}

// encodeOrdered writes compact JSON without HTML escaping (descriptions use
// "->" and quotes that should read as written).
func encodeOrdered(buf *bytes.Buffer, v any) { buf.Write(jsontree.Append(nil, v)) }
