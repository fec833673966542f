package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/internal/input"
)

func init() {
	register(&command{
		name:    "merge",
		summary: "add up the --json summaries of emit runs that shared the work (the shards of a run): exact counts, merged latency percentiles",
		usage:   "orderhooks merge [--json] SUMMARY.json...",
		order:   36,
		flags: func() *pflag.FlagSet {
			fs := pflag.NewFlagSet("merge", pflag.ContinueOnError)
			fs.Bool("json", false, "print the combined summary as JSON (which merge reads again)")
			return fs
		},
		run: runMerge,
	})
}

// runMerge reads every summary, merges them (emitter.MergeSummaries) and
// prints the result: exit 0 when the combined run passed, 1 when it did
// not (or shards are missing from it), 2 for a file that is not a
// summary, or summaries that cannot be merged.
func runMerge(_ context.Context, fs *pflag.FlagSet, e *env) error {
	if fs.NArg() == 0 {
		return usageErrorf("give the summaries to merge: files written by emit --json")
	}
	var sums []*emitter.Summary
	for _, path := range fs.Args() {
		s, err := readSummary(path)
		if err != nil {
			return err
		}
		sums = append(sums, s)
	}
	sum, err := emitter.MergeSummaries(sums...)
	if err != nil {
		return usageErrorf("%s", strings.TrimPrefix(err.Error(), emitter.ErrMerge.Error()+": "))
	}
	asJSON, _ := fs.GetBool("json")
	if err := printSummary(e.stdout, sum, asJSON); err != nil {
		return err
	}
	if !asJSON {
		fmt.Fprintf(e.stdout, "merged %d summaries%s\n", len(sums), shardNote(sum.Shards))
	}
	if missing := sum.Missing(); len(missing) > 0 {
		fmt.Fprintf(e.stderr, "orderhooks merge: shard %s missing: the combined summary covers %d of %d shards\n",
			strings.Join(missing, ", "), len(sum.Shards), len(sum.Shards)+len(missing))
		return failedSilently()
	}
	if !sum.Passed() {
		return failedSilently()
	}
	return nil
}

func shardNote(shards []string) string {
	if len(shards) == 0 {
		return ""
	}
	return " (shards " + strings.Join(shards, ", ") + ")"
}

// readSummary reads one emit --json summary; unknown fields are refused,
// so that a verify report or another file is not taken for one.
func readSummary(path string) (*emitter.Summary, error) {
	data, err := input.ReadFile(path, input.SummaryFile)
	if err != nil {
		return nil, usageErrorf("%w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s emitter.Summary
	if err := dec.Decode(&s); err != nil {
		return nil, usageErrorf("%s: not a summary written by emit --json: %s", path, err)
	}
	if s.Latency == nil {
		return nil, usageErrorf("%s: the summary has no latency histogram: it was written by an older orderhooks, or not by emit --json", path)
	}
	return &s, nil
}
