package generator_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/schemas"
)

// TestExampleScenarios checks the example scenario files of
// examples/scenarios (here, not in a test binary of that folder's own):
// each one loads, generates a lifecycle whose every payload satisfies the
// strict schemas, and is listed in that folder's README.
func TestExampleScenarios(t *testing.T) {
	dir := filepath.Join("..", "examples", "scenarios")
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) < 5 {
		t.Fatalf("found %d scenario files (%v), want at least 5", len(files), err)
	}
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			if !strings.Contains(string(readme), "`"+name+"`") {
				t.Errorf("examples/scenarios/README.md has no line for %s", name)
			}
			sc, err := generator.LoadScenario(f)
			if err != nil {
				t.Fatal(err)
			}
			g, err := generator.New(sc.Provider, generator.WithScenario(sc))
			if err != nil {
				t.Fatal(err)
			}
			var n int
			err = g.Run(func(ev *generator.Event) error {
				n++
				name, err := schemas.ForEvent(ev.Provider, ev.Event, true)
				if err != nil {
					return err
				}
				if err := schemas.Validate(name, ev.Payload); err != nil {
					t.Errorf("event %d (%s, step %s): %v", ev.Seq, ev.Event, ev.Step, err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if want := len(sc.Steps) * max(sc.Orders, 1); n != want {
				t.Errorf("generated %d events, want %d (%d steps × %d orders)", n, want, len(sc.Steps), max(sc.Orders, 1))
			}
		})
	}
}
