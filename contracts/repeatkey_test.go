package contracts_test

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/provider"
)

// TestRepeatedKeysAreNoSecurityFailure: when a definition's schema lets
// the generated entities share keys (here an enum of two order ids), a
// correct receiver's probe finds a forgery's order because an earlier
// valid delivery made it. That proves nothing about the forgery: the
// rejection stands and the message says the probe cannot tell, where it
// used to be a "security failure".
func TestRepeatedKeysAreNoSecurityFailure(t *testing.T) {
	def := shopWithID(t, `"enum":["ord_000000000001","ord_000000000002"]`)
	rv := newReceiver(t, compile(t, def, shopSecret))
	cp, err := contracts.NewProviderFromDefinition(def, shopSecret)
	if err != nil {
		t.Fatal(err)
	}
	r := contracts.Test(testkit.NoFail(t), rv, cp, contracts.WithOnly(append([]string{contracts.CheckValidLifecycle}, signatureChecks...)...),
		contracts.WithProbe("/orders/{orderKey}"))
	cannotTell := 0
	for _, name := range signatureChecks {
		c := r.Result(name)
		if c.Status != contracts.StatusPass {
			t.Errorf("%s: %s %q, want a pass (the receiver rejects every forgery)", name, c.Status, c.Message)
		}
		if strings.Contains(c.Message, "the probe cannot tell") {
			cannotTell++
		}
	}
	if cannotTell == 0 {
		t.Error("no check met a repeated key: the test proves nothing")
	}
}

// shopWithID is the shop's definition with its order id's schema (a
// pattern) replaced by the JSON members schema.
func shopWithID(t *testing.T, schema string) *provider.Definition {
	t.Helper()
	return shopVariant(t, func(f *provider.File) {
		for i := range f.Events.List {
			in := f.Events.List[i].Schema.Inline
			out := bytes.Replace(in, []byte(`"pattern":"^ord_[0-9a-f]{12}$"`), []byte(schema), 1)
			if bytes.Equal(in, out) {
				t.Fatal("the shop's id schema changed: adapt the test")
			}
			f.Events.List[i].Schema.Inline = out
		}
	})
}

// petsSpec writes an OpenAPI 3.1 document with two webhooks whose pets'
// id has the schema idSchema, and returns its path.
func petsSpec(t *testing.T, idSchema string) string {
	t.Helper()
	doc := "openapi: 3.1.0\ninfo: {title: Pets, version: \"1\"}\nwebhooks:\n"
	for _, name := range []string{"petAdded", "petSold"} {
		doc += "  " + name + `:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Pet"}
      responses: {"200": {description: ok}}
`
	}
	doc += `components:
  schemas:
    Pet:
      type: object
      required: [id, name, status]
      properties:
        id: ` + idSchema + `
        name: {type: string}
        status: {type: string, enum: [available, sold]}
`
	path := filepath.Join(t.TempDir(), "pets.yaml")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestFewKeysNeverFail: where an entity key's schema allows fewer values
// than a run has entities (two order ids, a range of two, a const), the
// generated entities share keys. Across the whole suite a correct
// receiver gets no failure: the checks that read an entity's state by its
// key are inconclusive and say why. (They failed before: the probe read
// another entity's state, "3 of 4 orders do not hold their last
// snapshot".)
func TestFewKeysNeverFail(t *testing.T) {
	shopKey := func(schema string) func(t *testing.T) (*provider.Definition, contracts.Provider) {
		return func(t *testing.T) (*provider.Definition, contracts.Provider) {
			def := shopWithID(t, schema)
			p, err := contracts.NewProviderFromDefinition(def, shopSecret)
			if err != nil {
				t.Fatal(err)
			}
			return def, p
		}
	}
	pets := func(t *testing.T) (*provider.Definition, contracts.Provider) {
		spec := petsSpec(t, "{type: integer, minimum: 1, maximum: 2}")
		opts := []provider.Option{provider.WithKey("/id"), provider.WithCompare("/name", "/status")}
		return fromSpec(t, spec, opts...), contracts.FromSpec(spec, standardSecret, nil, opts)
	}
	cases := []struct {
		name   string
		secret string
		load   func(t *testing.T) (*provider.Definition, contracts.Provider)
	}{
		{"definition, enum of two", shopSecret, shopKey(`"enum":["ord_000000000001","ord_000000000002"]`)},
		{"definition, const", shopSecret, shopKey(`"const":"ord_000000000001"`)},
		{"imported document, integers 1 to 2", standardSecret, pets},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			def, cp := tc.load(t)
			rv := newReceiver(t, compile(t, def, tc.secret))
			r := contracts.Test(testkit.NoFail(t), rv, cp, contracts.WithProbe("/orders/{orderKey}"))
			wantFailed(t, r, failedChecks(t, r), nil, true)
			got := r.Result(contracts.CheckStateMatches)
			if got == nil || got.Status != contracts.StatusInconclusive || !strings.Contains(got.Message, "too few distinct values") {
				t.Errorf("state-matches-snapshot: %+v, want inconclusive saying the key's values are too few", got)
			}
			if got := r.Result(contracts.CheckValidLifecycle); got == nil || got.Status != contracts.StatusPass {
				t.Errorf("accepts-valid-lifecycle: %+v", got)
			}
		})
	}
}

// TestDistinctKeysAreJudged: an imported document whose key has a
// documented example (GitHub's ids are 42) and a wide range gets a key
// per entity, so the state checks judge: a correct receiver passes them
// and a receiver that applies redeliveries again fails idempotency.
func TestDistinctKeysAreJudged(t *testing.T) {
	spec := petsSpec(t, "{type: integer, minimum: 1, maximum: 1000000, examples: [42]}")
	opts := []provider.Option{provider.WithKey("/id"), provider.WithCompare("/name", "/status")}
	p := compile(t, fromSpec(t, spec, opts...), standardSecret)
	correct := func() http.Handler { return newReceiver(t, p) }
	for _, tt := range []struct {
		name    string
		handler http.Handler
		fail    []string
	}{
		{"correct", correct(), nil},
		{"not idempotent", &notIdempotentBy{header: "Webhook-Id", seen: map[string]bool{}, next: correct()}, []string{contracts.CheckDuplicates}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := contracts.Test(testkit.NoFail(t), tt.handler, contracts.FromSpec(spec, standardSecret, nil, opts),
				contracts.WithProbe("/orders/{orderKey}"))
			wantFailed(t, r, failedChecks(t, r), tt.fail, true)
			if tt.fail != nil {
				return
			}
			for _, name := range []string{contracts.CheckStateMatches, contracts.CheckDuplicates} {
				if got := r.Result(name); got == nil || got.Status != contracts.StatusPass {
					t.Errorf("%s: %+v, want a pass", name, got)
				}
			}
			if got := r.Result(contracts.CheckStateMatches); got != nil && !strings.Contains(got.Message, "/name,/status") {
				t.Errorf("state-matches-snapshot compared %q, want /name and /status (WithCompare)", got.Message)
			}
		})
	}
}
