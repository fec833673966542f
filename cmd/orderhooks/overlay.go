package main

import (
	"github.com/spf13/pflag"

	"github.com/orderhooks/orderhooks/schemas"
)

// schemaOverlayUsage is the help of --schema-overlay, the same on every
// command that takes it.
const schemaOverlayUsage = "schema overlay FILE (JSON Patch operations, as drift --overlay writes) applied to the embedded schemas: payloads are generated and validated against the patched schemas"

// bindSchemaOverlay binds --schema-overlay to path.
func bindSchemaOverlay(fs *pflag.FlagSet, path *string) {
	fs.StringVar(path, "schema-overlay", "", schemaOverlayUsage)
}

// schemaSet returns the schemas the overlay at path makes, or nil for ""
// (the embedded schemas).
func schemaSet(path string) (*schemas.Set, error) {
	if path == "" {
		return nil, nil
	}
	return loadSchemaOverlay(path)
}

// loadSchemaOverlay reads an overlay file and applies it to the embedded
// schemas.
func loadSchemaOverlay(path string) (*schemas.Set, error) {
	o, err := schemas.LoadOverlay(path)
	if err != nil {
		return nil, usageErrorf("--schema-overlay: %w", err)
	}
	set, err := o.Apply()
	if err != nil {
		return nil, usageErrorf("--schema-overlay: %w", err)
	}
	return set, nil
}
