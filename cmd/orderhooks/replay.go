package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/input"
)

func init() {
	register(&command{
		name:    "replay",
		summary: "send a recording (from emit --record), a capture store or an events file again, filtered and paced, fresh or byte for byte",
		usage: "orderhooks replay FILE|STORE|- --provider P (--url URL --secret SECRET | --targets FILE) [--order KEY] [--event NAME]\n" +
			"    [--from-seq N] [--speed K] [--exact] [emit's delivery flags]",
		order: 31,
		flags: func() *pflag.FlagSet {
			fs := pflag.NewFlagSet("replay", pflag.ContinueOnError)
			addDeliveryFlags(fs)
			fs.String("order", "", "only the events of this order key")
			fs.String("event", "", "only events of this name (Phasio trigger or HappyColis type)")
			fs.Int64("from-seq", 0, "only events whose seq is at least N")
			fs.Float64("speed", 0, "original pacing K times faster, 0.00001 to 1000000 (0: as fast as possible)")
			fs.Bool("exact", false, "resend the recorded bytes and headers (old signatures included); --provider and --secret are then optional")
			fs.Int64("seed", emitter.DefaultSeed, "seed of fault choices and of message ids for events files")
			addReplayStoreFlags(fs)
			return fs
		},
		run: runReplay,
	})
}

// runReplay is emit with a file as its source.
func runReplay(ctx context.Context, fs *pflag.FlagSet, e *env) error {
	if fs.NArg() != 1 {
		return usageErrorf("one FILE (or - for stdin) is required, got %d arguments", fs.NArg())
	}
	var o emitter.ReplayOptions
	o.Order, _ = fs.GetString("order")
	o.Event, _ = fs.GetString("event")
	o.FromSeq, _ = fs.GetInt64("from-seq")
	o.Speed, _ = fs.GetFloat64("speed")
	o.Exact, _ = fs.GetBool("exact")
	if o.Speed != 0 && !(o.Speed >= emitter.MinSpeed && o.Speed <= emitter.MaxSpeed) { // NaN fails both
		return usageErrorf("--speed %v: 0 (as fast as possible) or between %g and %g", o.Speed, emitter.MinSpeed, emitter.MaxSpeed)
	}
	c, err := chooseProvider(fs)
	if err != nil {
		return err
	}
	if c == nil && !o.Exact {
		return usageErrorf("--provider is required (unless --exact; or --provider-file): phasio, happycolis or standard")
	}
	if o.Event != "" {
		if err := checkChosenEvent("event", o.Event, c); err != nil {
			return err
		}
	}
	if o.Exact {
		if err := checkExactFaults(fs); err != nil {
			return err
		}
	}
	if err := checkUnblock(fs, c); err != nil {
		return err
	}
	watch, e, err := checkReorderInput(ctx, fs, e, fs.Arg(0), "")
	if err != nil {
		return err
	}
	in := input.Interruptible(ctx, e.stdin)
	store, stopStore, err := storeRecords(ctx, fs, fs.Arg(0))
	if err != nil {
		return err
	}
	if store != nil {
		defer stopStore()
		in = store
	} else if path := fs.Arg(0); path != "-" {
		f, err := input.Open(path)
		if err != nil {
			return usageError(err)
		}
		defer f.Close()                  // read-only
		in = input.Interruptible(ctx, f) // a FIFO can be idle
	}
	seed, _ := fs.GetInt64("seed")
	d, err := newDelivery(fs, e, c, emitter.WithSeed(seed))
	if err != nil {
		return err
	}
	err = d.run(ctx, e, func(em *emitter.Emitter) (*emitter.Summary, error) {
		sum, err := em.Replay(ctx, in, o)
		var pe *emitter.ProviderError
		var nm *emitter.NoMatchError
		switch {
		case errors.As(err, &nm):
			return sum, noMatchError(fs.Arg(0), nm)
		case errors.As(err, &pe):
			return sum, providerMismatch(fs.Arg(0), pe)
		case errors.Is(err, generator.ErrEventFormat):
			return sum, inputError(fs.Arg(0), err, generator.ErrEventFormat)
		case errors.Is(err, emitter.ErrRecordFormat):
			return sum, inputError(fs.Arg(0), err, emitter.ErrRecordFormat)
		}
		if err != nil && !errors.Is(err, emitter.ErrInterrupted) {
			err = fmt.Errorf("%s: %w", fs.Arg(0), err)
		}
		return sum, err
	})
	return watch.verdict(err, "replay -")
}
