package contracts_test

import (
	"slices"
	"testing"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/generator"
)

// The shards of a suite run every check of the unsharded suite exactly
// once, and the checks that judge the shared lifecycles stay together.
func TestShardsPartitionTheChecks(t *testing.T) {
	p := contracts.Phasio(testSecret(t, contracts.ProviderPhasio))
	names := func(opts ...contracts.Option) []string {
		s, err := contracts.New(p, opts...)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range s.Checks() {
			out = append(out, c.Name)
		}
		return out
	}
	all := names()
	lifecycle := []string{contracts.CheckValidLifecycle, contracts.CheckStateMatches, contracts.CheckSLO, contracts.CheckResponseContract}
	for _, n := range []int{2, 3, 4, 16} {
		seen := map[string]int{}
		for i := range n {
			part := names(contracts.WithShard(generator.Shard{Index: i, Count: n}))
			if n < 16 && len(part) == 0 {
				t.Errorf("shard %d/%d runs no check", i, n)
			}
			for _, c := range part {
				if prev, ok := seen[c]; ok {
					t.Errorf("%d shards: %s runs in shards %d and %d", n, c, prev, i)
				}
				seen[c] = i
			}
		}
		if len(seen) != len(all) {
			t.Errorf("%d shards run %d checks; the suite has %d", n, len(seen), len(all))
		}
		for _, c := range lifecycle {
			if seen[c] != seen[lifecycle[0]] || !slices.Contains(all, c) {
				t.Errorf("%d shards: %s runs in shard %d, %s in %d", n, c, seen[c], lifecycle[0], seen[lifecycle[0]])
			}
		}
	}
}
