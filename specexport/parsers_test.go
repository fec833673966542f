package specexport_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/orderhooks/orderhooks/internal/input"
	"github.com/orderhooks/orderhooks/internal/testkit/sweep"
	"github.com/orderhooks/orderhooks/internal/yamljson"
	"github.com/orderhooks/orderhooks/specexport"
)

// broken are exported documents spoiled on purpose: the official parsers
// must refuse each, or their verdict on the good ones proves nothing.
var broken = []struct {
	name, format, old, new string
}{
	{"asyncapi-bad-action", specexport.AsyncAPI, "action: send", "action: shout"},
	{"asyncapi-bad-schema", specexport.AsyncAPI, "type: object", "type: objekt"},
	{"openapi-no-info", specexport.OpenAPI, "\ninfo:", "\ninf:"},
	{"openapi-bad-schema", specexport.OpenAPI, "type: string", "type: strin"},
}

// withLong adds, under ORDERHOOKS_LONG=1, the large real descriptions:
// GitHub's webhooks (261 events, 433 schemas once exported) and Adyen's
// balance platform notifications, imported with Standard Webhooks'
// signing (some 45 CPU-seconds with the parsers).
func withLong(cases []exportCase) []exportCase {
	if !sweep.Long() {
		return cases
	}
	return append(cases,
		exportCase{"github", imported("github-webhooks-api.github.com.json")},
		exportCase{"adyen", imported("adyen-balanceplatform-configuration-notification-v2.json")})
}

// spoiledCase is the case whose documents are spoiled: a small one.
const spoiledCase = "oai-webhook-example"

// TestOfficialParsers validates the exported documents of every case, in
// both formats, with the official parsers under Node.js (one process for
// all of them): @asyncapi/parser for AsyncAPI 3.0, and for OpenAPI 3.1
// @seriousme/openapi-schema-validator (the OpenAPI Initiative's JSON
// Schema) with each component schema checked against JSON Schema
// 2020-12's meta-schema (testdata/node/validate.mjs). Spoiled copies must
// be refused. Without node or the packages the test is skipped, except
// under CI=true where it fails: .ci/run installs them. ORDERHOOKS_LONG=1
// adds GitHub's and Adyen's descriptions (withLong).
func TestOfficialParsers(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("testdata", "node"))
	if err != nil {
		t.Fatal(err)
	}
	node, err := exec.LookPath("node")
	if err == nil {
		for _, m := range []string{"@asyncapi/parser", "@seriousme/openapi-schema-validator", "ajv", "yaml"} {
			if _, err = os.Stat(filepath.Join(dir, "node_modules", m, "package.json")); err != nil {
				break
			}
		}
	}
	if err != nil {
		msg := "official parsers unavailable (node and `npm ci --prefix specexport/testdata/node`): " + err.Error()
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	tmp := t.TempDir()
	want := map[string]bool{} // file → valid
	var files []string
	for _, c := range withLong(exportCases()) {
		d := c.def(t)
		for _, f := range formats {
			y, err := export(t, d, f).YAML()
			if err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(tmp, c.name+"."+f+".yaml")
			if err := os.WriteFile(p, y, 0o644); err != nil {
				t.Fatal(err)
			}
			want[p] = true
			files = append(files, p)
			if c.name != spoiledCase {
				continue
			}
			for _, b := range broken {
				if b.format != f {
					continue
				}
				spoiled := strings.Replace(string(y), b.old, b.new, 1)
				if spoiled == string(y) {
					t.Fatalf("%s: %q is not in the document", b.name, b.old)
				}
				bp := filepath.Join(tmp, b.name+".yaml")
				if err := os.WriteFile(bp, []byte(spoiled), 0o644); err != nil {
					t.Fatal(err)
				}
				want[bp] = false
				files = append(files, bp)
			}
		}
	}
	cmd := exec.Command(node, append([]string{filepath.Join(dir, "validate.mjs")}, files...)...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.Bytes())
	}
	seen := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var r struct {
			File   string   `json:"file"`
			Format string   `json:"format"`
			Valid  bool     `json:"valid"`
			Errors []string `json:"errors"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%v: %s", err, sc.Bytes())
		}
		w, ok := want[r.File]
		if !ok {
			t.Fatalf("a verdict on %s, which was not asked for", r.File)
		}
		seen++
		switch {
		case w && !r.Valid:
			t.Errorf("%s (%s): refused by the official parser:\n%s", filepath.Base(r.File), r.Format, strings.Join(r.Errors, "\n"))
		case !w && r.Valid:
			t.Errorf("%s (%s): a spoiled document is accepted", filepath.Base(r.File), r.Format)
		case !w && len(r.Errors) == 0:
			t.Errorf("%s: refused without a reason", filepath.Base(r.File))
		}
	}
	if seen != len(files) {
		t.Errorf("%d verdicts for %d documents\n%s", seen, len(files), stderr.Bytes())
	}
}

// yamlLimits bound the test documents read as YAML.
var yamlLimits = yamljson.Limits{Expansion: input.Limit{What: "test document", Bytes: 16 << 20}, Nodes: 1 << 20, Depth: 128}

// TestOAISchema validates every exported OpenAPI document in Go against
// the OpenAPI Initiative's JSON Schema for 3.1 with Schema Object
// validation (testdata/oas31/schema-base.yaml: each schema checked
// against the OpenAPI dialect of JSON Schema 2020-12), compiled by
// santhosh-tekuri/jsonschema; the spoiled documents are refused.
func TestOAISchema(t *testing.T) {
	c := jsonschema.NewCompiler()
	var base string
	for _, name := range []string{"schema", "schema-base", "dialect", "meta"} {
		y, err := os.ReadFile(filepath.Join("testdata", "oas31", name+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		j, err := yamljson.ToJSON(y, yamlLimits)
		if err != nil {
			t.Fatal(err)
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
		if err != nil {
			t.Fatal(err)
		}
		id := v.(map[string]any)["$id"].(string)
		if name == "schema-base" {
			base = id
		}
		if err := c.AddResource(id, v); err != nil {
			t.Fatal(err)
		}
	}
	s, err := c.Compile(base)
	if err != nil {
		t.Fatal(err)
	}
	check := func(doc []byte) error {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		return s.Validate(v)
	}
	n := 0
	cases := withLong(exportCases())
	for _, c := range cases {
		doc := export(t, c.def(t), specexport.OpenAPI)
		if err := check(doc.JSON()); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		n++
		if c.name != spoiledCase {
			continue
		}
		for _, b := range broken {
			if b.format != specexport.OpenAPI {
				continue
			}
			y, err := doc.YAML()
			if err != nil {
				t.Fatal(err)
			}
			j, err := yamljson.ToJSON([]byte(strings.Replace(string(y), b.old, b.new, 1)), yamlLimits)
			if err != nil {
				t.Fatal(err)
			}
			if check(j) == nil {
				t.Errorf("%s: a spoiled document is accepted", b.name)
			}
		}
	}
	if n != len(cases) {
		t.Errorf("%d documents checked", n)
	}
}
