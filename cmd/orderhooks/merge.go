package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/internal/input"
)

// mergeCommand reads every summary, merges them (emitter.MergeSummaries) and
// prints the result: exit 0 when the combined run passed, 1 when it did
// not (or shards are missing from it), 2 for a file that is not a
// summary, or summaries that cannot be merged.
func mergeCommand() *command {
	var asJSON bool
	fs := newFlagSet("merge")
	fs.BoolVar(&asJSON, "json", false, "print the combined summary as JSON (which merge reads again)")
	return &command{
		name:    "merge",
		summary: "add up the --json summaries of emit runs that shared the work (the shards of a run): exact counts, merged latency percentiles",
		args:    "SUMMARY.json...",
		fs:      fs,
		run:     func(_ context.Context, e *env) error { return runMerge(fs.Args(), asJSON, e) },
	}
}

func runMerge(args []string, asJSON bool, e *env) error {
	if len(args) == 0 {
		return usageErrorf("give the summaries to merge: files written by emit --json")
	}
	var sums []*emitter.Summary
	var recs []*contracts.Reconciliation
	for i, path := range args {
		r, err := readSummary(path)
		if err != nil {
			return err
		}
		if i > 0 && (r.Reconciliation == nil) != (len(recs) == 0) {
			return usageErrorf("%s: reconciled with --reconcile, and %s not: merge runs of the same flags", args[0], path)
		}
		sums = append(sums, r.Summary)
		if r.Reconciliation != nil {
			recs = append(recs, r.Reconciliation)
		}
	}
	sum, err := emitter.MergeSummaries(sums...)
	if err != nil {
		return usageErrorf("%s", strings.TrimPrefix(err.Error(), emitter.ErrMerge.Error()+": "))
	}
	var rec *contracts.Reconciliation
	if len(recs) > 0 {
		if rec, err = contracts.MergeReconciliations(recs...); err != nil {
			return usageErrorf("%s", strings.TrimPrefix(err.Error(), contracts.ErrReconcileMerge.Error()+": "))
		}
	}
	if err := writeReport(e.stdout, sum, rec, asJSON); err != nil {
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
	if !sum.Passed() || (rec != nil && !rec.Passed()) {
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
func readSummary(path string) (*reconcileReport, error) {
	data, err := input.ReadFile(path, input.SummaryFile)
	if err != nil {
		return nil, usageErrorf("%w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	s := reconcileReport{Summary: &emitter.Summary{}}
	if err := dec.Decode(&s); err != nil {
		return nil, usageErrorf("%s: not a summary written by emit --json: %s", path, err)
	}
	if s.Latency == nil {
		return nil, usageErrorf("%s: the summary has no latency histogram: it was written by an older orderhooks, or not by emit --json", path)
	}
	return &s, nil
}
