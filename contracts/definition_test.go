package contracts_test

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/provider"
	"github.com/orderhooks/orderhooks/receiver"
	"github.com/orderhooks/orderhooks/wire"
)

// shopFile is the made-up shop described as data (testdata/providers).
func shopFile(t *testing.T) string {
	return filepath.Join(testkit.Root(t), "testdata", "providers", "shop.yaml")
}

// shopSecret is a secret of the shop's form.
const shopSecret = "shsec_c2hvcC10ZXN0LXNlY3JldC0wMTIzNDU2Nzg5YWJjZGVm"

// shopVariant is the shop definition changed by edit (a receiver built
// from it has the corresponding bug).
func shopVariant(t *testing.T, edit func(f *provider.File)) *provider.Definition {
	t.Helper()
	def, err := provider.Load(shopFile(t))
	if err != nil {
		t.Fatal(err)
	}
	f := def.Spec()
	edit(f)
	d, err := provider.New(f, "variant.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// resigning accepts any signature value: it signs every signed request
// correctly again before the correct receiver sees it (a receiver that
// reads the signature header and the timestamp in it, but does not
// compare the signature).
type resigning struct {
	profile wire.Profile
	next    http.Handler
}

func (h resigning) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		body, _ := io.ReadAll(r.Body)
		req, err := wire.Resign(h.profile, &wire.Request{Header: r.Header}, body)
		if err == nil {
			r.Header = req.Header
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	h.next.ServeHTTP(w, r)
}

// TestDefinitionSuite runs the whole suite for a provider described in a
// file (schema-driven payloads, a data lifecycle, Stripe-style
// signatures): green against a correct receiver built from the
// definition, red with the right checks named against receivers with the
// classic bugs.
func TestDefinitionSuite(t *testing.T) {
	def, err := provider.Load(shopFile(t))
	if err != nil {
		t.Fatal(err)
	}
	correct := func(d *provider.Definition) http.Handler { return newReceiver(t, compile(t, d, shopSecret)) }
	good := compile(t, def, shopSecret)
	tests := []struct {
		name    string
		handler func() http.Handler
		fail    []string
		cause   string
	}{
		{"correct", func() http.Handler { return correct(def) }, nil, ""},
		{"accepts any signature", func() http.Handler { return resigning{good, correct(def)} },
			[]string{contracts.CheckBadSignature, contracts.CheckTamperedPayload, contracts.CheckWrongKey}, contracts.CauseNoSignatureCheck},
		{"wrong key derivation", func() http.Handler {
			return correct(shopVariant(t, func(f *provider.File) { f.Signing.Schemes[0].Key = provider.KeyUTF8 }))
		}, []string{contracts.CheckValidLifecycle}, wire.MistakeSecretStringKey},
		{"rejects unknown fields", func() http.Handler {
			return correct(shopVariant(t, func(f *provider.File) {
				for i := range f.Events.List {
					f.Events.List[i].Schema.Inline = bytes.Replace(f.Events.List[i].Schema.Inline, []byte(`"type":"object"`),
						[]byte(`"type":"object","additionalProperties":false`), 1)
				}
			}))
		}, []string{contracts.CheckUnknownFields}, ""},
		{"not idempotent", func() http.Handler {
			return &notIdempotentBy{header: "Shop-Event-Id", seen: map[string]bool{}, next: correct(def)}
		},
			[]string{contracts.CheckDuplicates}, ""},
		{"clock 5m30s ahead", func() http.Handler {
			p, _ := wire.Compile(def, shopSecret, wire.WithClock(func() time.Time { return time.Now().Add(5*time.Minute + 30*time.Second) }))
			r, _ := receiver.New(p)
			return r
		}, []string{contracts.CheckValidLifecycle}, contracts.CauseClockSkew},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := contracts.Test(testkit.NoFail(t), tt.handler(), contracts.FromFile(shopFile(t), shopSecret),
				contracts.WithProbe("/orders/{orderKey}"), contracts.WithTimeout(5*time.Second))
			if r == nil {
				t.Fatal("no report")
			}
			wantFailed(t, r, failedChecks(t, r), tt.fail, tt.name == "correct" || tt.name == "not idempotent" || tt.name == "rejects unknown fields")
			if tt.cause != "" && (len(r.Diagnosis) == 0 || r.Diagnosis[0].Cause != tt.cause) {
				t.Errorf("diagnosis %+v, want %s first\n%s", r.Diagnosis, tt.cause, textOf(r))
			}
			if tt.name == "correct" {
				if got := r.Result(contracts.CheckValidLifecycle); got == nil || got.Status != contracts.StatusPass || got.Deliveries < 10 {
					t.Errorf("lifecycles: %+v", got)
				}
				if got := r.Result(contracts.CheckStaleSnapshot); got == nil || got.Status != contracts.StatusPass {
					t.Errorf("stale snapshot: %+v\n%s", got, textOf(r))
				}
			}
		})
	}
}

// TestDefinitionWithoutLifecycle: a definition whose events have no
// lifecycle sends each event as a one-event lifecycle, and the check that
// needs an entity's second snapshot is skipped, saying why.
func TestDefinitionWithoutLifecycle(t *testing.T) {
	def := shopVariant(t, func(f *provider.File) { f.Lifecycle = nil })
	p, err := contracts.NewProviderFromDefinition(def, shopSecret)
	if err != nil {
		t.Fatal(err)
	}
	r := contracts.Test(testkit.NoFail(t), newReceiver(t, compile(t, def, shopSecret)), p, contracts.WithProbe("/orders/{orderKey}"))
	if r.Failed() {
		t.Fatalf("failed:\n%s", textOf(r))
	}
	got := r.Result(contracts.CheckStaleSnapshot)
	if got == nil || got.Status != contracts.StatusSkip || !strings.Contains(got.Message, "no lifecycle") {
		t.Fatalf("stale snapshot: %+v", got)
	}
	if got := r.Result(contracts.CheckValidLifecycle); got.Status != contracts.StatusPass || got.Deliveries < len(def.Events()) {
		t.Fatalf("lifecycles: %+v", got)
	}
}

// TestFromFileErrors: a definition file that does not read fails New
// with its FILE:LINE: POINTER: message.
func TestFromFileErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("format: 1\nname: shop\nsigning: {header: X}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := contracts.New(contracts.FromFile(bad, "s"))
	if err == nil || !strings.Contains(err.Error(), bad+":3: /signing") {
		t.Fatalf("New: %v", err)
	}
	if _, err := contracts.New(contracts.FromFile(filepath.Join(t.TempDir(), "none.yaml"), "s")); err == nil {
		t.Fatal("a missing file: no error")
	}
}

// failedChecks are the checks of r that failed; a status other than pass,
// fail, skip or inconclusive is an error.
func failedChecks(t *testing.T, r *contracts.Report) map[string]bool {
	t.Helper()
	failed := map[string]bool{}
	for _, c := range r.Checks {
		switch c.Status {
		case contracts.StatusFail:
			failed[c.Name] = true
		case contracts.StatusPass, contracts.StatusSkip, contracts.StatusInconclusive:
		default:
			t.Errorf("%s: %s %s", c.Name, c.Status, c.Message)
		}
	}
	return failed
}

// wantFailed holds the failed checks of r to want: each must be among
// them and, when only, no other.
func wantFailed(t *testing.T, r *contracts.Report, failed map[string]bool, want []string, only bool) {
	t.Helper()
	for _, name := range want {
		if !failed[name] {
			t.Errorf("%s did not fail:\n%s", name, textOf(r))
		}
		delete(failed, name)
	}
	if only {
		for name := range failed {
			t.Errorf("%s failed too:\n%s", name, textOf(r))
		}
	}
}

// TestMessageIDPrefix: the suite names the messages of a definition with
// an id prefix (the shop's evt_) as its platform does.
func TestMessageIDPrefix(t *testing.T) {
	def, err := provider.Load(shopFile(t))
	if err != nil {
		t.Fatal(err)
	}
	rv := newReceiver(t, compile(t, def, shopSecret))
	var mu sync.Mutex
	var got []string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			mu.Lock()
			got = append(got, r.Header.Get(def.ID().Header))
			mu.Unlock()
		}
		rv.ServeHTTP(w, r)
	})
	contracts.Test(t, h, contracts.FromFile(shopFile(t), shopSecret), contracts.WithOnly(contracts.CheckValidLifecycle, contracts.CheckDuplicates))
	if len(got) < 5 {
		t.Fatalf("%d deliveries", len(got))
	}
	for _, id := range got {
		if !strings.HasPrefix(id, "evt_") || len(id) != len("evt_")+36 {
			t.Errorf("message id %q, want evt_ and a UUID", id)
		}
	}
}
