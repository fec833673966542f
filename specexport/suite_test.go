package specexport_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/internal/testkit/lessgc"
	"github.com/orderhooks/orderhooks/internal/testkit/sweep"
	"github.com/orderhooks/orderhooks/provider"
	"github.com/orderhooks/orderhooks/receiver"
	"github.com/orderhooks/orderhooks/specexport"
	"github.com/orderhooks/orderhooks/wire"
)

// The collector runs less often in this test binary (internal/testkit/lessgc).
func init() { lessgc.Set() }

// TestSuiteOnImportedExport exports Standard Webhooks, imports the
// document back with Standard Webhooks' signing (--spec FILE --sign
// standard) and runs the whole contract suite with the imported
// definition: green against the built-in Standard Webhooks receiver
// (which knows nothing of the document: it checks the signature, reads
// the event from the body's type and validates the data against the
// built-in Phasio and HappyColis schemas) and against a receiver built
// from the imported definition; red, on the valid deliveries, against a
// receiver that derives the key wrongly. The default run gives the suite
// without its thousands of edge cases to each, and to the OpenAPI
// document and the built-in receiver a quarter of those edge cases
// (every fourth, each event's), signed by the imported definition
// (acceptsEdgeSample); under ORDERHOOKS_LONG=1 (a step of .ci/run) each
// gets the whole suite.
func TestSuiteOnImportedExport(t *testing.T) {
	secret := testkit.Secret("standard")
	for _, f := range formats {
		t.Run(f, func(t *testing.T) {
			doc := export(t, provider.MustBuiltin("standard"), f)
			path := filepath.Join(t.TempDir(), "standard."+f+".json")
			if err := os.WriteFile(path, doc.JSON(), 0o644); err != nil {
				t.Fatal(err)
			}
			imp, err := provider.FromSpec(path, provider.MustBuiltin("standard"))
			if err != nil {
				t.Fatal(err)
			}
			if len(imp.Events()) != len(wireNames(provider.MustBuiltin("standard"))) {
				t.Fatalf("%d events imported", len(imp.Events()))
			}
			handler := func(p wire.Profile, err error) http.Handler {
				if err != nil {
					t.Fatal(err)
				}
				r, err := receiver.New(p)
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
			wrong := imp.Spec()
			wrong.Signing.Schemes[0].Key = provider.KeyUTF8
			wrongDef, err := provider.New(wrong, "wrong.yaml", provider.WithDir(filepath.Dir(path)))
			if err != nil {
				t.Fatal(err)
			}
			tests := []struct {
				name    string
				handler http.Handler
				green   bool
				// in the default run, a sample of the edge cases
				edgeSample bool
			}{
				{"built-in receiver", handler(wire.New("standard", []string{secret})), true, f == specexport.OpenAPI},
				{"imported receiver", handler(wire.Compile(imp, secret)), true, false},
				{"wrong key derivation", handler(wire.Compile(wrongDef, secret)), false, false},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					p, err := contracts.NewProviderFromDefinition(imp, secret)
					if err != nil {
						t.Fatal(err)
					}
					opts := []contracts.Option{contracts.WithTimeout(5 * time.Second)}
					if !sweep.Long() {
						opts = append(opts, contracts.WithSkip(contracts.CheckEdgeCases))
						if tt.edgeSample {
							acceptsEdgeSample(t, imp, secret, tt.handler)
						}
					}
					r := contracts.Test(testkit.NoFail(t), tt.handler, p, opts...)
					if r == nil {
						t.Fatal("no report")
					}
					passed, failed := 0, map[string]bool{}
					for _, c := range r.Checks {
						switch c.Status {
						case contracts.StatusPass:
							passed++
						case contracts.StatusFail, contracts.StatusInconclusive:
							failed[c.Name] = true
							if tt.green {
								t.Errorf("%s: %s: %s", c.Name, c.Status, c.Message)
							}
						}
					}
					if !tt.green && !failed[contracts.CheckValidLifecycle] {
						t.Errorf("the wrong key derivation is not caught: failed %v", failed)
					}
					if got := r.Result(contracts.CheckValidLifecycle); tt.green && (got == nil || got.Status != contracts.StatusPass || got.Deliveries < len(imp.Events())) {
						t.Errorf("lifecycles: %+v", got)
					}
					t.Logf("%d checks passed of %d; failed %v", passed, len(r.Checks), failed)
				})
			}
		})
	}
}

// acceptsEdgeSample delivers every fourth edge case of each event of def
// (generator.FromDefinition's, which accepts-edge-cases sends), signed
// with secret as def signs, to h: each must be answered 2xx.
func acceptsEdgeSample(t *testing.T, def *provider.Definition, secret string, h http.Handler) {
	t.Helper()
	evs, err := generator.FromDefinition(def, contracts.DefaultSeed, "", 0, true)
	if err != nil {
		t.Fatal(err)
	}
	p, err := wire.Compile(def, secret)
	if err != nil {
		t.Fatal(err)
	}
	seen, sent := map[string]int{}, 0
	for i, ev := range evs {
		n := seen[ev.Event]
		seen[ev.Event]++
		if n%4 != 0 {
			continue
		}
		req, err := p.Build(&wire.Message{Event: ev, ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), Time: time.Now()}, wire.FaultNone)
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest(http.MethodPost, "/webhooks", bytes.NewReader(req.Body))
		r.Header = req.Header.Clone()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code/100 != 2 {
			t.Errorf("%s edge case %q: %d %s", ev.Event, ev.Step, w.Code, bytes.TrimSpace(w.Body.Bytes()))
		}
		sent++
	}
	if len(seen) != len(def.Events()) || sent*4 < len(evs) {
		t.Fatalf("%d edge cases of %d events sent, of %d of %d", sent, len(seen), len(evs), len(def.Events()))
	}
	t.Logf("%d of %d edge cases answered 2xx", sent, len(evs))
}
