package specexport_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/orderhooks/orderhooks/apispec"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/generator/schemagen"
	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/provider"
	"github.com/orderhooks/orderhooks/specexport"
	"github.com/orderhooks/orderhooks/wire"
)

// exportCase is a definition to export: the built-ins, and documents
// imported from the real descriptions under testdata/specs.
type exportCase struct {
	name string
	def  func(t testing.TB) *provider.Definition
}

func builtin(name string) func(t testing.TB) *provider.Definition {
	return func(testing.TB) *provider.Definition { return provider.MustBuiltin(name) }
}

func imported(file string) func(t testing.TB) *provider.Definition {
	return func(t testing.TB) *provider.Definition {
		d, err := provider.FromSpec(filepath.Join(testkit.Root(t), "testdata", "specs", file), nil)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
}

func exportCases() []exportCase {
	return []exportCase{
		{"phasio", builtin("phasio")},
		{"happycolis", builtin("happycolis")},
		{"standard", builtin("standard")},
		{"shop", func(t testing.TB) *provider.Definition {
			// the provider package's made-up shop: inline schemas, events
			// told apart by a header, HMAC-SHA512 with a Stripe-style
			// header, a fixed User-Agent
			d, err := provider.Load(filepath.Join(testkit.Root(t), "provider", "testdata", "shop.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			return d
		}},
		{"oai-webhook-example", imported("oai-webhook-example.yaml")},
		{"asyncapi-streetlights", imported("asyncapi-streetlights-kafka.yml")},
	}
}

var formats = []string{specexport.OpenAPI, specexport.AsyncAPI}

// export exports d, failing the test on an error.
func export(t testing.TB, d *provider.Definition, format string) *specexport.Document {
	t.Helper()
	doc, err := specexport.Export(d, format)
	if err != nil {
		t.Fatalf("%s %s: %v", d.Name(), format, err)
	}
	return doc
}

// TestGolden holds every exported document of the cases, as YAML, to
// its golden file (go test ./specexport -run TestGolden -update).
func TestGolden(t *testing.T) {
	for _, c := range exportCases() {
		d := c.def(t)
		for _, f := range formats {
			t.Run(c.name+"."+f, func(t *testing.T) {
				y, err := export(t, d, f).YAML()
				if err != nil {
					t.Fatal(err)
				}
				testkit.Golden(t, t.Name()+".golden.yaml", y)
			})
		}
	}
}

// TestExportErrors: an unknown format is refused with ErrFormat and the
// closest name; a schema AsyncAPI's draft-07 cannot say is refused with
// the place it is written.
func TestExportErrors(t *testing.T) {
	_, err := specexport.Export(provider.MustBuiltin("phasio"), "asyncapi2")
	if !errors.Is(err, specexport.ErrFormat) || !strings.Contains(err.Error(), `did you mean "asyncapi"`) {
		t.Errorf("unknown format: %v", err)
	}
	d := inlineDefinition(t, `{"type":"object","properties":{"a":{"type":"string"}},"unevaluatedProperties":false}`)
	if _, err := specexport.Export(d, specexport.OpenAPI); err != nil {
		t.Errorf("openapi keeps unevaluatedProperties: %v", err)
	}
	_, err = specexport.Export(d, specexport.AsyncAPI)
	if !errors.Is(err, specexport.ErrExport) || !strings.HasPrefix(err.Error(), "inline.yaml:9: /events/list/0/schema/unevaluatedProperties: event thing.made: unevaluatedProperties has no JSON Schema draft-07 form") {
		t.Errorf("draft-07: %v", err)
	}
	d = inlineDefinition(t, `{"$dynamicAnchor":"node","type":"object","properties":{"next":{"$dynamicRef":"#node"}}}`)
	if _, err := specexport.Export(d, specexport.OpenAPI); !errors.Is(err, specexport.ErrExport) || !strings.Contains(err.Error(), "$dynamicRef cannot be exported") {
		t.Errorf("$dynamicRef: %v", err)
	}
}

// inlineDefinition is a one-event definition (Standard Webhooks' signing)
// whose payload schema is schema.
func inlineDefinition(t testing.TB, schema string) *provider.Definition {
	t.Helper()
	src := `format: 1
name: inline
extends: standard
events:
  match: [{header: X-Event}]
  from: []
  list:
    - name: thing.made
      schema: ` + schema + "\n"
	d, err := provider.Parse([]byte(src), "inline.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// compiled compiles the schema at pointer ptr of an exported document as
// its format says: JSON Schema 2020-12 (OpenAPI 3.1) or draft-07
// (AsyncAPI 3.0's schema format), with santhosh-tekuri/jsonschema, which
// the exporter does not use.
func compiled(t testing.TB, doc *specexport.Document, ptr string) *jsonschema.Schema {
	t.Helper()
	const uri = "https://example.test/exported.json"
	r := readOf(doc)
	r.mu.Lock()
	defer r.mu.Unlock()
	if s, ok := r.schemas[ptr]; ok {
		return s
	}
	if r.compiler == nil {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc.JSON()))
		if err != nil {
			t.Fatal(err)
		}
		c := jsonschema.NewCompiler()
		if doc.Format == specexport.AsyncAPI {
			c.DefaultDraft(jsonschema.Draft7)
		}
		if err := c.AddResource(uri, v); err != nil {
			t.Fatal(err)
		}
		r.compiler = c
	}
	s, err := r.compiler.Compile(uri + "#" + (&url.URL{Fragment: ptr}).EscapedFragment())
	if err != nil {
		t.Fatalf("%s: %v", ptr, err)
	}
	r.schemas[ptr] = s
	return s
}

// read is what the tests read of one exported document, read once: its
// decoded JSON, and its components compiled by one compiler. The tests
// compile many components of each document (every event's, every request
// body's); decoding and compiling the whole document again for each was
// most of TestRoundTrip's and TestRequestsValidate's time.
type read struct {
	mu       sync.Mutex
	root     any
	compiler *jsonschema.Compiler
	schemas  map[string]*jsonschema.Schema
}

var reads sync.Map // *specexport.Document → *read

// readOf is doc's read.
func readOf(doc *specexport.Document) *read {
	r, _ := reads.LoadOrStore(doc, &read{schemas: map[string]*jsonschema.Schema{}})
	return r.(*read)
}

// rootOf is doc's JSON decoded (json.Unmarshal into any), decoded once;
// callers do not change it.
func rootOf(t testing.TB, doc *specexport.Document) any {
	t.Helper()
	r := readOf(doc)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.root == nil {
		if err := json.Unmarshal(doc.JSON(), &r.root); err != nil {
			t.Fatal(err)
		}
	}
	return r.root
}

func validates(s *jsonschema.Schema, doc []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return err
	}
	return s.Validate(v)
}

// bodyPointer is where an exported document holds the request body
// schema of the event called wire.
func bodyPointer(t testing.TB, doc *specexport.Document, wire string) string {
	t.Helper()
	if doc.Format == specexport.OpenAPI {
		return "/webhooks/" + jsonptr.Escape(wire) + "/post/requestBody/content/application~1json/schema"
	}
	var d struct {
		Components struct {
			Messages map[string]struct {
				Name string `json:"name"`
			} `json:"messages"`
		} `json:"components"`
	}
	if err := json.Unmarshal(doc.JSON(), &d); err != nil {
		t.Fatal(err)
	}
	for k, m := range d.Components.Messages {
		if m.Name == wire {
			return "/components/messages/" + jsonptr.Escape(k) + "/payload"
		}
	}
	t.Fatalf("no message %s", wire)
	return ""
}

// TestRequestsValidate: the requests the built-in providers send (built
// by package wire from generated orders: Phasio's encrypted, HappyColis'
// and Standard Webhooks' envelopes) validate against the body schemas of
// their exported documents, in both formats; a body with the event named
// wrong, or without its payload, does not.
func TestRequestsValidate(t *testing.T) {
	secrets := map[string]string{"phasio": testkit.PhasioSecret, "happycolis": testkit.Secret("happycolis"), "standard": testkit.Secret("standard")}
	for _, name := range []string{"phasio", "happycolis", "standard"} {
		d := provider.MustBuiltin(name)
		p, err := wire.New(name, []string{secrets[name]})
		if err != nil {
			t.Fatal(err)
		}
		var evs []*generator.Event
		if name == "standard" {
			evs = append(testkit.Events(t, "phasio", 20), testkit.Events(t, "happycolis", 20)...)
		} else {
			evs = testkit.Events(t, name, 20)
		}
		for _, f := range formats {
			doc := export(t, d, f)
			checked := 0
			for i, ev := range evs {
				req, err := p.Build(&wire.Message{Event: ev, ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), Time: testkit.Time}, wire.FaultNone)
				if err != nil {
					t.Fatal(err)
				}
				w := d.WireName(ev.Event)
				s := compiled(t, doc, bodyPointer(t, doc, w))
				if err := validates(s, req.Body); err != nil {
					t.Errorf("%s %s %s: a request's body does not validate: %v", name, f, w, err)
				}
				checked++
				if name == "standard" {
					wrong := bytes.Replace(req.Body, []byte(`"type":"`+w+`"`), []byte(`"type":"x`+w+`"`), 1)
					if bytes.Equal(wrong, req.Body) || validates(s, wrong) == nil {
						t.Errorf("%s %s %s: a body naming another event validates", name, f, w)
					}
				}
				if validates(s, []byte(`{}`)) == nil {
					t.Errorf("%s %s %s: an empty body validates", name, f, w)
				}
			}
			if checked != len(evs) {
				t.Errorf("%s %s: %d of %d requests checked", name, f, checked, len(evs))
			}
		}
	}
}

// TestRoundTrip imports each exported document back (apispec, as --spec
// does): the same events, by their wire names; and each event's payload
// schemas say the same as the definition's, both ways: payloads generated
// from the definition's schema validate against the exported component,
// and payloads generated from the exported component validate against
// the definition's schema.
func TestRoundTrip(t *testing.T) {
	for _, c := range exportCases() {
		d := c.def(t)
		for _, f := range formats {
			t.Run(c.name+"."+f, func(t *testing.T) {
				doc := export(t, d, f)
				path := filepath.Join(t.TempDir(), c.name+"."+f+".json")
				if err := os.WriteFile(path, doc.JSON(), 0o644); err != nil {
					t.Fatal(err)
				}
				spec, err := apispec.Load(path, apispec.Options{})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, e := range spec.Events {
					got = append(got, e.Name)
				}
				want := wireNames(d)
				if strings.Join(got, " ") != strings.Join(want, " ") {
					t.Fatalf("imported events %q, want %q", got, want)
				}
				n := 0
				for _, e := range events(d) {
					comp := payloadComponent(t, doc, e)
					exported := compiled(t, doc, comp)
					es, err := e.ev.Schema()
					if err != nil {
						t.Fatal(err)
					}
					for seed := range int64(10) {
						p, err := es.Generate(seed)
						if err != nil {
							t.Fatal(err)
						}
						if err := validates(exported, p); err != nil {
							t.Errorf("%s: a payload of the definition's schema does not validate against %s: %v", e.wire, comp, err)
						}
					}
					g := generatorAt(t, doc, path, comp)
					for seed := range int64(10) {
						p, err := g.Generate(seed)
						if err != nil {
							t.Fatal(err)
						}
						if err := es.Check(p); err != nil {
							t.Errorf("%s: a payload of %s does not validate against the definition's schema: %v", e.wire, comp, err)
						}
						n++
					}
				}
				if n == 0 {
					t.Fatal("nothing compared")
				}
			})
		}
	}
}

// ev is one event of a definition by its wire name, its own or carried.
type ev struct {
	wire string
	ev   *provider.Event
}

func events(d *provider.Definition) []ev {
	var out []ev
	for _, e := range d.Events() {
		out = append(out, ev{e.Wire, e})
	}
	for _, o := range d.Origins() {
		for _, e := range o.Definition.Events() {
			out = append(out, ev{d.WireName(e.Name), e})
		}
	}
	return out
}

// wireNames are a definition's events by wire name, sorted, each once.
func wireNames(d *provider.Definition) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range events(d) {
		if !seen[e.wire] {
			seen[e.wire] = true
			out = append(out, e.wire)
		}
	}
	sortStrings(out)
	return out
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// payloadComponent is the pointer of the component that holds e's
// payload schema in doc: the body's schema, its data member (Standard
// Webhooks' envelope), one branch of an anyOf, or the component named in
// the description of an encrypted payload.
func payloadComponent(t testing.TB, doc *specexport.Document, e ev) string {
	t.Helper()
	root := rootOf(t, doc)
	p, _ := jsonptr.Parse(bodyPointer(t, doc, e.wire))
	body, _ := jsonptr.Get(root, p)
	es, err := e.ev.Schema()
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	var walk func(v any)
	walk = func(v any) {
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		if r, ok := m["$ref"].(string); ok {
			refs = append(refs, strings.TrimPrefix(r, "#"))
		}
		if props, ok := m["properties"].(map[string]any); ok {
			walk(props["data"])
			if s, ok := props["payload"].(map[string]any); ok {
				desc, _ := s["description"].(string)
				for _, f := range strings.Fields(desc) {
					if i := strings.Index(f, "#/components/schemas/"); i >= 0 {
						refs = append(refs, strings.TrimRight(f[i+1:], ").,"))
					}
				}
			}
		}
		if all, ok := m["anyOf"].([]any); ok {
			for _, b := range all {
				walk(b)
			}
		}
	}
	walk(body)
	// The one whose schema a payload of e validates against.
	sample, err := es.Generate(1)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range refs {
		if validates(compiled(t, doc, r), sample) == nil {
			return r
		}
	}
	t.Fatalf("%s: no component of %v holds its payload", e.wire, refs)
	return ""
}

// generatorAt is the schema-driven generator of the exported document's
// component at ptr.
func generatorAt(t testing.TB, doc *specexport.Document, path, ptr string) *schemagen.Generator {
	t.Helper()
	uri := (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
	d, err := schemagen.Load(doc.JSON(), schemagen.WithBaseURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	g, err := d.GeneratorAt(uri + "#" + (&url.URL{Fragment: ptr}).EscapedFragment())
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestDialects: a payload schema using what changes between JSON Schema
// 2020-12 and draft-07 ($defs, a $ref with siblings, an $anchor, a
// recursive definition, prefixItems, dependentRequired, an embedded
// resource with its own $id and $defs) says the same once exported: each
// instance validates against the definition's schema exactly when it
// validates against the exported component, compiled as 2020-12 for
// OpenAPI and as draft-07 for AsyncAPI.
func TestDialects(t *testing.T) {
	const schema = `{"type":"object","required":["a","b"],
	  "$defs":{"pos":{"$anchor":"positive","type":"integer","minimum":1},
	    "node":{"type":"object","properties":{"v":{"$ref":"#/$defs/pos"},"next":{"$ref":"#/$defs/node"}},"additionalProperties":false}},
	  "properties":{
	    "a":{"$ref":"#/$defs/pos","maximum":10},
	    "b":{"type":"array","prefixItems":[{"type":"string"},{"$ref":"#positive"}],"items":false},
	    "c":{"$ref":"#/$defs/node"},
	    "d":{"type":"object","dependentRequired":{"x":["y"]}},
	    "e":{"$id":"https://example.test/inner.json","$defs":{"s":{"type":"string","maxLength":3}},"$ref":"#/$defs/s"}}}`
	d := inlineDefinition(t, strings.Join(strings.Fields(schema), " "))
	es, err := d.Events()[0].Schema()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		doc   string
		valid bool
	}{
		{`{"a":5,"b":["x",2],"c":{"v":1,"next":{"v":2}},"d":{"x":1,"y":2},"e":"abc"}`, true},
		{`{"a":11,"b":["x",2]}`, false},                // the $ref's sibling maximum
		{`{"a":0,"b":["x",2]}`, false},                 // the definition's minimum
		{`{"a":1,"b":["x",0]}`, false},                 // prefixItems through the anchor
		{`{"a":1,"b":["x",1,"more"]}`, false},          // items false after prefixItems
		{`{"a":1,"b":[1]}`, false},                     // the first item's type
		{`{"a":1,"b":[],"c":{"next":{"v":0}}}`, false}, // recursion
		{`{"a":1,"b":[],"c":{"w":1}}`, false},          // additionalProperties in the definition
		{`{"a":1,"b":[],"d":{"x":1}}`, false},          // dependentRequired
		{`{"a":1,"b":[],"e":"abcd"}`, false},           // the embedded resource's $defs
		{`{"a":1,"b":[],"e":"abc","extra":true}`, true},
	}
	for _, f := range formats {
		doc := export(t, d, f)
		comp := payloadComponent(t, doc, ev{"thing.made", d.Events()[0]})
		s := compiled(t, doc, comp)
		for _, tt := range tests {
			orig := es.Check([]byte(tt.doc)) == nil
			if orig != tt.valid {
				t.Fatalf("the definition's schema says %v for %s", orig, tt.doc)
			}
			if got := validates(s, []byte(tt.doc)) == nil; got != tt.valid {
				t.Errorf("%s: %s: exported says valid=%v, want %v", f, tt.doc, got, tt.valid)
			}
		}
		if f == specexport.AsyncAPI {
			for _, kw := range []string{"prefixItems", "dependentRequired", "$defs", "$id", "$anchor"} {
				if bytes.Contains(doc.JSON(), []byte(`"`+kw+`"`)) {
					t.Errorf("asyncapi: %s left in the document", kw)
				}
			}
		}
	}
}

// TestNoSecret: an export holds no secret, though definitions hold some
// (a vector's secret, the example secret of a hint): Standard Webhooks'
// built-in, and a definition with a known-answer vector, in both formats
// and in every form a secret could leak in (testkit.SecretForms).
func TestNoSecret(t *testing.T) {
	const vectorSecret = "whsec_c2VjcmV0LWluLWEtdmVjdG9yLW9mLWEtZGVmaW5pdGlvbg=="
	src := `format: 1
name: vectors
extends: standard
signing:
  header: webhook-signature
  content: "{id}.{timestamp}.{body}"
  schemes:
    - name: v1
      algorithm: hmac-sha256
      secret: {prefix: whsec_, encoding: base64, hint: "secrets look like whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}
      key: decoded
      encoding: base64
      signature: "v1,{sig}"
events:
  match: [{header: X-Event}]
  from: []
  list:
    - {name: thing.made, schema: {type: object, properties: {id: {type: string}}}}
vectors:
  - name: one
    secret: "` + vectorSecret + `"
    id: msg_1
    timestamp: "1700000000"
    body: '{"id":"a"}'
    expect: {headers: {webhook-signature: "v1,xxxx"}}
`
	d, err := provider.Parse([]byte(src), "vectors.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Vectors()) != 1 || d.Vectors()[0].Secret != vectorSecret {
		t.Fatal("the definition lost its vector")
	}
	secrets := []string{vectorSecret, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", testkit.Secret("standard")}
	for _, def := range []*provider.Definition{d, provider.MustBuiltin("standard"), provider.MustBuiltin("phasio"), provider.MustBuiltin("happycolis")} {
		for _, f := range formats {
			doc := export(t, def, f)
			y, err := doc.YAML()
			if err != nil {
				t.Fatal(err)
			}
			for _, text := range [][]byte{doc.JSON(), y} {
				if s := testkit.FindSecret(string(text), secrets...); s != "" {
					t.Errorf("%s %s: holds a secret (%q)", def.Name(), f, s)
				}
			}
		}
	}
}
