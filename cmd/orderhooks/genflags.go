package main

import (
	"context"
	"math"
	"time"

	"github.com/spf13/pflag"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/input"
)

// genFlags are the generator flags shared by generate, emit and verify:
// --scenario, --orders, --seed, --edge, --drift, --start, --kanban,
// --schema-overlay and --shard. Each command registers --provider itself
// and passes it to source.
type genFlags struct {
	scenario      string
	orders        int
	seed          int64
	edge          bool
	drift         bool
	start         string
	kanban        []string
	schemaOverlay string
	shard         shardValue
	// changed is the flag set's Changed: --seed and --kanban apply only
	// when given, and some flags are refused when given.
	changed func(name string) bool
	// endless generates orders until the run ends (emit --duration
	// without --orders).
	endless bool
}

// bind registers the generator flags on fs.
func (g *genFlags) bind(fs *pflag.FlagSet) {
	fs.StringVar(&g.scenario, "scenario", "", "built-in scenario (see 'orderhooks scenarios') or scenario file (.yaml, .yml, .json); default: single Order Created / order/created events")
	fs.IntVar(&g.orders, "orders", generator.DefaultOrders, "orders to generate (0: one run of the scenario, or one order per edge case)")
	fs.Int64Var(&g.seed, "seed", generator.DefaultSeed, "seed: the same seed and flags give byte-identical events (without this flag a scenario's own seed applies)")
	fs.BoolVar(&g.edge, "edge", false, "schema-valid edge cases: nulls, empty arrays, zero and huge amounts, 200 parts, long and non-Latin strings")
	fs.BoolVar(&g.drift, "drift", false, "contract drift: an unknown field, a renamed field or a changed type per event, labelled")
	fs.StringVar(&g.start, "start", generator.DefaultStart, "when the first order arrives (RFC 3339, between 1970 and 2999)")
	fs.StringSliceVar(&g.kanban, "kanban", nil, "Phasio Kanban columns in order, comma-separated, or none (default: New Orders,In Progress,Quality Check,Shipped,Completed)")
	bindSchemaOverlay(fs, &g.schemaOverlay)
	bindShard(fs, &g.shard)
	g.changed = fs.Changed
}

// source returns the events the flags describe for provider. Bad flags
// and bad scenario files are usage errors (exit 2).
func (g *genFlags) source(provider string) (generator.Source, error) {
	gen, err := g.generator(provider)
	if err != nil {
		return nil, err
	}
	return g.shard.shard.Filter(gen.Source()), nil
}

// bindShard binds --shard.
func bindShard(fs *pflag.FlagSet, v *shardValue) {
	fs.Var(v, "shard", "run only the orders of shard INDEX/COUNT (0/4 to 3/4 for four machines): each order's whole lifecycle stays in one shard, and the shards together are the unsharded run")
}

// sharded filters src to shard; total (the events of the whole run)
// becomes unknown (0) for a part of it.
func sharded(shard generator.Shard, src generator.Source, total int64) (generator.Source, int64) {
	if shard.Whole() {
		return src, total
	}
	return shard.Filter(src), 0
}

func (g *genFlags) generator(provider string) (*generator.Generator, error) {
	var opts []generator.Option
	if name := g.scenario; name != "" {
		s, err := generator.LoadScenario(name)
		if err != nil {
			return nil, err
		}
		opts = append(opts, generator.WithScenario(s))
	}
	orders, start := g.orders, g.start
	t, err := time.Parse(time.RFC3339, start)
	if err != nil {
		return nil, usageErrorf("--start %s: not an RFC 3339 time like %s", input.Quote(start), generator.DefaultStart)
	}
	// generator.New refuses a start or a count out of range, worded for
	// the flags by explain; a negative --orders stays refused when the run
	// is endless.
	if g.endless && orders >= 0 {
		orders = math.MaxInt
	}
	opts = append(opts, generator.WithOrders(orders), generator.WithStart(t))
	if g.changed("seed") {
		opts = append(opts, generator.WithSeed(g.seed))
	}
	if g.edge {
		opts = append(opts, generator.WithEdge())
	}
	if g.drift {
		opts = append(opts, generator.WithDrift())
	}
	if g.changed("kanban") {
		names := g.kanban
		board := []generator.KanbanColumn{}
		if !(len(names) == 1 && names[0] == "none") {
			for i, n := range names {
				board = append(board, generator.KanbanColumn{Name: n, Sequence: int64(i + 1)})
			}
		}
		opts = append(opts, generator.WithKanban(board))
	}
	set, err := schemaSet(g.schemaOverlay)
	if err != nil {
		return nil, err
	}
	if set != nil {
		opts = append(opts, generator.WithSchemas(set))
	}
	gen, err := generator.New(provider, opts...)
	if err != nil {
		return nil, usageError(err)
	}
	return gen, nil
}

// chosenSource returns the events the flags describe for a chosen
// provider, and how many there are (0 when unknown): its named
// generator's (for a definition carrying other definitions' events, the
// scenario's platform, Phasio by default), or generated from its events'
// schemas and lifecycle (--scenario names one of its lifecycle scenarios
// or "event:NAME"; default: single events of its first event).
func (g *genFlags) chosenSource(ctx context.Context, c *chosen) (generator.Source, int64, error) {
	if !c.schemaDriven() {
		name, err := c.generatorName(g.scenario)
		if err != nil {
			return nil, 0, err
		}
		gen, err := g.generator(name)
		if err != nil {
			return nil, 0, err
		}
		total := gen.Events()
		if g.endless {
			total = 0 // until the duration ends
		}
		src, total := sharded(g.shard.shard, gen.Source(), total)
		return src, total, nil
	}
	if g.endless {
		return nil, 0, usageErrorf("--duration: %s's events are generated from its schemas, in a bounded batch: give --orders too", c.name)
	}
	for _, flag := range []string{"drift", "kanban", "start"} {
		if g.changed(flag) {
			return nil, 0, usageErrorf("--%s: %s's payloads are generated from its schemas, which have no %s", flag, c.name,
				map[string]string{"drift": "drift variants", "kanban": "Kanban board", "start": "start time of their own"}[flag])
		}
	}
	scenario := g.scenario
	if scenario == "" && len(c.def.Events()) > 0 {
		scenario = generator.SingleEventScenario + c.def.Events()[0].Name
	}
	orders, seed, edge := g.orders, g.seed, g.edge
	if orders < 0 {
		return nil, 0, usageErrorf("--orders %d: must not be negative", orders)
	}
	if !edge {
		if err := generator.CheckDefinitionScenario(c.def, scenario); err != nil {
			return nil, 0, usageErrorf("--scenario %s", err)
		}
	}
	evs, err := generator.FromDefinition(c.def, seed, scenario, orders, edge, generator.WithContext(ctx))
	if err != nil && ctx.Err() != nil {
		return nil, 0, interrupted(ctx, "generating from "+c.file)
	}
	if err != nil {
		return nil, 0, usageErrorf("%s: %v", c.file, err)
	}
	src, total := sharded(g.shard.shard, func(yield func(*generator.Event) error) error {
		for _, ev := range evs {
			if err := yield(ev); err != nil {
				return err
			}
		}
		return nil
	}, int64(len(evs)))
	return src, total, nil
}
