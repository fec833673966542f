package specexport_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/provider"
	"github.com/orderhooks/orderhooks/specexport"
)

// danglingRefs lists the local $refs of an exported document that name
// nothing in it (schemas' data keywords and extensions aside).
func danglingRefs(doc []byte) ([]string, error) {
	var root any
	if err := json.Unmarshal(doc, &root); err != nil {
		return nil, err
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case []any:
			for _, it := range x {
				walk(it)
			}
		case map[string]any:
			for k, val := range x {
				switch {
				case k == "$ref":
					ref, _ := val.(string)
					p, err := jsonptr.ParseFragment(strings.TrimPrefix(ref, "#"))
					if _, ok := jsonptr.Get(root, p); !strings.HasPrefix(ref, "#") || err != nil || !ok {
						out = append(out, ref)
					}
				case k == "const" || k == "enum" || k == "examples" || k == "example" || k == "default" || strings.HasPrefix(k, "x-"):
				default:
					walk(val)
				}
			}
		}
	}
	walk(root)
	return out, nil
}

// TestNoDanglingRefs: every local $ref of every exported document names
// something in it, and the documents are self-contained (no other $ref).
func TestNoDanglingRefs(t *testing.T) {
	for _, c := range exportCases() {
		d := c.def(t)
		for _, f := range formats {
			bad, err := danglingRefs(export(t, d, f).JSON())
			if err != nil || len(bad) > 0 {
				t.Errorf("%s %s: %v %q", c.name, f, err, bad)
			}
		}
	}
	if bad, _ := danglingRefs([]byte(`{"a":{"$ref":"#/components/schemas/none"},"b":{"$ref":"other.json#/x"}}`)); len(bad) != 2 {
		t.Errorf("the check misses dangling references: %q", bad)
	}
}

// FuzzExport: a definition whose payload schema is arbitrary JSON (that
// the definition accepts) exports in both formats without panicking;
// what is exported is JSON whose every $ref names something in it.
func FuzzExport(f *testing.F) {
	for _, s := range []string{
		`{"type":"object"}`,
		`{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"type":"string"}},"properties":{"x":{"$ref":"#/$defs/a"}}}`,
		`{"$defs":{"n":{"properties":{"next":{"$ref":"#/$defs/n"}}}},"$ref":"#/$defs/n","required":["next"]}`,
		`{"prefixItems":[{"$anchor":"p","type":"integer"}],"items":{"$ref":"#p"}}`,
		`{"$id":"https://example.test/x.json","$defs":{"s":{"$id":"inner.json","$defs":{"t":true}}},"$ref":"inner.json#/$defs/t"}`,
		`{"dependentSchemas":{"a":{"$ref":"#"}},"discriminator":{"propertyName":"k"}}`,
		`{"$ref":"#/$defs/missing"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, schema string) {
		if !json.Valid([]byte(schema)) || len(schema) > 4096 {
			return
		}
		src := fmt.Sprintf("format: 1\nname: fuzz\nextends: standard\nevents:\n  match: [{header: X-Event}]\n  from: []\n  list:\n    - name: thing\n      schema: %s\n", schema)
		d, err := provider.Parse([]byte(src), "fuzz.yaml")
		if err != nil {
			return
		}
		if _, err := d.Events()[0].Schema(); err != nil {
			return
		}
		for _, format := range []string{specexport.OpenAPI, specexport.AsyncAPI} {
			doc, err := specexport.Export(d, format)
			if err != nil {
				continue
			}
			bad, err := danglingRefs(doc.JSON())
			if err != nil || len(bad) > 0 {
				t.Fatalf("%s: %v: dangling %q in\n%s", format, err, bad, doc.JSON())
			}
		}
	})
}
