package main

import (
	"math"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/input"
)

// genFlags are the generator flags shared by generate, emit and verify.
// Each command registers --provider itself and passes it to source.
type genFlags struct {
	fs *pflag.FlagSet
	// endless generates orders until the run ends (emit --duration
	// without --orders).
	endless bool
}

// addGenFlags registers --scenario, --orders, --seed, --edge, --drift,
// --start and --kanban on fs.
func addGenFlags(fs *pflag.FlagSet) *genFlags {
	fs.String("scenario", "", "built-in scenario (see 'orderhooks scenarios') or scenario file (.yaml, .yml, .json); default: single Order Created / order/created events")
	fs.Int("orders", generator.DefaultOrders, "orders to generate (0: one run of the scenario, or one order per edge case)")
	fs.Int64("seed", generator.DefaultSeed, "seed: the same seed and flags give byte-identical events (without this flag a scenario's own seed applies)")
	fs.Bool("edge", false, "schema-valid edge cases: nulls, empty arrays, zero and huge amounts, 200 parts, long and non-Latin strings")
	fs.Bool("drift", false, "contract drift: an unknown field, a renamed field or a changed type per event, labelled")
	fs.String("start", generator.DefaultStart, "when the first order arrives (RFC 3339, between 1970 and 2999)")
	fs.StringSlice("kanban", nil, "Phasio Kanban columns in order, comma-separated, or none (default: New Orders,In Progress,Quality Check,Shipped,Completed)")
	addSchemaOverlayFlag(fs)
	addShardFlag(fs)
	return &genFlags{fs: fs}
}

// genFlagsOf returns the generator flags of a parsed FlagSet built with
// addGenFlags.
func genFlagsOf(fs *pflag.FlagSet) *genFlags { return &genFlags{fs: fs} }

// source returns the events the flags describe for provider. Bad flags
// and bad scenario files are usage errors (exit 2).
func (g *genFlags) source(provider string) (generator.Source, error) {
	gen, err := g.generator(provider)
	if err != nil {
		return nil, err
	}
	shard, err := shardOf(g.fs)
	if err != nil {
		return nil, err
	}
	return shard.Filter(gen.Source()), nil
}

// addShardFlag registers --shard.
func addShardFlag(fs *pflag.FlagSet) {
	fs.String("shard", "", "run only the orders of shard INDEX/COUNT (0/4 to 3/4 for four machines): each order's whole lifecycle stays in one shard, and the shards together are the unsharded run")
}

// shardOf reads --shard; the zero Shard (the whole run) when absent.
func shardOf(fs *pflag.FlagSet) (generator.Shard, error) {
	spec, _ := fs.GetString("shard")
	if !fs.Changed("shard") {
		return generator.Shard{}, nil
	}
	s, err := generator.ParseShard(spec)
	if err != nil {
		return generator.Shard{}, usageErrorf("--shard %s", strings.TrimPrefix(err.Error(), generator.ErrShard.Error()+" "))
	}
	return s, nil
}

// sharded filters src to --shard; total (the events of the whole run)
// becomes unknown (0) for a part of it.
func sharded(fs *pflag.FlagSet, src generator.Source, total int64) (generator.Source, int64, error) {
	shard, err := shardOf(fs)
	if err != nil || shard.Whole() {
		return src, total, err
	}
	return shard.Filter(src), 0, nil
}

func (g *genFlags) generator(provider string) (*generator.Generator, error) {
	fs := g.fs
	var opts []generator.Option
	if name, _ := fs.GetString("scenario"); name != "" {
		s, err := generator.LoadScenario(name)
		if err != nil {
			return nil, err
		}
		opts = append(opts, generator.WithScenario(s))
	}
	orders, _ := fs.GetInt("orders")
	edge, _ := fs.GetBool("edge")
	drift, _ := fs.GetBool("drift")
	start, _ := fs.GetString("start")
	t, err := time.Parse(time.RFC3339, start)
	if err != nil {
		return nil, usageErrorf("--start %s: not an RFC 3339 time like %s", input.Quote(start), generator.DefaultStart)
	}
	if t.Before(generator.MinStart) || t.After(generator.MaxStart) {
		return nil, usageErrorf("--start %s: must be between %s and %s", start,
			generator.MinStart.Format(time.RFC3339), generator.MaxStart.Format(time.RFC3339))
	}
	if orders < 0 {
		return nil, usageErrorf("--orders %d: must not be negative", orders)
	}
	if g.endless {
		orders = math.MaxInt
	}
	opts = append(opts, generator.WithOrders(orders), generator.WithStart(t))
	if fs.Changed("seed") {
		seed, _ := fs.GetInt64("seed")
		opts = append(opts, generator.WithSeed(seed))
	}
	if edge {
		opts = append(opts, generator.WithEdge())
	}
	if drift {
		opts = append(opts, generator.WithDrift())
	}
	if fs.Changed("kanban") {
		names, _ := fs.GetStringSlice("kanban")
		board := []generator.KanbanColumn{}
		if !(len(names) == 1 && names[0] == "none") {
			for i, n := range names {
				board = append(board, generator.KanbanColumn{Name: n, Sequence: int64(i + 1)})
			}
		}
		opts = append(opts, generator.WithKanban(board))
	}
	set, err := schemaSetOf(fs)
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
func (g *genFlags) chosenSource(c *chosen) (generator.Source, int64, error) {
	fs := g.fs
	if !c.schemaDriven() {
		name, err := c.generatorName(fs)
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
		return sharded(fs, gen.Source(), total)
	}
	if g.endless {
		return nil, 0, usageErrorf("--duration: %s's events are generated from its schemas, in a bounded batch: give --orders too", c.name)
	}
	for _, flag := range []string{"drift", "kanban", "start"} {
		if fs.Changed(flag) {
			return nil, 0, usageErrorf("--%s: %s's payloads are generated from its schemas, which have no %s", flag, c.name,
				map[string]string{"drift": "drift variants", "kanban": "Kanban board", "start": "start time of their own"}[flag])
		}
	}
	scenario, _ := fs.GetString("scenario")
	if scenario == "" && len(c.def.Events()) > 0 {
		scenario = generator.SingleEventScenario + c.def.Events()[0].Name
	}
	orders, _ := fs.GetInt("orders")
	seed, _ := fs.GetInt64("seed")
	edge, _ := fs.GetBool("edge")
	if orders < 0 {
		return nil, 0, usageErrorf("--orders %d: must not be negative", orders)
	}
	if !edge {
		if err := generator.CheckDefinitionScenario(c.def, scenario); err != nil {
			return nil, 0, usageErrorf("--scenario %s", err)
		}
	}
	evs, err := generator.FromDefinition(c.def, seed, scenario, orders, edge)
	if err != nil {
		return nil, 0, usageErrorf("%s: %v", c.file, err)
	}
	return sharded(fs, func(yield func(*generator.Event) error) error {
		for _, ev := range evs {
			if err := yield(ev); err != nil {
				return err
			}
		}
		return nil
	}, int64(len(evs)))
}
