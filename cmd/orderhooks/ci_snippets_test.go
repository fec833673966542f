package main

import (
	"context"
	"encoding/xml"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/orderhooks/orderhooks/internal/localrecv"
)

// ciVerifyCommands returns the shell lines of a CI file that run
// orderhooks verify.
func ciVerifyCommands(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case string:
			if strings.Contains(x, "orderhooks verify") {
				out = append(out, strings.TrimSpace(x))
			}
		}
	}
	walk(doc)
	return out
}

var ciProviderFlag = regexp.MustCompile(`--provider (\w+)`)

// TestCISnippetsVerifyALocalReceiver runs the verify command of each CI
// snippet of examples/ci against a receiver on 127.0.0.1, so a flag renamed
// in the CLI cannot silently break the snippets teams copy.
func TestCISnippetsVerifyALocalReceiver(t *testing.T) {
	bin := filepath.Dir(orderhooksBinary(t))
	var files []string
	for _, f := range repoFiles(t, ".yml") {
		if path.Dir(f) == "examples/ci" {
			files = append(files, f)
		}
	}
	if len(files) < 2 {
		t.Fatalf("found %d CI snippets, want the GitHub Actions and GitLab CI ones", len(files))
	}
	for _, file := range files {
		cmds := ciVerifyCommands(t, filepath.Join(repoRoot, file))
		if len(cmds) != 1 {
			t.Fatalf("%s: %d verify commands, want 1", file, len(cmds))
		}
		t.Run(file, func(t *testing.T) {
			m := ciProviderFlag.FindStringSubmatch(cmds[0])
			if m == nil {
				t.Fatalf("%s: no --provider in %q", file, cmds[0])
			}
			recv, _, secret, err := localrecv.Start(m[1])
			if err != nil {
				t.Fatal(err)
			}
			defer recv.Close()
			dir := t.TempDir()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, "bash", "-c", cmds[0])
			cmd.Dir = dir
			cmd.Env = append(os.Environ(),
				"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
				"STAGING_RECEIVER_URL="+recv.URL+"/webhooks/"+m[1],
				"PHASIO_WEBHOOK_SECRET="+secret,
				"HAPPYCOLIS_CLIENT_SECRET="+secret,
				"GITHUB_RUN_NUMBER=7",
				"CI_PIPELINE_IID=7",
			)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s: %v\n%s", cmds[0], err, out)
			}
			if strings.Contains(string(out), secret) {
				t.Error("the secret appears in the output")
			}
			junit, err := os.ReadFile(filepath.Join(dir, "orderhooks-junit.xml"))
			if err != nil {
				t.Fatal(err)
			}
			var suites struct {
				Suites []struct {
					Tests int `xml:"tests,attr"`
				} `xml:"testsuite"`
			}
			if err := xml.Unmarshal(junit, &suites); err != nil || len(suites.Suites) == 0 || suites.Suites[0].Tests < 10 {
				t.Fatalf("JUnit report: %v, %+v", err, suites)
			}
		})
	}
}
