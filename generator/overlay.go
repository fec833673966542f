package generator

import (
	"fmt"
	"hash/fnv"
	"sort"
	"strings"
	"sync"

	"github.com/orderhooks/orderhooks/generator/schemagen"
	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/jsontree"
	"github.com/orderhooks/orderhooks/internal/shape"
	"github.com/orderhooks/orderhooks/schemas"
)

// WithSchemas makes the payloads carry the fields that set documents
// beyond the embedded schemas: the undocumented fields a drift overlay adds
// (schemas.Overlay.Apply), so that generated traffic has what the platform
// really sends. Each such field is added wherever its parent object is,
// with one of its schema's examples (what drift saw), or else a value
// generated from its schema, seeded by the run's seed and the order (its
// snapshots agree); the rest of the payload is as without it.
// Other changes an overlay makes (an enum value added, null admitted) only
// widen what validates: the payloads keep their documented values.
func WithSchemas(set *schemas.Set) Option { return func(c *config) { c.schemas = set } }

// extraField is a field a schema set documents beyond the embedded one.
type extraField struct {
	// path is where it goes in a payload: member names, "*" for every
	// item of an array; the last one is the field's name.
	path []string
	// examples are the values the field's schema gives as examples (what
	// drift saw); without any, gen makes one.
	examples []any
	gen      *schemagen.Generator
}

// extras are the extra fields of each loose schema, by name.
type extras map[string][]extraField

// embeddedShapes are the embedded schemas' shapes, compiled once: they
// never change, and diff only reads them.
var embeddedShapes = sync.OnceValues(func() (map[string]*shape.Node, error) {
	var docs []shape.Doc
	for _, s := range schemas.All() {
		docs = append(docs, shape.Doc{Name: s.Name(), Source: s.Source()})
	}
	return shape.Compile(docs)
})

// newExtras finds what set documents beyond the embedded schemas.
func newExtras(set *schemas.Set) (extras, error) {
	compile := func(all []*schemas.Schema) (map[string]*shape.Node, error) {
		var docs []shape.Doc
		for _, s := range all {
			docs = append(docs, shape.Doc{Name: s.Name(), Source: s.Source()})
		}
		return shape.Compile(docs)
	}
	mine, err := compile(set.All())
	if err != nil {
		return nil, fmt.Errorf("%w: schemas: %w", ErrOptions, err)
	}
	embedded, err := embeddedShapes()
	if err != nil {
		return nil, fmt.Errorf("%w: schemas: %w", ErrOptions, err)
	}
	docs := map[string]*schemagen.Document{}
	sources := map[string]any{}
	out := extras{}
	for _, name := range []string{schemas.PhasioOrder, schemas.PhasioQuoteConverted, schemas.HappyColisOrderEvent} {
		root, emb := mine[name], embedded[name]
		if root == nil || emb == nil {
			continue
		}
		var found []*extraNode
		diff(root, emb, nil, &found, 0)
		for _, f := range found {
			doc, ok := docs[f.node.Schema]
			if !ok {
				s, err := set.Get(f.node.Schema)
				if err != nil {
					return nil, fmt.Errorf("%w: schemas: %w", ErrOptions, err)
				}
				if doc, err = schemagen.Load(s.Source(), schemagen.WithLoader(schemas.LoadURL)); err != nil {
					return nil, fmt.Errorf("%w: schemas: %s: %w", ErrOptions, f.node.Schema, err)
				}
				docs[f.node.Schema] = doc
				if sources[f.node.Schema], err = jsontree.Decode(s.Source(), 0); err != nil {
					return nil, fmt.Errorf("%w: schemas: %s: %w", ErrOptions, f.node.Schema, err)
				}
			}
			var examples []any
			if p, err := jsonptr.Parse(f.node.Pointer); err == nil {
				if sch, ok := jsonptr.Get(sources[f.node.Schema], p); ok {
					if o, ok := sch.(*jsontree.Object); ok {
						if ex, ok := o.Get("examples"); ok {
							examples, _ = ex.([]any)
						}
					}
				}
			}
			gen, err := doc.Generator(f.node.Pointer)
			if err != nil {
				return nil, fmt.Errorf("%w: schemas: %s: %w", ErrOptions, f.node.Location(), err)
			}
			out[name] = append(out[name], extraField{path: f.path, examples: examples, gen: gen})
		}
	}
	return out, nil
}

type extraNode struct {
	path []string
	node *shape.Node
}

// maxExtraDepth bounds the walk (the order schemas nest a few levels).
const maxExtraDepth = 32

// diff walks the schema objects of a payload's fields in mine and in
// embedded side by side and notes the properties only mine declares.
func diff(mine, embedded *shape.Node, path []string, found *[]*extraNode, depth int) {
	if depth > maxExtraDepth {
		return
	}
	props, embProps := properties(mine), properties(embedded)
	names := make([]string, 0, len(props))
	for n := range props {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := append(append([]string(nil), path...), n)
		if e, ok := embProps[n]; ok {
			diff(props[n], e, p, found, depth+1)
		} else {
			*found = append(*found, &extraNode{path: p, node: props[n]})
		}
	}
	if items, embItems := itemsOf(mine), itemsOf(embedded); items != nil && embItems != nil {
		diff(items, embItems, append(append([]string(nil), path...), "*"), found, depth+1)
	}
}

// properties are the properties of n and of what always applies with it.
func properties(n *shape.Node) map[string]*shape.Node {
	out := map[string]*shape.Node{}
	for _, x := range n.Expand() {
		for k, v := range x.Properties {
			if _, ok := out[k]; !ok {
				out[k] = v
			}
		}
	}
	return out
}

func itemsOf(n *shape.Node) *shape.Node {
	for _, x := range n.Expand() {
		if x.Items != nil {
			return x.Items
		}
	}
	return nil
}

// apply adds the extra fields of ev's schema to its payload.
func (x extras) apply(ev *Event, seed int64) error {
	name, err := schemas.ForEvent(ev.Provider, ev.Event, false)
	if err != nil || len(x[name]) == 0 {
		return nil
	}
	doc, err := jsontree.Decode(ev.Payload, 0)
	if err != nil {
		return err
	}
	for _, f := range x[name] {
		// Seeded by the order, not the event: an order's snapshots agree.
		h := fnv.New64a()
		fmt.Fprintf(h, "%d %s %s %s", seed, ev.Provider, ev.OrderKey, strings.Join(f.path, "/"))
		if err := f.add(doc, f.path, int64(h.Sum64()>>1)); err != nil {
			return err
		}
	}
	ev.Payload = jsontree.Append(nil, doc)
	return nil
}

// add sets the field at path in every object path reaches, where it is
// not there yet.
func (f extraField) add(v any, path []string, seed int64) error {
	if len(path) == 1 {
		o, ok := v.(*jsontree.Object)
		if !ok || o.Index(path[0]) >= 0 {
			return nil
		}
		if len(f.examples) > 0 {
			o.Set(path[0], jsontree.Clone(f.examples[int(uint64(seed)%uint64(len(f.examples)))]))
			return nil
		}
		raw, err := f.gen.Generate(seed)
		if err != nil {
			return err
		}
		val, err := jsontree.Decode(raw, 0)
		if err != nil {
			return err
		}
		o.Set(path[0], val)
		return nil
	}
	switch x := v.(type) {
	case *jsontree.Object:
		if path[0] == "*" {
			return nil
		}
		if next, ok := x.Get(path[0]); ok {
			return f.add(next, path[1:], seed)
		}
	case []any:
		if path[0] != "*" {
			return nil
		}
		for i, item := range x {
			if err := f.add(item, path[1:], seed+int64(i)); err != nil {
				return err
			}
		}
	}
	return nil
}
