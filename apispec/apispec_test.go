package apispec_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/orderhooks/orderhooks/apispec"
	"github.com/orderhooks/orderhooks/generator/schemagen"
	"github.com/orderhooks/orderhooks/internal/input"
	"github.com/orderhooks/orderhooks/internal/testkit/lessgc"
	"github.com/orderhooks/orderhooks/schemas"
)

// The tests allocate much and keep little: the collector runs a quarter as
// often (internal/testkit/lessgc), except in the child whose peak memory
// BenchmarkLoadTenMB measures.
func init() {
	if os.Getenv("APISPEC_CHILD_LOAD") == "" {
		lessgc.Set()
	}
}

// TestRealDocuments: the vendors' documents under testdata/specs give
// their events, names, operation ids, header values and payload schemas.
func TestRealDocuments(t *testing.T) {
	tests := []struct {
		file     string
		kind     string
		events   int
		first    string
		opID     string
		header   [2]string // name, value declared by the first event
		constPtr [2]string // pointer, value fixed by the first event's schema
	}{
		{"oai-webhook-example.yaml", apispec.OpenAPI, 1, "newPet", "", [2]string{}, [2]string{}},
		{"adyen-balanceplatform-configuration-notification-v2.json", apispec.OpenAPI, 26,
			"balancePlatform.accountHolder.created", "post-balancePlatform.accountHolder.created", [2]string{},
			[2]string{}},
		{"github-webhooks-api.github.com.json", apispec.OpenAPI, 261, "branch-protection-configuration-disabled",
			"branch-protection-configuration/disabled", [2]string{"x-github-event", "issues"}, [2]string{"/action", "disabled"}},
		{"asyncapi-streetlights-kafka.yml", apispec.AsyncAPI, 3, "dimLight", "dimLight", [2]string{}, [2]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s, err := apispec.Load(filepath.Join("..", "testdata", "specs", tt.file), apispec.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if s.Kind != tt.kind || len(s.Events) != tt.events {
				t.Fatalf("%s with %d events, want %s with %d (skipped: %v)", s.Kind, len(s.Events), tt.kind, tt.events, s.Skipped)
			}
			e := s.Events[0]
			if e.Name != tt.first || e.OperationID != tt.opID {
				t.Errorf("first event %q (operation %q), want %q (%q)", e.Name, e.OperationID, tt.first, tt.opID)
			}
			if tt.header[0] != "" {
				if v, ok := e.Header(tt.header[0]); !ok || v != tt.header[1] {
					t.Errorf("header %s = %q, %v", tt.header[0], v, ok)
				}
			}
			if tt.constPtr[0] != "" {
				if v, ok := e.Const(tt.constPtr[0]); !ok || v != tt.constPtr[1] {
					t.Errorf("const %s = %q, %v; want %q", tt.constPtr[0], v, ok, tt.constPtr[1])
				}
			}
			if _, ok := e.Const("/nowhere"); ok {
				t.Error("a const where the schema has none")
			}
			// the payload schema compiles where it stands, with the
			// documents the Spec serves, and generates valid payloads
			docs := schemas.NewDocuments(s.Load)
			v, err := docs.Compile(e.Name, e.Schema, e.SchemaJSON())
			if err != nil {
				t.Fatal(err)
			}
			main, _ := s.Load(s.URI())
			d, err := schemagen.Load(main, schemagen.WithBaseURI(s.URI()), schemagen.WithLoader(s.Load))
			if err != nil {
				t.Fatal(err)
			}
			g, err := d.GeneratorAt(e.Schema)
			if err != nil {
				t.Fatal(err)
			}
			b, err := g.Generate(1)
			if err != nil {
				t.Fatal(err)
			}
			if err := v.ValidateJSON(b); err != nil {
				t.Fatalf("%s: %v", b, err)
			}
			if err := v.ValidateJSON([]byte(`{}`)); err == nil && tt.kind == apispec.OpenAPI {
				t.Error("the compiled schema accepts anything")
			}
		})
	}
}

// TestRelativeFiles: an AsyncAPI document whose messages and schemas are
// in other files (read from the OS and from an fs.FS); recursive schemas
// end; receive operations are skipped.
func TestRelativeFiles(t *testing.T) {
	check := func(t *testing.T, s *apispec.Spec) {
		var names []string
		for _, e := range s.Events {
			names = append(names, e.Name)
		}
		if got := strings.Join(names, ","); got != "orderPaid,orderShipped" {
			t.Fatalf("events %s", got)
		}
		if v, ok := s.Events[0].Header("shop-topic"); !ok || v != "order/paid" {
			t.Errorf("header %q %v", v, ok)
		}
		if v, ok := s.Events[0].Const("/status"); !ok || v != "paid" {
			t.Errorf("const %q %v", v, ok)
		}
		if !strings.HasSuffix(s.Events[1].Schema, "messages.yaml#/orderShipped/payload/schema") {
			t.Errorf("schema at %s", s.Events[1].Schema)
		}
		if e := s.Events[0]; e.Channel != "orders" || e.Address != "shop/orders" || e.OperationID != "sendOrderEvents" {
			t.Errorf("%+v", e)
		}
		if len(s.Skipped) != 1 || !strings.Contains(s.Skipped[0], "receiveAudit") {
			t.Errorf("skipped %v", s.Skipped)
		}
	}
	s, err := apispec.Load(filepath.Join("testdata", "multi", "shop.asyncapi.yaml"), apispec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	check(t, s)
	s, err = apispec.Load("multi/shop.asyncapi.yaml", apispec.Options{FS: os.DirFS("testdata")})
	if err != nil {
		t.Fatal(err)
	}
	check(t, s)
}

// TestErrors: every bad document is one line FILE:LINE: POINTER: message.
func TestErrors(t *testing.T) {
	const head = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n"
	hook := func(schema string) string {
		return head + "webhooks:\n  e:\n    post:\n      requestBody:\n        content:\n          application/json:\n            schema: " + schema + "\n"
	}
	tests := []struct {
		name  string
		files map[string]string
		want  string
		class error
	}{
		{"not yaml", map[string]string{"a.yaml": "openapi: [\n"}, "a.yaml:1: yaml: ", nil},
		{"not a mapping", map[string]string{"a.yaml": "- 1\n"}, "a.yaml:1: a document is a mapping", nil},
		{"neither", map[string]string{"a.yaml": "swagger: '2.0'\n"}, "a.yaml:1: neither an OpenAPI document", nil},
		{"openapi 3.0", map[string]string{"a.yaml": "openapi: 3.0.3\n"}, "a.yaml:1: /openapi: OpenAPI 3.0.3", nil},
		{"asyncapi 2", map[string]string{"a.yaml": "asyncapi: 2.6.0\n"}, "a.yaml:1: /asyncapi: AsyncAPI 2.6.0", nil},
		{"no webhooks", map[string]string{"a.yaml": head}, "a.yaml:1: no webhooks", nil},
		{"no events", map[string]string{"a.yaml": head + "webhooks:\n  e:\n    get: {}\n"}, "a.yaml:3: /webhooks: no events: the document has no webhooks with a post operation taking a JSON request body (/webhooks/e: no post operation)", nil},
		{"missing local ref", map[string]string{"a.yaml": hook("{$ref: '#/components/schemas/Nope'}")},
			"a.yaml:9: /webhooks/e/post/requestBody/content/application~1json/schema/$ref: $ref #/components/schemas/Nope: d/a.yaml has nothing at #/components/schemas/Nope", nil},
		{"missing file", map[string]string{"a.yaml": hook("{$ref: 'other.yaml#/X'}")},
			"a.yaml:9: /webhooks/e/post/requestBody/content/application~1json/schema/$ref: $ref other.yaml#/X: no such file", nil},
		{"ref in another file", map[string]string{"a.yaml": hook("{$ref: 'b.yaml#/X'}"), "b.yaml": "X:\n  properties:\n    y: {$ref: '#/Y'}\n"},
			"b.yaml:3: /X/properties/y/$ref: $ref #/Y: d/b.yaml has nothing at #/Y", nil},
		{"outside the root", map[string]string{"a.yaml": hook("{$ref: '../b.yaml#/X'}")}, "/$ref: $ref ../b.yaml#/X: ", nil},
		{"remote", map[string]string{"a.yaml": hook("{$ref: 'https://example.com/s.json'}")},
			"a.yaml:9: /webhooks/e/post/requestBody/content/application~1json/schema/$ref: $ref https://example.com/s.json is remote", apispec.ErrRemoteRef},
		{"ref cycle", map[string]string{"a.yaml": head + "webhooks:\n  e: {$ref: '#/x'}\nx: {$ref: '#/y'}\ny: {$ref: '#/x'}\n"},
			"leads back to itself", nil},
		{"ref chain", map[string]string{"a.yaml": head + "webhooks:\n  e: {$ref: '#/r0'}\n" + chain(40)}, "more than 32 references in a chain", apispec.ErrLimit},
		{"deep json", map[string]string{"a.json": `{"openapi":"3.1.0","x":` + strings.Repeat("[", 300) + strings.Repeat("]", 300) + "}"},
			"a.json:1: nested more than 256 levels deep", nil},
		{"deep yaml", map[string]string{"a.yaml": "openapi: 3.1.0\nx: " + strings.Repeat("[", 300) + strings.Repeat("]", 300) + "\n"},
			"a.yaml:", nil},
		{"not json", map[string]string{"a.json": "{\"openapi\": \"3.1.0\",\n \"webhooks\": {bad}}"},
			"a.json:2: not JSON at byte 36: invalid character 'b' looking for beginning of object key string", nil},
		{"not utf-8", map[string]string{"a.yaml": "openapi: 3.1.0\ninfo: \xff\n"}, "a.yaml:2: invalid UTF-8", nil},
		{"webhooks a list", map[string]string{"a.yaml": head + "webhooks: [1]\n"}, "a.yaml:3: /webhooks: webhooks must be a mapping, not a list", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, text := range tt.files {
				fsys["d/"+name] = &fstest.MapFile{Data: []byte(text)}
			}
			main := "d/a.yaml"
			if _, ok := tt.files["a.json"]; ok {
				main = "d/a.json"
			}
			_, err := apispec.Load(main, apispec.Options{FS: fsys})
			if err == nil {
				t.Fatal("no error")
			}
			var e *apispec.Error
			if !errors.As(err, &e) || !errors.Is(err, apispec.ErrSpec) {
				t.Fatalf("%T %v", err, err)
			}
			msg := strings.TrimPrefix(err.Error(), "d/")
			if !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") {
				t.Errorf("error\n%s\nwant it to contain\n%s", msg, tt.want)
			}
			if tt.class != nil && !errors.Is(err, tt.class) {
				t.Errorf("%v is not %v", err, tt.class)
			}
		})
	}
}

// chain is a chain of n references r0 → r1 → … .
func chain(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "r%d: {$ref: '#/r%d'}\n", i, i+1)
	}
	fmt.Fprintf(&b, "r%d: {post: {}}\n", n)
	return b.String()
}

// TestRemoteRefs: remote documents are read only when allowed, with a
// timeout; the server is this test's own, on 127.0.0.1.
func TestRemoteRefs(t *testing.T) {
	slow := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/pet.json":
			fmt.Fprint(w, `{"Pet":{"type":"object","required":["id"],"properties":{"id":{"type":"integer"}}}}`)
		case "/slow.json":
			<-slow
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	defer close(slow)
	dir := t.TempDir()
	write := func(ref string) string {
		p := filepath.Join(dir, "a.yaml")
		doc := "openapi: 3.1.0\ninfo: {title: t, version: '1'}\nwebhooks:\n  e:\n    post:\n      requestBody:\n        content:\n          application/json:\n            schema: {$ref: '" + ref + "'}\n"
		if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := write(srv.URL + "/pet.json#/Pet")
	if _, err := apispec.Load(p, apispec.Options{}); !errors.Is(err, apispec.ErrRemoteRef) {
		t.Fatalf("not allowed: %v", err)
	}
	s, err := apispec.Load(p, apispec.Options{AllowRemote: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(srv.URL + "/pet.json"); err != nil {
		t.Fatalf("the remote document is not served: %v", err)
	}
	if _, err := apispec.Load(write(srv.URL+"/missing.json#/Pet"), apispec.Options{AllowRemote: true}); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("missing: %v", err)
	}
	start := time.Now()
	_, err = apispec.Load(write(srv.URL+"/slow.json#/Pet"), apispec.Options{AllowRemote: true, Timeout: 200 * time.Millisecond})
	if err == nil || strings.Contains(err.Error(), "\n") {
		t.Fatalf("slow: %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("the timeout did not hold: %v", time.Since(start))
	}
}

// TestSizeBounds: a schema with more than MaxProperties properties, or an
// enum of more than input.MaxValues values, is refused where it is
// written; one at the bound is read.
func TestSizeBounds(t *testing.T) {
	props := func(n int) string {
		var b strings.Builder
		b.WriteString(`{"type": "object", "properties": {`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"p%d": {"type": "integer"}`, i)
		}
		b.WriteString("}}")
		return b.String()
	}
	enum := func(n int) string {
		var b strings.Builder
		b.WriteString(`{"type": "integer", "enum": [`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(i))
		}
		b.WriteString("]}")
		return b.String()
	}
	doc := func(schema string) string {
		return "{\"openapi\": \"3.1.0\", \"info\": {\"title\": \"t\", \"version\": \"1\"},\n" +
			"\"webhooks\": {\"e\": {\"post\": {\"requestBody\": {\"content\": {\"application/json\": {\"schema\": {\"$ref\": \"#/components/schemas/S\"}}}}}}},\n" +
			"\"components\": {\"schemas\": {\n\"S\": " + schema + "}}}\n"
	}
	tests := []struct {
		name string
		doc  string
		want string // "" when the document is read
	}{
		{"properties at the bound", doc(props(apispec.MaxProperties)), ""},
		{"properties past the bound", doc(props(apispec.MaxProperties + 1)),
			fmt.Sprintf("d/a.json:4: /components/schemas/S/properties: more than %d properties in one schema", apispec.MaxProperties)},
		{"enum at the bound", doc(enum(input.MaxValues)), ""},
		{"enum past the bound", doc(enum(input.MaxValues + 1)),
			fmt.Sprintf("d/a.json:4: /components/schemas/S/enum: an enum of more than %d values", input.MaxValues)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{"d/a.json": &fstest.MapFile{Data: []byte(tt.doc)}}
			_, err := apispec.Load("d/a.json", apispec.Options{FS: fsys})
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || err.Error() != tt.want || !errors.Is(err, apispec.ErrLimit) || !errors.Is(err, apispec.ErrSpec) {
				t.Fatalf("error %v, want %s (ErrLimit)", err, tt.want)
			}
		})
	}
}

// TestAsyncAPIMessageNames: an operation's message is named by the last
// token of its reference's pointer, unescaped by the one JSON pointer rule
// set: ~1 is "/", ~0 is "~", percent escapes decoded first.
func TestAsyncAPIMessageNames(t *testing.T) {
	const doc = `asyncapi: 3.0.0
info: {title: t, version: '1'}
channels:
  orders:
    address: orders
    messages:
      order/paid: {payload: {type: object}}
      "x~1y~0z": {payload: {type: object}}
      order shipped: {payload: {type: object}}
operations:
  send:
    action: send
    channel: {$ref: '#/channels/orders'}
    messages:
      - {$ref: '#/channels/orders/messages/order~1paid'}
      - {$ref: '#/channels/orders/messages/x~01y~00z'}
      - {$ref: '#/channels/orders/messages/order%20shipped'}
`
	path := filepath.Join(t.TempDir(), "a.yaml")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := apispec.Load(path, apispec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range s.Events {
		names = append(names, e.Name)
	}
	if got, want := strings.Join(names, ","), "order shipped,order/paid,x~1y~0z"; got != want {
		t.Errorf("events %s, want %s", got, want)
	}
}
