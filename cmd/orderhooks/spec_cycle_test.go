package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/capture"
)

// cycleSpec is an OpenAPI document whose one webhook's payload schema is
// a reference cycle, A → B → A, with nothing between: no value satisfies
// it.
const cycleSpec = `openapi: 3.1.0
info: {title: Cycle, version: "1"}
webhooks:
  thing:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/A'}
components:
  schemas:
    A: {$ref: '#/components/schemas/B'}
    B: {$ref: '#/components/schemas/A'}
`

// treeSpec's payload is a tree node whose children are nodes: legal
// recursion, through properties and items.
const treeSpec = `openapi: 3.1.0
info: {title: Tree, version: "1"}
webhooks:
  thing:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Node'}
components:
  schemas:
    Node:
      type: object
      required: [name]
      properties:
        name: {type: string}
        children: {type: array, items: {$ref: '#/components/schemas/Node'}}
`

// TestSpecReferenceCycle: every command that takes --spec refuses a
// document with a reference cycle before doing anything (receive and
// inspect serve nothing, emit and verify send nothing, capture export
// writes nothing), exit 2, with one
// line naming the file, the line and pointer of the cycle's first schema,
// and the chain; a document whose schema recurses through its properties
// still generates, bounded.
func TestSpecReferenceCycle(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "cycle.yaml")
	tree := filepath.Join(dir, "tree.yaml")
	for p, text := range map[string]string{spec: cycleSpec, tree: treeSpec} {
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	store := filepath.Join(dir, "store.db")
	captured := filepath.Join(dir, "captured.db") // an empty store for capture export
	cs, err := capture.Open(captured)
	if err != nil {
		t.Fatal(err)
	}
	if err := cs.Close(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		cmd  string
		args []string
	}{
		{"generate", []string{"generate", "--orders", "1"}},
		{"emit", []string{"emit", "--url", "http://127.0.0.1:9/", "--secret", "env:S"}},
		{"verify", []string{"verify", "--url", "http://127.0.0.1:9/", "--secret", "env:S"}},
		{"receive", []string{"receive", "--secret", "env:S", "--listen", "127.0.0.1:0"}},
		{"schema", []string{"schema", "export"}},
		{"inspect", []string{"inspect", "--store", store, "--listen", "127.0.0.1:0"}},
		{"capture", []string{"capture", "export", "--store", captured, "--secret", "env:S"}},
	}
	want := spec + ":12: /components/schemas/A: reference cycle (#/components/schemas/A → #/components/schemas/B → #/components/schemas/A)"
	for _, tc := range tests {
		t.Run(tc.cmd, func(t *testing.T) {
			args := append(tc.args, "--spec", spec, "--sign", "standard")
			stdout, stderr, code := runCmdEnv(t, t.Context(), "", map[string]string{"S": secret}, args...)
			if code != exitUsage || stderr != "orderhooks "+tc.cmd+": "+want+"\n" || stdout != "" {
				t.Errorf("exit %d\nstdout %q\nstderr %q\nwant exit 2 and\n%s", code, stdout, stderr, want)
			}
		})
	}
	if _, err := os.Stat(store); err == nil {
		t.Error("inspect created its store")
	}
	t.Run("legal recursion", func(t *testing.T) {
		stdout, stderr, code := runCmd(t, "", "generate", "--spec", tree, "--sign", "standard", "--orders", "3")
		if code != exitOK || strings.Count(stdout, "\n") != 3 || !strings.Contains(stdout, `"children":[`) {
			t.Errorf("exit %d, stderr %q, stdout:\n%s", code, stderr, stdout)
		}
	})
}
