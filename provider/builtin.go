package provider

import (
	"bytes"
	"embed"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/orderhooks/orderhooks/internal/yamljson"
)

//go:embed provider.schema.json
var schemaJSON []byte

// Schema returns the JSON Schema (draft 2020-12) of the definition format.
func Schema() []byte { return bytes.Clone(schemaJSON) }

//go:embed builtin/*.yaml
var builtinFS embed.FS

// builtinNames are the built-in definitions, in documentation order.
var builtinNames = []string{"phasio", "happycolis", "standard"}

// Builtins lists the built-in definitions' names: phasio, happycolis,
// standard.
func Builtins() []string { return slices.Clone(builtinNames) }

// BuiltinFile returns the built-in definition's file exactly as embedded,
// comments included (what `orderhooks provider show` prints); nil for an
// unknown name.
func BuiltinFile(name string) []byte {
	if !slices.Contains(builtinNames, name) {
		return nil
	}
	b, err := builtinFS.ReadFile("builtin/" + name + ".yaml")
	if err != nil {
		return nil
	}
	return b
}

type builtinResult struct {
	d   *Definition
	err error
}

// builtins parses every built-in definition once, in documentation
// order: a built-in's events.from may name only those before it, so the
// built-ins cannot refer to each other in a cycle.
func builtins() map[string]builtinResult {
	builtinOnce.Do(loadBuiltins)
	return builtinMap
}

var (
	builtinOnce sync.Once
	builtinMap  map[string]builtinResult
)

func loadBuiltins() {
	out := map[string]builtinResult{}
	for _, name := range builtinNames {
		d, err := parse(BuiltinFile(name), name+".yaml", &options{dir: ".", builtins: out})
		if err != nil {
			err = fmt.Errorf("provider: built-in %s: %w", name, err) // checked by the tests
		}
		out[name] = builtinResult{d, err}
	}
	builtinMap = out
}

// Builtin returns the built-in definition called name.
func Builtin(name string) (*Definition, bool) {
	d, err := Lookup(name)
	return d, err == nil
}

// MustBuiltin is Builtin for names known to exist; it panics otherwise.
func MustBuiltin(name string) *Definition {
	d, err := Lookup(name)
	if err != nil {
		panic(err)
	}
	return d
}

// Lookup returns the built-in definition called name, or an
// *OptionError (Option "provider") wrapping ErrUnknownProvider that names
// the built-ins and suggests the closest one.
func Lookup(name string) (*Definition, error) { return lookupIn(builtins(), name) }

func lookupIn(m map[string]builtinResult, name string) (*Definition, error) {
	r, ok := m[name]
	if !ok {
		return nil, &OptionError{Package: "provider", Option: "provider", Value: name,
			Want: "not one of " + strings.Join(builtinNames, ", "), Known: slices.Clone(builtinNames), Err: ErrUnknownProvider}
	}
	return r.d, r.err
}

// builtinRaw is a built-in definition's JSON form, for extends.
func builtinRaw(name string) ([]byte, bool) {
	data := BuiltinFile(name)
	if data == nil {
		return nil, false
	}
	raw, err := yamljson.ToJSON(data, limits)
	return raw, err == nil
}
