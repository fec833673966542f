package emitter

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/orderhooks/orderhooks/wire"
)

// ErrMerge is wrapped by MergeSummaries' errors.
var ErrMerge = errors.New("emitter: summaries that cannot be merged")

// MergeSummaries adds up the summaries of runs that shared the work (the
// shards of one run on several machines): every count is the exact sum,
// the latency histograms merge into the one a single run recording every
// attempt would have (so P50, P99 and Max are as precise as one run's),
// Elapsed is the longest run's and Rate the deliveries over it (the runs
// ran side by side), and the result is interrupted when any run was.
//
// Summaries that carry a Shard must be of the same count and distinct
// shards; the result lists them in Shards, and Missing reports the
// shards of that count none of them covers. A summary without a latency
// histogram (written before histograms were kept) cannot be merged.
func MergeSummaries(sums ...*Summary) (*Summary, error) {
	if len(sums) == 0 {
		return nil, fmt.Errorf("%w: none given", ErrMerge)
	}
	out := &Summary{Faults: map[wire.Fault]int{}, Statuses: map[int]int{}, Latency: NewLatency()}
	count := 0
	seen := map[string]bool{}
	for i, s := range sums {
		if s.Latency == nil {
			return nil, fmt.Errorf("%w: summary %d has no latency histogram", ErrMerge, i+1)
		}
		for _, sh := range append(slices.Clone(s.Shards), shardList(s.Shard)...) {
			n, err := shardCount(sh)
			if err != nil {
				return nil, fmt.Errorf("%w: summary %d: %w", ErrMerge, i+1, err)
			}
			switch {
			case count != 0 && n != count:
				return nil, fmt.Errorf("%w: summary %d is shard %s, another is of %d shards", ErrMerge, i+1, sh, count)
			case seen[sh]:
				return nil, fmt.Errorf("%w: shard %s is given twice", ErrMerge, sh)
			}
			count = n
			seen[sh] = true
		}
		out.Deliveries += s.Deliveries
		out.Attempts += s.Attempts
		out.OK += s.OK
		out.Failed += s.Failed
		out.Forged += s.Forged
		out.Rejected += s.Rejected
		out.Accepted += s.Accepted
		out.Retries += s.Retries
		out.Blocked += s.Blocked
		out.Invalid += s.Invalid
		out.Renumbered += s.Renumbered
		addCounts(out.Faults, s.Faults)
		addCounts(out.Statuses, s.Statuses)
		if len(s.NoAnswer) > 0 {
			if out.NoAnswer == nil {
				out.NoAnswer = map[string]int{}
			}
			addCounts(out.NoAnswer, s.NoAnswer)
		}
		for f, o := range s.ByFault {
			if out.ByFault == nil {
				out.ByFault = map[wire.Fault]*FaultOutcome{}
			}
			m := out.ByFault[f]
			if m == nil {
				m = &FaultOutcome{Statuses: map[int]int{}}
				out.ByFault[f] = m
			}
			m.Deliveries += o.Deliveries
			m.Rejected += o.Rejected
			m.Accepted += o.Accepted
			addCounts(m.Statuses, o.Statuses)
		}
		out.Latency.Merge(s.Latency)
		out.Elapsed = max(out.Elapsed, s.Elapsed)
		out.Interrupted = out.Interrupted || s.Interrupted
	}
	out.P50, out.P99, out.Max = out.Latency.Quantile(0.5), out.Latency.Quantile(0.99), out.Latency.Max()
	if sec := out.Elapsed.Seconds(); sec > 0 {
		out.Rate = float64(out.Deliveries) / sec
	}
	out.Shards = slices.SortedFunc(maps.Keys(seen), compareShards)
	return out, nil
}

// Missing returns the shards of the summary's shard count that none of
// the merged summaries covered ("2/4"), or nil.
func (s *Summary) Missing() []string {
	have := append(slices.Clone(s.Shards), shardList(s.Shard)...)
	if len(have) == 0 {
		return nil
	}
	n, err := shardCount(have[0])
	if err != nil {
		return nil
	}
	var out []string
	for i := range n {
		if sh := fmt.Sprintf("%d/%d", i, n); !slices.Contains(have, sh) {
			out = append(out, sh)
		}
	}
	return out
}

func shardList(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// shardCount checks a shard's "i/n" and returns n.
func shardCount(s string) (int, error) {
	is, ns, ok := strings.Cut(s, "/")
	i, ierr := strconv.Atoi(is)
	n, nerr := strconv.Atoi(ns)
	if !ok || ierr != nil || nerr != nil || n < 1 || i < 0 || i >= n {
		return 0, fmt.Errorf("shard %q is not INDEX/COUNT", s)
	}
	return n, nil
}

func compareShards(a, b string) int {
	ai, _, _ := strings.Cut(a, "/")
	bi, _, _ := strings.Cut(b, "/")
	x, _ := strconv.Atoi(ai)
	y, _ := strconv.Atoi(bi)
	return x - y
}

func addCounts[K comparable](dst, src map[K]int) {
	for k, v := range src {
		dst[k] += v
	}
}
