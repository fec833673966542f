package provider

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/orderhooks/orderhooks/apispec"
	"github.com/orderhooks/orderhooks/generator/schemagen"
	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/schemas"
)

// ImportTestHeader is the header that names an imported event when the
// definition says nothing of how a receiver tells events apart: each
// webhook of a document is its own URL, and orderhooks adds this header
// so that one test receiver serves them all.
const ImportTestHeader = "X-Orderhooks-Event"

// WithRemoteRefs lets an imported document's $refs name http and https
// URLs (fetched with a timeout and a size limit); without it they are
// refused.
func WithRemoteRefs(allow bool) Option { return func(o *options) { o.remote = allow } }

// WithKey names, for FromSpec, the entity key of the imported events:
// JSON pointers into their payloads, the first one present wins
// ("/data/id", "/order/number"). Ordering, deduplication, the state
// checks' probe (GET /orders/{orderKey}) and the generator's distinct
// keys read it. It takes the place of the signer's events.import.key (or
// events.key); without either, imported events have no key. A definition
// file names it in events.import.key.
func WithKey(pointers ...string) Option {
	return func(o *options) { o.key = append([]string{}, pointers...) }
}

// WithCompare names, for FromSpec, the pointers the state checks compare
// between the last snapshot sent and the receiver's probed state
// ("/status" or "SNAPSHOT_PTR=PROBE_PTR"), in place of the signer's
// events.import.compare (or events.compare). A definition file names
// them in events.import.compare.
func WithCompare(pointers ...string) Option {
	return func(o *options) { o.compare = append([]string{}, pointers...) }
}

// WithDir sets the directory the files a definition refers to (schemas,
// events.import.spec) are relative to: by default the definition file's
// own, "." for Parse and New.
func WithDir(dir string) Option { return func(o *options) { o.dir = dir } }

// Imported is the document a definition's events were imported from, nil
// when they were not.
func (d *Definition) Imported() *apispec.Spec {
	if d.imp == nil {
		return nil
	}
	return d.imp.spec
}

// importShared is what the events of one imported document share: the
// document, and its compilers, made when the first schema is needed.
type importShared struct {
	spec *apispec.Spec
	once sync.Once
	docs *schemas.Documents
	gen  *schemagen.Document
	err  error
}

func (s *importShared) compilers() (*schemas.Documents, *schemagen.Document, error) {
	s.once.Do(func() {
		s.docs = schemas.NewDocuments(s.spec.Load)
		main, err := s.spec.Load(s.spec.URI())
		if err != nil {
			s.err = err
			return
		}
		s.gen, s.err = schemagen.Load(main, schemagen.WithBaseURI(s.spec.URI()), schemagen.WithLoader(s.spec.Load))
	})
	return s.docs, s.gen, s.err
}

// imported is one event's place in its document.
type imported struct {
	shared *importShared
	ev     *apispec.Event
}

// compile compiles an imported event's payload schema where it stands.
func (im *imported) compile(es *EventSchema) (*EventSchema, error) {
	fail := func(err error) error {
		file, line := im.shared.spec.Locate(im.ev.Schema)
		_, frag, _ := strings.Cut(im.ev.Schema, "#")
		return &Error{Class: ErrDefinition, File: file, Line: line, Pointer: unescapeFragment(frag), Message: err.Error(), Err: err}
	}
	docs, gen, err := im.shared.compilers()
	if err != nil {
		return nil, fail(err)
	}
	src := im.ev.SchemaJSON()
	v, err := docs.Compile(es.name, im.ev.Schema, src)
	if err != nil {
		return nil, fail(err)
	}
	es.v, es.source = v, src
	loc := im.ev.Schema
	// The generator checks its values with the validator just compiled:
	// compiling the schema a second time, in the generator's own
	// compiler, doubled the time and memory of checking a large document.
	es.gen = sync.OnceValues(func() (*schemagen.Generator, error) { return gen.GeneratorValidated(loc, v.Validate) })
	return es, nil
}

// unescapeFragment is a URI fragment's JSON pointer as written in errors.
func unescapeFragment(f string) string {
	if strings.Contains(f, "%") {
		if u, err := url.PathUnescape(f); err == nil {
			return u
		}
	}
	return f
}

// importEvents reads events.import's document and adds its events.
func (c *checker) importEvents(ev *Events, rename *Template, seenWire, seenMatch map[string]string, names map[string]bool) {
	d := c.d
	imp := ev.Import
	if d.opts.signingOnly {
		c.importSection(ev) // the document is FromSpec's to read
		return
	}
	spec, err := c.loadSpec(imp.Spec)
	if err != nil {
		var ae *apispec.Error
		if errors.As(err, &ae) {
			c.ps.list = append(c.ps.list, &Error{Class: ErrDefinition, File: ae.File, Line: max(ae.Line, 1), Pointer: ae.Pointer, Message: ae.Message, Err: err})
		} else {
			c.add("/events/import/spec", "%v", err)
		}
		return
	}
	d.imp = &importShared{spec: spec}
	matchT, ok := c.importSection(ev)
	if !ok {
		return
	}
	key, compare := []string(imp.Key), imp.Compare
	if len(key) == 0 {
		key = []string(ev.Key)
	}
	if len(compare) == 0 {
		compare = ev.Compare
	}
	kept := 0
	for _, ae := range spec.Events {
		if !globbed(imp.Include, ae.Name, true) || globbed(imp.Exclude, ae.Name, false) {
			continue
		}
		kept++
		at := "/events/import"
		if names[ae.Name] {
			c.add(at, "%s names event %q, which is also listed", imp.Spec, ae.Name)
			continue
		}
		lookup := importVars(ae)
		e := &Event{Name: ae.Name, Title: ae.Name, Description: ae.Description, Provider: d.f.Name,
			Key: key, Compare: compare, Time: ev.Time, FreeText: ev.FreeText, def: d, index: -1, ptr: at,
			imp: &imported{shared: d.imp, ev: ae}}
		if s := ae.Summary; s != "" && len(s) <= 120 && !strings.ContainsAny(s, "\r\n") {
			e.Title = s
		}
		if _, frag, _ := strings.Cut(ae.Schema, "#"); strings.HasPrefix(ae.Schema, spec.URI()+"#") {
			e.SchemaSource = SchemaSource{Ref: "#" + unescapeFragment(frag)}
		} else {
			e.SchemaSource = SchemaSource{Ref: ae.Schema}
		}
		e.Wire = ae.Name
		if rename != nil {
			w, err := rename.Render(lookup)
			if err != nil || w == "" {
				c.add("/events/rename", "event %s: %v", ae.Name, orEmpty(err))
				continue
			}
			e.Wire = w
		}
		if other, dup := seenWire[e.Wire]; dup {
			c.add("/events/rename", "event %s is on the wire as %q, like %s", ae.Name, e.Wire, other)
			continue
		}
		seenWire[e.Wire] = e.Name
		e.Match = map[string]string{}
		var tuple []string
		ok := true
		for m, k := range matchKeys(ev.Match) {
			v := e.Wire
			if t := matchT[strings.ToLower(k)]; t != nil {
				r, err := t.Render(lookup)
				switch {
				case errors.Is(err, errNoValue) && len(t.Parts()) == 1:
					r = "" // the event carries no such value
				case err != nil:
					c.add("/events/import/match/"+escape(k), "event %s: %v", ae.Name, err)
					ok = false
				}
				v = r
			}
			e.Match[k] = v
			tuple = append(tuple, m.String()+"="+v)
		}
		if !ok {
			continue
		}
		if len(tuple) > 0 {
			key := strings.Join(tuple, ", ")
			if other, dup := seenMatch[key]; dup {
				c.add("/events/import/match", "events %s and %s are told apart by nothing (%s)", other, e.Name, key)
				continue
			}
			seenMatch[key] = e.Name
		}
		d.byName[e.Name] = e
		d.events = append(d.events, e)
		names[e.Name] = true
	}
	if kept == 0 {
		c.add("/events/import", "no event of %s is kept (%d events; include %v, exclude %v)", imp.Spec, len(spec.Events), imp.Include, imp.Exclude)
	}
}

// importSection checks what events.import says besides its document:
// the include and exclude globs (false when one does not read) and the
// match templates, returned by lower-case match key.
func (c *checker) importSection(ev *Events) (map[string]*Template, bool) {
	imp := ev.Import
	for i, g := range slices.Concat(imp.Include, imp.Exclude) {
		if _, err := path.Match(g, ""); err != nil {
			at := fmt.Sprintf("/events/import/include/%d", i)
			if i >= len(imp.Include) {
				at = fmt.Sprintf("/events/import/exclude/%d", i-len(imp.Include))
			}
			c.add(at, "%q: %v", g, err)
			return nil, false
		}
	}
	matchT := map[string]*Template{}
	for i, k := range imp.Match.Keys {
		at := "/events/import/match/" + escape(k)
		if !matchedBy(ev.Match, k) {
			c.add(at, "%s is not one of events.match", k)
			continue
		}
		if t := c.tmpl(at, imp.Match.Vals[i], ContextEventName); t != nil {
			matchT[strings.ToLower(k)] = t
		}
	}
	return matchT, true
}

// errNoValue: a document declares no value for a variable of an event.
var errNoValue = errors.New("the document declares no value")

func orEmpty(err error) error {
	if err == nil {
		return errors.New("the wire name is empty")
	}
	return err
}

// importVars are the variables of events.rename and events.import.match
// for an imported event.
func importVars(ae *apispec.Event) func(Part) (string, error) {
	return func(p Part) (string, error) {
		var v string
		switch p.Var {
		case "name":
			v = ae.Name
		case "operationId":
			v = ae.OperationID
		case "summary":
			v = ae.Summary
		case "channel":
			v = ae.Channel
		case "address":
			v = ae.Address
		case "const":
			s, ok := ae.Const(p.Arg)
			if !ok {
				return "", fmt.Errorf("%w at %s of its payload schema (a const or an enum of one value)", errNoValue, p.Arg)
			}
			v = s
		case "header":
			s, ok := ae.Header(p.Arg)
			if !ok {
				return "", fmt.Errorf("%w for header %s", errNoValue, p.Arg)
			}
			v = s
		}
		if v == "" {
			return "", errNoValue
		}
		return v, nil
	}
}

// globbed reports whether name matches one of the globs (or, with none,
// empty).
func globbed(globs []string, name string, empty bool) bool {
	if len(globs) == 0 {
		return empty
	}
	for _, g := range globs {
		if ok, _ := path.Match(g, name); ok {
			return true
		}
	}
	return false
}

// loadSpec reads the imported document, relative to the definition and
// inside the reference root.
func (c *checker) loadSpec(name string) (*apispec.Spec, error) {
	o := c.d.opts
	root := o.refRoot
	if root == "" {
		root = o.dir
	}
	full := name
	if !filepath.IsAbs(name) {
		full = filepath.Join(o.dir, filepath.FromSlash(name))
	}
	if o.fsys == nil {
		absRoot, _ := filepath.Abs(root)
		absFull, _ := filepath.Abs(full)
		if rel, err := filepath.Rel(absRoot, absFull); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return nil, fmt.Errorf("%s: outside %s, the directory definitions may refer into", name, root)
		}
	} else {
		full = path.Clean(filepath.ToSlash(full))
		root = path.Clean(filepath.ToSlash(root))
	}
	var err error
	if o.fsys != nil {
		_, err = fs.Stat(o.fsys, full)
	} else {
		_, err = os.Stat(full)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: no such file", name)
	}
	ctx := o.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	return apispec.LoadContext(ctx, full, apispec.Options{FS: o.fsys, Root: root, AllowRemote: o.remote})
}

// FromSpec is the definition whose events are those of the OpenAPI 3.1 or
// AsyncAPI 3.0 document at spec, delivered as signer says: its request,
// signing, id, timestamp, encryption and delivery sections (Standard
// Webhooks' when signer is nil). The body is the payload the document
// describes. When signer imports a document itself (events.import), its
// events section is kept (how events are told apart, keys, include and
// exclude) with spec in place of its document; otherwise each webhook is
// its own URL and orderhooks names the event in ImportTestHeader.
// WithKey and WithCompare name the entity key and the compared pointers;
// a pointer of theirs that is not one, or that the payload schemas do not
// declare, is an *OptionError naming the option (wrapping ErrDefinition),
// reported before the document's own problems.
// Problems are reported as Load reports them, the document's as
// "FILE:LINE: POINTER: message".
func FromSpec(spec string, signer *Definition, opts ...Option) (*Definition, error) {
	if signer == nil {
		var err error
		if signer, err = Lookup("standard"); err != nil {
			return nil, err
		}
	}
	s := signer.Spec()
	f := &File{Format: FormatVersion, Name: s.Name, Title: s.Title, Source: s.Source, Request: s.Request,
		Encryption: s.Encryption, Signing: s.Signing, ID: s.ID, Timestamp: s.Timestamp, Delivery: s.Delivery}
	abs, err := filepath.Abs(spec)
	if err != nil {
		return nil, &Error{Class: ErrDefinition, File: spec, Line: 1, Message: err.Error(), Err: err}
	}
	if o := newOptions(opts); o.fsys == nil {
		if st, err := os.Stat(abs); err != nil || st.IsDir() {
			return nil, &Error{Class: ErrDefinition, File: spec, Line: 1, Message: "no such file (an OpenAPI 3.1 or AsyncAPI 3 document)"}
		}
	}
	if s.Events != nil && s.Events.Import != nil {
		ev := *s.Events
		imp := *ev.Import
		imp.Spec = filepath.Base(abs)
		ev.Import = &imp
		ev.List, ev.From, ev.Others, ev.Default = nil, nil, nil, ""
		f.Events = &ev
		f.Assumptions = s.Assumptions
	} else {
		f.Name = specName(abs)
		f.Title, f.Source = "", "imported from "+filepath.Base(spec)+", signed as "+signer.Title()+" signs"
		f.Events = &Events{Import: &Import{Spec: filepath.Base(abs)}}
	}
	if o := newOptions(opts); o.key != nil || o.compare != nil {
		for _, k := range o.key {
			if _, err := jsonptr.Parse(k); err != nil || k == "" {
				return nil, &OptionError{Package: "provider", Option: "WithKey", Value: k,
					Want: "not a JSON pointer into the payloads (/id, /data/object/id)", Err: ErrDefinition}
			}
		}
		ev := *f.Events
		imp := *ev.Import
		if o.key != nil {
			imp.Key = Pointers(o.key)
		}
		if o.compare != nil {
			imp.Compare = o.compare
		}
		ev.Import = &imp
		f.Events = &ev
	}
	all := append([]Option{WithDir(filepath.Dir(abs))}, opts...)
	d, err := New(f, spec, all...)
	if err != nil {
		o := newOptions(opts)
		if oe := optionProblem(err, o); oe != nil {
			return nil, oe
		}
		if s.Events != nil && s.Events.Import != nil {
			atSigner(err, signer, o)
		}
		return nil, err
	}
	if d.f.Title == "" && d.imp != nil && d.imp.spec.Title != "" {
		d.f.Title = d.imp.spec.Title
	}
	return d, nil
}

// optionProblem is the first problem of err about a pointer WithKey or
// WithCompare gave, as an *OptionError naming the option: the caller
// wrote the option, not the events.import section FromSpec made of it,
// so that section's place in the document would point nowhere. Nil when
// there is none.
func optionProblem(err error, o *options) *OptionError {
	for _, e := range problemsOf(err) {
		for _, opt := range []struct {
			name, at, what string
			given          []string
		}{
			{"WithKey", "/events/import/key", "entity key ", o.key},
			{"WithCompare", "/events/import/compare", "compared pointer ", o.compare},
		} {
			if opt.given != nil && (e.Pointer == opt.at || strings.HasPrefix(e.Pointer, opt.at+"/")) {
				// `entity key "/x" is not …` as `"/x" is not …`: the
				// option says what the value is.
				return &OptionError{Package: "provider", Option: opt.name, Want: strings.TrimPrefix(e.Message, opt.what), Err: ErrDefinition}
			}
		}
	}
	return nil
}

// atSigner places the problems of the payload pointers FromSpec carried
// from the signer's events section (its keys, compared pointers, snapshot
// time, free-text field: what the imported document's payload schemas do
// not declare) where the signer's file writes them, not in the document.
// Those WithKey and WithCompare gave stay where they are.
func atSigner(err error, signer *Definition, o *options) {
	for _, e := range problemsOf(err) {
		p := e.Pointer
		carried := false
		for _, at := range []string{"/events/key", "/events/compare", "/events/time", "/events/freeText"} {
			carried = carried || p == at || strings.HasPrefix(p, at+"/")
		}
		if (p == "/events/import/key" || strings.HasPrefix(p, "/events/import/key/")) && o.key == nil ||
			(p == "/events/import/compare" || strings.HasPrefix(p, "/events/import/compare/")) && o.compare == nil {
			carried = true
		}
		if carried && signer.source != "" {
			e.File, e.Line = signer.Locate(p)
		}
	}
}

// specName makes a definition name of a document's file name.
func specName(p string) string {
	base := strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
	var b strings.Builder
	for _, r := range strings.ToLower(base) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	n := strings.TrimLeft(b.String(), "._-")
	if n == "" {
		n = "imported"
	}
	if len(n) > 64 {
		n = n[:64]
	}
	return n
}
