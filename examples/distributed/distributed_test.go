// Package distributed_test runs the commands of the sharded soak examples
// in this directory (a Kubernetes Indexed Job and a GitHub Actions matrix,
// each followed by a merge) against a receiver on 127.0.0.1: every shard's
// emit, as its pod or runner would run it, then the merge, so that a flag
// renamed in the CLI cannot silently break the files teams copy.
package distributed_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
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

// documents parses every YAML document of a file.
func documents(t *testing.T, path string) []any {
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

// commands returns the orderhooks command lines of the documents' strings.
func commands(docs []any) []string {
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
			for _, line := range strings.Split(x, "\n") {
				if line = strings.TrimSpace(line); strings.HasPrefix(line, "orderhooks ") {
					out = append(out, line)
				}
			}
		}
	}
	for _, d := range docs {
		walk(d)
	}
	return out
}

// lookup follows keys (and list indexes) into a document.
func lookup(doc any, path ...any) any {
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
	shardFlag    = regexp.MustCompile(`--shard "?(\$JOB_COMPLETION_INDEX|\$\{\{ matrix\.shard \}\})/(\d+)"?`)
	durationFlag = regexp.MustCompile(`--duration \S+`)
)

func TestShardedSoakExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the orderhooks binary")
	}
	bin := t.TempDir()
	if out, err := exec.Command("go", "build", "-o", filepath.Join(bin, "orderhooks"), "github.com/orderhooks/orderhooks/cmd/orderhooks").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, tc := range []struct {
		name  string
		files []string
		// shards reads the number of shards the engine starts.
		shards func(t *testing.T, docs []any) int
	}{
		{"kubernetes", []string{"kubernetes-soak-job.yaml", "kubernetes-merge-job.yaml"}, func(t *testing.T, docs []any) int {
			for _, d := range docs {
				if lookup(d, "kind") == "Job" && lookup(d, "spec", "completionMode") == "Indexed" {
					if lookup(d, "spec", "parallelism") != lookup(d, "spec", "completions") {
						t.Errorf("the Indexed Job runs %v pods at once of %v", lookup(d, "spec", "parallelism"), lookup(d, "spec", "completions"))
					}
					n, _ := lookup(d, "spec", "completions").(int)
					return n
				}
			}
			t.Fatal("no Indexed Job")
			return 0
		}},
		{"github-actions", []string{"github-actions-soak.yml"}, func(t *testing.T, docs []any) int {
			l, _ := lookup(docs[0], "jobs", "soak", "strategy", "matrix", "shard").([]any)
			for i, v := range l {
				if v != i {
					t.Errorf("matrix shard %d is %v: the shards count from 0", i, v)
				}
			}
			if needs := lookup(docs[0], "jobs", "merge", "needs"); needs != "soak" {
				t.Errorf("the merge job needs %v, not the soak job", needs)
			}
			return len(l)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var docs []any
			for _, f := range tc.files {
				docs = append(docs, documents(t, f)...)
			}
			n := tc.shards(t, docs)
			cmds := commands(docs)
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
			m := shardFlag.FindStringSubmatch(emit[0])
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
				// lasts 2 s instead of minutes.
				line = strings.ReplaceAll(line, "/results/", dir+"/")
				line = durationFlag.ReplaceAllString(line, "--duration 2s")
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
