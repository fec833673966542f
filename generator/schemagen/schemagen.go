package schemagen

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Defaults of the options; each bounds the work or the output.
const (
	// DefaultBaseURI is the URI of the document given to Load; relative
	// $refs to other documents resolve against it.
	DefaultBaseURI = "mem:///schema.json"
	// DefaultMaxDepth is the nesting depth (objects and arrays) past which
	// only required content is generated, so recursive schemas end.
	DefaultMaxDepth = 6
	// DefaultMaxBytes bounds one payload; past half of it only required
	// content is generated, past all of it generation fails with ErrTooHard.
	DefaultMaxBytes = 1 << 20
	// DefaultMaxCases bounds the cases EdgeCases returns.
	DefaultMaxCases = 500
	// MaxDocumentBytes bounds a document given to Load or returned by a
	// Loader.
	MaxDocumentBytes = 64 << 20
)

// Loader returns the JSON document at an absolute URI, for $refs that leave
// the document given to Load. The URI has no fragment.
type Loader func(uri string) ([]byte, error)

// Option configures Load and New.
type Option func(*options)

type options struct {
	loader   Loader
	base     string
	maxDepth int
	maxBytes int
	maxCases int
}

// WithLoader lets $refs reach other documents; without it they are
// refused with ErrInvalidSchema.
func WithLoader(l Loader) Option { return func(o *options) { o.loader = l } }

// WithBaseURI sets the URI of the document given to Load (default
// DefaultBaseURI), against which its relative $refs resolve.
func WithBaseURI(uri string) Option { return func(o *options) { o.base = uri } }

// WithMaxDepth sets the nesting depth past which only required content is
// generated (default DefaultMaxDepth).
func WithMaxDepth(n int) Option { return func(o *options) { o.maxDepth = n } }

// WithMaxBytes bounds the size of one payload (default DefaultMaxBytes).
func WithMaxBytes(n int) Option { return func(o *options) { o.maxBytes = n } }

// WithMaxCases bounds the number of edge cases (default DefaultMaxCases).
func WithMaxCases(n int) Option { return func(o *options) { o.maxCases = n } }

// Document is a parsed JSON document holding one or more schemas (a schema
// file, an OpenAPI document, an AsyncAPI document), with the documents its
// $refs reach. It is safe for concurrent use.
type Document struct {
	opts options

	mu    sync.Mutex
	docs  map[string]*loaded // by absolute URI without fragment
	nodes map[string]*node   // by absolute location URI#pointer
	ids   map[string]string  // $id, $anchor and $dynamicAnchor URIs → location
	vc    *jsonschema.Compiler
}

type loaded struct {
	tree  any // *omap, []any, json.Number, string, bool or nil
	plain any // the same document as the validator reads it
}

// Load parses a JSON document. Schemas inside it are compiled on demand by
// Generator.
func Load(doc []byte, opts ...Option) (*Document, error) {
	o := options{base: DefaultBaseURI, maxDepth: DefaultMaxDepth, maxBytes: DefaultMaxBytes, maxCases: DefaultMaxCases}
	for _, opt := range opts {
		opt(&o)
	}
	if o.maxDepth < 1 {
		o.maxDepth = 1
	}
	if o.maxBytes < 64 {
		o.maxBytes = 64
	}
	if o.maxCases < 1 {
		o.maxCases = 1
	}
	base, err := url.Parse(o.base)
	if err != nil || !base.IsAbs() {
		return nil, &Error{Pointer: o.base, Reason: "base URI must be absolute", Err: ErrInvalidSchema}
	}
	base.Fragment = ""
	o.base = base.String()
	d := &Document{opts: o, docs: map[string]*loaded{}, nodes: map[string]*node{}, ids: map[string]string{}}
	if err := d.add(o.base, doc); err != nil {
		return nil, err
	}
	d.vc = jsonschema.NewCompiler()
	d.vc.DefaultDraft(jsonschema.Draft2020)
	d.vc.AssertFormat()
	d.vc.UseLoader(urlLoader{d})
	if err := d.vc.AddResource(o.base, d.docs[o.base].plain); err != nil {
		return nil, &Error{Pointer: "#", Reason: oneLine(err), Err: ErrInvalidSchema}
	}
	return d, nil
}

// add parses and registers the document at uri.
func (d *Document) add(uri string, data []byte) error {
	if len(data) > MaxDocumentBytes {
		return &Error{Pointer: d.display(uri + "#"), Reason: fmt.Sprintf("document larger than %d bytes", MaxDocumentBytes), Err: ErrInvalidSchema}
	}
	tree, err := decodeOrdered(data)
	if err != nil {
		return &Error{Pointer: d.display(uri + "#"), Reason: "not JSON: " + err.Error(), Err: ErrInvalidSchema}
	}
	p, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return &Error{Pointer: d.display(uri + "#"), Reason: "not JSON: " + err.Error(), Err: ErrInvalidSchema}
	}
	d.docs[uri] = &loaded{tree: tree, plain: p}
	d.scanIDs(uri, uri, "", tree, 0)
	return nil
}

// fetch returns the document at uri, loading it with the Loader once.
func (d *Document) fetch(uri string) (*loaded, error) {
	if l, ok := d.docs[uri]; ok {
		return l, nil
	}
	if d.opts.loader == nil {
		return nil, fmt.Errorf("%s is another document and no Loader was given", uri)
	}
	data, err := d.opts.loader(uri)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", uri, err)
	}
	if err := d.add(uri, data); err != nil {
		return nil, err
	}
	return d.docs[uri], nil
}

// urlLoader serves the validator the same documents the generator reads.
type urlLoader struct{ d *Document }

// Load is called by the validator's compiler, under d.mu.
func (l urlLoader) Load(uri string) (any, error) {
	doc, err := l.d.fetch(uri)
	if err != nil {
		return nil, err
	}
	return doc.plain, nil
}

// display turns an absolute location into the form errors show: "#/ptr" in
// the main document, "URI#/ptr" elsewhere.
func (d *Document) display(loc string) string {
	if rest, ok := strings.CutPrefix(loc, d.opts.base+"#"); ok {
		return "#" + rest
	}
	return loc
}

// Generator generates JSON values that validate against one schema. It is
// immutable and safe for concurrent use.
type Generator struct {
	d     *Document
	root  *node
	check func(any) error // the schema's validator
}

// Generator compiles the schema at pointer (an RFC 6901 JSON pointer; ""
// is the whole document), e.g.
// "/webhooks/newPet/post/requestBody/content/application~1json/schema".
func (d *Document) Generator(pointer string) (*Generator, error) {
	if _, ok := splitPointer(pointer); !ok {
		return nil, &Error{Pointer: pointer, Reason: "not a JSON pointer", Err: ErrInvalidSchema}
	}
	return d.generatorAt(d.opts.base+"#"+pointer, nil)
}

// GeneratorAt compiles the schema at location loc, an absolute URI whose
// fragment is a JSON pointer: in the document given to Load or in one its
// $refs reach through the Loader (an AsyncAPI message defined in another
// file, say).
func (d *Document) GeneratorAt(loc string) (*Generator, error) {
	return d.GeneratorValidated(loc, nil)
}

// GeneratorValidated is GeneratorAt with validate as the validator every
// generated value must pass, in place of the one the document would
// compile for loc: a caller that has compiled the schema at loc already,
// to check payloads, has it compiled once instead of twice (a large
// document's schemas cost seconds to compile). validate takes the decoded
// value (objects as map[string]any, numbers as json.Number) and must accept
// what the schema accepts; nil compiles the document's own.
func (d *Document) GeneratorValidated(loc string, validate func(v any) error) (*Generator, error) {
	uri, frag, _ := strings.Cut(loc, "#")
	p, err := url.PathUnescape(frag)
	if _, ok := splitPointer(p); err != nil || !ok {
		return nil, &Error{Pointer: loc, Reason: "not a location (URI#/pointer)", Err: ErrInvalidSchema}
	}
	if uri != d.opts.base {
		d.mu.Lock()
		_, err := d.fetch(uri)
		d.mu.Unlock()
		if err != nil {
			return nil, &Error{Pointer: loc, Reason: oneLine(err), Err: ErrInvalidSchema}
		}
	}
	return d.generatorAt(uri+"#"+p, validate)
}

func (d *Document) generatorAt(loc string, check func(any) error) (*Generator, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if check == nil {
		s, err := d.vc.Compile(loc)
		if err != nil {
			return nil, &Error{Pointer: d.display(loc), Reason: oneLine(err), Err: ErrInvalidSchema}
		}
		check = s.Validate
	}
	c := compiler{d: d}
	root, err := c.node(loc, 0)
	if err != nil {
		return nil, err
	}
	return &Generator{d: d, root: root, check: check}, nil
}

// New compiles the schema document schema for generation: Load then
// Generator("").
func New(schema []byte, opts ...Option) (*Generator, error) {
	d, err := Load(schema, opts...)
	if err != nil {
		return nil, err
	}
	return d.Generator("")
}

// Generate returns one payload, compact JSON with properties in the
// schema's order. The same seed gives the same bytes.
func (g *Generator) Generate(seed int64) ([]byte, error) {
	v, err := g.value(seed, nil)
	if err != nil {
		return nil, err
	}
	return appendJSON(nil, v), nil
}

// value generates a payload that the compiled schema accepts, trying again
// with derived streams when a draw breaks a constraint the construction
// does not guarantee (oneOf exclusivity, not, uniqueItems across branches).
func (g *Generator) value(seed int64, rec *recorder) (any, error) {
	s := newState(g, seed)
	var lastErr error
	for attempt := 0; attempt < rootAttempts; attempt++ {
		s.reset(seed, uint64(attempt))
		if rec != nil {
			rec.reset()
			s.rec = rec
		}
		v, err := s.gen([]*node{g.root}, "", "")
		if err != nil {
			if isHard(err) {
				return nil, err
			}
			lastErr = err
			continue
		}
		if err := g.check(plain(v)); err != nil {
			lastErr = &Error{Pointer: g.d.display(g.root.loc), Reason: "generated value failed validation: " + oneLine(err), Err: ErrTooHard}
			continue
		}
		return v, nil
	}
	return nil, lastErr
}

// rootAttempts bounds the whole-payload retries.
const rootAttempts = 8

func oneLine(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
