package schemas

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing/fstest"

	"github.com/orderhooks/orderhooks/internal/errs"
	"github.com/orderhooks/orderhooks/internal/input"
	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/suggest"
)

// OverlayVersion is the overlay format version this package reads.
const OverlayVersion = 1

// ErrOverlay is wrapped by every *OverlayError.
var ErrOverlay = errors.New("schemas: bad overlay")

// Overlay adapts the embedded schemas to what a platform really sends:
// JSON Patch operations (RFC 6902) against named schema documents. Drift
// analysis writes one (a field the documentation omits is added, an enum
// gains the value seen, a type admits null); Apply compiles the patched
// set. Only the loose schemas are patched: their strict variants are
// derived from the patched documents, as from the embedded ones.
//
// The file format is JSON:
//
//	{
//	  "version": 1,
//	  "description": "what the platform sent, 2025-06-15",
//	  "patches": {
//	    "phasio/order": [
//	      {"op": "add", "path": "/properties/leadTimeDays", "value": {"type": "integer"}}
//	    ]
//	  }
//	}
type Overlay struct {
	Version     int    `json:"version"`
	Description string `json:"description,omitempty"`
	// Patches maps a loose schema's name to the operations applied to it,
	// in order.
	Patches map[string][]PatchOp `json:"patches"`

	source string // file name, for errors
	data   []byte // the file, for the lines of errors
}

// PatchOp is one JSON Patch operation. Op is add, remove, replace, move,
// copy or test; Path (and From, for move and copy) are JSON pointers into
// the schema document; Value is the JSON value of add, replace and test.
type PatchOp struct {
	Op    string          `json:"op"`
	Path  string          `json:"path"`
	From  string          `json:"from,omitempty"`
	Value json.RawMessage `json:"value,omitempty"`
}

// OverlayError says what is wrong with an overlay: at which pointer of the
// overlay file (and line, when the overlay was read from one), what.
type OverlayError struct {
	// Source names the overlay (its file, or "overlay").
	Source string
	// Line is the 1-based line of the problem in the file, 0 when unknown.
	Line int
	// Pointer locates the problem in the overlay document, e.g.
	// /patches/phasio~1order/3/path.
	Pointer string
	Msg     string
}

func (e *OverlayError) Error() string { return errs.At(e.Source, e.Line, e.Pointer, e.Msg) }

// Unwrap returns ErrOverlay.
func (e *OverlayError) Unwrap() error { return ErrOverlay }

func (o *Overlay) errorf(ptr, format string, args ...any) error {
	src := o.source
	if src == "" {
		src = "overlay"
	}
	line := 0
	if o.data != nil {
		line = LineOf(o.data, ptr)
	}
	return &OverlayError{Source: src, Line: line, Pointer: ptr, Msg: fmt.Sprintf(format, args...)}
}

// ParseOverlay reads an overlay document; source names it in errors.
// Every operation is checked here (known schema, known op, pointers well
// formed, value present where needed), so Apply fails only on an
// operation that does not fit the schema it patches.
func ParseOverlay(data []byte, source string) (*Overlay, error) {
	o := &Overlay{source: source, data: bytes.Clone(data)}
	if _, err := Decode(data); err != nil {
		var se *SyntaxError
		if errors.As(err, &se) {
			return nil, &OverlayError{Source: o.errSource(), Line: se.Line, Msg: se.Err.Error()}
		}
		return nil, o.errorf("", "%v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(o); err != nil {
		return nil, o.errorf("", "%s", input.JSONError(err))
	}
	if err := o.validate(); err != nil {
		return nil, err
	}
	return o, nil
}

// validate checks everything but the fit of each operation to its schema.
func (o *Overlay) validate() error {
	if o.Version != OverlayVersion {
		return o.errorf("/version", "unsupported overlay version %d (this orderhooks reads version %d)", o.Version, OverlayVersion)
	}
	if len(o.Patches) == 0 {
		return o.errorf("/patches", "no patches")
	}
	loose := looseNames()
	for _, name := range o.schemaNames() {
		at := "/patches/" + jsonptr.Escape(name)
		if strict, ok := strictOf[strings.TrimSuffix(name, "-strict")]; ok && strict == name {
			return o.errorf(at, "%s is derived from %s when orderhooks loads: patch %s instead", name, strings.TrimSuffix(name, "-strict"), strings.TrimSuffix(name, "-strict"))
		}
		if _, ok := loose[name]; !ok {
			known := slices.Sorted(maps.Keys(loose))
			return o.errorf(at, "unknown schema %q (known: %s)%s", name, strings.Join(known, ", "), suggest.Hint(name, known, nil))
		}
		for i, op := range o.Patches[name] {
			if err := o.check(at+"/"+strconv.Itoa(i), op); err != nil {
				return err
			}
		}
	}
	return nil
}

func (o *Overlay) errSource() string {
	if o.source == "" {
		return "overlay"
	}
	return o.source
}

// LoadOverlay reads the overlay file at path (at most the schema file
// limit, 4 MiB).
func LoadOverlay(path string) (*Overlay, error) {
	data, err := input.ReadFile(path, input.SchemaFile)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrOverlay, err)
	}
	return ParseOverlay(data, path)
}

func (o *Overlay) check(at string, op PatchOp) error {
	switch op.Op {
	case "add", "replace", "test":
		if op.Value == nil {
			return o.errorf(at, "%s needs a value", op.Op)
		}
	case "move", "copy":
		if _, err := patchPointer(op.From); err != nil {
			return o.errorf(at, "from: %v", err)
		}
	case "remove":
	default:
		return o.errorf(at, "unknown op %q (add, remove, replace, move, copy, test)%s", op.Op,
			suggest.Hint(op.Op, []string{"add", "remove", "replace", "move", "copy", "test"}, nil))
	}
	if _, err := patchPointer(op.Path); err != nil {
		return o.errorf(at, "path: %v", err)
	}
	return nil
}

// Marshal writes the overlay as indented JSON that ParseOverlay reads back.
func (o *Overlay) Marshal() []byte {
	b, _ := json.MarshalIndent(o, "", "  ") // plain data: always encodes
	return append(b, '\n')
}

func (o *Overlay) schemaNames() []string { return slices.Sorted(maps.Keys(o.Patches)) }

// looseNames lists the embedded schema documents an overlay may patch.
func looseNames() map[string]bool {
	out := map[string]bool{}
	_ = fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && path.Ext(p) == ".json" {
			out[strings.TrimSuffix(p, ".json")] = true
		}
		return err
	})
	return out
}

// Set is a compiled set of schemas: the embedded ones (Embedded) or those
// with an overlay applied (Overlay.Apply). It is immutable and safe for
// concurrent use.
type Set struct {
	m map[string]*Schema
}

// Embedded returns the embedded schemas as a Set.
func Embedded() *Set { return &Set{m: mustLoad()} }

// Get returns the schema called name.
func (s *Set) Get(name string) (*Schema, error) {
	sc, ok := s.m[name]
	if !ok {
		return nil, &errs.OptionError{Package: "schemas", Option: "name", Value: name,
			Want: "not a schema (" + strings.Join(s.Names(), ", ") + ")", Known: s.Names(), Err: ErrUnknownSchema}
	}
	return sc, nil
}

// Names lists the set's schema names, sorted.
func (s *Set) Names() []string { return slices.Sorted(maps.Keys(s.m)) }

// All returns every schema of the set, sorted by name.
func (s *Set) All() []*Schema {
	out := make([]*Schema, 0, len(s.m))
	for _, n := range s.Names() {
		out = append(out, s.m[n])
	}
	return out
}

// Validate checks the JSON document doc against the set's schema called name.
func (s *Set) Validate(name string, doc []byte) error {
	sc, err := s.Get(name)
	if err != nil {
		return err
	}
	return sc.ValidateJSON(doc)
}

// Apply patches the embedded loose schemas, derives their strict variants
// again and compiles the set. An operation that does not fit its document
// (a path to nothing, a failed test) or a patched document that is no
// longer a valid schema is an *OverlayError naming the operation.
func (o *Overlay) Apply() (*Set, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	mfs := fstest.MapFS{}
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(files, p)
		mfs[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, name := range o.schemaNames() {
		file := name + ".json"
		doc, err := parseOrdered(mfs[file].Data)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrCompile, name, err) // embedded: checked by the tests
		}
		for i, op := range o.Patches[name] {
			at := "/patches/" + jsonptr.Escape(name) + "/" + strconv.Itoa(i)
			if doc, err = applyOp(doc, op); err != nil {
				return nil, o.errorf(at, "%s %s: %v", op.Op, op.Path, err)
			}
		}
		var buf, out bytes.Buffer
		encodeOrdered(&buf, doc)
		_ = json.Indent(&out, buf.Bytes(), "", "  ") // encodeOrdered writes valid JSON
		out.WriteByte('\n')
		mfs[file] = &fstest.MapFile{Data: out.Bytes()}
	}
	m, err := compileAll(mfs)
	if err != nil {
		return nil, o.errorf("/patches", "the patched schemas do not compile: %v", err)
	}
	return &Set{m: m}, nil
}

// patchPointer splits an RFC 6901 pointer ("" is the whole document).
func patchPointer(p string) ([]string, error) {
	toks, err := jsonptr.Parse(p)
	if err != nil {
		return nil, err
	}
	return toks, nil
}

func applyOp(doc any, op PatchOp) (any, error) {
	toks, _ := patchPointer(op.Path) // checked by ParseOverlay
	switch op.Op {
	case "add", "replace", "test":
		val, err := parseOrdered(op.Value)
		if err != nil {
			return nil, fmt.Errorf("value: %v", err)
		}
		switch op.Op {
		case "add":
			return addAt(doc, toks, val)
		case "replace":
			if _, err := valueAt(doc, toks); err != nil {
				return nil, err
			}
			if doc, err = removeAt(doc, toks); err != nil {
				return nil, err
			}
			return addAt(doc, toks, val)
		}
		got, err := valueAt(doc, toks)
		if err != nil {
			return nil, err
		}
		if !reflect.DeepEqual(plain(got), plain(val)) {
			return nil, errors.New("test failed: the value differs")
		}
		return doc, nil
	case "remove":
		return removeAt(doc, toks)
	}
	from, _ := patchPointer(op.From)
	val, err := valueAt(doc, from)
	if err != nil {
		return nil, fmt.Errorf("from %s: %v", op.From, err)
	}
	if op.Op == "move" {
		if len(from) < len(toks) && reflect.DeepEqual(from, toks[:len(from)]) {
			return nil, errors.New("cannot move a value into itself")
		}
		if doc, err = removeAt(doc, from); err != nil {
			return nil, err
		}
	} else {
		var buf bytes.Buffer
		encodeOrdered(&buf, val)
		val, _ = parseOrdered(buf.Bytes()) // a deep copy
	}
	return addAt(doc, toks, val)
}

// valueAt returns the value at toks.
func valueAt(doc any, toks []string) (any, error) {
	for i, t := range toks {
		switch x := doc.(type) {
		case object:
			v, ok := x.Get(t)
			if !ok {
				return nil, fmt.Errorf("no member %q at %s", t, joinPtr(toks[:i]))
			}
			doc = v
		case []any:
			n, err := arrayIndex(t, len(x), false)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", joinPtr(toks[:i+1]), err)
			}
			doc = x[n]
		default:
			return nil, fmt.Errorf("%s is not an object or array", joinPtr(toks[:i]))
		}
	}
	return doc, nil
}

func arrayIndex(tok string, n int, end bool) (int, error) {
	if i, ok := jsonptr.Index(tok, n, end); ok {
		return i, nil
	}
	if i, err := strconv.Atoi(tok); err == nil && i >= 0 && tok[0] != '0' {
		return 0, fmt.Errorf("index %d is beyond the array's %d items", i, n)
	}
	return 0, fmt.Errorf("%q is not an array index", tok)
}

// addAt adds val at toks: an object member set, an array item inserted.
func addAt(doc any, toks []string, val any) (any, error) {
	if len(toks) == 0 {
		return val, nil
	}
	return editParent(doc, toks, func(o object, last string) (any, error) {
		return o.With(last, val), nil
	}, func(a []any, last string) (any, error) {
		i, err := arrayIndex(last, len(a), true)
		if err != nil {
			return nil, err
		}
		arr := make([]any, 0, len(a)+1)
		return append(append(append(arr, a[:i]...), val), a[i:]...), nil
	})
}

// removeAt removes the member or item at toks.
func removeAt(doc any, toks []string) (any, error) {
	if len(toks) == 0 {
		return nil, errors.New("cannot remove the whole document")
	}
	return editParent(doc, toks, func(o object, last string) (any, error) {
		out := o.With(last, nil)
		if o.Index(last) < 0 || !out.Remove(last) {
			return nil, fmt.Errorf("no member %q at %s", last, joinPtr(toks[:len(toks)-1]))
		}
		return out, nil
	}, func(a []any, last string) (any, error) {
		i, err := arrayIndex(last, len(a), false)
		if err != nil {
			return nil, err
		}
		return append(append([]any{}, a[:i]...), a[i+1:]...), nil
	})
}

// editParent replaces the container holding toks' last token by what
// the function for its kind makes of it.
func editParent(doc any, toks []string, inObject func(object, string) (any, error), inArray func([]any, string) (any, error)) (any, error) {
	parent, err := valueAt(doc, toks[:len(toks)-1])
	if err != nil {
		return nil, err
	}
	last := toks[len(toks)-1]
	var updated any
	switch x := parent.(type) {
	case object:
		updated, err = inObject(x, last)
	case []any:
		updated, err = inArray(x, last)
	default:
		return nil, fmt.Errorf("%s is not an object or array", joinPtr(toks[:len(toks)-1]))
	}
	if err != nil {
		return nil, err
	}
	return setAt(doc, toks[:len(toks)-1], updated)
}

// setAt replaces the value at toks (which exists) by val, copying the
// containers on the way so earlier versions stay as they were.
func setAt(doc any, toks []string, val any) (any, error) {
	if len(toks) == 0 {
		return val, nil
	}
	child, err := valueAt(doc, toks[:1])
	if err != nil {
		return nil, err
	}
	nv, err := setAt(child, toks[1:], val)
	if err != nil {
		return nil, err
	}
	switch x := doc.(type) {
	case object:
		return x.With(toks[0], nv), nil
	case []any:
		i, _ := arrayIndex(toks[0], len(x), false) // valueAt checked it
		out := append([]any{}, x...)
		out[i] = nv
		return out, nil
	}
	return nil, fmt.Errorf("%s is not an object or array", joinPtr(toks[:1]))
}

func joinPtr(toks []string) string {
	if len(toks) == 0 {
		return "the root"
	}
	return pointer(toks)
}

// plain is an ordered value as Decode gives it (maps, numbers as written),
// for comparisons in which member order does not count.
func plain(v any) any {
	var buf bytes.Buffer
	encodeOrdered(&buf, v)
	out, _ := Decode(buf.Bytes()) // encodeOrdered writes valid JSON
	return out
}
