package specexport

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/jsontree"
)

// maxDepth bounds the nesting of a schema document read for an export.
const maxDepth = 512

// schemaError is a problem at a location (URI#pointer) of a schema.
type schemaError struct{ loc, msg string }

func (e *schemaError) Error() string { return e.loc + ": " + e.msg }

// dialect is the schema language of the components written.
type dialect int

const (
	// dialect2020 is JSON Schema 2020-12, OpenAPI 3.1's Schema Object.
	dialect2020 dialect = iota
	// dialectDraft07 is AsyncAPI 3.0's Schema Object, a superset of
	// JSON Schema draft-07.
	dialectDraft07
)

// bundler gathers the schemas the payloads need into components/schemas,
// one component per schema location, each $ref rewritten to
// "#/components/schemas/NAME" and each $id, $schema and $defs dropped
// (the definitions a $ref reaches become components of their own), so
// that no reference depends on a base URI.
type bundler struct {
	dialect dialect
	docs    map[string]any    // document URI → decoded (ordered) document
	ids     map[string]string // embedded $id or $anchor URI → location (uri#pointer)
	names   map[string]string // location → component name
	taken   map[string]bool
	comps   *jsontree.Object // name → translated schema, in the order first referred to
	loaders []loader
}

// loader reads a schema document by absolute URI; ok is false when the
// URI is not one it serves.
type loader func(uri string) (doc []byte, ok bool, err error)

func newBundler(d dialect) *bundler {
	return &bundler{dialect: d, docs: map[string]any{}, ids: map[string]string{}, names: map[string]string{},
		taken: map[string]bool{}, comps: &jsontree.Object{}}
}

// document returns the decoded document at uri (without fragment).
func (b *bundler) document(uri string) (any, error) {
	if d, ok := b.docs[uri]; ok {
		return d, nil
	}
	for _, l := range b.loaders {
		data, ok, err := l(uri)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		d, err := jsontree.Decode(data, maxDepth)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", uri, err)
		}
		b.docs[uri] = d
		b.index(d, uri, uri, "")
		return d, nil
	}
	return nil, fmt.Errorf("%s: not a document the definition reads", uri)
}

// index records the embedded $ids and $anchors of a document, so that
// references to them find their place.
func (b *bundler) index(v any, docURI, base, ptr string) {
	switch x := v.(type) {
	case *jsontree.Object:
		if id, ok := stringMember(x, "$id"); ok && ptr != "" {
			if u := resolve(base, id); u != "" {
				base = strings.TrimSuffix(u, "#")
				b.ids[base] = docURI + "#" + ptr
			}
		}
		if a, ok := stringMember(x, "$anchor"); ok {
			b.ids[base+"#"+a] = docURI + "#" + ptr
		}
		for i, k := range x.Keys {
			if dataKeyword[k] {
				continue
			}
			b.index(x.Vals[i], docURI, base, ptr+"/"+jsonptr.Escape(k))
		}
	case []any:
		for i, it := range x {
			b.index(it, docURI, base, ptr+"/"+strconv.Itoa(i))
		}
	}
}

// at returns the value at location loc (uri#fragment) and the base URI
// its relative references resolve against.
func (b *bundler) at(loc string) (any, string, error) {
	if l, ok := b.ids[loc]; ok {
		loc = l
	} else if u, f, _ := strings.Cut(loc, "#"); f == "" || strings.HasPrefix(f, "/") {
		if l, ok := b.ids[u]; ok { // a pointer into an embedded resource
			loc = l + f
		}
	}
	uri, frag, _ := strings.Cut(loc, "#")
	doc, err := b.document(uri)
	if err != nil {
		return nil, "", err
	}
	if frag != "" && !strings.HasPrefix(frag, "/") {
		return nil, "", fmt.Errorf("%s: no $anchor %q", uri, frag)
	}
	p, err := jsonptr.Parse(frag)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", loc, err)
	}
	base, v := uri, doc
	for i, tok := range p {
		switch x := v.(type) {
		case *jsontree.Object:
			if i > 0 {
				if id, ok := stringMember(x, "$id"); ok {
					base = strings.TrimSuffix(resolve(base, id), "#")
				}
			}
			var ok bool
			if v, ok = x.Get(tok); !ok {
				return nil, "", fmt.Errorf("%s: nothing at %s", uri, p[:i+1])
			}
		case []any:
			n, ok := jsonptr.Index(tok, len(x), false)
			if !ok {
				return nil, "", fmt.Errorf("%s: nothing at %s", uri, p[:i+1])
			}
			v = x[n]
		default:
			return nil, "", fmt.Errorf("%s: nothing at %s", uri, p[:i+1])
		}
	}
	if x, ok := v.(*jsontree.Object); ok && len(p) > 0 {
		if id, ok := stringMember(x, "$id"); ok {
			base = strings.TrimSuffix(resolve(base, id), "#")
		}
	}
	return v, base, nil
}

// component returns the name of the component holding the schema at loc,
// translating it (and what it refers to) the first time. hint names it
// when the location gives no better name. A schema that is only a $ref
// is the component of its target.
func (b *bundler) component(loc, hint string) (string, error) {
	for range 64 {
		if n, ok := b.names[loc]; ok {
			return n, nil
		}
		v, base, err := b.at(loc)
		if err != nil {
			return "", err
		}
		o, ok := v.(*jsontree.Object)
		if !ok || len(o.Keys) != 1 || o.Keys[0] != "$ref" {
			break
		}
		ref, _ := o.Vals[0].(string)
		next := resolve(base, ref)
		if next == "" {
			return "", &schemaError{loc, fmt.Sprintf("$ref %q does not resolve", ref)}
		}
		loc = normalize(next)
	}
	if n, ok := b.names[loc]; ok {
		return n, nil
	}
	name := b.name(loc, hint)
	b.names[loc] = name
	b.comps.Set(name, nil) // reserved: references back to it end here
	v, base, err := b.at(loc)
	if err != nil {
		return "", err
	}
	out, err := b.schema(v, base, loc, false)
	if err != nil {
		return "", err
	}
	b.comps.Set(name, out)
	return name, nil
}

// componentRef is the $ref of a component.
func componentRef(name string) *jsontree.Object {
	return &jsontree.Object{Keys: []string{"$ref"}, Vals: []any{"#/components/schemas/" + name}}
}

// dataKeyword are the keywords whose values are instances, not schemas.
var dataKeyword = map[string]bool{"const": true, "enum": true, "default": true, "examples": true, "example": true}

// nameMap are the keywords whose values map names to schemas.
var nameMap = map[string]bool{"properties": true, "patternProperties": true, "dependentSchemas": true}

// dropped are the keywords a component does without: identifiers (the
// component is found by its name) and definitions (each one a $ref
// reaches is a component).
var dropped = map[string]bool{"$id": true, "$schema": true, "$anchor": true, "$dynamicAnchor": true,
	"$defs": true, "definitions": true, "$vocabulary": true}

// noDraft07 are 2020-12 keywords with no draft-07 form.
var noDraft07 = map[string]bool{"unevaluatedProperties": true, "unevaluatedItems": true,
	"minContains": true, "maxContains": true}

// schema translates the schema v found at loc; base is the URI its
// references resolve against.
func (b *bundler) schema(v any, base, loc string, named bool) (any, error) {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, it := range x {
			var err error
			if out[i], err = b.schema(it, base, loc+"/"+strconv.Itoa(i), false); err != nil {
				return nil, err
			}
		}
		return out, nil
	case *jsontree.Object:
		if named {
			out := &jsontree.Object{}
			for i, k := range x.Keys {
				s, err := b.schema(x.Vals[i], base, loc+"/"+jsonptr.Escape(k), false)
				if err != nil {
					return nil, err
				}
				out.Set(k, s)
			}
			return out, nil
		}
		return b.object(x, base, loc)
	}
	return v, nil
}

func (b *bundler) object(x *jsontree.Object, base, loc string) (any, error) {
	if id, ok := stringMember(x, "$id"); ok {
		if u := resolve(base, id); u != "" {
			base = strings.TrimSuffix(u, "#")
		}
	}
	out := &jsontree.Object{}
	for i, k := range x.Keys {
		val := x.Vals[i]
		at := loc + "/" + jsonptr.Escape(k)
		switch {
		case dropped[k]:
		case k == "$ref":
			ref, ok := val.(string)
			if !ok {
				return nil, &schemaError{at, "$ref must be a string"}
			}
			target := resolve(base, ref)
			if target == "" {
				return nil, &schemaError{at, fmt.Sprintf("$ref %q does not resolve", ref)}
			}
			name, err := b.component(normalize(target), "")
			if err != nil {
				var se *schemaError
				if errors.As(err, &se) {
					return nil, err
				}
				return nil, &schemaError{at, fmt.Sprintf("$ref %q: %v", ref, err)}
			}
			out.Set(k, "#/components/schemas/"+name)
		case k == "discriminator":
			out.Set(k, b.discriminator(val))
		case k == "$dynamicRef" || k == "$recursiveRef":
			return nil, &schemaError{at, k + " cannot be exported (a schema that extends itself dynamically)"}
		case dataKeyword[k] || strings.HasPrefix(k, "x-") || k == "required" || k == "type" || k == "dependentRequired":
			out.Set(k, jsontree.Clone(val))
		case nameMap[k]:
			s, err := b.schema(val, base, at, true)
			if err != nil {
				return nil, err
			}
			out.Set(k, s)
		default:
			s, err := b.schema(val, base, at, false)
			if err != nil {
				return nil, err
			}
			out.Set(k, s)
		}
	}
	if b.dialect == dialectDraft07 {
		return draft07(out, loc)
	}
	return out, nil
}

// discriminator writes a discriminator in the dialect's form: OpenAPI's
// is an object ({propertyName, mapping}), AsyncAPI's the property's name.
// The mapping names schemas of the source document; it is an annotation,
// and AsyncAPI has no place for it.
func (b *bundler) discriminator(v any) any {
	switch x := v.(type) {
	case string:
		if b.dialect == dialect2020 {
			return obj("propertyName", x)
		}
	case *jsontree.Object:
		name, _ := stringMember(x, "propertyName")
		if b.dialect == dialectDraft07 {
			return name
		}
		return obj("propertyName", name)
	}
	return jsontree.Clone(v)
}

// draft07 rewrites the 2020-12 keywords of one translated schema object
// into their draft-07 forms: a $ref with siblings moves into allOf
// (draft-07 ignores a $ref's siblings), prefixItems and items become items
// and additionalItems, dependentRequired and dependentSchemas become
// dependencies. Keywords with no draft-07 form are refused.
func draft07(o *jsontree.Object, loc string) (*jsontree.Object, error) {
	for _, k := range o.Keys {
		if noDraft07[k] {
			return nil, &schemaError{loc + "/" + jsonptr.Escape(k), k + " has no JSON Schema draft-07 form (AsyncAPI 3.0's schema format)"}
		}
	}
	if pi, ok := o.Get("prefixItems"); ok {
		if items, ok := o.Get("items"); ok {
			o.Set("additionalItems", items)
		}
		o.Set("items", pi)
		o.Remove("prefixItems")
	}
	deps := &jsontree.Object{}
	for _, k := range []string{"dependentRequired", "dependentSchemas"} {
		if v, ok := o.Get(k); ok {
			if m, ok := v.(*jsontree.Object); ok {
				for i, name := range m.Keys {
					deps.Set(name, m.Vals[i])
				}
			}
			o.Remove(k)
		}
	}
	if len(deps.Keys) > 0 {
		o.Set("dependencies", deps)
	}
	if ref, ok := o.Get("$ref"); ok && len(o.Keys) > 1 {
		o.Remove("$ref")
		all := []any{&jsontree.Object{Keys: []string{"$ref"}, Vals: []any{ref}}}
		if prev, ok := o.Get("allOf"); ok {
			if l, ok := prev.([]any); ok {
				all = append(all, l...)
			}
		}
		o.Set("allOf", all)
	}
	return o, nil
}

// name makes a component name for loc: the last token of a
// components/schemas or $defs pointer, or the document's name, made of
// the characters component keys allow, unique.
func (b *bundler) name(loc, hint string) string {
	uri, frag, _ := strings.Cut(loc, "#")
	p, _ := jsonptr.Parse(frag)
	n := hint
	switch {
	case len(p) == 3 && p[0] == "components" && p[1] == "schemas":
		n = p[2]
	case n != "" && len(p) == 0:
	case len(p) == 0:
		n = docName(uri)
	case len(p) >= 2 && (p[len(p)-2] == "$defs" || p[len(p)-2] == "definitions"):
		n = docName(uri) + "." + p[len(p)-1]
	case n == "":
		n = docName(uri) + "." + strings.Join(p, ".")
	}
	n = strings.Trim(unsafeName.ReplaceAllString(n, "_"), "._-")
	if n == "" {
		n = "schema"
	}
	unique := n
	for i := 2; b.taken[unique]; i++ {
		unique = n + "-" + strconv.Itoa(i)
	}
	b.taken[unique] = true
	return unique
}

// unsafeName matches what component keys may not hold (OpenAPI and
// AsyncAPI: ^[a-zA-Z0-9._-]+$).
var unsafeName = regexp.MustCompile(`[^a-zA-Z0-9._-]+`)

// docName names a document by its URI: the path below /schemas/ of an
// embedded schema ("phasio/order"), else its file name, without the
// extension.
func docName(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.Path == "" {
		return "schema"
	}
	p := u.Path
	if _, after, ok := strings.Cut(p, "/schemas/"); ok {
		p = after
	} else {
		p = path.Base(p)
	}
	p = strings.TrimSuffix(p, path.Ext(p))
	return strings.ReplaceAll(p, "/", ".")
}

// resolve resolves ref against base ("" when either does not parse).
func resolve(base, ref string) string {
	b, err := url.Parse(base)
	if err != nil {
		return ""
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	return b.ResolveReference(r).String()
}

// normalize writes a location with its fragment as a plain JSON pointer
// ("#/components/schemas/a%20b" → "#/components/schemas/a b"); an anchor
// ("#pet") is kept.
func normalize(loc string) string {
	uri, frag, _ := strings.Cut(loc, "#")
	if frag == "" || !strings.HasPrefix(frag, "/") && !strings.Contains(frag, "%") {
		return uri + "#" + frag
	}
	if p, err := jsonptr.ParseFragment(frag); err == nil {
		return uri + "#" + p.String()
	}
	return uri + "#" + frag
}

func stringMember(o *jsontree.Object, k string) (string, bool) {
	v, ok := o.Get(k)
	if !ok {
		return "", false
	}
	s, ok := v.(string)
	return s, ok
}
