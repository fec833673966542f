package apispec

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/orderhooks/orderhooks/internal/ctxrun"
	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/jsontree"
)

// Kinds of documents.
const (
	OpenAPI  = "openapi"
	AsyncAPI = "asyncapi"
)

// Spec is a document read by Load, with the documents its references
// reach. It is immutable and safe for concurrent use.
type Spec struct {
	// File is the document's name as given to Load.
	File string
	// Kind is OpenAPI or AsyncAPI; Version the document's version of it
	// ("3.1.0").
	Kind, Version string
	// Title is info.title; APIVersion info.version.
	Title, APIVersion string
	// Events are the events, sorted by name.
	Events []*Event
	// Skipped says, for each entry that is not an event, why not ("/
	// webhooks/ping: no post operation").
	Skipped []string

	main *document
	docs map[string]*document
	l    *loader
}

// Event is one event of a document.
type Event struct {
	// Name is the webhook's key (OpenAPI) or the message's key in its
	// channel (AsyncAPI; OPERATION.KEY when two operations send messages
	// of one key).
	Name string
	// OperationID is the operation's operationId (OpenAPI) or key
	// (AsyncAPI); Summary and Description the operation's (the message's
	// when the operation has none).
	OperationID, Summary, Description string
	// Channel is the channel's key and Address its address (AsyncAPI).
	Channel, Address string
	// ContentType is the payload's media type.
	ContentType string
	// Schema is the location of the payload schema: an absolute URI with
	// the JSON pointer as fragment (see Spec.Load).
	Schema string
	// Pointer is where the event is declared in the main document
	// ("/webhooks/newPet/post", "/operations/sendOrder").
	Pointer string

	headers map[string]string // canonical name → declared value
	payload target
	spec    *Spec
}

// Load reads the OpenAPI 3.1 or AsyncAPI 3.0 document at path (YAML or
// JSON) and the documents its references reach, and lists its events.
// Problems are *Error values.
func Load(path string, opts Options) (*Spec, error) {
	return LoadContext(context.Background(), path, opts)
}

// LoadContext is Load under ctx: remote documents are fetched under it,
// and when ctx is done LoadContext returns ctx's error at once, even in
// the middle of decoding a document (the load stops at its next check, in
// the background).
func LoadContext(ctx context.Context, path string, opts Options) (*Spec, error) {
	return ctxrun.Do(ctx, func() (*Spec, error) { return load(ctx, path, opts) })
}

func load(ctx context.Context, path string, opts Options) (*Spec, error) {
	l := &loader{opts: opts, docs: map[string]*document{}, ctx: ctx}
	d, err := l.start(path)
	if err != nil {
		return nil, err
	}
	s := &Spec{File: path, main: d}
	root := d.tree.(map[string]any)
	switch {
	case root["openapi"] != nil:
		s.Kind = OpenAPI
		s.Version = fmt.Sprint(root["openapi"])
		if !strings.HasPrefix(s.Version, "3.1.") && s.Version != "3.1" && !strings.HasPrefix(s.Version, "3.2.") {
			return nil, d.errorf("/openapi", nil, "OpenAPI %s: webhooks are read from OpenAPI 3.1 documents", s.Version)
		}
	case root["asyncapi"] != nil:
		s.Kind = AsyncAPI
		s.Version = fmt.Sprint(root["asyncapi"])
		if !strings.HasPrefix(s.Version, "3.") {
			return nil, d.errorf("/asyncapi", nil, "AsyncAPI %s: operations are read from AsyncAPI 3 documents", s.Version)
		}
	default:
		return nil, d.errorf("", nil, "neither an OpenAPI document (openapi: 3.1.0) nor an AsyncAPI document (asyncapi: 3.0.0)")
	}
	if info, ok := root["info"].(map[string]any); ok {
		s.Title, _ = info["title"].(string)
		s.APIVersion, _ = info["version"].(string)
	}
	w := &walker{l: l, s: s}
	if s.Kind == OpenAPI {
		err = w.openapi(root)
	} else {
		err = w.asyncapi(root)
	}
	if err != nil {
		return nil, err
	}
	if len(s.Events) == 0 {
		what := "webhooks with a post operation taking a JSON request body"
		at := "/webhooks"
		if s.Kind == AsyncAPI {
			what, at = "send operations with a JSON message payload", "/operations"
		}
		msg := "no events: the document has no " + what
		if len(s.Skipped) > 0 {
			msg += " (" + s.Skipped[0] + ")"
		}
		return nil, d.errorf(at, nil, "%s", msg)
	}
	sort.Slice(s.Events, func(i, j int) bool { return s.Events[i].Name < s.Events[j].Name })
	c := &refChecker{l: l, seen: map[string]bool{}}
	for _, e := range s.Events {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := c.schema(e.payload, e.payload.doc.uri, 0); err != nil {
			return nil, err
		}
	}
	s.docs, s.l = l.docs, l
	l.frozen = true
	return s, nil
}

// Load returns the document at uri (absolute, without fragment) as JSON,
// for the schema compilers: only documents read by Load are served.
func (s *Spec) Load(uri string) ([]byte, error) {
	if d, ok := s.docs[uri]; ok {
		return d.json, nil
	}
	return nil, fmt.Errorf("%s was not read with %s", uri, s.File)
}

// URI is the main document's URI, against which its references resolve.
func (s *Spec) URI() string { return s.main.uri }

// Locate returns the name of the document a location (URI#pointer) is in
// and the line it is written on.
func (s *Spec) Locate(loc string) (file string, line int) {
	uri, frag, _ := strings.Cut(loc, "#")
	d, ok := s.docs[uri]
	if !ok {
		return s.File, 1
	}
	p, err := jsonptr.ParseFragment(frag)
	if err != nil {
		return d.name, 1
	}
	return d.name, d.line(p.String())
}

// Header is the value the event declares for header name (its schema's
// const, a single-valued enum, or the parameter's example), and whether
// it declares one.
func (e *Event) Header(name string) (string, bool) {
	v, ok := e.headers[strings.ToLower(name)]
	return v, ok
}

// Const is the value the payload schema fixes at pointer ptr of the
// payload (a const or a single-valued enum of that property, through
// $refs and allOf), and whether it fixes one.
func (e *Event) Const(ptr string) (string, bool) {
	p, err := jsonptr.Parse(ptr)
	if err != nil {
		return "", false
	}
	return e.spec.constAt(e.payload, p, 0)
}

// constAt walks properties along p from the schema at t.
func (s *Spec) constAt(t target, p jsonptr.Pointer, depth int) (string, bool) {
	if depth > MaxRefChain {
		return "", false
	}
	t, v, err := s.l.follow(t)
	if err != nil {
		return "", false
	}
	m, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	if len(p) == 0 {
		if c, ok := m["const"]; ok {
			return scalar(c)
		}
		if en, ok := m["enum"].([]any); ok && len(en) == 1 {
			return scalar(en[0])
		}
	} else if props, ok := m["properties"].(map[string]any); ok {
		if _, ok := props[p[0]]; ok {
			if v, ok := s.constAt(t.child("properties", p[0]), p[1:], depth+1); ok {
				return v, true
			}
		}
	}
	if all, ok := m["allOf"].([]any); ok {
		for i := range all {
			if v, ok := s.constAt(t.child("allOf", fmt.Sprint(i)), p, depth+1); ok {
				return v, true
			}
		}
	}
	// oneOf and anyOf fix a value when every branch fixes the same one.
	for _, kw := range []string{"oneOf", "anyOf"} {
		branches, ok := m[kw].([]any)
		if !ok || len(branches) == 0 {
			continue
		}
		same, agreed := "", true
		for i := range branches {
			v, ok := s.constAt(t.child(kw, fmt.Sprint(i)), p, depth+1)
			if !ok || (i > 0 && v != same) {
				agreed = false
				break
			}
			same = v
		}
		if agreed {
			return same, true
		}
	}
	return "", false
}

// scalar is a JSON scalar's text.
func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return fmt.Sprint(x), true
	}
	return "", false
}

// walker finds the events of one document.
type walker struct {
	l *loader
	s *Spec
}

// skip notes an entry that is not an event.
func (w *walker) skip(ptr, format string, args ...any) {
	w.s.Skipped = append(w.s.Skipped, ptr+": "+fmt.Sprintf(format, args...))
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// object follows t's references to a mapping.
func (w *walker) object(t target, what string) (target, map[string]any, error) {
	t, v, err := w.l.follow(t)
	if err != nil {
		return t, nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return t, nil, t.doc.errorf(t.ptr, nil, "%s must be a mapping, not %s", what, jsontree.Kind(v))
	}
	return t, m, nil
}

// openapi lists the webhooks.
func (w *walker) openapi(root map[string]any) error {
	main := target{w.s.main, ""}
	hooks, ok := root["webhooks"]
	if !ok {
		return w.s.main.errorf("", nil, "no webhooks: the document describes no requests its API sends")
	}
	hm, ok := hooks.(map[string]any)
	if !ok {
		return w.s.main.errorf("/webhooks", nil, "webhooks must be a mapping, not %s", jsontree.Kind(hooks))
	}
	for _, name := range sortedKeys(hm) {
		if err := w.l.ctx.Err(); err != nil {
			return err
		}
		at := main.child("webhooks", name)
		item, im, err := w.object(at, "a path item")
		if err != nil {
			return err
		}
		if _, ok := im["post"]; !ok {
			w.skip(at.ptr, "no post operation")
			continue
		}
		opAt, op, err := w.object(item.child("post"), "an operation")
		if err != nil {
			return err
		}
		rb, ok := op["requestBody"]
		if !ok || rb == nil {
			w.skip(at.ptr, "no request body")
			continue
		}
		bodyAt, body, err := w.object(opAt.child("requestBody"), "a request body")
		if err != nil {
			return err
		}
		content, ok := body["content"].(map[string]any)
		if !ok {
			return bodyAt.doc.errorf(bodyAt.child("content").ptr, nil, "a request body needs content (a mapping of media types)")
		}
		media := jsonMedia(content)
		if media == "" {
			w.skip(at.ptr, "no JSON request body (%s)", strings.Join(sortedKeys(content), ", "))
			continue
		}
		mt, ok := content[media].(map[string]any)
		if !ok {
			return bodyAt.doc.errorf(bodyAt.child("content", media).ptr, nil, "a media type must be a mapping")
		}
		if _, ok := mt["schema"]; !ok {
			w.skip(at.ptr, "the %s request body has no schema", media)
			continue
		}
		e := &Event{Name: name, ContentType: media, Pointer: at.ptr + "/post", spec: w.s, headers: map[string]string{}}
		e.OperationID, _ = op["operationId"].(string)
		e.Summary, _ = op["summary"].(string)
		e.Description, _ = op["description"].(string)
		e.payload = bodyAt.child("content", media, "schema")
		e.Schema = e.payload.doc.uri + "#" + (&url.URL{Fragment: e.payload.ptr}).EscapedFragment()
		for _, ps := range []target{item.child("parameters"), opAt.child("parameters")} {
			if err := w.headerParams(ps, e); err != nil {
				return err
			}
		}
		w.s.Events = append(w.s.Events, e)
	}
	return nil
}

// jsonMedia picks the JSON media type of content: application/json, else
// the first +json one; "" for none.
func jsonMedia(content map[string]any) string {
	if _, ok := content["application/json"]; ok {
		return "application/json"
	}
	for _, k := range sortedKeys(content) {
		base, _, _ := strings.Cut(k, ";")
		base = strings.TrimSpace(strings.ToLower(base))
		if base == "application/json" || strings.HasSuffix(base, "+json") {
			return k
		}
	}
	return ""
}

// headerParams records the header parameters of the list at t.
func (w *walker) headerParams(t target, e *Event) error {
	v, ok := t.value()
	if !ok {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		return t.doc.errorf(t.ptr, nil, "parameters must be a list, not %s", jsontree.Kind(v))
	}
	for i := range list {
		pt, p, err := w.object(t.child(fmt.Sprint(i)), "a parameter")
		if err != nil {
			return err
		}
		if in, _ := p["in"].(string); in != "header" {
			continue
		}
		name, _ := p["name"].(string)
		if name == "" {
			continue
		}
		if val, ok := w.declared(pt, p); ok {
			e.headers[strings.ToLower(name)] = val
		}
	}
	return nil
}

// declared is the value a parameter or header schema declares: its
// schema's const or single-valued enum, else an example.
func (w *walker) declared(t target, p map[string]any) (string, bool) {
	if _, ok := p["schema"]; ok {
		if st, sv, err := w.l.follow(t.child("schema")); err == nil {
			if s, ok := constOf(sv); ok {
				return s, true
			}
			_ = st
		}
	}
	if s, ok := constOf(p); ok {
		return s, true
	}
	if ex, ok := p["example"]; ok {
		return scalar(ex)
	}
	if exs, ok := p["examples"].(map[string]any); ok {
		for _, k := range sortedKeys(exs) {
			if m, ok := exs[k].(map[string]any); ok {
				if s, ok := scalar(m["value"]); ok {
					return s, true
				}
			}
		}
	}
	if exs, ok := p["examples"].([]any); ok && len(exs) > 0 {
		return scalar(exs[0])
	}
	return "", false
}

// constOf is a schema's const or single-valued enum.
func constOf(v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	if c, ok := m["const"]; ok {
		return scalar(c)
	}
	if en, ok := m["enum"].([]any); ok && len(en) == 1 {
		return scalar(en[0])
	}
	return "", false
}

// SchemaJSON is the payload schema's JSON text as written (its $refs
// resolve against the document it is in).
func (e *Event) SchemaJSON() []byte {
	v, _ := e.payload.value()
	b, err := json.Marshal(v)
	if err != nil {
		return []byte("{}")
	}
	return b
}
