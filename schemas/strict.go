package schemas

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
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
	root = root.with("$id", resourceURL(strictOf[name]+".json"))
	if t, ok := root.get("title").(string); ok {
		root = root.with("title", t+", strict: no undocumented fields")
	}
	d, _ := root.get("description").(string)
	root = root.with("description", "Strict variant of "+name+", derived from it when orderhooks loads: "+
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
		out := make(object, 0, len(v)+1)
		for _, m := range v {
			switch m.key {
			case "enum", "const", "examples", "default":
				// Values, not schemas: an object here must stay as written.
			case "$ref":
				if ref, ok := m.val.(string); ok {
					m.val = strictRef(ref, dir)
				}
			default:
				m.val = closeObjects(m.val, dir)
			}
			out = append(out, m)
		}
		if out.get("properties") != nil && out.get("additionalProperties") == nil && allowsObject(out.get("type")) {
			out = append(out, member{"additionalProperties", false})
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

// member and object keep a JSON object's key order, so the derived document
// reads like its source.
type member struct {
	key string
	val any
}

type object []member

func (o object) get(key string) any {
	for _, m := range o {
		if m.key == key {
			return m.val
		}
	}
	return nil
}

// with returns o with key set to val, in place if present, else appended.
func (o object) with(key string, val any) object {
	out := slices.Clone(o)
	for i := range out {
		if out[i].key == key {
			out[i].val = val
			return out
		}
	}
	return append(out, member{key, val})
}

// parseOrdered decodes JSON into object, []any, string, json.Number, bool and nil.
func parseOrdered(src []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	v, err := parseValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the schema document")
	}
	return v, nil
}

func parseValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		var o object
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			v, err := parseValue(dec)
			if err != nil {
				return nil, err
			}
			o = append(o, member{k.(string), v})
		}
		_, err := dec.Token()
		return o, err
	case json.Delim('['):
		a := []any{}
		for dec.More() {
			v, err := parseValue(dec)
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

// encodeOrdered writes compact JSON without HTML escaping (descriptions use
// "->" and quotes that should read as written).
func encodeOrdered(buf *bytes.Buffer, v any) {
	switch v := v.(type) {
	case object:
		buf.WriteByte('{')
		for i, m := range v {
			if i > 0 {
				buf.WriteByte(',')
			}
			encodeOrdered(buf, m.key)
			buf.WriteByte(':')
			encodeOrdered(buf, m.val)
		}
		buf.WriteByte('}')
	case []any:
		buf.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				buf.WriteByte(',')
			}
			encodeOrdered(buf, e)
		}
		buf.WriteByte(']')
	case json.Number:
		buf.WriteString(v.String())
	case string:
		enc := json.NewEncoder(buf)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(v) // a string always encodes
		buf.Truncate(buf.Len() - 1)
	case bool:
		fmt.Fprint(buf, v)
	case nil:
		buf.WriteString("null")
	}
}
