package wire_test

import (
	"path/filepath"
	"testing"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/provider"
	"github.com/orderhooks/orderhooks/wire"
)

// TestImportedTuples: GitHub's events, imported from its OpenAPI
// description, are named by the X-GitHub-Event header and the body's
// action together; push has no action, repository_dispatch any action.
// Each built request verifies as its own event.
func TestImportedTuples(t *testing.T) {
	def, err := provider.Load(filepath.Join(testkit.Root(t), "testdata", "specs", "github.provider.yaml"),
		provider.WithEvents("issues-opened", "issues-closed", "push", "repository-dispatch-sample.collected"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := wire.Compile(def, "a-github-secret")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"issues-opened": "issues", "issues-closed": "issues", "push": "push",
		"repository-dispatch-sample.collected": "repository_dispatch"}
	for _, e := range def.Events() {
		s, err := e.Schema()
		if err != nil {
			t.Fatal(err)
		}
		for seed := range int64(3) {
			b, err := s.Generate(seed)
			if err != nil {
				t.Fatal(err)
			}
			req, err := p.Build(&wire.Message{Event: &generator.Event{Event: e.Name, Payload: b}, ID: "d-1"}, wire.FaultNone)
			if err != nil {
				t.Fatal(err)
			}
			if got := req.Header.Get("X-GitHub-Event"); got != want[e.Name] {
				t.Errorf("%s: X-GitHub-Event %q, want %q", e.Name, got, want[e.Name])
			}
			rc, err := p.Verify(req.Header, req.Body)
			if err != nil || rc.Event != e.Wire {
				t.Errorf("%s seed %d: verified as %v (%v)", e.Name, seed, rc, err)
			}
		}
	}
}
