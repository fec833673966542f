package provider

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/orderhooks/orderhooks/internal/jsonptr"

	"github.com/orderhooks/orderhooks/internal/input"
	"github.com/orderhooks/orderhooks/internal/jsontree"
	"github.com/orderhooks/orderhooks/internal/suggest"
	"github.com/orderhooks/orderhooks/internal/yamljson"
	"github.com/orderhooks/orderhooks/schemas"
)

// FormatVersion is the definition format this package reads.
const FormatVersion = 1

// Values of the format's enumerations that code compares against.
const (
	KeyUTF8    = "utf8"
	KeyDecoded = "decoded"

	NonceStart = "start"
	NonceEnd   = "end"

	// JoinNone is signing.join's "none": one signature, one secret.
	JoinNone = "none"

	EncodingText      = "text"
	EncodingHex       = "hex"
	EncodingBase64    = "base64"
	EncodingBase64URL = "base64url"

	AlgorithmHMACSHA256 = "hmac-sha256"
	AlgorithmHMACSHA512 = "hmac-sha512"
	AlgorithmEd25519    = "ed25519"

	TimeUnix    = "unix"
	TimeUnixMS  = "unix-ms"
	TimeRFC3339 = "rfc3339"

	OrderingPerKey = "per-key"
	OrderingFIFO   = "fifo"
	OrderingNone   = "none"

	OnFailureRetry = "retry"
	OnFailureBlock = "block"
)

// DefaultTolerance is timestamp.tolerance when a definition names none.
const DefaultTolerance = 5 * time.Minute

// limits bound a definition file once its YAML aliases are expanded.
var limits = yamljson.Limits{Expansion: input.ProviderExpansion, Nodes: input.MaxValues, Depth: 64}

// Option changes how a definition is read.
type Option func(*options)

type options struct {
	fsys    fs.FS
	dir     string
	refRoot string
	events  []string
	remote  bool
	ctx     context.Context // nil: never interrupted; dropped once built
	key     []string        // FromSpec: events.import.key, nil: the signer's
	compare []string        // FromSpec: events.import.compare, nil: the signer's
	// signingOnly: LoadSigning's, events.import's document is not read.
	signingOnly bool
	// builtins resolves events.from while the built-ins themselves are
	// parsed; nil: the built-ins.
	builtins map[string]builtinResult
}

// WithFS reads the files a definition refers to (schemas by $ref) from
// fsys instead of the operating system's file system; Load reads the
// definition itself from it too.
func WithFS(fsys fs.FS) Option { return func(o *options) { o.fsys = fsys } }

// WithRefRoot sets the directory that files referred to must be inside
// (default: the definition's own directory).
func WithRefRoot(dir string) Option { return func(o *options) { o.refRoot = dir } }

// WithContext stops reading a definition when ctx is done: the document
// events.import names (or FromSpec's) is read and its references resolved
// under ctx, and Load, Parse, New and FromSpec then return ctx's error
// (errors.Is(err, context.Canceled)) instead of the definition, at once
// even when a decode is under way. ctx is not kept: the definition's
// schemas compile, later, without it.
func WithContext(ctx context.Context) Option { return func(o *options) { o.ctx = ctx } }

// WithEvents keeps only the events whose names match one of the globs
// (path.Match syntax: ORDER*, issues.*).
func WithEvents(globs ...string) Option {
	return func(o *options) { o.events = append(o.events, globs...) }
}

func newOptions(opts []Option) *options {
	o := &options{}
	for _, f := range opts {
		if f != nil {
			f(o)
		}
	}
	return o
}

// Definition is a checked provider definition: immutable, safe for
// concurrent use. Values it returns (File's copy aside) must not be
// modified.
type Definition struct {
	f      *File
	source string // the file's name, in errors
	data   []byte // the bytes read, to locate pointers (nil for New)
	raw    []byte // the file's JSON form, as read (extends merged)
	digest string
	opts   *options

	tmpl   map[string]*Template // every template, by pointer into the file
	events []*Event
	byName map[string]*Event
	from   []*Origin
	envPtr map[string]string // envelope variable ({payload}, {sealed}, …) → pointer
	imp    *importShared     // events.import's document, nil without one
}

// Load reads the definition file at path (YAML or JSON); files it refers
// to are read relative to its directory.
func Load(path string, opts ...Option) (*Definition, error) {
	o := newOptions(opts)
	var data []byte
	var err error
	if o.fsys != nil {
		data, err = readFS(o.fsys, path, input.ProviderFile)
	} else {
		data, err = input.ReadFile(path, input.ProviderFile)
	}
	if err != nil {
		var ie *input.Error
		if errors.As(err, &ie) && ie.Line > 0 {
			return nil, encodingError(path, ie)
		}
		return nil, &Error{Class: ErrDefinition, File: path, Line: 1, Message: strings.TrimPrefix(err.Error(), path+": "), Err: err}
	}
	if o.dir == "" {
		o.dir = filepath.Dir(path)
	}
	return parse(data, path, o)
}

// LoadSigning reads the definition file at path as FromSpec's signer,
// which takes its request, signing, id, timestamp, encryption, delivery
// and events sections, not its events: it is checked as Load checks it,
// with the same problems at the same places, except that the document
// its events.import names is not read (FromSpec reads its own document
// in its place), so nothing that needs that document's events is
// checked. The definition returned has only its listed events.
func LoadSigning(path string, opts ...Option) (*Definition, error) {
	return Load(path, append(opts, func(o *options) { o.signingOnly = true })...)
}

// encodingError is the problem of a file that is not UTF-8, at its line:
// "FILE:8: invalid UTF-8 at column 24".
func encodingError(file string, ie *input.Error) *Error {
	return &Error{Class: ErrDefinition, File: file, Line: max(ie.Line, 1), Column: ie.Column,
		Message: fmt.Sprintf("%v at column %d", input.ErrEncoding, ie.Column), Err: ie}
}

// readFS reads a file of fsys within limit.
func readFS(fsys fs.FS, name string, limit input.Limit) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return input.ReadAll(f, name, limit)
}

// Parse reads a definition from data (YAML or JSON); source names it in
// errors. Every problem is reported, one a line, as
// "SOURCE:LINE: POINTER: message" (a *Error, or Problems for several).
func Parse(data []byte, source string, opts ...Option) (*Definition, error) {
	o := newOptions(opts)
	if o.dir == "" {
		o.dir = "."
	}
	return parse(data, source, o)
}

func parse(data []byte, source string, o *options) (*Definition, error) {
	fail := func(line int, ptr, format string, args ...any) error {
		e := &Error{Class: ErrDefinition, File: source, Line: line, Pointer: ptr, Message: fmt.Sprintf(format, args...)}
		if line == 0 {
			e.Line, e.Column = locate(data, ptr)
		}
		return e
	}
	if int64(len(data)) > input.ProviderFile.Bytes {
		return nil, fail(1, "", "larger than the %s", input.ProviderFile)
	}
	if err := input.CheckUTF8(data, "", 1); err != nil {
		var ie *input.Error
		errors.As(err, &ie)
		return nil, encodingError(source, ie)
	}
	raw, err := yamljson.ToJSON(data, limits)
	if err != nil {
		var ye *yamljson.Error
		if errors.As(err, &ye) {
			return nil, fail(max(ye.Line, 1), ye.Pointer, "%s", ye.Msg)
		}
		return nil, fail(1, "", "%v", err)
	}
	doc, err := schemas.Decode(raw)
	if err != nil {
		return nil, fail(1, "", "%v", err)
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, fail(1, "", "a definition is a mapping of sections (format, name, signing, events…), not %s", jsontree.Kind(doc))
	}
	if v, ok := m["format"]; ok && fmt.Sprint(v) != fmt.Sprint(FormatVersion) {
		return nil, fail(0, "/format", "this orderhooks reads format %d, not %v", FormatVersion, v)
	}
	ps := &problems{file: source, data: data}
	if err := formatSchema().Validate(doc); err != nil {
		var ve *schemas.ValidationError
		if !errors.As(err, &ve) {
			return nil, fail(1, "", "%v", err)
		}
		for _, v := range ve.Violations {
			ps.add(v.Pointer, "%s", v.Message)
		}
		return nil, ps.err()
	}
	checkDurations(doc, ps)
	if err := ps.err(); err != nil {
		return nil, err
	}
	if ext, ok := m["extends"].(string); ok {
		base, ok := builtinRaw(ext)
		if !ok {
			return nil, fail(0, "/extends", "%q is not a built-in definition (%s)%s", ext, strings.Join(Builtins(), ", "), suggest.Hint(ext, Builtins(), nil))
		}
		if raw, err = mergeTop(base, raw); err != nil {
			return nil, fail(0, "/extends", "%v", err)
		}
	}
	f := new(File)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(f); err != nil {
		return nil, fail(1, "", "%v", err)
	}
	return build(f, raw, ps, o)
}

// mergeTop returns base with every top-level member of over in its place.
func mergeTop(base, over []byte) ([]byte, error) {
	var b, o Ordered[json.RawMessage]
	if err := json.Unmarshal(base, &b); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(over, &o); err != nil {
		return nil, err
	}
	for i, k := range o.Keys {
		b.Set(k, o.Vals[i])
	}
	return json.Marshal(b)
}

// New checks f, as Parse checks what it reads; problems name pointers
// into f (no lines). It is for definitions made or edited in Go.
func New(f *File, source string, opts ...Option) (*Definition, error) {
	if f == nil {
		return nil, &Error{Class: ErrDefinition, File: source, Message: "no definition"}
	}
	o := newOptions(opts)
	if o.dir == "" {
		o.dir = "."
	}
	raw, err := json.Marshal(f)
	if err != nil {
		return nil, &Error{Class: ErrDefinition, File: source, Message: err.Error(), Err: err}
	}
	doc, err := schemas.Decode(raw)
	if err != nil {
		return nil, &Error{Class: ErrDefinition, File: source, Message: err.Error(), Err: err}
	}
	ps := &problems{file: source}
	if err := formatSchema().Validate(doc); err != nil {
		var ve *schemas.ValidationError
		if !errors.As(err, &ve) {
			return nil, &Error{Class: ErrDefinition, File: source, Message: err.Error(), Err: err}
		}
		for _, v := range ve.Violations {
			ps.add(v.Pointer, "%s", v.Message)
		}
		return nil, ps.err()
	}
	c := clone(f)
	return build(c, raw, ps, o)
}

// clone deep-copies a File through its JSON form.
func clone(f *File) *File {
	raw, err := json.Marshal(f)
	if err != nil {
		panic(fmt.Sprintf("provider: a definition that is not JSON: %v", err)) // every field marshals
	}
	c := new(File)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(c); err != nil {
		panic(fmt.Sprintf("provider: a definition that does not read back: %v", err))
	}
	return c
}

// build checks the rules the format's schema cannot say and compiles the
// templates and events.
func build(f *File, raw []byte, ps *problems, o *options) (*Definition, error) {
	d := &Definition{f: f, source: ps.file, data: ps.data, raw: raw, opts: o, tmpl: map[string]*Template{}}
	sum := sha256.Sum256(raw)
	d.digest = hex.EncodeToString(sum[:])
	c := &checker{d: d, ps: ps}
	c.check()
	ctx := o.ctx
	o.ctx = nil
	if ctx != nil && ctx.Err() != nil {
		return nil, fmt.Errorf("reading %s: %w", ps.file, ctx.Err())
	}
	if err := ps.err(); err != nil {
		return nil, err
	}
	return d, nil
}

// Name is the provider's name.
func (d *Definition) Name() string { return d.f.Name }

// Title is the display name (the name when none is given).
func (d *Definition) Title() string {
	if d.f.Title != "" {
		return d.f.Title
	}
	return d.f.Name
}

// Source is where the facts come from.
func (d *Definition) Source() string { return d.f.Source }

// File is the name the definition was read from (or given to New).
func (d *Definition) File() string { return d.source }

// Digest is the SHA-256 (hex) of the definition's JSON form: two
// definitions with the same digest describe the same wire.
func (d *Definition) Digest() string { return d.digest }

// Spec returns a copy of the definition's data, to read or to edit and
// check again with New.
func (d *Definition) Spec() *File { return clone(d.f) }

// Generator is the named Go generator ("" for schema-driven payloads).
func (d *Definition) Generator() string { return d.f.Generator }

// Signing is the signing section; nil when nothing is signed.
func (d *Definition) Signing() *Signing {
	if d.f.Signing == nil || d.f.Signing.None {
		return nil
	}
	return d.f.Signing
}

// Encryption is the encryption section, nil without one; its defaults
// (nonce 12 bytes at the start, base64url) are filled in.
func (d *Definition) Encryption() *Encryption { return d.f.Encryption }

// ID is where the message id travels (zero when nowhere).
func (d *Definition) ID() IDSpec {
	if d.f.ID == nil {
		return IDSpec{}
	}
	return *d.f.ID
}

// Timestamp is the signed send time; nil when requests carry none. Its
// defaults (unix, DefaultTolerance) are filled in.
func (d *Definition) Timestamp() *Timestamp { return d.f.Timestamp }

// Request is the HTTP request's method, content type and headers, with
// the defaults filled in.
func (d *Definition) Request() Request { return *d.f.Request }

// Body is the body section (zero: the body is the payload).
func (d *Definition) Body() Body {
	if d.f.Body == nil {
		return Body{}
	}
	return *d.f.Body
}

// EventsSpec is the events section as written (match, test header,
// default, key, time, compare…); Events are its events, compiled.
func (d *Definition) EventsSpec() Events {
	if d.f.Events == nil {
		return Events{}
	}
	return *d.f.Events
}

// Lifecycle is the lifecycle section, nil without one.
func (d *Definition) Lifecycle() *Lifecycle { return d.f.Lifecycle }

// Delivery is the delivery section (zero values where it is silent).
func (d *Definition) Delivery() Delivery {
	if d.f.Delivery == nil {
		return Delivery{}
	}
	return *d.f.Delivery
}

// Assumptions are what the documentation leaves open.
func (d *Definition) Assumptions() []Assumption { return d.f.Assumptions }

// Vectors are the documented examples the definition reproduces.
func (d *Definition) Vectors() []Vector { return d.f.Vectors }

// Template returns the compiled template at pointer ptr of the definition
// ("/signing/content", "/signing/schemes/0/signature",
// "/body/envelope/type", "/body/stamp/~1header~1messageId",
// "/request/headers/User-Agent"), nil when there is none.
func (d *Definition) Template(ptr string) *Template { return d.tmpl[ptr] }

// EnvelopePointer returns where the envelope holds variable v (payload,
// sealed, event, id, time…) as its whole value, e.g. "/data" for
// Standard Webhooks' {payload}.
func (d *Definition) EnvelopePointer(v string) (string, bool) {
	p, ok := d.envPtr[v]
	return p, ok
}

// Locate returns the file and line at which pointer ptr of the definition
// is written (line 0 when it is not known).
func (d *Definition) Locate(ptr string) (file string, line int) {
	if d.data == nil {
		return d.source, 0
	}
	l, _ := locate(d.data, ptr)
	return d.source, l
}

// locate finds a pointer's line and column in a file's bytes.
func locate(data []byte, ptr string) (int, int) {
	if data == nil {
		return 0, 0
	}
	return yamljson.Locate(data, ptr)
}

// MarshalJSON writes the definition as JSON (its File form).
func (d *Definition) MarshalJSON() ([]byte, error) { return json.Marshal(d.f) }

// readRef reads a file the definition refers to, relative to its
// directory and inside the reference root.
func (d *Definition) readRef(name string) ([]byte, error) {
	if path.IsAbs(name) || filepath.IsAbs(name) || strings.Contains(name, "://") {
		return nil, fmt.Errorf("%s: only files relative to the definition are read", name)
	}
	root := d.opts.refRoot
	if root == "" {
		root = d.opts.dir
	}
	full := filepath.Join(d.opts.dir, filepath.FromSlash(name))
	rel, err := filepath.Rel(root, full)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return nil, fmt.Errorf("%s: outside %s, the directory definitions may refer into", name, root)
	}
	if d.opts.fsys != nil {
		return readFS(d.opts.fsys, path.Clean(filepath.ToSlash(full)), input.SchemaFile)
	}
	b, err := input.ReadFile(full, input.SchemaFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: no such file", name)
	}
	return b, err
}

// formatSchema is the compiled JSON Schema of the format.
var formatSchema = sync.OnceValue(func() *schemas.Schema {
	return schemas.MustCompile("provider", schemaJSON)
})

// yamlOrJSON converts a referenced schema file (YAML or JSON) to JSON.
func yamlOrJSON(doc []byte) ([]byte, error) {
	raw, err := yamljson.ToJSON(doc, yamljson.Limits{Expansion: input.SchemaFile, Nodes: 1_000_000, Depth: 128})
	if err != nil {
		return nil, err
	}
	return raw, nil
}

// decodeJSON decodes a JSON document with json.Number numbers.
func decodeJSON(doc []byte) (any, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	err := dec.Decode(&v)
	return v, err
}

// durationPaths are the places of the format that hold a Duration, as
// pointers whose "*" stands for any array index: found in File's fields,
// so a new duration field is checked too.
var durationPaths = sync.OnceValue(func() []jsonptr.Pointer {
	var out []jsonptr.Pointer
	dur := reflect.TypeFor[Duration]()
	var walk func(t reflect.Type, at jsonptr.Pointer, depth int)
	walk = func(t reflect.Type, at jsonptr.Pointer, depth int) {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch {
		case t == dur:
			out = append(out, slices.Clone(at))
		case depth > 8:
		case t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8:
			walk(t.Elem(), append(at, "*"), depth+1)
		case t.Kind() == reflect.Struct:
			for i := range t.NumField() {
				f := t.Field(i)
				name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				if name != "" && name != "-" && f.IsExported() {
					walk(f.Type, append(at, name), depth+1)
				}
			}
		}
	}
	walk(reflect.TypeFor[File](), nil, 0)
	return out
})

// checkDurations reports each duration of a definition that is not one
// Go can hold (the schema checks its form, not its size: 99999999h
// overflows), at its pointer.
func checkDurations(doc any, ps *problems) {
	var visit func(v any, p jsonptr.Pointer, at jsonptr.Pointer)
	visit = func(v any, p jsonptr.Pointer, at jsonptr.Pointer) {
		if len(p) == 0 {
			if s, ok := v.(string); ok {
				if _, err := time.ParseDuration(s); err != nil {
					ps.add(at.String(), "%s is not a duration orderhooks can hold (at most %s)", input.Quote(s), Duration{time.Duration(math.MaxInt64).Truncate(time.Hour)})
				}
			}
			return
		}
		switch x := v.(type) {
		case map[string]any:
			if m, ok := x[p[0]]; ok {
				visit(m, p[1:], append(at, p[0]))
			}
		case []any:
			if p[0] == "*" {
				for i, m := range x {
					visit(m, p[1:], append(at, strconv.Itoa(i)))
				}
			}
		}
	}
	for _, p := range durationPaths() {
		visit(doc, p, nil)
	}
}
