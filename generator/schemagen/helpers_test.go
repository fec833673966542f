package schemagen_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/orderhooks/orderhooks/internal/testkit/lessgc"
)

// The collector runs less often in this test binary (internal/testkit/lessgc).
func init() { lessgc.Set() }

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
	if err := validate(s, payload); err != nil {
		t.Fatalf("%v\n%s", err, payload)
	}
}

// validate checks a payload with the project's validator.
func validate(s *jsonschema.Schema, payload []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("payload is not JSON: %w", err)
	}
	if err := s.Validate(v); err != nil {
		return fmt.Errorf("payload fails the project's validator: %w", err)
	}
	return nil
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
	Text     string `json:"text"` // the start of the failing instance
}

// ajv validates checks with Ajv (draft 2020-12, ajv-formats in full
// mode) under node: the second, independent validator.
func ajv(t testing.TB, docs map[string][]byte, checks []ajvCheck) []ajvFailure {
	t.Helper()
	a := startAjv(t, docs)
	for _, c := range checks {
		a.check(c)
	}
	return a.close()
}

// ajvStream is one node process of testdata/ajv/validate.mjs: it checks
// each line as it arrives, so Go generates the next payloads while Ajv
// validates the last (two cores busy, memory bounded by a line).
type ajvStream struct {
	t              testing.TB
	cmd            *exec.Cmd
	in             io.WriteCloser
	out, stderr    bytes.Buffer
	checks, wanted int
	err            error // the first write error: node stopped reading
}

// startAjv starts Ajv with docs. Without node or its modules the test is
// skipped, except under CI=true where it fails: .ci/run installs them.
func startAjv(t testing.TB, docs map[string][]byte) *ajvStream {
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
	a := &ajvStream{t: t, cmd: exec.Command(node, filepath.Join(dir, "validate.mjs"))}
	a.cmd.Dir = dir
	a.cmd.Stdout, a.cmd.Stderr = &a.out, &a.stderr
	if a.in, err = a.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := a.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	in := struct {
		Documents map[string]json.RawMessage `json:"documents"`
	}{map[string]json.RawMessage{}}
	for uri, b := range docs {
		in.Documents[uri] = b
	}
	a.line(in)
	return a
}

// line writes v as one JSON line.
func (a *ajvStream) line(v any) {
	a.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		a.t.Fatal(err)
	}
	if a.err == nil {
		_, a.err = a.in.Write(append(b, '\n'))
	}
}

// check sends one check; its failures come from close, numbered in the
// order the checks were sent.
func (a *ajvStream) check(c ajvCheck) {
	a.t.Helper()
	a.line(c)
	a.checks++
	a.wanted += len(c.Instances)
}

// close ends the input and returns the failures.
func (a *ajvStream) close() []ajvFailure {
	a.t.Helper()
	_ = a.in.Close()
	if err := a.cmd.Wait(); err != nil || a.err != nil {
		a.t.Fatalf("ajv: %v (writing: %v): %s", err, a.err, strings.TrimSpace(a.stderr.String()))
	}
	var res struct {
		Failures []ajvFailure `json:"failures"`
		Checked  int          `json:"checked"`
	}
	if err := json.Unmarshal(a.out.Bytes(), &res); err != nil {
		a.t.Fatalf("ajv output: %v", err)
	}
	if res.Checked != a.wanted && len(res.Failures) == 0 {
		a.t.Fatalf("ajv checked %d payloads, want %d", res.Checked, a.wanted)
	}
	return res.Failures
}

// TestAjvRejects: the second validator can fail: of three payloads sent on
// two lines, the one missing a required property is the one failure, named
// by its line and place.
func TestAjvRejects(t *testing.T) {
	uri := "mem:///required.json"
	docs := map[string][]byte{uri: []byte(`{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","required":["a"]}`)}
	fails := ajv(t, docs, []ajvCheck{
		{Schema: uri + "#", Instances: []json.RawMessage{[]byte(`{"a":1}`)}},
		{Schema: uri + "#", Instances: []json.RawMessage{[]byte(`{"a":2}`), []byte(`{"b":3}`)}},
	})
	if len(fails) != 1 || fails[0].Check != 1 || fails[0].Instance != 1 || fails[0].Text != `{"b":3}` || !strings.Contains(fails[0].Errors, "a") {
		t.Fatalf("failures %+v, want one: check 1, instance 1, {\"b\":3}", fails)
	}
}
