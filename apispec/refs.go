package apispec

import (
	"net/url"
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
}

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
			if id, ok := x["$id"].(string); ok {
				if b, err := url.Parse(base); err == nil {
					if u, err := url.Parse(id); err == nil {
						base = b.ResolveReference(u).String()
					}
				}
			}
			if ref, ok := x["$ref"].(string); ok && checkable(ref, base, t.doc.uri) {
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
