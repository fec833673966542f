package schemagen

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"net/url"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/orderhooks/orderhooks/internal/jsonptr"
)

// typeSet is a set of JSON types; tNum means any number, tInt integers.
type typeSet uint8

const (
	tNull typeSet = 1 << iota
	tBool
	tInt
	tNum
	tStr
	tArr
	tObj
	tAll = tNull | tBool | tInt | tNum | tStr | tArr | tObj
)

// node is one schema object's own keywords; allOf and $ref stay links, so
// recursive schemas are finite graphs and are combined only when generating.
type node struct {
	d       *Document
	loc     string // absolute location URI#pointer
	isFalse bool

	types    typeSet
	enum     []any
	hasEnum  bool
	cnst     any
	hasConst bool
	examples []any
	format   string

	minLen, maxLen int // maxLen -1: none
	patterns       []*pattern

	min, max                                          float64
	hasMin, hasMax                                    bool
	exMin, exMax                                      bool
	multipleOf                                        *big.Rat
	props                                             []prop
	propAt                                            map[string]*node // props by name
	required                                          []string
	additional                                        *node // nil: anything
	patternProps                                      []patternProp
	propertyNames                                     *node
	minProps, maxProps                                int // maxProps -1: none
	depRequired                                       []dep
	depSchemas                                        []depSchema
	unevalPropsFalse                                  bool
	items                                             *node // nil: anything
	prefix                                            []*node
	minItems, maxItems                                int // maxItems -1: none
	unique                                            bool
	contains                                          *node
	minContains                                       int
	maxContains                                       int // -1: none
	unevalItemsFalse                                  bool
	allOf, anyOf, oneOf                               []*node
	not                                               []*node
	ifN, thenN, elseN                                 *node
	hasObjectKW, hasArrayKW, hasStringKW, hasNumberKW bool
	typeOnly                                          bool // only "type" constrains: not can steer by it

	vOnce sync.Once
	v     *jsonschema.Schema
}

type prop struct {
	name string
	n    *node
}

type patternProp struct {
	p *pattern
	n *node
}

type dep struct {
	key string
	req []string
}

type depSchema struct {
	key string
	n   *node
}

type pattern struct {
	src string
	re  *regexp.Regexp
	syn *syntax.Regexp
}

// matches reports whether v validates against this node's schema alone,
// with the project's validator compiled once per node.
func (n *node) matches(v any) bool {
	n.vOnce.Do(func() {
		n.d.mu.Lock()
		defer n.d.mu.Unlock()
		n.v, _ = n.d.vc.Compile(n.loc)
	})
	if n.v == nil {
		return false
	}
	return n.v.Validate(plain(v)) == nil
}

// compiler builds nodes for one Generator call, under Document.mu.
type compiler struct{ d *Document }

const maxSchemaNesting = 500

func (c compiler) errorf(loc string, sentinel error, format string, args ...any) error {
	return &Error{Pointer: c.d.display(loc), Reason: fmt.Sprintf(format, args...), Err: sentinel}
}

// node returns the compiled node at an absolute location.
func (c compiler) node(loc string, depth int) (*node, error) {
	if n, ok := c.d.nodes[loc]; ok {
		return n, nil
	}
	if depth > maxSchemaNesting {
		return nil, c.errorf(loc, ErrInvalidSchema, "schemas nested deeper than %d levels", maxSchemaNesting)
	}
	v, base, err := c.valueAt(loc)
	if err != nil {
		return nil, err
	}
	n := &node{d: c.d, loc: loc, types: tAll, maxLen: -1, maxProps: -1, maxItems: -1, minContains: 1, maxContains: -1}
	c.d.nodes[loc] = n
	switch x := v.(type) {
	case bool:
		n.isFalse = !x
		return n, nil
	case *omap:
		if err := c.fill(n, x, base, depth); err != nil {
			delete(c.d.nodes, loc)
			return nil, err
		}
		return n, nil
	}
	delete(c.d.nodes, loc)
	return nil, c.errorf(loc, ErrInvalidSchema, "a schema must be an object or a boolean")
}

// valueAt returns the JSON value at an absolute location and the base URI
// in force there (the document's, changed by each $id on the way).
func (c compiler) valueAt(loc string) (any, string, error) {
	uri, ptr, _ := strings.Cut(loc, "#")
	doc, err := c.d.fetch(uri)
	if err != nil {
		return nil, "", c.errorf(loc, ErrInvalidSchema, "%s", oneLine(err))
	}
	toks, err := jsonptr.ParseFragment(ptr)
	if err != nil {
		return nil, "", c.errorf(loc, ErrInvalidSchema, "fragment is not a JSON pointer")
	}
	base := uri
	v := doc.tree
	for i := 0; ; i++ {
		if o, ok := v.(*omap); ok {
			if id, ok := o.m["$id"].(string); ok {
				base = resolveURI(base, id)
			}
		}
		if i == len(toks) {
			return v, base, nil
		}
		switch x := v.(type) {
		case *omap:
			next, ok := x.m[toks[i]]
			if !ok {
				return nil, "", c.errorf(loc, ErrInvalidSchema, "no value at this pointer")
			}
			v = next
		case []any:
			j, err := strconv.Atoi(toks[i])
			if err != nil || j < 0 || j >= len(x) {
				return nil, "", c.errorf(loc, ErrInvalidSchema, "no value at this pointer")
			}
			v = x[j]
		default:
			return nil, "", c.errorf(loc, ErrInvalidSchema, "no value at this pointer")
		}
	}
}

func resolveURI(base, ref string) string {
	b, err := url.Parse(base)
	if err != nil {
		return base
	}
	r, err := url.Parse(ref)
	if err != nil {
		return base
	}
	u := b.ResolveReference(r)
	u.Fragment = ""
	return u.String()
}

// scanIDs registers the $id, $anchor and $dynamicAnchor of every object in
// a document.
func (d *Document) scanIDs(uri, base, ptr string, v any, depth int) {
	if depth > maxNesting {
		return
	}
	switch x := v.(type) {
	case *omap:
		if id, ok := x.m["$id"].(string); ok && !strings.HasPrefix(id, "#") {
			base = resolveURI(base, id)
			if _, dup := d.ids[base]; !dup {
				d.ids[base] = uri + "#" + ptr
			}
		}
		for _, kw := range []string{"$anchor", "$dynamicAnchor"} {
			if a, ok := x.m[kw].(string); ok {
				if _, dup := d.ids[base+"#"+a]; !dup {
					d.ids[base+"#"+a] = uri + "#" + ptr
				}
			}
		}
		for _, k := range x.Keys {
			d.scanIDs(uri, base, ptr+"/"+jsonptr.Escape(k), x.m[k], depth+1)
		}
	case []any:
		for i, e := range x {
			d.scanIDs(uri, base, ptr+"/"+strconv.Itoa(i), e, depth+1)
		}
	}
}

// resolveRef turns a $ref into an absolute location.
func (c compiler) resolveRef(at, base, ref string) (string, error) {
	b, err := url.Parse(base)
	if err != nil {
		return "", c.errorf(at, ErrInvalidSchema, "base URI %q: %v", base, err)
	}
	r, err := url.Parse(ref)
	if err != nil {
		return "", c.errorf(at, ErrInvalidSchema, "$ref %q is not a URI reference", ref)
	}
	u := b.ResolveReference(r)
	frag := u.Fragment
	u.Fragment = ""
	uri := u.String()
	isPtr := frag == "" || frag[0] == '/'
	if isPtr {
		if target, ok := c.d.ids[uri]; ok {
			return target + frag, nil
		}
	} else if target, ok := c.d.ids[uri+"#"+frag]; ok {
		return target, nil
	}
	if _, err := c.d.fetch(uri); err != nil {
		return "", c.errorf(at, ErrInvalidSchema, "$ref %q: %s", ref, oneLine(err))
	}
	if isPtr {
		if target, ok := c.d.ids[uri]; ok {
			return target + frag, nil
		}
		return uri + "#" + frag, nil
	}
	if target, ok := c.d.ids[uri+"#"+frag]; ok {
		return target, nil
	}
	return "", c.errorf(at, ErrInvalidSchema, "$ref %q: no anchor %q", ref, frag)
}

// annotations are keywords that constrain nothing.
var annotations = map[string]bool{
	"title": true, "description": true, "$comment": true, "examples": true, "example": true,
	"default": true, "$id": true, "$schema": true, "$anchor": true, "$dynamicAnchor": true,
	"deprecated": true, "readOnly": true, "writeOnly": true, "$defs": true, "definitions": true,
	"xml": true, "externalDocs": true, "discriminator": true,
}

var typeNames = map[string]typeSet{
	"null": tNull, "boolean": tBool, "integer": tInt, "number": tNum | tInt,
	"string": tStr, "array": tArr, "object": tObj,
}

// fill reads the keywords of one schema object.
func (c compiler) fill(n *node, o *omap, base string, depth int) error {
	loc := n.loc
	sub := func(kw string) (*node, error) {
		return c.node(loc+"/"+jsonptr.Escape(kw), depth+1)
	}
	subs := func(kw string) ([]*node, error) {
		arr, ok := o.m[kw].([]any)
		if !ok {
			return nil, c.errorf(loc+"/"+kw, ErrInvalidSchema, "%s must be an array of schemas", kw)
		}
		out := make([]*node, len(arr))
		for i := range arr {
			s, err := c.node(loc+"/"+jsonptr.Escape(kw)+"/"+strconv.Itoa(i), depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = s
		}
		return out, nil
	}
	count := func(kw string) (int, error) {
		f, ok := number(o.m[kw])
		if !ok || f < 0 || f != math.Trunc(f) {
			return 0, c.errorf(loc+"/"+kw, ErrInvalidSchema, "%s must be a non-negative integer", kw)
		}
		if f > math.MaxInt32 {
			f = math.MaxInt32
		}
		return int(f), nil
	}
	var err error
	for _, kw := range o.Keys {
		v := o.m[kw]
		at := loc + "/" + jsonptr.Escape(kw)
		switch kw {
		case "type":
			n.types = 0
			switch t := v.(type) {
			case string:
				n.types = typeNames[t]
			case []any:
				for _, e := range t {
					s, _ := e.(string)
					n.types |= typeNames[s]
				}
			}
			if n.types == 0 {
				return c.errorf(at, ErrInvalidSchema, "type must name JSON types")
			}
		case "enum":
			arr, ok := v.([]any)
			if !ok {
				return c.errorf(at, ErrInvalidSchema, "enum must be an array")
			}
			n.enum, n.hasEnum = arr, true
		case "const":
			n.cnst, n.hasConst = v, true
		case "examples":
			if arr, ok := v.([]any); ok {
				n.examples = append(n.examples, arr...)
			}
		case "example": // OpenAPI 3.0 and the OpenAPI 3.1 dialect
			n.examples = append(n.examples, v)
		case "format":
			n.format, _ = v.(string)
		case "minLength":
			n.minLen, err = count(kw)
			n.hasStringKW = true
		case "maxLength":
			n.maxLen, err = count(kw)
			n.hasStringKW = true
		case "pattern":
			s, _ := v.(string)
			p, perr := compilePattern(s)
			if perr != nil {
				return c.errorf(at, ErrInvalidSchema, "pattern: %v", perr)
			}
			n.patterns = append(n.patterns, p)
			n.hasStringKW = true
		case "minimum", "exclusiveMinimum":
			f, ok := number(v)
			if !ok {
				return c.errorf(at, ErrInvalidSchema, "%s must be a number", kw)
			}
			if !n.hasMin || f > n.min || (f == n.min && kw == "exclusiveMinimum") {
				n.min, n.hasMin, n.exMin = f, true, kw == "exclusiveMinimum"
			}
			n.hasNumberKW = true
		case "maximum", "exclusiveMaximum":
			f, ok := number(v)
			if !ok {
				return c.errorf(at, ErrInvalidSchema, "%s must be a number", kw)
			}
			if !n.hasMax || f < n.max || (f == n.max && kw == "exclusiveMaximum") {
				n.max, n.hasMax, n.exMax = f, true, kw == "exclusiveMaximum"
			}
			n.hasNumberKW = true
		case "multipleOf":
			num, _ := v.(json.Number)
			r, ok := ratOf(num)
			if !ok || r.Sign() <= 0 {
				return c.errorf(at, ErrInvalidSchema, "multipleOf must be a number above 0")
			}
			n.multipleOf = r
			n.hasNumberKW = true
		case "properties":
			po, ok := v.(*omap)
			if !ok {
				return c.errorf(at, ErrInvalidSchema, "properties must be an object")
			}
			for _, name := range po.Keys {
				s, err := c.node(at+"/"+jsonptr.Escape(name), depth+1)
				if err != nil {
					return err
				}
				n.props = append(n.props, prop{name, s})
				if n.propAt == nil {
					n.propAt = make(map[string]*node, len(po.Keys))
				}
				n.propAt[name] = s
			}
			n.hasObjectKW = true
		case "required":
			arr, _ := v.([]any)
			for _, e := range arr {
				if s, ok := e.(string); ok {
					n.required = append(n.required, s)
				}
			}
			n.hasObjectKW = true
		case "additionalProperties":
			n.additional, err = sub(kw)
			n.hasObjectKW = true
		case "patternProperties":
			po, ok := v.(*omap)
			if !ok {
				return c.errorf(at, ErrInvalidSchema, "patternProperties must be an object")
			}
			for _, src := range po.Keys {
				p, perr := compilePattern(src)
				if perr != nil {
					return c.errorf(at+"/"+jsonptr.Escape(src), ErrInvalidSchema, "pattern: %v", perr)
				}
				s, err := c.node(at+"/"+jsonptr.Escape(src), depth+1)
				if err != nil {
					return err
				}
				n.patternProps = append(n.patternProps, patternProp{p, s})
			}
			n.hasObjectKW = true
		case "propertyNames":
			n.propertyNames, err = sub(kw)
			n.hasObjectKW = true
		case "minProperties":
			n.minProps, err = count(kw)
			n.hasObjectKW = true
		case "maxProperties":
			n.maxProps, err = count(kw)
			n.hasObjectKW = true
		case "dependentRequired", "dependencies", "dependentSchemas":
			do, ok := v.(*omap)
			if !ok {
				return c.errorf(at, ErrInvalidSchema, "%s must be an object", kw)
			}
			for _, k := range do.Keys {
				if arr, ok := do.m[k].([]any); ok {
					d := dep{key: k}
					for _, e := range arr {
						if s, ok := e.(string); ok {
							d.req = append(d.req, s)
						}
					}
					n.depRequired = append(n.depRequired, d)
					continue
				}
				s, err := c.node(at+"/"+jsonptr.Escape(k), depth+1)
				if err != nil {
					return err
				}
				n.depSchemas = append(n.depSchemas, depSchema{k, s})
			}
			n.hasObjectKW = true
		case "unevaluatedProperties":
			if b, ok := v.(bool); ok && !b {
				n.unevalPropsFalse = true
			} else if uo, ok := v.(*omap); ok && len(uo.Keys) == 1 && uo.Keys[0] == "not" {
				n.unevalPropsFalse = true
			}
			n.hasObjectKW = true
		case "items":
			if _, ok := v.([]any); ok { // draft 2019-09 and earlier: a tuple
				n.prefix, err = subs(kw)
			} else {
				n.items, err = sub(kw)
			}
			n.hasArrayKW = true
		case "prefixItems":
			n.prefix, err = subs(kw)
			n.hasArrayKW = true
		case "additionalItems":
			if _, tuple := o.m["items"].([]any); tuple {
				n.items, err = sub(kw)
			}
			n.hasArrayKW = true
		case "unevaluatedItems":
			if b, ok := v.(bool); ok && !b {
				n.unevalItemsFalse = true
			}
			n.hasArrayKW = true
		case "minItems":
			n.minItems, err = count(kw)
			n.hasArrayKW = true
		case "maxItems":
			n.maxItems, err = count(kw)
			n.hasArrayKW = true
		case "uniqueItems":
			n.unique, _ = v.(bool)
			n.hasArrayKW = true
		case "contains":
			n.contains, err = sub(kw)
			n.hasArrayKW = true
		case "minContains":
			n.minContains, err = count(kw)
		case "maxContains":
			n.maxContains, err = count(kw)
		case "allOf":
			var s []*node
			s, err = subs(kw)
			n.allOf = append(n.allOf, s...)
		case "anyOf":
			n.anyOf, err = subs(kw)
		case "oneOf":
			n.oneOf, err = subs(kw)
		case "not":
			var s *node
			s, err = sub(kw)
			if err == nil {
				n.not = append(n.not, s)
			}
		case "if":
			n.ifN, err = sub(kw)
		case "then":
			n.thenN, err = sub(kw)
		case "else":
			n.elseN, err = sub(kw)
		case "$ref", "$dynamicRef", "$recursiveRef":
			ref, _ := v.(string)
			if kw == "$dynamicRef" && strings.HasPrefix(ref, "#") && !strings.HasPrefix(ref, "#/") {
				// resolved statically to the anchor in this resource
				ref = "#" + strings.TrimPrefix(ref, "#")
			}
			target, rerr := c.resolveRef(at, base, ref)
			if rerr != nil {
				return rerr
			}
			s, err := c.node(target, depth+1)
			if err != nil {
				return err
			}
			n.allOf = append(n.allOf, s)
		}
		if err != nil {
			return err
		}
	}
	constraining := 0
	for _, kw := range o.Keys {
		if !annotations[kw] {
			constraining++
		}
	}
	_, hasType := o.m["type"]
	n.typeOnly = hasType && constraining == 1
	if n.ifN != nil && n.thenN == nil && n.elseN == nil {
		n.ifN = nil // an if alone asserts nothing
	}
	return nil
}

func number(v any) (float64, bool) {
	num, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(num), 64)
	if err != nil && !strings.Contains(err.Error(), "range") {
		return 0, false
	}
	return f, true
}

func ratOf(num json.Number) (*big.Rat, bool) {
	if num == "" || len(num) > 400 {
		return nil, false
	}
	return new(big.Rat).SetString(string(num))
}

// compilePattern parses an ECMA-262 pattern as Go's regexp does (the
// project's validator does the same), keeping the parse tree to generate
// from.
func compilePattern(src string) (*pattern, error) {
	if len(src) > 4096 {
		return nil, fmt.Errorf("longer than 4096 bytes")
	}
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, err
	}
	syn, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return nil, err
	}
	return &pattern{src: src, re: re, syn: syn.Simplify()}, nil
}
