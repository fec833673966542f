package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/provider"
	"github.com/orderhooks/orderhooks/schemas"
	"github.com/orderhooks/orderhooks/specexport"
)

func TestSchemaGolden(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"list", []string{"list"}, exitOK},
		{"show-strict", []string{"show", "phasio/order-strict"}, exitOK},
		{"show-unknown", []string{"show", "phasio/nope"}, exitUsage},
		{"no-action", nil, exitUsage},
		{"bad-action", []string{"print", "phasio/order"}, exitUsage},
		{"export-no-provider", []string{"export", "--format", "openapi"}, exitUsage},
		{"export-no-format", []string{"export", "--provider", "phasio"}, exitUsage},
		{"export-bad-format", []string{"export", "--provider", "phasio", "--format", "asyncapi2"}, exitUsage},
		{"export-unknown-provider", []string{"export", "--provider", "phasioo", "--format", "openapi"}, exitUsage},
		{"export-spec-without-signing", []string{"export", "--spec", "../../testdata/specs/oai-webhook-example.yaml", "--format", "openapi"}, exitUsage},
		{"export-flag-on-list", []string{"list", "--format", "openapi"}, exitUsage},
		{"export-argument", []string{"export", "phasio", "--format", "openapi"}, exitUsage},
		{"export-untranslatable", []string{"export", "--provider-file", "testdata/untranslatable.provider.yaml", "--format", "asyncapi"}, exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCmd(t, "", append([]string{"schema"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %s)", code, tt.code, errOut)
			}
			golden(t, "TestSchemaGolden_"+tt.name+".golden.txt", transcript(out, errOut, code))
		})
	}
}

// TestSchemaShowEverySchema: show prints each schema as valid JSON, and list
// names every schema.
func TestSchemaShowEverySchema(t *testing.T) {
	list, _, _ := runCmd(t, "", "schema", "list")
	for _, name := range schemas.Names() {
		out, errOut, code := runCmd(t, "", "schema", "show", name)
		var doc map[string]any
		if code != exitOK || json.Unmarshal([]byte(out), &doc) != nil || doc["title"] != schemas.MustGet(name).Title() {
			t.Errorf("schema show %s: exit %d, stderr %q, not the schema's JSON", name, code, errOut)
		}
		if !strings.Contains(list, name+" ") {
			t.Errorf("schema list does not name %s", name)
		}
	}
}

// TestSchemaExport: schema export writes the library's document, YAML to
// stdout or a file, JSON to a file ending in .json, for a built-in, a
// definition file and an imported document; the file is the same bytes
// as specexport.Export gives.
func TestSchemaExport(t *testing.T) {
	t.Parallel() // after the sequential tests (the docs test changes directory)
	dir := t.TempDir()
	def := filepath.Join(dir, "happycolis.yaml")
	if err := os.WriteFile(def, provider.BuiltinFile("happycolis"), 0o644); err != nil {
		t.Fatal(err)
	}
	spec := filepath.Join("..", "..", "testdata", "specs", "oai-webhook-example.yaml")
	tests := []struct {
		name string
		args []string
		def  func() *provider.Definition
	}{
		{"builtin", []string{"--provider", "phasio"}, func() *provider.Definition { return provider.MustBuiltin("phasio") }},
		{"file", []string{"--provider-file", def}, func() *provider.Definition { return provider.MustBuiltin("happycolis") }},
		{"spec", []string{"--spec", spec, "--sign", "standard"}, func() *provider.Definition {
			d, err := provider.FromSpec(spec, nil)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}},
	}
	for _, tt := range tests {
		for _, f := range []string{specexport.OpenAPI, specexport.AsyncAPI} {
			t.Run(tt.name+"-"+f, func(t *testing.T) {
				want, err := specexport.Export(tt.def(), f)
				if err != nil {
					t.Fatal(err)
				}
				wantYAML, err := want.YAML()
				if err != nil {
					t.Fatal(err)
				}
				args := append([]string{"schema", "export", "--format", f}, tt.args...)
				out, errOut, code := runCmd(t, "", args...)
				if code != exitOK || errOut != "" {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				if tt.name != "file" && out != string(wantYAML) {
					t.Errorf("stdout is not the library's document")
				}
				for _, name := range []string{"doc.json", "doc.yaml"} {
					path := filepath.Join(dir, tt.name+f+name)
					if _, errOut, code := runCmd(t, "", append(args, "--output", path)...); code != exitOK {
						t.Fatalf("--output %s: exit %d: %s", name, code, errOut)
					}
					got, err := os.ReadFile(path)
					if err != nil {
						t.Fatal(err)
					}
					w := wantYAML
					if strings.HasSuffix(name, ".json") {
						w = want.JSON()
					}
					if tt.name == "file" {
						// the file's definition has its own name and digest
						if !strings.Contains(string(got), "HappyColis webhooks") || len(got) < len(w)/2 {
							t.Errorf("%s: not HappyColis' document", name)
						}
						continue
					}
					if string(got) != string(w) {
						t.Errorf("%s: not the library's document", name)
					}
				}
			})
		}
	}
}
