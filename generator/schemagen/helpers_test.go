package schemagen_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// projectCompiler loads docs into the project's validator (draft
// 2020-12, formats asserted), apart from the generator's own compiler.
func projectCompiler(t testing.TB, docs map[string][]byte) *jsonschema.Compiler {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	for uri, b := range docs {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.AddResource(uri, doc); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// projectSchema compiles the schema at URI#pointer of docs.
func projectSchema(t testing.TB, docs map[string][]byte, loc string) *jsonschema.Schema {
	t.Helper()
	return compileAt(t, projectCompiler(t, docs), loc)
}

func compileAt(t testing.TB, c *jsonschema.Compiler, loc string) *jsonschema.Schema {
	t.Helper()
	s, err := c.Compile(loc)
	if err != nil {
		t.Fatalf("project validator cannot compile %s: %v", loc, err)
	}
	return s
}

// mustValidate fails the test unless the payload validates.
func mustValidate(t testing.TB, s *jsonschema.Schema, payload []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(payload))
	if err != nil {
		t.Fatalf("payload is not JSON: %v\n%s", err, payload)
	}
	if err := s.Validate(v); err != nil {
		t.Fatalf("payload fails the project's validator: %v\n%s", err, payload)
	}
}

// ajvCheck is one schema and the payloads Ajv must accept.
type ajvCheck struct {
	Schema    string            `json:"schema"` // URI#pointer
	Instances []json.RawMessage `json:"instances"`
}

type ajvFailure struct {
	Check    int    `json:"check"`
	Instance int    `json:"instance"`
	Errors   string `json:"errors"`
}

// ajv validates with Ajv (draft 2020-12, ajv-formats in full mode) under
// node: the second, independent validator. Without node or its modules the
// test is skipped, except under CI=true where it fails: .ci/run installs
// them.
func ajv(t testing.TB, docs map[string][]byte, checks []ajvCheck) []ajvFailure {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("testdata", "ajv"))
	if err != nil {
		t.Fatal(err)
	}
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "node_modules", "ajv", "package.json"))
	}
	if err != nil {
		msg := "second validator unavailable (node and `npm ci --prefix generator/schemagen/testdata/ajv`): " + err.Error()
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	in := struct {
		Documents map[string]json.RawMessage `json:"documents"`
		Checks    []ajvCheck                 `json:"checks"`
	}{map[string]json.RawMessage{}, checks}
	for uri, b := range docs {
		in.Documents[uri] = b
	}
	input, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join(dir, "validate.mjs"))
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ajv: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	var res struct {
		Failures []ajvFailure `json:"failures"`
		Checked  int          `json:"checked"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("ajv output: %v", err)
	}
	want := 0
	for _, c := range checks {
		want += len(c.Instances)
	}
	if res.Checked != want && len(res.Failures) == 0 {
		t.Fatalf("ajv checked %d payloads, want %d", res.Checked, want)
	}
	return res.Failures
}
