package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/orderhooks/orderhooks/internal/localrecv"
)

// ciDocuments parses every YAML document of a CI or job file.
func ciDocuments(t *testing.T, path string) []any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var docs []any
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		docs = append(docs, doc)
	}
}

// ciStrings returns every string value of the documents (the scripts of
// steps, jobs and containers among them).
func ciStrings(docs []any) []string {
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
			out = append(out, x)
		}
	}
	for _, d := range docs {
		walk(d)
	}
	return out
}

// ciVerifyCommands returns the shell scripts of a CI file that run
// orderhooks verify.
func ciVerifyCommands(t *testing.T, path string) []string {
	t.Helper()
	var out []string
	for _, s := range ciStrings(ciDocuments(t, path)) {
		if strings.Contains(s, "orderhooks verify") {
			out = append(out, strings.TrimSpace(s))
		}
	}
	return out
}

// ciCommandLines returns the lines of the documents' strings that run
// orderhooks.
func ciCommandLines(docs []any) []string {
	var out []string
	for _, s := range ciStrings(docs) {
		for _, line := range strings.Split(s, "\n") {
			if line = strings.TrimSpace(line); strings.HasPrefix(line, "orderhooks ") {
				out = append(out, line)
			}
		}
	}
	return out
}

var ciProviderFlag = regexp.MustCompile(`--provider (\w+)`)

// TestCISnippetsVerifyALocalReceiver runs the verify command of each CI
// snippet of examples/ci against a receiver on 127.0.0.1, so a flag renamed
// in the CLI cannot silently break the snippets teams copy.
func TestCISnippetsVerifyALocalReceiver(t *testing.T) {
	t.Parallel() // after the sequential tests (the docs test changes directory)
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

// ciLookup follows keys (and list indexes) into a document.
func ciLookup(doc any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := doc.(map[string]any)
			doc = m[k]
		case int:
			l, _ := doc.([]any)
			if k >= len(l) {
				return nil
			}
			doc = l[k]
		}
	}
	return doc
}

var (
	ciShardFlag    = regexp.MustCompile(`--shard "?(\$JOB_COMPLETION_INDEX|\$\{\{ matrix\.shard \}\})/(\d+)"?`)
	ciDurationFlag = regexp.MustCompile(`--duration \S+`)
	ciRateFlag     = regexp.MustCompile(`--rate \S+`)
)

// TestShardedSoakExamples runs the commands of the sharded soak examples
// of examples/distributed (a Kubernetes Indexed Job and a GitHub Actions
// matrix, each followed by a merge) against a receiver on 127.0.0.1:
// every shard's emit, as its pod or runner would run it, then the merge,
// so that a flag renamed in the CLI cannot silently break the files teams
// copy.
func TestShardedSoakExamples(t *testing.T) {
	t.Parallel() // after the sequential tests (the docs test changes directory)
	bin := filepath.Dir(orderhooksBinary(t))
	for _, tc := range []struct {
		name  string
		files []string
		// shards reads the number of shards the engine starts.
		shards func(t *testing.T, docs []any) int
	}{
		{"kubernetes", []string{"kubernetes-soak-job.yaml", "kubernetes-merge-job.yaml"}, func(t *testing.T, docs []any) int {
			for _, d := range docs {
				if ciLookup(d, "kind") == "Job" && ciLookup(d, "spec", "completionMode") == "Indexed" {
					if ciLookup(d, "spec", "parallelism") != ciLookup(d, "spec", "completions") {
						t.Errorf("the Indexed Job runs %v pods at once of %v", ciLookup(d, "spec", "parallelism"), ciLookup(d, "spec", "completions"))
					}
					n, _ := ciLookup(d, "spec", "completions").(int)
					return n
				}
			}
			t.Fatal("no Indexed Job")
			return 0
		}},
		{"github-actions", []string{"github-actions-soak.yml"}, func(t *testing.T, docs []any) int {
			l, _ := ciLookup(docs[0], "jobs", "soak", "strategy", "matrix", "shard").([]any)
			for i, v := range l {
				if v != i {
					t.Errorf("matrix shard %d is %v: the shards count from 0", i, v)
				}
			}
			if needs := ciLookup(docs[0], "jobs", "merge", "needs"); needs != "soak" {
				t.Errorf("the merge job needs %v, not the soak job", needs)
			}
			return len(l)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each soaks its own receiver
			var docs []any
			for _, f := range tc.files {
				docs = append(docs, ciDocuments(t, filepath.Join(repoRoot, "examples", "distributed", f))...)
			}
			n := tc.shards(t, docs)
			cmds := ciCommandLines(docs)
			var emit, merge []string
			for _, c := range cmds {
				switch {
				case strings.HasPrefix(c, "orderhooks emit "):
					emit = append(emit, c)
				case strings.HasPrefix(c, "orderhooks merge "):
					merge = append(merge, c)
				}
			}
			if len(emit) != 1 || len(merge) != 1 || len(cmds) != 2 {
				t.Fatalf("want one emit and one merge command, got %q", cmds)
			}
			m := ciShardFlag.FindStringSubmatch(emit[0])
			if m == nil || m[2] != strconv.Itoa(n) || n < 2 {
				t.Fatalf("%q: no --shard of the engine's index over its %d shards", emit[0], n)
			}
			recv, _, secret, err := localrecv.Start("phasio")
			if err != nil {
				t.Fatal(err)
			}
			defer recv.Close()
			dir := t.TempDir()
			env := append(os.Environ(),
				"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
				"RECEIVER_URL="+recv.URL+"/webhooks/phasio", "STAGING_RECEIVER_URL="+recv.URL+"/webhooks/phasio",
				"PROBE_URL="+recv.URL+"/orders/{orderKey}", "STAGING_PROBE_URL="+recv.URL+"/orders/{orderKey}",
				"PHASIO_WEBHOOK_SECRET="+secret)
			run := func(line string, extra ...string) (string, error) {
				// The volume of the pods is the test's directory, and the soak
				// lasts 300 ms instead of minutes, at 20 deliveries a second
				// (a few orders per shard, each reconciled by the merge).
				line = strings.ReplaceAll(line, "/results/", dir+"/")
				line = ciDurationFlag.ReplaceAllString(line, "--duration 300ms")
				line = ciRateFlag.ReplaceAllString(line, "--rate 20")
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				defer cancel()
				cmd := exec.CommandContext(ctx, "bash", "-c", line)
				cmd.Dir, cmd.Env = dir, slices.Concat(env, extra) // a copy each: the shards run at once
				out, err := cmd.CombinedOutput()
				return string(out), err
			}
			var wg sync.WaitGroup
			errs := make([]error, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					// The engine fills in the shard: Kubernetes sets the
					// variable, GitHub Actions substitutes the expression.
					line := strings.ReplaceAll(emit[0], "${{ matrix.shard }}", strconv.Itoa(i))
					out, err := run(line, "JOB_COMPLETION_INDEX="+strconv.Itoa(i))
					if err != nil {
						errs[i] = fmt.Errorf("shard %d: %s: %v\n%s", i, line, err, out)
					}
				}()
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			out, err := run(merge[0])
			if err != nil {
				t.Fatalf("%s: %v\n%s", merge[0], err, out)
			}
			want := fmt.Sprintf("merged %d summaries (shards 0/%d", n, n)
			if !strings.Contains(out, want) || !strings.Contains(out, " agree, 0 lost, 0 misapplied, 0 not verified") || !strings.Contains(out, "0 failed") {
				t.Fatalf("merge:\n%s\nwant %q and every order reconciled", out, want)
			}
			if strings.Contains(out, secret) {
				t.Error("the secret appears in the output")
			}
		})
	}
}
