package apispec

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/orderhooks/orderhooks/internal/input"
	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/jsontree"
	"github.com/orderhooks/orderhooks/internal/yamljson"
	"github.com/orderhooks/orderhooks/schemas"
)

// Bounds of one Load. A document or a reference past them is refused with
// an *Error wrapping ErrLimit.
const (
	// MaxDocuments bounds the documents one Load reads (the main one and
	// those its references reach).
	MaxDocuments = 256
	// MaxTotalBytes bounds the bytes of all the documents one Load reads
	// (each is bounded by input.SpecDocument).
	MaxTotalBytes = 128 << 20
	// MaxRefChain bounds a chain of references that lead to references.
	MaxRefChain = 32
	// MaxDepth bounds the nesting of a document's values.
	MaxDepth = 256
	// MaxVisits bounds the schema values visited while the references of
	// the payload schemas are checked (each value once per document).
	MaxVisits = 4_000_000
	// MaxProperties bounds the properties of one schema object; an enum
	// is bounded by input.MaxValues.
	MaxProperties = 10_000
	// DefaultTimeout is the timeout of fetching one remote document.
	DefaultTimeout = 10 * time.Second
)

// Options configure Load.
type Options struct {
	// FS reads the document and the files it refers to from a file system
	// other than the operating system's (paths slash-separated).
	FS fs.FS
	// Root is the directory the files a document refers to must be inside
	// (default: the directory of the document given to Load).
	Root string
	// AllowRemote lets $refs name http and https URLs; without it they
	// are refused with ErrRemoteRef.
	AllowRemote bool
	// Client fetches remote documents (default: a client with Timeout).
	Client *http.Client
	// Timeout bounds fetching one remote document (default
	// DefaultTimeout).
	Timeout time.Duration
}

// document is one document read.
type document struct {
	uri  string // absolute, without fragment
	name string // in errors
	data []byte // as read
	json []byte // the JSON form
	tree any    // decoded, numbers as json.Number
	yaml bool
}

// line is the line at which the value at ptr is written (1 when not known).
func (d *document) line(ptr string) int {
	if d == nil || d.data == nil {
		return 1
	}
	if d.yaml {
		l, _ := yamljson.Locate(d.data, ptr)
		return max(l, 1)
	}
	return max(schemas.LineOf(d.data, ptr), 1)
}

// errorf is a problem at ptr of d.
func (d *document) errorf(ptr string, class error, format string, args ...any) *Error {
	return &Error{Class: ErrSpec, File: d.name, Line: d.line(ptr), Pointer: ptr, Message: fmt.Sprintf(format, args...), Err: class}
}

// loader reads documents for one Load.
type loader struct {
	opts    Options
	rootDir string // absolute (OS) or cleaned (FS)
	mainDir string // the main document's directory as given, for names
	absDir  string // the main document's directory, absolute
	docs    map[string]*document
	total   int64
	ctx     context.Context
	frozen  bool // Load has returned: nothing more is read
}

// fileURI is the URI of a file path (absolute for the OS, slash-separated
// from the FS root).
func fileURI(p string) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(p)}
	if !strings.HasPrefix(u.Path, "/") {
		u.Path = "/" + u.Path
	}
	return u.String()
}

// filePath is the path of a file: URI.
func (l *loader) filePath(u *url.URL) string {
	if l.opts.FS != nil {
		return strings.TrimPrefix(u.Path, "/")
	}
	return filepath.FromSlash(u.Path)
}

// start reads the main document.
func (l *loader) start(p string) (*document, error) {
	if l.opts.FS != nil {
		clean := path.Clean(filepath.ToSlash(p))
		l.mainDir, l.absDir = path.Dir(p), path.Dir(clean)
		l.rootDir = l.absDir
		if l.opts.Root != "" {
			l.rootDir = path.Clean(filepath.ToSlash(l.opts.Root))
		}
		return l.read(fileURI(clean), p)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, &Error{Class: ErrSpec, File: p, Line: 1, Message: err.Error(), Err: err}
	}
	l.mainDir, l.absDir = filepath.Dir(p), filepath.Dir(abs)
	l.rootDir = l.absDir
	if l.opts.Root != "" {
		if l.rootDir, err = filepath.Abs(l.opts.Root); err != nil {
			return nil, &Error{Class: ErrSpec, File: p, Line: 1, Message: err.Error(), Err: err}
		}
	}
	return l.read(fileURI(abs), p)
}

// nameOf names a file in errors: relative to the main document's
// directory as it was given.
func (l *loader) nameOf(u *url.URL) string {
	if u.Scheme != "file" {
		return u.String()
	}
	p := l.filePath(u)
	if l.opts.FS != nil {
		if rel, ok := strings.CutPrefix(p, l.absDir+"/"); ok {
			return path.Join(l.mainDir, rel)
		}
		return p
	}
	if rel, err := filepath.Rel(l.absDir, p); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.Join(l.mainDir, rel)
	}
	return p
}

// read reads and parses the document at uri (no fragment) once.
func (l *loader) read(uri, name string) (*document, error) {
	if d, ok := l.docs[uri]; ok {
		return d, nil
	}
	if l.frozen {
		return nil, &Error{Class: ErrSpec, File: name, Line: 1, Message: "not read while the document was loaded"}
	}
	if len(l.docs) >= MaxDocuments {
		return nil, &Error{Class: ErrSpec, File: name, Line: 1, Message: fmt.Sprintf("more than %d documents are referred to", MaxDocuments), Err: ErrLimit}
	}
	u, err := url.Parse(uri)
	if err != nil {
		return nil, &Error{Class: ErrSpec, File: name, Line: 1, Message: err.Error(), Err: err}
	}
	var data []byte
	switch u.Scheme {
	case "file":
		data, err = l.readFile(l.filePath(u))
	case "http", "https":
		data, err = l.fetch(uri)
	default:
		err = fmt.Errorf("%s: only files and http(s) URLs are read", uri)
	}
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, e
		}
		var ie *input.Error
		if errors.As(err, &ie) && ie.Line > 0 && errors.Is(err, input.ErrEncoding) {
			return nil, &Error{Class: ErrSpec, File: name, Line: ie.Line, Message: "invalid UTF-8", Err: err}
		}
		return nil, &Error{Class: ErrSpec, File: name, Line: 1, Message: strings.TrimPrefix(err.Error(), name+": "), Err: err}
	}
	if err := l.ctx.Err(); err != nil {
		return nil, err
	}
	l.total += int64(len(data))
	if l.total > MaxTotalBytes {
		return nil, &Error{Class: ErrSpec, File: name, Line: 1, Message: fmt.Sprintf("the documents referred to add up to more than %s", input.Size(MaxTotalBytes)), Err: ErrLimit}
	}
	d, err := parse(data, name)
	if err != nil {
		return nil, err
	}
	d.uri = uri
	l.docs[uri] = d
	return d, nil
}

// readFile reads a file within the input limit.
func (l *loader) readFile(p string) ([]byte, error) {
	if l.opts.FS != nil {
		f, err := l.opts.FS.Open(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, errors.New("no such file")
		}
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return input.ReadAll(f, p, input.SpecDocument)
	}
	b, err := input.ReadFile(p, input.SpecDocument)
	if errors.Is(err, os.ErrNotExist) {
		return nil, errors.New("no such file")
	}
	return b, err
}

// fetch reads a remote document with a timeout and the size limit.
func (l *loader) fetch(uri string) ([]byte, error) {
	timeout := l.opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	c := l.opts.Client
	if c == nil {
		c = &http.Client{Timeout: timeout}
	}
	ctx, cancel := context.WithTimeout(l.ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json, application/yaml;q=0.9, */*;q=0.1")
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", uri, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching %s: %s", uri, resp.Status)
	}
	return input.ReadAll(resp.Body, uri, input.SpecDocument)
}

// parse decodes a document: JSON read as JSON (fast, and lines are
// found in the text), anything else as YAML.
func parse(data []byte, name string) (*document, error) {
	d := &document{name: name, data: data}
	fail := func(line int, ptr, format string, args ...any) error {
		return &Error{Class: ErrSpec, File: name, Line: max(line, 1), Pointer: ptr, Message: fmt.Sprintf(format, args...)}
	}
	if err := input.CheckUTF8(data, "", 1); err != nil {
		var ie *input.Error
		line := 1
		if errors.As(err, &ie) {
			line = ie.Line
		}
		return nil, fail(line, "", "invalid UTF-8")
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		if err := checkDepth(trimmed); err != nil {
			return nil, fail(lineAt(data, len(data)-len(trimmed)+err.off), "", "%s", err.msg)
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := dec.Decode(&d.tree); err != nil {
			off := int(dec.InputOffset())
			var se *json.SyntaxError
			if errors.As(err, &se) {
				off = int(se.Offset)
			}
			return nil, fail(lineAt(data, off), "", "%s", input.NotJSON(err))
		}
		if dec.More() {
			return nil, fail(lineAt(data, int(dec.InputOffset())), "", "not JSON: more than one value")
		}
		d.json = data
	} else {
		d.yaml = true
		raw, err := yamljson.ToJSON(data, yamljson.Limits{Expansion: input.SpecDocument, Nodes: 4_000_000, Depth: MaxDepth})
		if err != nil {
			var ye *yamljson.Error
			if errors.As(err, &ye) {
				return nil, fail(ye.Line, ye.Pointer, "%s", ye.Msg)
			}
			return nil, fail(1, "", "%v", err)
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&d.tree); err != nil {
			return nil, fail(1, "", "%v", err)
		}
		d.json = raw
	}
	if _, ok := d.tree.(map[string]any); !ok {
		return nil, fail(1, "", "a document is a mapping (openapi or asyncapi, info, …), not %s", jsontree.Kind(d.tree))
	}
	return d, nil
}

// depthError is a document nested too deep, at byte off.
type depthError struct {
	off int
	msg string
}

// checkDepth refuses JSON nested deeper than MaxDepth before it is
// decoded (strings skipped), so no walk recurses without end.
func checkDepth(b []byte) *depthError {
	depth := 0
	in := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if in {
			switch c {
			case '\\':
				i++
			case '"':
				in = false
			}
			continue
		}
		switch c {
		case '"':
			in = true
		case '{', '[':
			depth++
			if depth > MaxDepth {
				return &depthError{i, fmt.Sprintf("nested more than %d levels deep", MaxDepth)}
			}
		case '}', ']':
			depth--
		}
	}
	return nil
}

// lineAt is the 1-based line of byte offset off.
func lineAt(b []byte, off int) int {
	off = min(max(off, 0), len(b))
	return bytes.Count(b[:off], []byte("\n")) + 1
}

// target is a place in a document: the document and a pointer into it.
type target struct {
	doc *document
	ptr string
}

// at is the value at t, and whether it is there.
func (t target) value() (any, bool) {
	p, err := jsonptr.Parse(t.ptr)
	if err != nil {
		return nil, false
	}
	return jsonptr.Get(t.doc.tree, p)
}

func (t target) child(tok ...string) target {
	p := t.ptr
	for _, s := range tok {
		p = jsonptr.Join(p, s)
	}
	return target{t.doc, p}
}

// resolveRef finds what ref (written at t, against base) names, reading
// the document it is in when needed.
func (l *loader) resolveRef(t target, base, ref string) (target, error) {
	at := t.child("$ref")
	u, err := url.Parse(ref)
	if err != nil {
		return target{}, t.doc.errorf(at.ptr, nil, "$ref %q is not a URI reference", ref)
	}
	b, err := url.Parse(base)
	if err != nil {
		return target{}, t.doc.errorf(at.ptr, nil, "base URI %q: %v", base, err)
	}
	abs := b.ResolveReference(u)
	uri, ptr, err := splitRef(abs)
	if err != nil {
		return target{}, t.doc.errorf(at.ptr, nil, "$ref %q: the fragment is not a JSON pointer", ref)
	}
	doc, ok := l.docs[uri]
	if !ok {
		switch abs.Scheme {
		case "http", "https":
			if !l.opts.AllowRemote {
				return target{}, t.doc.errorf(at.ptr, ErrRemoteRef, "$ref %s is remote: remote references are read only when allowed (--allow-remote-refs)", ref)
			}
		case "file":
			p := l.filePath(abs)
			if !l.inside(p) {
				return target{}, t.doc.errorf(at.ptr, nil, "$ref %s: %s is outside %s, the directory references may reach", ref, l.nameOf(abs), l.rootDir)
			}
		default:
			return target{}, t.doc.errorf(at.ptr, nil, "$ref %s: only files and http(s) URLs are read", ref)
		}
		if doc, err = l.read(uri, l.nameOf(abs)); err != nil {
			var e *Error
			if errors.As(err, &e) && e.Line <= 1 && e.Pointer == "" && (strings.Contains(e.Message, "no such file") || strings.HasPrefix(e.Message, "fetching")) {
				return target{}, t.doc.errorf(at.ptr, e.Err, "$ref %s: %s", ref, e.Message)
			}
			return target{}, err
		}
	}
	tt := target{doc, ptr.String()}
	if _, ok := jsonptr.Get(doc.tree, ptr); !ok {
		return target{}, t.doc.errorf(at.ptr, nil, "$ref %s: %s has nothing at %s", ref, doc.name, "#"+ptr.String())
	}
	return tt, nil
}

// inside reports whether a file path is inside the root directory.
func (l *loader) inside(p string) bool {
	if l.opts.FS != nil {
		return l.rootDir == "." || p == l.rootDir || strings.HasPrefix(p, l.rootDir+"/")
	}
	rel, err := filepath.Rel(l.rootDir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// follow follows the $ref chain starting at t (a Reference Object, or
// anything else) to the value it ends at.
func (l *loader) follow(t target) (target, any, error) {
	v, ok := t.value()
	if !ok {
		return t, nil, t.doc.errorf(t.ptr, nil, "missing")
	}
	seen := map[target]bool{}
	for i := 0; ; i++ {
		m, isMap := v.(map[string]any)
		if !isMap {
			return t, v, nil
		}
		rv, has := m["$ref"]
		if !has {
			return t, v, nil
		}
		ref, isStr := rv.(string)
		if !isStr {
			return t, nil, t.doc.errorf(t.child("$ref").ptr, nil, "$ref must be a string, not %s", jsontree.Kind(rv))
		}
		if seen[t] {
			return t, nil, t.doc.errorf(t.child("$ref").ptr, nil, "$ref %s leads back to itself", ref)
		}
		if i >= MaxRefChain {
			return t, nil, t.doc.errorf(t.child("$ref").ptr, ErrLimit, "more than %d references in a chain", MaxRefChain)
		}
		seen[t] = true
		next, err := l.resolveRef(t, t.doc.uri, ref)
		if err != nil {
			return t, nil, err
		}
		t = next
		v, _ = t.value()
	}
}

// splitRef parts a resolved reference into the URI of its document and
// the JSON pointer of its fragment (the raw fragment, as written, when it
// has escapes); abs is left without its fragment, naming the document.
func splitRef(abs *url.URL) (string, jsonptr.Pointer, error) {
	frag := abs.Fragment
	if abs.RawFragment != "" {
		frag = abs.RawFragment
	}
	abs.Fragment, abs.RawFragment = "", ""
	ptr, err := jsonptr.ParseFragment(frag)
	return abs.String(), ptr, err
}
