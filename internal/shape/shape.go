// Package shape compiles a set of JSON Schema documents into a tree of
// Nodes that a caller walks along a JSON document: per schema object its
// type, enum, format, pattern, bounds, required and known properties,
// where it lives (document and JSON pointer, for patches and messages) and
// its "x-personal" annotation. Compilation is jsonschema v6's (so $ref,
// formats and patterns mean exactly what they mean to the validator);
// this package only reads the compiled schemas back into a form that a
// single pass over a document can use without the validator.
//
// Redaction (which fields are personal) and drift analysis (how payloads
// differ from the schemas) both walk these trees. Keywords a walker does
// not implement are refused at Compile with an *UnsupportedError, so a
// walker never silently ignores a rule the validator enforces.
package shape

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/orderhooks/orderhooks/internal/jsonptr"
)

// Types is a set of JSON types; the zero value means any type.
type Types uint8

// The JSON types. Integer is a number with no fraction (12.0 included).
const (
	TypeNull Types = 1 << iota
	TypeBoolean
	TypeInteger
	TypeNumber
	TypeString
	TypeObject
	TypeArray
)

var typeNames = []struct {
	t    Types
	name string
}{
	{TypeInteger, "integer"}, {TypeNumber, "number"}, {TypeString, "string"}, {TypeBoolean, "boolean"},
	{TypeObject, "object"}, {TypeArray, "array"}, {TypeNull, "null"},
}

// TypeOf returns the Types bit of a JSON type name, 0 for an unknown name.
func TypeOf(name string) Types {
	for _, tn := range typeNames {
		if tn.name == name {
			return tn.t
		}
	}
	return 0
}

// Names lists the set's types by their JSON Schema names, in a fixed
// order (null last: "string or null").
func (t Types) Names() []string {
	var out []string
	for _, tn := range typeNames {
		if t&tn.t != 0 {
			out = append(out, tn.name)
		}
	}
	return out
}

func (t Types) String() string { return strings.Join(t.Names(), " or ") }

// Allows reports whether a value of type got (one bit; an integer is
// TypeInteger|TypeNumber) is allowed.
func (t Types) Allows(got Types) bool { return t == 0 || t&got != 0 }

// Node is one compiled schema object.
type Node struct {
	// Schema names the document ("phasio/order-strict") and Pointer is
	// the JSON pointer of this schema object in it ("" for the root).
	Schema, Pointer string
	// Personal is the "x-personal" annotation: the kind of personal data
	// the value holds ("" when none).
	Personal string

	// Never is true for the false schema (no value is valid).
	Never bool

	Types   Types
	Enum    []any // decoded with json.Number; nil when there is no enum
	Const   *any
	Format  *jsonschema.Format
	Pattern jsonschema.Regexp

	Minimum, Maximum, ExclusiveMinimum, ExclusiveMaximum *big.Rat
	// Bounds are the four bounds above as float64 (in that order), for
	// quick comparisons; meaningless where the bound is nil.
	Bounds [4]float64
	// MinLength and MaxLength count characters; -1 when absent. So do
	// MinItems and MaxItems.
	MinLength, MaxLength, MinItems, MaxItems int

	Required   []string
	Properties map[string]*Node
	// Closed is additionalProperties false; Additional is an
	// additionalProperties schema. Both nil/false: members not listed in
	// Properties are unconstrained.
	Closed     bool
	Additional *Node
	// Open is additionalProperties true, said explicitly.
	Open bool
	// Items applies to every array item.
	Items *Node

	// AllOf are the schemas that always apply too ($ref and allOf).
	AllOf []*Node
	// If, Then and Else are the conditional (If nil when there is none).
	If, Then, Else *Node

	enumKeys map[string]bool
}

// Location is "SCHEMA#POINTER", e.g. phasio/order-strict#/properties/parts.
func (n *Node) Location() string { return n.Schema + "#" + n.Pointer }

// InEnum reports whether the value whose Key is key is one of Enum.
func (n *Node) InEnum(key string) bool { return n.enumKeys[key] }

// InEnumKey is InEnum for a key in a byte slice (no allocation).
func (n *Node) InEnumKey(key []byte) bool { return n.enumKeys[string(key)] }

// Key is the identity of a JSON scalar for enum and const comparison:
// strings by text, numbers by exact value (2.50 equals 2.5), literals by
// name. raw is a number's text; s a string's decoded text.
func Key(kind Types, raw string) string {
	switch kind {
	case TypeString:
		return "s" + raw
	case TypeInteger, TypeNumber, TypeInteger | TypeNumber:
		if r, ok := new(big.Rat).SetString(raw); ok {
			return "n" + r.RatString()
		}
		return "n" + raw
	case TypeBoolean:
		return "b" + raw
	case TypeNull:
		return "z"
	}
	return "j" + raw
}

// keyOf is Key for a decoded value (as from json with UseNumber).
func keyOf(v any) string {
	switch x := v.(type) {
	case string:
		return Key(TypeString, x)
	case json.Number:
		return Key(TypeNumber, string(x))
	case float64:
		return Key(TypeNumber, big.NewRat(1, 1).SetFloat64(x).RatString())
	case bool:
		return Key(TypeBoolean, fmt.Sprint(x))
	case nil:
		return Key(TypeNull, "")
	}
	b, _ := json.Marshal(v)
	return "j" + string(b)
}

// ErrCompile is wrapped by every Compile error.
var ErrCompile = errors.New("shape: cannot compile")

// UnsupportedError names a keyword that walkers do not implement.
type UnsupportedError struct {
	Location, Keyword string
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("%s: keyword %q is not supported", e.Location, e.Keyword)
}

// Unwrap returns ErrCompile.
func (e *UnsupportedError) Unwrap() error { return ErrCompile }

// Doc is one schema document to compile.
type Doc struct {
	// Name labels the document ("phasio/order"); Source is its JSON, whose
	// $id (when present) is the base its references resolve against.
	Name   string
	Source []byte
}

// Compile compiles every document of the set (draft 2020-12 unless a
// document says otherwise, formats asserted, as the schemas package
// validates) and returns the root Node of each, by name.
func Compile(docs []Doc) (map[string]*Node, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	b := &builder{nodes: map[*jsonschema.Schema]*Node{}, byURL: map[string]string{}, parsed: map[string]any{}}
	urls := map[string]string{}
	for _, d := range docs {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(d.Source))
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrCompile, d.Name, err)
		}
		url := "https://shape.invalid/" + d.Name + ".json"
		if m, ok := v.(map[string]any); ok {
			if id, ok := m["$id"].(string); ok && id != "" {
				url = strings.TrimSuffix(id, "#")
			}
		}
		if err := c.AddResource(url, v); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrCompile, d.Name, err)
		}
		urls[d.Name] = url
		b.byURL[url] = d.Name
		b.parsed[d.Name] = v
	}
	out := make(map[string]*Node, len(docs))
	for _, d := range docs {
		s, err := c.Compile(urls[d.Name])
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrCompile, d.Name, err)
		}
		n, err := b.node(s)
		if err != nil {
			return nil, err
		}
		out[d.Name] = n
	}
	return out, nil
}

type builder struct {
	nodes  map[*jsonschema.Schema]*Node
	byURL  map[string]string // document URL → name
	parsed map[string]any    // name → decoded document
}

func (b *builder) node(s *jsonschema.Schema) (*Node, error) {
	if n, ok := b.nodes[s]; ok {
		return n, nil
	}
	n := &Node{MinLength: -1, MaxLength: -1, MinItems: -1, MaxItems: -1}
	b.nodes[s] = n // before the children: references may be cyclic
	url, frag, _ := strings.Cut(s.Location, "#")
	n.Schema, n.Pointer = b.byURL[url], frag
	if n.Schema == "" {
		n.Schema = url
	}
	if err := unsupported(s, n.Location()); err != nil {
		return nil, err
	}
	if raw, ok := lookup(b.parsed[n.Schema], n.Pointer).(map[string]any); ok {
		n.Personal, _ = raw["x-personal"].(string)
	}
	if s.Bool != nil {
		n.Never = !*s.Bool
		return n, nil
	}
	if s.Types != nil {
		for _, name := range s.Types.ToStrings() {
			n.Types |= TypeOf(name)
		}
	}
	if s.Enum != nil {
		n.Enum = s.Enum.Values
		n.enumKeys = make(map[string]bool, len(n.Enum))
		for _, v := range n.Enum {
			n.enumKeys[keyOf(v)] = true
		}
	}
	n.Const, n.Format, n.Pattern = s.Const, s.Format, s.Pattern
	n.Minimum, n.Maximum, n.ExclusiveMinimum, n.ExclusiveMaximum = s.Minimum, s.Maximum, s.ExclusiveMinimum, s.ExclusiveMaximum
	for i, r := range []*big.Rat{n.Minimum, n.Maximum, n.ExclusiveMinimum, n.ExclusiveMaximum} {
		if r != nil {
			n.Bounds[i], _ = r.Float64()
		}
	}
	for _, p := range []struct {
		from *int
		to   *int
	}{{s.MinLength, &n.MinLength}, {s.MaxLength, &n.MaxLength}, {s.MinItems, &n.MinItems}, {s.MaxItems, &n.MaxItems}} {
		if p.from != nil {
			*p.to = *p.from
		}
	}
	n.Required = s.Required
	var err error
	if len(s.Properties) > 0 {
		n.Properties = make(map[string]*Node, len(s.Properties))
		for k, ps := range s.Properties {
			if n.Properties[k], err = b.node(ps); err != nil {
				return nil, err
			}
		}
	}
	switch a := s.AdditionalProperties.(type) {
	case bool:
		n.Closed, n.Open = !a, a
	case *jsonschema.Schema:
		if n.Additional, err = b.node(a); err != nil {
			return nil, err
		}
	}
	if s.Items2020 != nil {
		if n.Items, err = b.node(s.Items2020); err != nil {
			return nil, err
		}
	}
	for _, sub := range append(slices.Clip(s.AllOf), s.Ref) {
		if sub == nil {
			continue
		}
		c, err := b.node(sub)
		if err != nil {
			return nil, err
		}
		n.AllOf = append(n.AllOf, c)
	}
	for _, p := range []struct {
		from *jsonschema.Schema
		to   **Node
	}{{s.If, &n.If}, {s.Then, &n.Then}, {s.Else, &n.Else}} {
		if p.from != nil {
			if *p.to, err = b.node(p.from); err != nil {
				return nil, err
			}
		}
	}
	return n, nil
}

// unsupported returns an *UnsupportedError for the first keyword of s that
// walkers do not implement.
func unsupported(s *jsonschema.Schema, loc string) error {
	checks := []struct {
		present bool
		keyword string
	}{
		{s.Not != nil, "not"}, {len(s.AnyOf) > 0, "anyOf"}, {len(s.OneOf) > 0, "oneOf"},
		{len(s.PatternProperties) > 0, "patternProperties"}, {s.PropertyNames != nil, "propertyNames"},
		{len(s.Dependencies) > 0, "dependencies"}, {len(s.DependentRequired) > 0, "dependentRequired"},
		{len(s.DependentSchemas) > 0, "dependentSchemas"}, {s.UnevaluatedProperties != nil, "unevaluatedProperties"},
		{s.UnevaluatedItems != nil, "unevaluatedItems"}, {s.Contains != nil, "contains"},
		{len(s.PrefixItems) > 0, "prefixItems"}, {s.Items != nil, "items (array form)"},
		{s.AdditionalItems != nil, "additionalItems"}, {s.UniqueItems, "uniqueItems"},
		{s.MultipleOf != nil, "multipleOf"}, {s.MinProperties != nil, "minProperties"},
		{s.MaxProperties != nil, "maxProperties"}, {s.RecursiveRef != nil, "$recursiveRef"},
		{s.DynamicRef != nil, "$dynamicRef"}, {s.ContentSchema != nil, "contentSchema"},
	}
	for _, c := range checks {
		if c.present {
			return &UnsupportedError{Location: loc, Keyword: c.keyword}
		}
	}
	return nil
}

// lookup returns the value at JSON pointer p in a decoded document.
func lookup(doc any, p string) any {
	toks, err := jsonptr.Parse(p)
	if err != nil {
		return nil
	}
	v, _ := jsonptr.Get(doc, toks)
	return v
}

// Expand returns n and every node that always applies with it (AllOf,
// recursively), each once, n first.
func (n *Node) Expand() []*Node {
	var out []*Node
	var walk func(*Node)
	walk = func(m *Node) {
		if slices.Contains(out, m) {
			return
		}
		out = append(out, m)
		for _, c := range m.AllOf {
			walk(c)
		}
	}
	walk(n)
	return out
}
