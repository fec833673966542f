package apispec

import (
	"math"
	"net/url"
	"regexp"
	"strconv"

	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/schemas"
)

// Declares reports whether the event's payload schema declares the
// instance location ptr, a JSON pointer into its payloads ("/repository/id",
// "/items/0/sku"): see Schema.Declares. Only documents read by Load are
// looked in.
func (e *Event) Declares(ptr string) bool {
	w := declarer{docs: e.spec.docs}
	return w.declares(e.payload, ptr) != declaredNot
}

// Schema is a JSON Schema document read on its own (a definition's
// inline schema, a schema file, an embedded schema), to answer questions
// about it without compiling it. It is not safe for concurrent use.
type Schema struct {
	root target
	docs map[string]*document
}

// ReadSchema reads a standalone JSON Schema document (JSON or YAML, named
// name in errors) and the schema at the JSON pointer ptr in it ("" for the
// whole document). Its local $refs ("#/$defs/A") are followed, and those
// that name the schemas embedded in orderhooks (package schemas, by their
// $id); references to other documents are not.
func ReadSchema(data []byte, name, ptr string) (*Schema, error) {
	d, err := parse(data, name)
	if err != nil {
		return nil, err
	}
	d.uri = "file:///" + url.PathEscape(name)
	if root, ok := d.tree.(map[string]any); ok {
		if id, ok := root["$id"].(string); ok {
			if u, err := url.Parse(id); err == nil && u.IsAbs() {
				u.Fragment = ""
				d.uri = u.String()
			}
		}
	}
	if p, err := jsonptr.Parse(ptr); err != nil {
		return nil, d.errorf("", nil, "%q is not a JSON pointer", ptr)
	} else if _, ok := jsonptr.Get(d.tree, p); !ok {
		return nil, d.errorf("", nil, "no schema at %s", ptr)
	}
	return &Schema{root: target{d, ptr}, docs: map[string]*document{d.uri: d}}, nil
}

// Declares reports whether the schema declares the instance location ptr,
// a JSON pointer into the values it describes: at each step down, a
// property named in properties, a name one of patternProperties' patterns
// matches, or any name where additionalProperties is a schema other than
// false; an array index of prefixItems (or of a draft-07 items list), or
// any index where items (additionalItems) is a schema; each through $ref,
// allOf, anyOf, oneOf, then and else. The empty pointer is always
// declared. It is false only when the schema is known not to declare
// ptr: a reference it cannot follow, a pattern Go cannot read, or more
// than MaxVisits schemas count as declaring it. A pointer that is not a
// JSON pointer is not declared.
func (s *Schema) Declares(ptr string) bool {
	w := declarer{docs: s.docs, embedded: true}
	return w.declares(s.root, ptr) != declaredNot
}

// What a schema says of an instance location.
type declared int8

const (
	declaredNot     declared = iota // known not to be declared
	declaredUnknown                 // a reference or a pattern could not be read
	declaredYes
)

// declarer walks schemas for Declares.
type declarer struct {
	docs     map[string]*document
	embedded bool // read the embedded schemas a $ref names into docs
	visits   int
	seen     map[declaredAt]int8
}

// declaredAt is a schema and how many tokens of the pointer are left.
type declaredAt struct {
	t    target
	left int
}

func (w *declarer) declares(t target, ptr string) declared {
	p, err := jsonptr.Parse(ptr)
	if err != nil {
		return declaredNot
	}
	w.seen = map[declaredAt]int8{}
	doc := t.doc.uri
	return w.at(t, doc, p)
}

// at is what the schema at t (its relative references resolving against
// base) says of the rest of the pointer p.
func (w *declarer) at(t target, base string, p jsonptr.Pointer) declared {
	w.visits++
	if w.visits > MaxVisits {
		return declaredUnknown
	}
	k := declaredAt{t, len(p)}
	switch w.seen[k] {
	case onPath:
		return declaredUnknown // a reference cycle, which Load refuses
	case done:
		return declaredNot // walked already: its answer counts where it was first met
	}
	w.seen[k] = onPath
	defer func() { w.seen[k] = done }()
	v, ok := t.value()
	if !ok {
		return declaredUnknown
	}
	if b, ok := v.(bool); ok {
		if b && len(p) == 0 {
			return declaredYes
		}
		return declaredNot
	}
	m, ok := v.(map[string]any)
	if !ok {
		return declaredUnknown
	}
	if len(p) == 0 {
		return declaredYes
	}
	if id, ok := m["$id"].(string); ok {
		base = resolveBase(base, id)
	}
	best := declaredNot
	take := func(d declared) bool {
		best = max(best, d)
		return best == declaredYes
	}
	// In place: the subschemas that apply to the same value.
	if ref, ok := m["$ref"].(string); ok {
		if next, ok := w.ref(base, ref); ok {
			if take(w.at(next, next.doc.uri, p)) {
				return best
			}
		} else if take(declaredUnknown) {
			return best
		}
	}
	for _, kw := range []string{"$dynamicRef", "$recursiveRef"} {
		if _, ok := m[kw]; ok {
			take(declaredUnknown)
		}
	}
	for _, kw := range []string{"allOf", "anyOf", "oneOf"} {
		if arr, ok := m[kw].([]any); ok {
			for i := range arr {
				if take(w.at(t.child(kw, strconv.Itoa(i)), base, p)) {
					return best
				}
			}
		}
	}
	for _, kw := range []string{"then", "else"} {
		if _, ok := m[kw]; ok && take(w.at(t.child(kw), base, p)) {
			return best
		}
	}
	// Down one step: a member of an object, an item of an array.
	tok, rest := p[0], p[1:]
	if props, ok := m["properties"].(map[string]any); ok {
		if _, ok := props[tok]; ok && take(w.at(t.child("properties", tok), base, rest)) {
			return best
		}
	}
	if pp, ok := m["patternProperties"].(map[string]any); ok {
		for _, src := range sortedKeys(pp) {
			re, err := regexp.Compile(src)
			switch {
			case err != nil:
				take(declaredUnknown)
			case re.MatchString(tok) && take(w.at(t.child("patternProperties", src), base, rest)):
				return best
			}
		}
	}
	if ap, ok := m["additionalProperties"]; ok && ap != any(false) {
		if take(w.at(t.child("additionalProperties"), base, rest)) {
			return best
		}
	}
	if i, ok := jsonptr.Index(tok, math.MaxInt, false); ok {
		items, tuple := m["items"].([]any)
		prefix, hasPrefix := m["prefixItems"].([]any)
		switch {
		case hasPrefix && i < len(prefix):
			take(w.at(t.child("prefixItems", strconv.Itoa(i)), base, rest))
		case tuple && i < len(items):
			take(w.at(t.child("items", strconv.Itoa(i)), base, rest))
		case tuple:
			if _, ok := m["additionalItems"]; ok {
				take(w.at(t.child("additionalItems"), base, rest))
			}
		default:
			if _, ok := m["items"]; ok {
				take(w.at(t.child("items"), base, rest))
			}
		}
	}
	return best
}

// ref finds the schema a $ref names, in the documents read (and, for a
// standalone schema, the embedded schemas): false when it is elsewhere,
// or names an anchor rather than a JSON pointer.
func (w *declarer) ref(base, ref string) (target, bool) {
	b, err := url.Parse(base)
	if err != nil {
		return target{}, false
	}
	u, err := url.Parse(ref)
	if err != nil {
		return target{}, false
	}
	abs := b.ResolveReference(u)
	uri, ptr, err := splitRef(abs)
	if err != nil {
		return target{}, false
	}
	d, ok := w.docs[uri]
	if !ok && w.embedded && (abs.Scheme == "https" || abs.Scheme == "http") {
		// Only the schemas embedded in orderhooks: nothing is fetched.
		if data, err := schemas.LoadURL(uri); err == nil {
			if d, err = parse(data, uri); err == nil {
				d.uri, ok = uri, true
				w.docs[uri] = d
			}
		}
	}
	if !ok {
		return target{}, false
	}
	if _, ok := jsonptr.Get(d.tree, ptr); !ok {
		return target{}, false
	}
	return target{d, ptr.String()}, true
}

// resolveBase is the base URI a schema's $id sets.
func resolveBase(base, id string) string {
	b, err := url.Parse(base)
	if err != nil {
		return base
	}
	u, err := url.Parse(id)
	if err != nil {
		return base
	}
	r := b.ResolveReference(u)
	r.Fragment, r.RawFragment = "", ""
	return r.String()
}
