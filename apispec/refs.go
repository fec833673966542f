package apispec

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/orderhooks/orderhooks/internal/input"
)

// refChecker resolves every $ref a payload schema reaches, once each, so
// that the documents they name are read and a missing target is reported
// where the $ref is written.
type refChecker struct {
	l      *loader
	seen   map[string]bool // schema locations walked
	visits int
	// color is each schema location's state in the search for reference
	// cycles: onPath while its in-place subschemas are searched, done after.
	color map[target]int8
	path  []target // the in-place chain being searched
}

// States of a schema location in the search for reference cycles.
const (
	onPath int8 = 1
	done   int8 = 2
)

// inPlace are the keywords whose subschemas apply to the instance itself,
// not to a part of it: a chain of them and $refs that comes back to where
// it started evaluates one schema on one value for ever.
var inPlace = map[string]bool{"allOf": true, "anyOf": true, "oneOf": true, "not": true, "if": true, "then": true, "else": true}

// notSchemas are the keywords whose values are data, not schemas.
var notSchemas = map[string]bool{"const": true, "enum": true, "default": true, "example": true, "examples": true}

// nameMaps are the keywords whose values map names to schemas.
var nameMaps = map[string]bool{"properties": true, "patternProperties": true, "$defs": true, "definitions": true,
	"dependentSchemas": true}

// schema walks the schema at t; base is the URI its relative references
// resolve against.
func (c *refChecker) schema(t target, base string, depth int) error {
	loc := t.doc.uri + "#" + t.ptr
	if c.seen[loc] {
		return nil
	}
	c.seen[loc] = true
	v, ok := t.value()
	if !ok {
		return nil
	}
	return c.value(t, v, base, depth, false)
}

func (c *refChecker) value(t target, v any, base string, depth int, named bool) error {
	c.visits++
	if c.visits%1024 == 0 {
		if err := c.l.ctx.Err(); err != nil {
			return err
		}
	}
	if c.visits > MaxVisits {
		return t.doc.errorf(t.ptr, ErrLimit, "the payload schemas reach more than %d values", MaxVisits)
	}
	if depth > 4*MaxDepth {
		return t.doc.errorf(t.ptr, ErrLimit, "schemas nested (through references) more than %d levels deep", 4*MaxDepth)
	}
	switch x := v.(type) {
	case []any:
		for i, it := range x {
			if err := c.value(t.child(strconv.Itoa(i)), it, base, depth+1, false); err != nil {
				return err
			}
		}
	case map[string]any:
		if !named {
			if err := checkSize(t, x); err != nil {
				return err
			}
			if err := c.cycle(t, x, base); err != nil {
				return err
			}
			if id, ok := x["$id"].(string); ok {
				if b, err := url.Parse(base); err == nil {
					if u, err := url.Parse(id); err == nil {
						base = b.ResolveReference(u).String()
					}
				}
			}
			if ref, ok := x["$ref"].(string); ok && checkable(ref, base, t.doc.uri) && (!c.l.frozen || strings.HasPrefix(ref, "#")) {
				next, err := c.l.resolveRef(t, base, ref)
				if err != nil {
					return err
				}
				if err := c.schema(next, next.doc.uri, depth+1); err != nil {
					return err
				}
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !named && (notSchemas[k] || k == "$ref") {
				continue
			}
			if err := c.value(t.child(k), x[k], base, depth+1, !named && nameMaps[k]); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkable reports whether a $ref is one this package resolves: to a
// document (or a JSON pointer in one) from a place whose base is the
// document itself; anchors and references under a schema's own $id are
// left to the schema compilers, which know the identifiers.
func checkable(ref, base, docURI string) bool {
	if base != docURI {
		return false
	}
	if strings.HasPrefix(ref, "#") {
		return ref == "#" || strings.HasPrefix(ref, "#/")
	}
	_, frag, _ := strings.Cut(ref, "#")
	return frag == "" || strings.HasPrefix(frag, "/")
}

// checkSize refuses a schema with more than MaxProperties properties or an
// enum of more than input.MaxValues values: generating from either costs
// time and memory out of proportion to the document.
func checkSize(t target, x map[string]any) error {
	if p, ok := x["properties"].(map[string]any); ok && len(p) > MaxProperties {
		return t.doc.errorf(t.child("properties").ptr, ErrLimit, "more than %d properties in one schema", MaxProperties)
	}
	if e, ok := x["enum"].([]any); ok && len(e) > input.MaxValues {
		return t.doc.errorf(t.child("enum").ptr, ErrLimit, "an enum of more than %d values", input.MaxValues)
	}
	return nil
}

// cycle searches the schema x at t for a reference cycle: a chain of
// $refs, and of subschemas applied to the same value (allOf, anyOf, oneOf,
// not, if, then, else), that comes back to a schema of the chain. No value
// satisfies such a schema and no validator ends on it. Recursion through
// properties, items and the like is legal (a tree node whose children are
// nodes): each step goes down into the value, which ends.
func (c *refChecker) cycle(t target, x map[string]any, base string) error {
	switch c.color[t] {
	case done:
		return nil
	case onPath:
		i := slices.IndexFunc(c.path, func(p target) bool { return p == t })
		chain := make([]string, 0, len(c.path)-i+1)
		for _, p := range c.path[i:] {
			chain = append(chain, c.display(p, t.doc))
		}
		chain = append(chain, c.display(t, t.doc))
		return &Error{Class: ErrSpec, File: t.doc.name, Line: t.doc.line(t.ptr), Pointer: t.ptr,
			Message: "reference cycle (" + strings.Join(chain, " → ") + ")", Err: ErrRefCycle}
	}
	if len(c.path) >= 4*MaxDepth {
		return t.doc.errorf(t.ptr, ErrLimit, "more than %d references and in-place subschemas in a chain", 4*MaxDepth)
	}
	if c.color == nil {
		c.color = map[target]int8{}
	}
	c.color[t] = onPath
	c.path = append(c.path, t)
	defer func() { c.path = c.path[:len(c.path)-1] }()
	if _, ok := x["$id"]; !ok {
		if ref, ok := x["$ref"].(string); ok && checkable(ref, base, t.doc.uri) && (!c.l.frozen || strings.HasPrefix(ref, "#")) {
			next, err := c.l.resolveRef(t, base, ref)
			if err != nil {
				return err
			}
			if v, ok := next.value(); ok {
				if m, ok := v.(map[string]any); ok {
					if err := c.cycle(next, m, next.doc.uri); err != nil {
						return err
					}
				}
			}
		}
	}
	for _, k := range sortedKeys(x) {
		if !inPlace[k] {
			continue
		}
		sub := []any{x[k]}
		at := []target{t.child(k)}
		if arr, ok := x[k].([]any); ok {
			sub, at = arr, nil
			for i := range arr {
				at = append(at, t.child(k, strconv.Itoa(i)))
			}
		}
		for i, v := range sub {
			if m, ok := v.(map[string]any); ok {
				if err := c.cycle(at[i], m, base); err != nil {
					return err
				}
			}
		}
	}
	c.color[t] = done
	return nil
}

// display names a schema location in a cycle: "#/components/schemas/A"
// in the document the problem is reported in, "FILE#/…" in another.
func (c *refChecker) display(t target, in *document) string {
	if t.doc == in {
		return "#" + t.ptr
	}
	return t.doc.name + "#" + t.ptr
}

// SchemaCycle searches a standalone JSON Schema document (JSON or YAML,
// named name in errors) for a reference cycle, as Load does a payload
// schema's, from the schema at the JSON pointer ptr ("" for the whole
// document): local $refs ("#/$defs/A") are followed, references to other
// documents are not. It returns an *Error wrapping ErrRefCycle at the
// cycle's first schema, or nil (problems other than a cycle, a document
// that does not parse among them, are left to the schema compilers).
func SchemaCycle(data []byte, name, ptr string) error {
	d, err := parse(data, name)
	if err != nil {
		return nil
	}
	d.uri = "file:///" + url.PathEscape(name)
	l := &loader{docs: map[string]*document{d.uri: d}, ctx: context.Background(), frozen: true}
	c := &refChecker{l: l, seen: map[string]bool{}}
	err = c.schema(target{d, ptr}, d.uri, 0)
	if errors.Is(err, ErrRefCycle) {
		return err
	}
	return nil
}
