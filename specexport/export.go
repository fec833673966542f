package specexport

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/orderhooks/orderhooks/apispec"
	"github.com/orderhooks/orderhooks/internal/errs"
	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/jsontree"
	"github.com/orderhooks/orderhooks/internal/suggest"
	"github.com/orderhooks/orderhooks/internal/yamljson"
	"github.com/orderhooks/orderhooks/provider"
	"github.com/orderhooks/orderhooks/schemas"
)

// Formats Export writes.
const (
	// OpenAPI is an OpenAPI 3.1 document: one webhooks entry per event.
	OpenAPI = apispec.OpenAPI
	// AsyncAPI is an AsyncAPI 3.0 document: one send operation per event.
	AsyncAPI = apispec.AsyncAPI
)

// Versions of the documents written.
const (
	OpenAPIVersion  = "3.1.0"
	AsyncAPIVersion = "3.0.0"
	// httpBindingVersion is the AsyncAPI HTTP bindings' version.
	httpBindingVersion = "0.3.0"
)

// ErrFormat is wrapped when Export is asked for a format it does not
// write; ErrExport by every other problem (a schema it cannot translate).
var (
	ErrFormat = errors.New("specexport: unknown format")
	ErrExport = errors.New("specexport: cannot export")
)

// Error is a payload schema the export cannot translate, where it is
// written: "FILE:LINE: POINTER: message" (the definition file and the
// pointer of the event's schema in it, or the imported document's place).
// It wraps ErrExport (its Class). The same type is provider.Error and
// apispec.Error, with their own classes.
type Error = errs.Located

// Document is an exported description.
type Document struct {
	// Format is OpenAPI or AsyncAPI.
	Format string
	json   []byte
}

// JSON is the document as indented JSON, ending in a newline.
func (x *Document) JSON() []byte { return x.json }

// YAML is the document as YAML, members in the same order.
func (x *Document) YAML() ([]byte, error) { return yamljson.FromJSON(x.json) }

// Export describes the events of d as an OpenAPI 3.1 or AsyncAPI 3.0
// document (format OpenAPI or AsyncAPI): each event with its payload
// schema, the request's headers (signature, message id, timestamp, the
// event's own) with the signing scheme in words, and how the provider
// delivers. The payload schemas, and every schema they refer to, are
// components/schemas entries whose $refs name each other; for AsyncAPI
// they are rewritten in JSON Schema draft-07's terms. Nothing secret is
// in a definition, and nothing secret is written.
func Export(d *provider.Definition, format string) (*Document, error) {
	var root *jsontree.Object
	var err error
	switch format {
	case OpenAPI:
		root, err = openAPI(d)
	case AsyncAPI:
		root, err = asyncAPI(d)
	default:
		return nil, fmt.Errorf("%w %q: want %s or %s%s", ErrFormat, format, OpenAPI, AsyncAPI,
			suggest.Hint(format, []string{OpenAPI, AsyncAPI}, nil))
	}
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, jsontree.Append(nil, root), "", "  "); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrExport, err)
	}
	buf.WriteByte('\n')
	return &Document{Format: format, json: buf.Bytes()}, nil
}

// event is one event of the document: a wire name, and the payload
// schemas of the events that go by it (two when Standard Webhooks
// carries a Phasio and a HappyColis event of one name).
type event struct {
	wire, title, description string
	own                      *provider.Event // the definition's own event, nil for a carried one
	payloads                 []payload
}

// payload is where an event's payload schema is.
type payload struct {
	from    string // the definition it comes from
	loc     string // absolute URI#pointer
	hint    string // its component's name unless the location names it
	loaders []loader
	// locate says where a location of the schema is written: the file,
	// its line and the pointer in it.
	locate func(loc string) (file string, line int, ptr string)
}

// events lists d's events by wire name: its own, then those it carries.
func events(d *provider.Definition) ([]*event, error) {
	var out []*event
	byWire := map[string]*event{}
	add := func(owner *provider.Definition, e *provider.Event, wire string, own bool) error {
		p, err := payloadOf(owner, e)
		if err != nil {
			return fmt.Errorf("%w: event %s: %v", ErrExport, e.Name, err)
		}
		ev := byWire[wire]
		if ev == nil {
			ev = &event{wire: wire, description: e.Description}
			if e.Title != e.Name { // a title of its own, not the default
				ev.title = e.Title
			}
			byWire[wire] = ev
			out = append(out, ev)
		}
		if own {
			ev.own = e
		}
		for _, q := range ev.payloads {
			if q.loc == p.loc {
				return nil
			}
		}
		ev.payloads = append(ev.payloads, p)
		return nil
	}
	for _, e := range d.Events() {
		if err := add(d, e, e.Wire, true); err != nil {
			return nil, err
		}
	}
	for _, o := range d.Origins() {
		for _, e := range o.Definition.Events() {
			if err := add(o.Definition, e, d.WireName(e.Name), false); err != nil {
				return nil, err
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: %s has no events", ErrExport, d.Name())
	}
	return out, nil
}

// embeddedPrefix is the URI under which the embedded schemas are served.
const embeddedPrefix = "https://orderhooks.dev/schemas/"

// embedded serves the embedded schemas.
func embedded(uri string) ([]byte, bool, error) {
	if !strings.HasPrefix(uri, embeddedPrefix) {
		return nil, false, nil
	}
	b, err := schemas.LoadURL(uri)
	return b, err == nil, err
}

// payloadOf finds the payload schema of event e of owner: in the
// document it was imported from, a built-in schema, or the definition's
// own (inline or from a file), which is given a URI of its own.
func payloadOf(owner *provider.Definition, e *provider.Event) (payload, error) {
	p := payload{from: owner.Name(), hint: owner.Name() + "." + e.Name}
	if spec := owner.Imported(); spec != nil {
		for _, ae := range spec.Events {
			if ae.Name == e.Name {
				p.loc, p.hint = normalize(ae.Schema), e.Name
				p.loaders = []loader{func(uri string) ([]byte, bool, error) {
					b, err := spec.Load(uri)
					return b, err == nil, nil
				}}
				p.locate = func(loc string) (string, int, string) {
					file, line := spec.Locate(loc)
					_, frag, _ := strings.Cut(loc, "#")
					return file, line, frag
				}
				return p, nil
			}
		}
	}
	es, err := e.Schema()
	if err != nil {
		return p, err
	}
	src := es.Source()
	var id struct {
		ID string `json:"$id"`
	}
	_ = json.Unmarshal(src, &id)
	if b := es.Builtin(); b != "" {
		p.hint = strings.ReplaceAll(b, "/", ".")
	}
	uri := id.ID
	if u, err := url.Parse(uri); err != nil || !u.IsAbs() {
		// Named by its content: events with the same schema share one
		// component.
		sum := sha256.Sum256(src)
		uri = "https://orderhooks.invalid/" + url.PathEscape(owner.Name()) + "/" + hex.EncodeToString(sum[:8]) + ".json"
	}
	uri, _, _ = strings.Cut(uri, "#")
	p.loc = uri + "#"
	at := e.Pointer() + "/schema"
	p.locate = func(loc string) (string, int, string) {
		file, line := owner.Locate(at)
		u, frag, _ := strings.Cut(loc, "#")
		if u != uri {
			return file, line, at + " (" + loc + ")"
		}
		if f, l := owner.Locate(at + frag); l > 0 {
			file, line = f, l
		}
		return file, line, at + frag
	}
	p.loaders = []loader{func(u string) ([]byte, bool, error) {
		if u == uri {
			return src, true, nil
		}
		return nil, false, nil
	}, embedded}
	return p, nil
}

// payloadSchema is the schema of an event's payload: a component, or
// anyOf the components when several events go by its name.
func payloadSchema(b *bundler, ev *event) (*jsontree.Object, []string, error) {
	var refs []any
	var names []string
	for _, p := range ev.payloads {
		b.loaders = p.loaders
		n, err := b.component(p.loc, p.hint)
		var se *schemaError
		if errors.As(err, &se) {
			file, line, ptr := p.locate(se.loc)
			return nil, nil, &Error{Class: ErrExport, File: file, Line: line, Pointer: ptr, Message: "event " + ev.wire + ": " + se.msg}
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%w: event %s: %v", ErrExport, ev.wire, err)
		}
		refs = append(refs, componentRef(n))
		names = append(names, n)
	}
	if len(refs) == 1 {
		return refs[0].(*jsontree.Object), names, nil
	}
	o := &jsontree.Object{}
	o.Set("description", "The payload of any of the platforms whose events go by this name: "+strings.Join(names, ", ")+".")
	o.Set("anyOf", refs)
	return o, names, nil
}

// bodySchema is the schema of the request body: the payload in the
// definition's envelope, sealed when it encrypts.
func bodySchema(b *bundler, d *provider.Definition, ev *event) (any, error) {
	pay, names, err := payloadSchema(b, ev)
	if err != nil {
		return nil, err
	}
	sealed := func() *jsontree.Object {
		return sealedSchema(d, names)
	}
	env := d.Body().Envelope
	if len(env) == 0 {
		if enc := d.Encryption(); enc != nil {
			p, err := jsonptr.Parse(enc.Field)
			if err != nil || len(p) == 0 {
				return nil, fmt.Errorf("%w: encryption.field %q", ErrExport, enc.Field)
			}
			var s any = sealed()
			for i := len(p) - 1; i >= 0; i-- {
				s = objectOf([]string{p[i]}, []any{s})
			}
			return s, nil
		}
		return pay, nil
	}
	v, err := jsontree.Decode(env, maxDepth)
	if err != nil {
		return nil, fmt.Errorf("%w: body.envelope: %v", ErrExport, err)
	}
	return envelopeSchema(v, ev, pay, sealed)
}

// envelopeSchema is the schema of an envelope value: its templates
// replaced by what they are sent as.
func envelopeSchema(v any, ev *event, pay *jsontree.Object, sealed func() *jsontree.Object) (any, error) {
	switch x := v.(type) {
	case *jsontree.Object:
		var vals []any
		for _, k := range x.Keys {
			val, _ := x.Get(k)
			s, err := envelopeSchema(val, ev, pay, sealed)
			if err != nil {
				return nil, err
			}
			vals = append(vals, s)
		}
		return objectOf(x.Keys, vals), nil
	case string:
		t, err := provider.ParseTemplate(x, provider.ContextSend)
		if err != nil {
			return nil, fmt.Errorf("%w: body.envelope: %v", ErrExport, err)
		}
		part, only := t.Only()
		if !only {
			if len(t.Parts()) == 1 && t.Parts()[0].Var == "" {
				return obj("const", x), nil
			}
			return obj("type", "string", "description", "Sent as "+x+"."), nil
		}
		switch part.Var {
		case "payload":
			return pay, nil
		case "sealed":
			return sealed(), nil
		case "event":
			return obj("type", "string", "const", ev.wire, "description", "The event's name."), nil
		case "id":
			return obj("type", "string", "description", "The message id, the same on every redelivery."), nil
		case "time":
			return obj("type", "string", "format", "date-time", "description", "When the message was sent (RFC 3339)."), nil
		case "time.unix", "timestamp":
			return obj("type", "string", "pattern", "^[0-9]+$", "description", "When the message was sent (Unix seconds)."), nil
		}
		return obj("type", "string"), nil
	case nil:
		return obj("type", "null"), nil
	case []any:
		return obj("type", "array"), nil
	}
	return obj("const", v), nil
}

// sealedSchema is the schema of the encrypted payload string.
func sealedSchema(d *provider.Definition, names []string) *jsontree.Object {
	enc := d.Encryption()
	encoding := enc.Encoding
	if encoding == "" {
		encoding = provider.EncodingBase64URL
	}
	nonce, at := 12, provider.NonceStart
	if enc.Nonce != nil {
		nonce, at = enc.Nonce.Size, enc.Nonce.At
	}
	tag := enc.Tag
	if tag == 0 {
		tag = 16
	}
	layout := fmt.Sprintf("nonce (%d bytes) || ciphertext || tag (%d bytes)", nonce, tag)
	if at == provider.NonceEnd {
		layout = fmt.Sprintf("ciphertext || tag (%d bytes) || nonce (%d bytes)", tag, nonce)
	}
	key := "the secret's decoded bytes"
	if enc.Key == provider.KeyUTF8 {
		key = "the secret string's UTF-8 bytes"
	}
	desc := fmt.Sprintf("The payload (%s) as JSON, encrypted with %s keyed with %s: %s of %s.",
		strings.Join(refsText(names), " or "), strings.ToUpper(enc.Algorithm), key, encoding, layout)
	o := obj("type", "string", "description", desc)
	if encoding != provider.EncodingText {
		o.Set("contentEncoding", encoding)
	}
	return o
}

func refsText(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "#/components/schemas/" + n
	}
	return out
}

// objectOf is the schema of an object whose members are all required.
func objectOf(keys []string, vals []any) *jsontree.Object {
	props := &jsontree.Object{Keys: keys, Vals: vals}
	req := make([]any, len(keys))
	for i, k := range keys {
		req[i] = k
	}
	return obj("type", "object", "required", req, "properties", props)
}

// obj builds an object from key, value pairs.
func obj(kv ...any) *jsontree.Object {
	o := &jsontree.Object{}
	for i := 0; i+1 < len(kv); i += 2 {
		o.Set(kv[i].(string), kv[i+1])
	}
	return o
}
