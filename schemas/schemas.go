package schemas

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/orderhooks/orderhooks/internal/errs"
	"github.com/orderhooks/orderhooks/internal/platform"
)

// Names of the embedded schemas. The strict variants are derived from the
// loose ones when the package loads (see Schema.Source for the result).
const (
	PhasioOrder                = platform.SchemaPhasioOrder
	PhasioOrderStrict          = "phasio/order-strict"
	PhasioQuoteConverted       = platform.SchemaPhasioQuoteConverted
	PhasioQuoteConvertedStrict = "phasio/quote-converted-strict"
	HappyColisOrderEvent       = platform.SchemaHappyColisOrderEvent
	HappyColisOrderEventStrict = "happycolis/order-event-strict"
)

//go:embed phasio/*.json happycolis/*.json
var files embed.FS

// ErrUnknownSchema is returned for a schema name that is not embedded.
var ErrUnknownSchema = errors.New("schemas: unknown schema")

// ErrInvalidJSON is wrapped by ValidateJSON and Decode when the document is not JSON.
var ErrInvalidJSON = errors.New("schemas: invalid JSON")

// ErrCompile is wrapped by Compile when a schema document is not a valid schema.
var ErrCompile = errors.New("schemas: bad schema")

// Schema is one compiled schema; it is immutable and safe for concurrent use.
type Schema struct {
	name   string
	title  string
	source []byte
	s      *jsonschema.Schema
}

// Name returns the schema's name, e.g. "phasio/order".
func (s *Schema) Name() string { return s.name }

// Title returns the schema's one-line title (its "title" keyword).
func (s *Schema) Title() string { return s.title }

// Source returns the schema document (JSON): as embedded for the loose
// schemas, as derived for the strict variants.
func (s *Schema) Source() []byte { return bytes.Clone(s.source) }

var (
	loadOnce sync.Once
	loaded   map[string]*Schema
	loadErr  error
)

// load compiles every embedded schema once.
func load() (map[string]*Schema, error) {
	loadOnce.Do(func() {
		loaded, loadErr = compileAll(files)
	})
	return loaded, loadErr
}

// newCompiler returns a compiler configured the same way for embedded and
// caller-supplied schemas: draft 2020-12 and formats asserted.
func newCompiler() *jsonschema.Compiler {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.UseLoader(embeddedLoader{})
	return c
}

// embeddedLoader serves the embedded schemas by their URL, so a caller's
// schema may refer to them (an event of a provider definition built on
// the Phasio order, say); every other URL is refused.
type embeddedLoader struct{}

func (embeddedLoader) Load(url string) (any, error) {
	src, err := LoadURL(url)
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(src))
}

// LoadURL returns the source of the embedded schema whose URL is url
// (its $id, e.g. https://orderhooks.dev/schemas/phasio/order.json): what
// another JSON Schema tool needs to resolve a reference to it.
func LoadURL(url string) ([]byte, error) {
	name, ok := strings.CutPrefix(url, resourceURL(""))
	if !ok || path.Ext(name) != ".json" {
		return nil, fmt.Errorf("%w: %s: only the embedded schemas (%s…) can be referred to", ErrUnknownSchema, url, resourceURL(""))
	}
	src, err := files.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: no such embedded schema", ErrUnknownSchema, url)
	}
	return src, nil
}

// walkSchemas calls fn with the name and path of each schema file of fsys:
// every .json file, named by its path without the extension.
func walkSchemas(fsys fs.FS, fn func(name, p string) error) error {
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".json" {
			return err
		}
		return fn(strings.TrimSuffix(p, ".json"), p)
	})
}

func compileAll(fsys fs.FS) (map[string]*Schema, error) {
	sources := map[string][]byte{}
	err := walkSchemas(fsys, func(name, p string) error {
		b, err := fs.ReadFile(fsys, p)
		sources[name] = b
		return err
	})
	if err != nil {
		return nil, err
	}
	for loose, strict := range strictOf {
		src, ok := sources[loose]
		if !ok {
			return nil, fmt.Errorf("%w: %s: missing, its strict variant %s derives from it", ErrCompile, loose, strict)
		}
		if sources[strict], err = deriveStrict(loose, src); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrCompile, strict, err)
		}
	}
	c := newCompiler()
	for name, src := range sources {
		if err := addResource(c, name, src); err != nil {
			return nil, err
		}
	}
	out := make(map[string]*Schema, len(sources))
	for name, src := range sources {
		s, err := compile(c, name, src)
		if err != nil {
			return nil, err
		}
		out[name] = s
	}
	return out, nil
}

func addResource(c *jsonschema.Compiler, name string, src []byte) error {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(src))
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrCompile, name, err)
	}
	if vs := numberViolations(doc); len(vs) > 0 {
		sortViolations(vs)
		return fmt.Errorf("%w: %s: %s", ErrCompile, name, vs[0])
	}
	if err := c.AddResource(resourceURL(name+".json"), doc); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrCompile, name, err)
	}
	return nil
}

func compile(c *jsonschema.Compiler, name string, src []byte) (*Schema, error) {
	var s *jsonschema.Schema
	err := guard("compiling", func() (err error) {
		s, err = c.Compile(resourceURL(name + ".json"))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrCompile, name, err)
	}
	var meta struct {
		Title string `json:"title"`
	}
	_ = json.Unmarshal(src, &meta) // the compiler has parsed src already
	return &Schema{name: name, title: meta.Title, source: src, s: s}, nil
}

func resourceURL(p string) string { return "https://orderhooks.dev/schemas/" + p }

// Compile compiles a caller's own self-contained schema document (draft
// 2020-12 unless it says otherwise, formats asserted) so that other packages
// validate their file formats with the same *ValidationError and pointers.
// name labels errors and is the schema's Name; it should be unique, e.g.
// "scenario/v1". References may point inside source and to the embedded
// schemas by their URL (https://orderhooks.dev/schemas/phasio/order.json).
func Compile(name string, source []byte) (*Schema, error) {
	c := newCompiler()
	if err := addResource(c, name, source); err != nil {
		return nil, err
	}
	return compile(c, name, bytes.Clone(source))
}

// MustCompile is Compile for package-level variables; it panics on error.
func MustCompile(name string, source []byte) *Schema {
	s, err := Compile(name, source)
	if err != nil {
		panic(err)
	}
	return s
}

// Names lists the embedded schema names, sorted: those of the embedded
// files and their strict variants, read without compiling any (a
// definition naming a built-in schema checks the name against them).
func Names() []string {
	names := slices.Collect(maps.Values(strictOf))
	err := walkSchemas(files, func(name, _ string) error {
		names = append(names, name)
		return nil
	})
	if err != nil {
		panic(err) // an embedded directory reads
	}
	sort.Strings(names)
	return names
}

// All returns every embedded schema, sorted by name.
func All() []*Schema {
	m := mustLoad()
	out := make([]*Schema, 0, len(m))
	for _, n := range Names() {
		out = append(out, m[n])
	}
	return out
}

func mustLoad() map[string]*Schema {
	m, err := load()
	if err != nil {
		panic(err) // embedded schemas are checked by the tests
	}
	return m
}

// Get returns the compiled schema called name; an unknown name is an
// *errs.OptionError of option "name" (wrapping ErrUnknownSchema), with the
// closest name.
func Get(name string) (*Schema, error) {
	s, ok := mustLoad()[name]
	if !ok {
		return nil, &errs.OptionError{Package: "schemas", Option: "name", Value: name,
			Want: "not a schema (" + strings.Join(Names(), ", ") + ")", Known: Names(), Err: ErrUnknownSchema}
	}
	return s, nil
}

// SourceOf is the document of the embedded schema name, as its Source
// (a strict variant derived from its loose schema), read without
// compiling any schema: what a reader of the document's properties
// needs, not a validator.
func SourceOf(name string) ([]byte, error) {
	loose := name
	for l, strict := range strictOf {
		if strict == name {
			loose = l
		}
	}
	src, err := files.ReadFile(loose + ".json")
	if err != nil {
		_, err := Get(name) // the unknown name's error
		return nil, err
	}
	if loose != name {
		return deriveStrict(loose, src)
	}
	return src, nil
}

// MustGet is Get for package-level variables and tests; it panics on an unknown name.
func MustGet(name string) *Schema {
	s, err := Get(name)
	if err != nil {
		panic(err)
	}
	return s
}

// Validate checks the JSON document doc against the schema called name.
func Validate(name string, doc []byte) error {
	s, err := Get(name)
	if err != nil {
		return err
	}
	return s.ValidateJSON(doc)
}

// ValidateJSON decodes doc (numbers kept exact) and validates it. A document
// that is not JSON gives an error wrapping ErrInvalidJSON; a document that
// breaks the schema gives a *ValidationError.
func (s *Schema) ValidateJSON(doc []byte) error {
	v, err := Decode(doc)
	if err != nil {
		return err
	}
	return s.Validate(v)
}

// Validate checks an already decoded document (as from Decode or
// encoding/json with UseNumber) and returns nil or a *ValidationError.
//
// Numbers beyond MaxNumberDigits or MaxNumberExponent are violations
// ("number out of range") found before the schema is applied. Should the
// validator fail nonetheless, the error wraps ErrInternal: a document
// never stops the program.
func (s *Schema) Validate(v any) (err error) {
	if vs := numberViolations(v); len(vs) > 0 {
		sortViolations(vs)
		return &ValidationError{Schema: s.name, Violations: vs}
	}
	err = guard("validating against "+s.name, func() error { return s.s.Validate(v) })
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	return newValidationError(s.name, ve)
}

// ForEvent names the schema an event's payload must satisfy: Quote Converted
// has its own rules, the other Phasio order triggers share phasio/order, and
// every HappyColis order/* event is an envelope. strict selects the
// no-extra-fields variant. Events without a schema (Phasio's customer or
// cart triggers, say) give an error wrapping ErrUnknownSchema.
func ForEvent(provider, event string, strict bool) (string, error) {
	p, _ := platform.Get(provider)
	var ev platform.Event
	ok := p != nil
	if ok {
		ev, ok = p.Event(event)
	}
	if !ok {
		return "", fmt.Errorf("%w for provider %q event %q", ErrUnknownSchema, provider, event)
	}
	name := ev.Schema
	if strict {
		name = strictOf[name]
	}
	return name, nil
}

// Documents compiles schemas where they stand inside larger documents (an
// OpenAPI or AsyncAPI document and the files it refers to), served as JSON
// by load, with one compiler: each document is parsed once however many of
// its schemas are compiled. It is safe for concurrent use.
type Documents struct {
	mu sync.Mutex
	c  *jsonschema.Compiler
}

// NewDocuments returns a Documents reading documents with load (an
// absolute URI without fragment → the document's JSON); the embedded
// schemas are reachable by their URL as for Compile.
func NewDocuments(load func(uri string) ([]byte, error)) *Documents {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.UseLoader(docLoader(load))
	return &Documents{c: c}
}

// docLoader serves the caller's documents, then the embedded schemas.
type docLoader func(uri string) ([]byte, error)

func (l docLoader) Load(url string) (any, error) {
	src, err := l(url)
	if err != nil {
		if src, lerr := LoadURL(url); lerr == nil {
			return jsonschema.UnmarshalJSON(bytes.NewReader(src))
		}
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(src))
}

// Compile compiles the schema at location loc (an absolute URI whose
// fragment is a JSON pointer); name labels errors and is the Schema's Name.
// Source is the schema's own JSON text ($refs left as written).
func (d *Documents) Compile(name, loc string, source []byte) (*Schema, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var s *jsonschema.Schema
	err := guard("compiling", func() (err error) {
		s, err = d.c.Compile(loc)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrCompile, name, err)
	}
	var meta struct {
		Title string `json:"title"`
	}
	_ = json.Unmarshal(source, &meta)
	return &Schema{name: name, title: meta.Title, source: bytes.Clone(source), s: s}, nil
}
