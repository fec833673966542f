package contracts_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/internal/testkit/sweep"
	"github.com/orderhooks/orderhooks/provider"
	"github.com/orderhooks/orderhooks/wire"
)

// standardSecret is a Standard Webhooks secret (the specification's
// example).
const standardSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// githubSecret is a GitHub webhook secret: text, keyed as UTF-8.
// (a hex string, so that a receiver that hex-decodes it, the classic
// mistake, reads it too).
const githubSecret = "6f72646572686f6f6b732d6769746875622d7465737421"

// specCase is a real vendor document under testdata/specs, imported with a
// signing scheme.
type specCase struct {
	name   string
	load   func(t *testing.T) *provider.Definition
	secret string
	// wrongKey is the definition with the classic key-derivation mistake.
	wrongKey func(f *provider.File)
	idHeader string
	// long: only under ORDERHOOKS_LONG (thousands of edge cases);
	// closed: the document forbids undocumented members, so the
	// unknown-fields check is skipped rather than failed.
	long, closed bool
}

func specPath(t *testing.T, name string) string {
	return filepath.Join(testkit.Root(t), "testdata", "specs", name)
}

func specCases() []specCase {
	standard := func(file string) func(t *testing.T) *provider.Definition {
		return func(t *testing.T) *provider.Definition {
			d, err := provider.FromSpec(specPath(t, file), nil)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
	}
	utf8Key := func(f *provider.File) { f.Signing.Schemes[0].Key = provider.KeyUTF8 }
	return []specCase{
		{"oai-webhook-example", standard("oai-webhook-example.yaml"), standardSecret, utf8Key, "Webhook-Id", false, false},
		{"adyen", standard("adyen-balanceplatform-configuration-notification-v2.json"), standardSecret, utf8Key, "Webhook-Id", true, true},
		{"asyncapi-streetlights", standard("asyncapi-streetlights-kafka.yml"), standardSecret, utf8Key, "Webhook-Id", false, false},
		{"github", func(t *testing.T) *provider.Definition {
			// GitHub's own signing, events told apart by X-GitHub-Event and
			// the body's action; a sample of the 261 events (the schemagen
			// sweep generates every one).
			d, err := provider.Load(specPath(t, "github.provider.yaml"),
				provider.WithEvents("issues-opened", "push"))
			if err != nil {
				t.Fatal(err)
			}
			return d
		}, githubSecret, func(f *provider.File) {
			// the receiver hex-decodes the secret instead of keying with its text
			f.Signing.Schemes[0].Secret.Encoding = provider.EncodingHex
			f.Signing.Schemes[0].Key = provider.KeyDecoded
		}, "X-Github-Delivery", true, false},
	}
}

// TestSpecSuite runs the whole contract suite on providers imported from
// the vendors' own OpenAPI 3.1 and AsyncAPI 3 documents: green against a
// correct receiver built from the imported definition, red with the right
// checks named against receivers with each classic bug.
func TestSpecSuite(t *testing.T) {
	for _, sc := range specCases() {
		t.Run(sc.name, func(t *testing.T) {
			if sc.long && !sweep.Long() {
				t.Skip("thousands of edge cases (about a minute): set ORDERHOOKS_LONG=1")
			}
			def := sc.load(t)
			if len(def.Events()) == 0 {
				t.Fatal("no events")
			}
			correct := func(d *provider.Definition) http.Handler { return newReceiver(t, compile(t, d, sc.secret)) }
			good := compile(t, def, sc.secret)
			variant := func(edit func(f *provider.File)) *provider.Definition {
				f := def.Spec()
				edit(f)
				d, err := provider.New(f, "variant.yaml", provider.WithDir(filepath.Dir(def.Imported().File)),
					provider.WithEvents(names(def)...))
				if err != nil {
					t.Fatal(err)
				}
				return d
			}
			tests := []struct {
				name    string
				handler func() http.Handler
				fail    []string
				only    bool // no other check fails
			}{
				{"correct", func() http.Handler { return correct(def) }, nil, true},
				{"accepts any signature", func() http.Handler { return resigning{good, correct(def)} },
					[]string{contracts.CheckBadSignature, contracts.CheckTamperedPayload, contracts.CheckWrongKey}, false},
				{"wrong key derivation", func() http.Handler { return correct(variant(sc.wrongKey)) },
					[]string{contracts.CheckValidLifecycle}, false},
				{"rejects unknown fields", func() http.Handler { return &strictRoot{def: def, profile: good, next: correct(def)} },
					[]string{contracts.CheckUnknownFields}, true},
				{"not idempotent", func() http.Handler {
					return &notIdempotentBy{header: sc.idHeader, seen: map[string]bool{}, next: correct(def)}
				}, []string{contracts.CheckDuplicates}, true},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					p, err := contracts.NewProviderFromDefinition(def, sc.secret)
					if err != nil {
						t.Fatal(err)
					}
					r := contracts.Test(testkit.NoFail(t), tt.handler(), p, contracts.WithProbe("/orders/{orderKey}"),
						contracts.WithTimeout(5*time.Second))
					if r == nil {
						t.Fatal("no report")
					}
					failed := failedChecks(t, r)
					if sc.closed && tt.name == "rejects unknown fields" {
						if got := r.Result(contracts.CheckUnknownFields); got == nil || got.Status != contracts.StatusSkip ||
							!strings.Contains(got.Message, "forbids undocumented fields") {
							t.Errorf("unknown fields on a closed schema: %+v", got)
						}
						return
					}
					wantFailed(t, r, failed, tt.fail, tt.only)
					if tt.name == "correct" {
						got := r.Result(contracts.CheckValidLifecycle)
						if got == nil || got.Status != contracts.StatusPass || got.Deliveries < len(def.Events()) {
							t.Errorf("lifecycles: %+v", got)
						}
						if got := r.Result(contracts.CheckStaleSnapshot); got == nil || got.Status != contracts.StatusSkip ||
							!strings.Contains(got.Message, "no lifecycle") && !strings.Contains(got.Message, "entity key") {
							t.Errorf("stale snapshot: %+v", got)
						}
						passed := 0
						for _, c := range r.Checks {
							if c.Status == contracts.StatusPass {
								passed++
							}
						}
						t.Logf("%d events, %d checks passed of %d", len(def.Events()), passed, len(r.Checks))
					}
				})
			}
		})
	}
}

func names(d *provider.Definition) []string {
	var out []string
	for _, e := range d.Events() {
		out = append(out, e.Name)
	}
	return out
}

// notIdempotentBy answers 500 to a message id (in header) it has seen.
type notIdempotentBy struct {
	header string
	mu     sync.Mutex
	seen   map[string]bool
	next   http.Handler
}

func (h *notIdempotentBy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if id := r.Header.Get(h.header); r.Method == http.MethodPost && id != "" {
		h.mu.Lock()
		dup := h.seen[id]
		h.seen[id] = true
		h.mu.Unlock()
		if dup {
			http.Error(w, "duplicate key value violates unique constraint", http.StatusInternalServerError)
			return
		}
	}
	h.next.ServeHTTP(w, r)
}

// strictRoot refuses a payload with a top-level member its event's schema
// does not declare (the properties the schema names at its root, through
// $ref, allOf, oneOf and anyOf): a receiver that decodes into a struct
// with unknown fields disallowed.
type strictRoot struct {
	def     *provider.Definition
	profile wire.Profile
	next    http.Handler

	once  sync.Once
	props map[string]map[string]bool // event → declared root members
}

func (h *strictRoot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.once.Do(h.collect)
	if r.Method == http.MethodPost {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if got, err := h.profile.Verify(r.Header, body); err == nil {
			var doc map[string]any
			if json.Unmarshal(got.Payload, &doc) == nil {
				for _, e := range h.def.Events() {
					if e.Wire != got.Event {
						continue
					}
					for k := range doc {
						if !h.props[e.Name][k] {
							http.Error(w, fmt.Sprintf("unknown field %q", k), http.StatusBadRequest)
							return
						}
					}
				}
			}
		}
	}
	h.next.ServeHTTP(w, r)
}

// collect finds each event's declared root members in the imported
// document.
func (h *strictRoot) collect() {
	spec := h.def.Imported()
	docs := map[string]any{}
	doc := func(uri string) any {
		if d, ok := docs[uri]; ok {
			return d
		}
		b, err := spec.Load(uri)
		if err != nil {
			return nil
		}
		var v any
		_ = json.Unmarshal(b, &v)
		docs[uri] = v
		return v
	}
	h.props = map[string]map[string]bool{}
	for _, e := range h.def.Events() {
		props := map[string]bool{}
		var walk func(uri, ptr string, depth int)
		walk = func(uri, ptr string, depth int) {
			if depth > 16 {
				return
			}
			p, _ := jsonptr.Parse(ptr)
			v, _ := jsonptr.Get(doc(uri), p)
			m, _ := v.(map[string]any)
			if ref, ok := m["$ref"].(string); ok {
				target, frag, _ := strings.Cut(ref, "#")
				if target == "" {
					target = uri
				}
				walk(target, frag, depth+1)
			}
			if ps, ok := m["properties"].(map[string]any); ok {
				for k := range ps {
					props[k] = true
				}
			}
			for _, kw := range []string{"allOf", "oneOf", "anyOf"} {
				if list, ok := m[kw].([]any); ok {
					for i := range list {
						walk(uri, fmt.Sprintf("%s/%s/%d", ptr, kw, i), depth+1)
					}
				}
			}
		}
		for _, ae := range spec.Events {
			if ae.Name == e.Name {
				uri, frag, _ := strings.Cut(ae.Schema, "#")
				walk(uri, frag, 0)
			}
		}
		h.props[e.Name] = props
	}
}
