package provider

import (
	"slices"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/internal/platform"
)

// TestBuiltinsAgreeWithPlatformTable: the packages that cannot import
// this one (the generator's Go machines, the schemas) read the platforms'
// facts from internal/platform; the built-in definitions say the same —
// events, titles, schemas, other triggers, keys, compared pointers, the
// Standard Webhooks type of every event.
func TestBuiltinsAgreeWithPlatformTable(t *testing.T) {
	for _, name := range platform.Names() {
		pl, _ := platform.Get(name)
		def := MustBuiltin(name)
		var names []string
		for i, e := range def.Events() {
			names = append(names, e.Name)
			if i >= len(pl.Events) {
				continue
			}
			pe := pl.Events[i]
			if e.Name != pe.Name || e.Title != pe.Title || e.SchemaSource.Builtin != pe.Schema {
				t.Errorf("%s event %d: %s %q %s, the platform table says %s %q %s", name, i, e.Name, e.Title, e.SchemaSource.Builtin, pe.Name, pe.Title, pe.Schema)
			}
			if want := "/" + strings.Join(pl.OrderKey, "/"); len(e.Key) != 1 || e.Key[0] != want {
				t.Errorf("%s %s: key %v, the platform table says %s", name, e.Name, e.Key, want)
			}
			if !slices.Equal(e.Compare, pl.Compare) {
				t.Errorf("%s %s: compare %v, the platform table says %v", name, e.Name, e.Compare, pl.Compare)
			}
		}
		if !slices.Equal(names, pl.EventNames()) {
			t.Errorf("%s: events %v, the platform table says %v", name, names, pl.EventNames())
		}
		if pl.Triggers != nil && !slices.Equal(def.EventNames(), pl.Triggers) {
			t.Errorf("%s: event names %v, the platform table's triggers %v", name, def.EventNames(), pl.Triggers)
		}
		std := MustBuiltin(platform.Standard)
		for _, e := range pl.EventNames() {
			if got := std.WireName(e); got != platform.StandardType(e) {
				t.Errorf("standard type of %s: %s, the platform table says %s", e, got, platform.StandardType(e))
			}
		}
	}
}
