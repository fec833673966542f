package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/orderhooks/orderhooks/internal/testkit/lessgc"
)

// The tests allocate much and keep little: the collector runs a quarter as
// often (internal/testkit/lessgc).
func init() { lessgc.Set() }

// TestBuiltins reads every built-in definition, writes it back as a file
// and reads that again: the same definition (digest), the same events.
func TestBuiltins(t *testing.T) {
	want := map[string][]string{
		"phasio":     {"ORDER", "ORDER_UPDATED", "QUOTE_CONVERTED"},
		"happycolis": {"order/created", "order/opened", "order/updated", "order/completed", "order/cancelled"},
		"standard":   nil,
	}
	for _, name := range Builtins() {
		t.Run(name, func(t *testing.T) {
			d, err := Lookup(name)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range d.Events() {
				got = append(got, e.Name)
			}
			if fmt.Sprint(got) != fmt.Sprint(want[name]) {
				t.Errorf("events %v, want %v", got, want[name])
			}
			if err := d.Check(context.Background()); err != nil {
				t.Errorf("Check: %v", err)
			}
			// The embedded bytes parse to the same definition.
			again, err := Parse(BuiltinFile(name), "copy.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if again.Digest() != d.Digest() {
				t.Errorf("the embedded file read again has digest %s, want %s", again.Digest(), d.Digest())
			}
			for _, inline := range []bool{false, true} {
				var buf bytes.Buffer
				if err := d.WriteYAML(&buf, inline); err != nil {
					t.Fatal(err)
				}
				back, err := Parse(buf.Bytes(), "written.yaml")
				if err != nil {
					t.Fatalf("inline %v: %v\n%s", inline, err, buf.Bytes())
				}
				if !inline && back.Digest() != d.Digest() {
					t.Errorf("WriteYAML read back has digest %s, want %s", back.Digest(), d.Digest())
				}
				if len(back.Events()) != len(d.Events()) || fmt.Sprint(back.EventNames()) != fmt.Sprint(d.EventNames()) {
					t.Errorf("inline %v: events %v, want %v", inline, back.EventNames(), d.EventNames())
				}
				if inline {
					for _, e := range back.Events() {
						if e.SchemaSource.Builtin != "" {
							t.Errorf("%s: schema still built-in", e.Name)
						}
						if _, err := e.Schema(); err != nil {
							t.Errorf("%s: inlined schema: %v", e.Name, err)
						}
					}
				}
			}
			// JSON is a definition file too.
			js, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Parse(js, name+".json"); err != nil {
				t.Errorf("its JSON form: %v", err)
			}
		})
	}
	if _, ok := Builtin("shopify"); ok {
		t.Error("Builtin(shopify) exists")
	}
	if _, err := Lookup("phasoi"); !errors.Is(err, ErrUnknownProvider) || !strings.Contains(err.Error(), `did you mean "phasio"`) {
		t.Errorf("Lookup(phasoi): %v", err)
	}
	if BuiltinFile("nope") != nil {
		t.Error("BuiltinFile of an unknown name")
	}
}

// TestBuiltinFacts pins the facts of the built-ins that the wire formats
// depend on, read through the API.
func TestBuiltinFacts(t *testing.T) {
	ph := MustBuiltin("phasio")
	if e := ph.Encryption(); e == nil || e.Nonce.Size != 12 || e.Nonce.At != NonceStart || e.Field != "/payload" || e.Key != KeyDecoded {
		t.Errorf("phasio encryption %+v", ph.Encryption())
	}
	if s := ph.Signing(); s == nil || s.Join != JoinNone || s.Schemes[0].Key != KeyUTF8 || ph.Template("/signing/content").String() != "{body:/payload}" {
		t.Errorf("phasio signing %+v", ph.Signing())
	}
	if ph.Request().Method != "POST" || ph.Request().ContentType != "application/json" {
		t.Errorf("phasio request %+v", ph.Request())
	}
	e, _ := ph.Event("ORDER")
	if e.Title != "Order Created" || e.Wire != "ORDER" || fmt.Sprint(e.Key) != "[/orderId]" || e.Time == nil || !e.Time.None {
		t.Errorf("phasio ORDER %+v", e)
	}
	hc := MustBuiltin("happycolis")
	if hc.ID().Pointer != "/header/messageId" || hc.Template("/body/stamp/~1header~1messageId").String() != "{id}" {
		t.Errorf("happycolis id %+v", hc.ID())
	}
	if hc.Delivery().OnFailure != OnFailureBlock || !hc.Delivery().Retry.None {
		t.Errorf("happycolis delivery %+v", hc.Delivery())
	}
	st := MustBuiltin("standard")
	if p, ok := st.EnvelopePointer("payload"); !ok || p != "/data" {
		t.Errorf("standard payload at %q %v", p, ok)
	}
	if ts := st.Timestamp(); ts == nil || ts.Tolerance.D.Minutes() != 5 || ts.Format != TimeUnix {
		t.Errorf("standard timestamp %+v", st.Timestamp())
	}
	for ev, want := range map[string]string{"ORDER_UPDATED": "order.updated", "order/created": "order.created", "ORDER": "order", "QUOTE_CONVERTED": "quote.converted"} {
		if got := st.WireName(ev); got != want {
			t.Errorf("standard WireName(%s) = %s, want %s", ev, got, want)
		}
	}
	waits := st.Delivery().Retry.Waits()
	if len(waits) != 8 || waits[7].Hours() != 10 {
		t.Errorf("standard retry waits %v", waits)
	}
	if w := ph.Delivery().Retry.Waits(); fmt.Sprint(w) != "[500ms 1s 2s 4s]" {
		t.Errorf("phasio retry waits %v", w)
	}
}

// TestResolve finds the origin event behind a Standard Webhooks type:
// a {header, body} envelope is HappyColis', anything else Phasio's.
func TestResolve(t *testing.T) {
	st := MustBuiltin("standard")
	tests := []struct {
		wire, body string
		provider   string
		event      string
	}{
		{"order.updated", `{"type":"order.updated","data":{"orderId":1}}`, "phasio", "ORDER_UPDATED"},
		{"order.updated", `{"type":"order.updated","data":{"header":{},"body":{}}}`, "happycolis", "order/updated"},
		{"order.created", `{"type":"order.created","data":{"header":{}}}`, "happycolis", "order/created"},
		{"order", `{"data":{}}`, "phasio", "ORDER"},
		{"order.created", `{"data":{"orderId":1}}`, "", ""},
		{"invoice.paid", `{}`, "", ""},
	}
	for _, tt := range tests {
		body, _ := decodeJSON([]byte(tt.body))
		e, ok := st.Resolve(tt.wire, body)
		if tt.provider == "" {
			if ok {
				t.Errorf("%s %s: resolved to %s/%s", tt.wire, tt.body, e.Provider, e.Name)
			}
			continue
		}
		if !ok || e.Provider != tt.provider || e.Name != tt.event {
			t.Errorf("%s %s: %v %v, want %s/%s", tt.wire, tt.body, e, ok, tt.provider, tt.event)
		}
	}
}

// TestShop reads the test definition: templates, a data lifecycle, and
// schema-driven events whose generated payloads validate and hold the key.
func TestShop(t *testing.T) {
	d, err := Load("testdata/shop.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Check(context.Background()); err != nil {
		t.Fatalf("Check: %v", err)
	}
	if got := d.WireName("order_paid"); got != "order/paid" {
		t.Errorf("wire name %q", got)
	}
	e, _ := d.Event("order_paid")
	if e.Match["Shop-Topic"] != "order/paid" || fmt.Sprint(e.Compare) != "[/id /status /total]" || e.Title != "order_paid" {
		t.Errorf("event %+v", e)
	}
	if tm := d.Template("/signing/timestampItem"); tm == nil || tm.String() != "t={timestamp}" {
		t.Errorf("timestamp item %v", tm)
	}
	if tm := d.Template("/lifecycle/transitions/1/set/~1updatedAt"); tm == nil || !tm.Uses("time") {
		t.Errorf("transition template %v", tm)
	}
	s, err := e.Schema()
	if err != nil {
		t.Fatal(err)
	}
	for seed := int64(1); seed <= 20; seed++ {
		p, err := s.Generate(seed)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Check(p); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		doc, _ := decodeJSON(p)
		if k := KeyOf(doc, e.Key); !regexp.MustCompile(`^ord_[0-9a-f]{12}$`).MatchString(k) {
			t.Fatalf("seed %d: key %q in %s", seed, k, p)
		}
	}
	if err := s.Check([]byte(`{"id":"x"}`)); err == nil {
		t.Error("Check accepted an invalid payload")
	}
	if err := d.Check(context.Background()); err != nil {
		t.Error(err)
	}
}

// TestSchemaRefs reads payload schemas from files next to the definition,
// and refuses files outside its directory.
func TestSchemaRefs(t *testing.T) {
	fsys := fstest.MapFS{
		"defs/p.yaml":           {Data: []byte(minimal(`{name: a, schema: {$ref: schemas/a.yaml}}, {name: b, schema: {$ref: "schemas/all.json#/$defs/b"}}`))},
		"defs/schemas/a.yaml":   {Data: []byte("type: object\nrequired: [id]\nproperties: {id: {type: integer}}\n")},
		"defs/schemas/all.json": {Data: []byte(`{"$defs":{"b":{"type":"object","required":["id"],"properties":{"id":{"const":"b1"}}}}}`)},
		"defs/escape.yaml":      {Data: []byte(minimal(`{name: a, schema: {$ref: ../secret.json}}`))},
		"secret.json":           {Data: []byte(`{"properties":{"id":{}}}`)},
	}
	d, err := Load("defs/p.yaml", WithFS(fsys))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	b, _ := d.Event("b")
	s, _ := b.Schema()
	if p, _ := s.Generate(3); string(p) != `{"id":"b1"}` {
		t.Errorf("generated %s", p)
	}
	d, err = Load("defs/escape.yaml", WithFS(fsys))
	if err != nil {
		t.Fatal(err)
	}
	err = d.Check(context.Background())
	if err == nil || !strings.Contains(err.Error(), "defs/escape.yaml:") || !strings.Contains(err.Error(), "outside") {
		t.Errorf("escape: %v", err)
	}
	// WithRefRoot widens where references may point.
	d, err = Load("defs/escape.yaml", WithFS(fsys), WithRefRoot("."))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Check(context.Background()); err != nil && strings.Contains(err.Error(), "outside") {
		t.Errorf("escape with WithRefRoot(\".\"): %v", err)
	}
}

// minimal is a small valid definition with the given events list.
func minimal(list string) string {
	return `format: 1
name: tiny
signing:
  header: X-Sig
  content: "{body}"
  schemes: [{algorithm: hmac-sha256, secret: {encoding: text}, key: utf8, encoding: hex, signature: "{sig}"}]
events:
  match: [{header: X-Event}]
  key: /id
  list: [` + list + `]
`
}

// TestErrors: every problem is one line, FILE:LINE: POINTER: message,
// at the line where the problem is written.
func TestErrors(t *testing.T) {
	base := minimal(`{name: a, schema: {type: object, properties: {id: {type: string}}}}`)
	tests := []struct {
		name, file string
		want       []string
	}{
		{"not yaml", "format: [1\n", []string{"p.yaml:1: yaml: "}},
		{"empty", "", []string{"p.yaml:1: empty document"}},
		{"a list", "- 1\n", []string{"p.yaml:1: a definition is a mapping of sections (format, name, signing, events…), not a list"}},
		{"other format", "format: 2\nname: x\n", []string{"p.yaml:1: /format: this orderhooks reads format 1, not 2"}},
		{"no name", "format: 1\nsigning: none\n", []string{"p.yaml:1: /name: required field is missing"}},
		{"bad name", "format: 1\nname: Shop Platform\nsigning: none\n", []string{"p.yaml:2: /name: "}},
		{"unknown key", base + "colour: red\n", []string{"p.yaml:11: /colour: unknown field, not allowed here"}},
		{"x- key", base + "x-colour: red\n", nil},
		{"key twice", "format: 1\nname: a\nname: b\n", []string{"p.yaml:3: key \"name\" appears twice"}},
		{"bad enum", strings.Replace(base, "encoding: hex", "encoding: base32", 1), []string{"p.yaml:6: /signing/schemes/0/encoding: value must be one of"}},
		{"no signing", "format: 1\nname: a\n", []string{"p.yaml:1: /signing: required field is missing"}},
		{"signing typo", "format: 1\nname: a\nsigning: nope\n", []string{"p.yaml:3: /signing: value must be 'none'"}},
		{"signing missing header", strings.Replace(base, "  header: X-Sig\n", "", 1), []string{"p.yaml:3: /signing/header: required field is missing"}},
		{"template unknown var", strings.Replace(base, `content: "{body}"`, `content: "{bdy}"`, 1), []string{"p.yaml:5: /signing/content: {bdy} is not available here ({id}, {timestamp}, {body}"}},
		{"template unbalanced", strings.Replace(base, `content: "{body}"`, `content: "{body"`, 1), []string{`p.yaml:5: /signing/content: "{" at byte 1 is not closed`}},
		{"timestamp needs section", strings.Replace(base, `content: "{body}"`, `content: "{timestamp}.{body}"`, 1), []string{"p.yaml:5: /signing/content: {timestamp} needs a timestamp section"}},
		{"sig twice", strings.Replace(base, `signature: "{sig}"`, `signature: "{sig}{sig}"`, 1), []string{"p.yaml:6: /signing/schemes/0/signature: a signature template has {sig} exactly once, this one 2 times"}},
		{"signature ends with a space", strings.Replace(base, `signature: "{sig}"`, `signature: "v1={sig} "`, 1), []string{`p.yaml:6: /signing/schemes/0/signature: "v1={sig} " starts or ends with white space, which HTTP drops from header values`}},
		{"signature holds the join", strings.Replace(base, `signature: "{sig}"`, `signature: "v1 {sig}"`, 1), []string{`p.yaml:6: /signing/schemes/0/signature: "v1 {sig}" holds the separator between signatures (signing.join " ")`}},
		{"hmac without key", strings.Replace(base, "key: utf8, ", "", 1), []string{"p.yaml:6: /signing/schemes/0/key: required for HMAC"}},
		{"event twice", minimal(`{name: a, schema: {}}, {name: a, schema: {}}`), []string{"p.yaml:10: /events/list/1/name: event \"a\" is listed twice"}},
		{"no schema", minimal(`{name: a}`), []string{"p.yaml:10: /events/list/0/schema: required field is missing"}},
		{"unknown builtin schema", minimal(`{name: a, schema: {builtin: shop/order}}`), []string{`p.yaml:10: /events/list/0/schema/builtin: "shop/order" is not a built-in schema`}},
		{"same match", minimal(`{name: a, schema: {}, match: {X-Event: z}}, {name: b, schema: {}, match: {X-Event: z}}`), []string{"p.yaml:10: /events/list/1/match: same as a (header X-Event=z)"}},
		{"default unknown", strings.Replace(base, "  key: /id\n", "  key: /id\n  default: zz\n", 1), []string{`p.yaml:10: /events/default: "zz" is not one of the events`}},
		{"bad pointer", strings.Replace(base, "key: /id", "key: id", 1), []string{"p.yaml:9: /events/key: "}},
		{"from unknown", strings.Replace(base, "  key: /id\n", "  key: /id\n  from: [{provider: shopify}]\n", 1), []string{`p.yaml:10: /events/from/0/provider: shopify: not one of phasio, happycolis, standard`}},
		{"extends", "format: 1\nname: my-phasio\nextends: phasio\nid: {testHeader: X-My-Delivery}\n", nil},
		{"extends unknown", "format: 1\nname: x\nextends: phasoi\n", []string{`p.yaml:3: /extends: "phasoi" is not a built-in definition (phasio, happycolis, standard) (did you mean "phasio"?)`}},
		{"envelope twice", strings.Replace(base, "events:", "body: {envelope: {a: \"{payload}\", b: \"{payload}\"}}\nevents:", 1), []string{"/body/envelope: the envelope holds the payload once"}},
		{"payload in string", strings.Replace(base, "events:", "body: {envelope: {a: \"x{payload}\"}}\nevents:", 1), []string{"/body/envelope/a: {payload} must be the whole string"}},
		{"id pointer not written", strings.Replace(base, "events:", "id: {pointer: /meta/id}\nevents:", 1), []string{`p.yaml:7: /id/pointer: nothing writes the id at /meta/id: add body.stamp /meta/id: "{id}"`}},
		{"block retries", base + "delivery: {onFailure: block, retry: {schedule: [1s]}}\n", []string{"p.yaml:11: /delivery/retry: a queue that blocks on a failure does not retry"}},
		{"bad duration", base + "delivery: {timeout: 10 seconds}\n", []string{"p.yaml:11: /delivery/timeout: "}},
		{"transition unknown event", base + "lifecycle: {state: /s, transitions: [{name: t, to: b, emits: nope}]}\n", []string{`p.yaml:11: /lifecycle/transitions/0/emits: "nope" is not a listed event`}},
		{"scenario unknown step", base + "lifecycle: {state: /s, transitions: [{name: t, to: b, emits: a}], scenarios: [{name: s, steps: [t, u]}]}\n", []string{`/lifecycle/scenarios/0/steps/1: "u" is not a transition`}},
		{"ed25519 key", strings.Replace(base, "algorithm: hmac-sha256", "algorithm: ed25519", 1), []string{"/signing/schemes/0/key: an Ed25519 scheme has no key derivation", "/signing/schemes/0/public: an Ed25519 scheme needs the public key's form"}},
		{"import", strings.Replace(base, "  key: /id\n", "  key: /id\n  import: {spec: api.yaml}\n", 1), []string{"p.yaml:10: /events/import/spec: api.yaml: no such file"}},
		{"encryption needs encoded secret", strings.Replace(base, "events:", "encryption: {algorithm: aes-256-gcm, key: decoded, field: /payload}\nevents:", 1), []string{"/signing/schemes/0/secret/encoding: encryption.key decoded needs an encoded secret, not text"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.file), "p.yaml")
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Parse accepted it")
			}
			if !errors.Is(err, ErrDefinition) {
				t.Errorf("not ErrDefinition: %v", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%s\nwant it to contain\n%s", err, w)
				}
			}
			checkErrorLines(t, err)
		})
	}
}

// errorLine is the shape of every problem line.
var errorLine = regexp.MustCompile(`^[^:\n]+:\d+: ((/[^ ]*): )?[^\n]+$`)

func checkErrorLines(t *testing.T, err error) {
	t.Helper()
	lines := strings.Split(err.Error(), "\n")
	for i, l := range lines {
		if i == len(lines)-1 && strings.HasPrefix(l, "and ") && strings.HasSuffix(l, " more") {
			continue
		}
		if !errorLine.MatchString(l) {
			t.Errorf("problem line %q is not FILE:LINE: POINTER: message", l)
		}
	}
}

// TestProblemsCapped: many problems, ten lines and "and N more".
func TestProblemsCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString("format: 1\nname: many\nsigning: none\n")
	for i := 0; i < 15; i++ {
		fmt.Fprintf(&b, "bad%d: x\n", i)
	}
	_, err := Parse([]byte(b.String()), "many.yaml")
	var ps Problems
	if !errors.As(err, &ps) || len(ps) != 15 {
		t.Fatalf("%v", err)
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 11 || lines[10] != "and 5 more" || !strings.HasPrefix(lines[0], "many.yaml:4: /bad0: ") {
		t.Errorf("%s", err)
	}
	var pe *Error
	if !errors.As(err, &pe) || pe.Line != 4 || pe.Pointer != "/bad0" {
		t.Errorf("errors.As: %+v", pe)
	}
}

// TestLimits: a file over the size limit, an alias bomb and deep nesting
// fail fast with one line each.
func TestLimits(t *testing.T) {
	big := "format: 1\nname: big\nsigning: none\ndescription: " + strings.Repeat("x", 1<<20) + "\n"
	var bomb strings.Builder
	bomb.WriteString("format: 1\nname: bomb\nsigning: none\nx-a0: &a0 [" + strings.Repeat("x,", 50) + "x]\n")
	for i := 1; i < 12; i++ {
		fmt.Fprintf(&bomb, "x-a%d: &a%d [*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	deep := "format: 1\nname: deep\nsigning: none\nx-deep: " + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + "\n"
	for name, in := range map[string]string{"big": big, "bomb": bomb.String(), "deep": deep} {
		_, err := Parse([]byte(in), name+".yaml")
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if strings.Count(err.Error(), "\n") > 0 || !strings.HasPrefix(err.Error(), name+".yaml:") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestErrorLocations: a duration too large for Go, a byte that is not
// UTF-8 and nesting past the documented 64 levels (even past the YAML
// parser's own bound of 10,000) are each one line at their own line, with
// the pointer where there is one, whether the file is loaded or parsed.
func TestErrorLocations(t *testing.T) {
	base := minimal(`{name: a, schema: {type: object}}`) // 10 lines
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	tests := []struct{ name, file, want string }{
		{"retry schedule", base + "delivery:\n  retry: {schedule: [1m, 99999999h]}\n",
			`p.yaml:12: /delivery/retry/schedule/1: "99999999h" is not a duration orderhooks can hold (at most 2562047h)`},
		{"timeout", base + "delivery:\n  ordering: fifo\n  timeout: 99999999h\n",
			`p.yaml:13: /delivery/timeout: "99999999h" is not a duration orderhooks can hold (at most 2562047h)`},
		{"tolerance", strings.Replace(base, "events:", "timestamp: {header: X-T, tolerance: 3000000h}\nevents:", 1),
			`p.yaml:7: /timestamp/tolerance: "3000000h" is not a duration orderhooks can hold (at most 2562047h)`},
		{"transition after", base + "lifecycle:\n  state: /s\n  transitions:\n    - {name: t, to: b, emits: a, after: [1m, 9999999h]}\n",
			`p.yaml:14: /lifecycle/transitions/0/after/1: "9999999h" is not a duration orderhooks can hold (at most 2562047h)`},
		{"not UTF-8", strings.Replace(base, "name: tiny", "name: tiny\ndescription: caf\xe9", 1),
			`p.yaml:3: invalid UTF-8 at column 17`},
		{"deep 100", base + "x-deep: " + deep(100) + "\n",
			"p.yaml:11: /x-deep" + strings.Repeat("/0", 64) + ": nested too deeply"},
		{"deep 100,000", base + "x-deep: " + deep(100_000) + "\n",
			"p.yaml:11: /x-deep" + strings.Repeat("/0", 64) + ": nested too deeply"},
		{"deep 100,000 in a mapping after brackets in scalars", base + "x-s: {a: \"[[[\", b: '[''['}\nx-t: |\n  [[[[\n\n  {{{{\n# [[[[\nx-deep:\n  k: " +
			strings.Repeat("{a: ", 100_000) + "1" + strings.Repeat("}", 100_000) + "\n",
			"p.yaml:18: /x-deep/k" + strings.Repeat("/a", 63) + ": nested too deeply"},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, perr := Parse([]byte(tt.file), "p.yaml")
			path := filepath.Join(dir, "p.yaml")
			if err := os.WriteFile(path, []byte(tt.file), 0o644); err != nil {
				t.Fatal(err)
			}
			_, lerr := Load(path)
			for how, err := range map[string]error{"Parse": perr, "Load": lerr} {
				if err == nil {
					t.Fatalf("%s accepted it", how)
				}
				got := strings.Replace(err.Error(), path, "p.yaml", 1)
				if got != tt.want {
					t.Errorf("%s:\n got %s\nwant %s", how, got, tt.want)
				}
				if !errors.Is(err, ErrDefinition) {
					t.Errorf("%s: not ErrDefinition", how)
				}
			}
		})
	}
}

// TestNew checks an edited copy: New refuses what Parse refuses, naming
// the pointer.
func TestNew(t *testing.T) {
	f := MustBuiltin("phasio").Spec()
	f.Encryption.Nonce.Size = 40
	_, err := New(f, "edited")
	if err == nil || !strings.Contains(err.Error(), "edited:1: /encryption/nonce/size: must be <= 32") {
		t.Errorf("New: %v", err)
	}
	f = MustBuiltin("phasio").Spec()
	f.Name = "phasio-edited"
	d, err := New(f, "edited")
	if err != nil {
		t.Fatal(err)
	}
	if d.Name() != "phasio-edited" || len(d.Events()) != 3 {
		t.Errorf("%s %d", d.Name(), len(d.Events()))
	}
	// The copy is a copy.
	f.Events.List[0].Name = "changed"
	if e := d.Events()[0]; e.Name != "ORDER" {
		t.Errorf("editing Spec's result changed the definition: %s", e.Name)
	}
}

// TestWithEvents keeps a subset of the events.
func TestWithEvents(t *testing.T) {
	d, err := Load("testdata/shop.yaml", WithEvents("order_c*"))
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(d.EventNames()); got != "[order_created order_cancelled]" {
		t.Errorf("%s", got)
	}
	_, err = Load("testdata/shop.yaml", WithEvents("refund*"))
	if err == nil || !strings.Contains(err.Error(), "no event matches refund*") {
		t.Errorf("%v", err)
	}
}

// TestLoadMissing names the file.
func TestLoadMissing(t *testing.T) {
	_, err := Load("testdata/nope.yaml")
	if err == nil || !strings.HasPrefix(err.Error(), "testdata/nope.yaml:1: ") || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%v", err)
	}
}

// TestSchemaPublished: docs/provider.schema.json is the format's schema
// as embedded, byte for byte (copy it again after changing the format).
func TestSchemaPublished(t *testing.T) {
	b, err := os.ReadFile("../docs/provider.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, Schema()) {
		t.Fatal("docs/provider.schema.json differs from provider/provider.schema.json: copy it")
	}
}
