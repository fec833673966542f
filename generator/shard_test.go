package generator_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit/sweep"
)

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want generator.Shard
		err  string
	}{
		{in: "0/4", want: generator.Shard{Index: 0, Count: 4}},
		{in: "3/4", want: generator.Shard{Index: 3, Count: 4}},
		{in: "0/1", want: generator.Shard{Index: 0, Count: 1}},
		{in: "4/4", err: "the index counts from 0 to 3"},
		{in: "-1/4", err: "the index counts from 0 to 3"},
		{in: "1/0", err: "the count must be between 1 and 65536"},
		{in: "0/65537", err: "the count must be between 1 and 65536"},
		{in: "1", err: "want INDEX/COUNT"},
		{in: "a/b", err: "want INDEX/COUNT"},
		{in: "", err: "want INDEX/COUNT"},
	} {
		got, err := generator.ParseShard(tc.in)
		switch {
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("ParseShard(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		case tc.err != "" && (err == nil || !bytes.Contains([]byte(err.Error()), []byte(tc.err)) || !errors.Is(err, generator.ErrShard)):
			t.Errorf("ParseShard(%q) error = %v; want one saying %q", tc.in, err, tc.err)
		}
	}
}

// The shards of a run partition its orders: every event of an order lands
// in one shard, and the shards' events together are the run's, byte for
// byte, for both platforms and a multi-order (batch) scenario.
func TestShardsPartitionTheRun(t *testing.T) {
	for _, tc := range []struct {
		provider, scenario string
		orders             int
	}{
		{generator.ProviderPhasio, "", 400},
		{generator.ProviderPhasio, "phasio/quote-to-paid", 120},
		{generator.ProviderPhasio, "phasio/batch-update", 60},
		{generator.ProviderHappyColis, "happycolis/fulfilment", 120},
	} {
		t.Run(tc.provider+"/"+tc.scenario, func(t *testing.T) {
			gen := func() generator.Source {
				// A quarter of the orders (at least 30) by default, all
				// under ORDERHOOKS_LONG=1 (.ci/run).
				orders := sweep.N(max(tc.orders/4, 30), tc.orders)
				opts := []generator.Option{generator.WithOrders(orders), generator.WithSeed(9)}
				if tc.scenario != "" {
					s, err := generator.LoadScenario(tc.scenario)
					if err != nil {
						t.Fatal(err)
					}
					opts = append(opts, generator.WithScenario(s))
				}
				g, err := generator.New(tc.provider, opts...)
				if err != nil {
					t.Fatal(err)
				}
				return g.Source()
			}
			write := func(src generator.Source) (lines map[int64]string, keys map[string]int) {
				lines, keys = map[int64]string{}, map[string]int{}
				err := src(func(ev *generator.Event) error {
					var b bytes.Buffer
					w := generator.NewEventWriter(&b)
					if err := w.Write(ev); err != nil {
						return err
					}
					if err := w.Flush(); err != nil {
						return err
					}
					lines[ev.Seq] = b.String()
					keys[ev.OrderKey]++
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				return lines, keys
			}
			whole, wholeKeys := write(gen())
			const n = 4
			union := map[int64]string{}
			owner := map[string]int{}
			for i := range n {
				part, keys := write(generator.Shard{Index: i, Count: n}.Filter(gen()))
				if len(part) == 0 {
					t.Errorf("shard %d/%d is empty", i, n)
				}
				for seq, line := range part {
					if _, dup := union[seq]; dup {
						t.Fatalf("event %d is in two shards", seq)
					}
					union[seq] = line
				}
				for k, c := range keys {
					if prev, ok := owner[k]; ok {
						t.Fatalf("order %s is in shards %d and %d", k, prev, i)
					}
					owner[k] = i
					if c != wholeKeys[k] {
						t.Errorf("order %s: %d events in shard %d, %d in the whole run", k, c, i, wholeKeys[k])
					}
				}
			}
			if len(union) != len(whole) || len(owner) != len(wholeKeys) {
				t.Fatalf("the shards hold %d events of %d orders; the run %d of %d", len(union), len(owner), len(whole), len(wholeKeys))
			}
			for seq, line := range whole {
				if union[seq] != line {
					t.Fatalf("event %d differs in its shard:\n%s\nwhole run:\n%s", seq, union[seq], line)
				}
			}
		})
	}
}

// Split a run of 12 orders into four shards, as four machines running
// the same flags with --shard 0/4 to 3/4 would: each order goes to one.
func ExampleShard_Filter() {
	for i := range 4 {
		g, err := generator.New(generator.ProviderPhasio, generator.WithOrders(12), generator.WithSeed(3))
		if err != nil {
			panic(err)
		}
		shard := generator.Shard{Index: i, Count: 4}
		var keys []string
		err = shard.Filter(g.Source())(func(ev *generator.Event) error {
			keys = append(keys, ev.OrderKey)
			return nil
		})
		if err != nil {
			panic(err)
		}
		fmt.Println(shard, keys)
	}
	// Output:
	// 0/4 [58048 58066]
	// 1/4 [57972 58072]
	// 2/4 [57959 58015 58024 58037]
	// 3/4 [57930 57938 57992 58070]
}
