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

// replayOpts are replay's flags: the delivery flags it shares with emit,
// and its own.
type replayOpts struct {
	delivery deliveryOpts
	replay   emitter.ReplayOptions
	seed     int64
	redact   bool
}

// replayCommand is emit with a file as its source.
func replayCommand() *command {
	var o replayOpts
	fs := newFlagSet("replay")
	o.delivery.bind(fs)
	fs.StringVar(&o.replay.Order, "order", "", "only the events of this order key")
	fs.StringVar(&o.replay.Event, "event", "", "only events of this name (Phasio trigger or HappyColis type)")
	fs.Int64Var(&o.replay.FromSeq, "from-seq", 0, "only events whose seq is at least N")
	fs.Float64Var(&o.replay.Speed, "speed", 0, "original pacing K times faster, 0.00001 to 1000000 (0: as fast as possible)")
	fs.BoolVar(&o.replay.Exact, "exact", false, "resend the recorded bytes and headers (old signatures included); --provider and --secret are then optional")
	fs.Int64Var(&o.seed, "seed", emitter.DefaultSeed, "seed of fault choices and of message ids for events files")
	bindReplayStore(fs, &o.redact)
	required(fs, "url", "", "targets")
	return &command{
		name:    "replay",
		summary: "send a recording (from emit --record), a capture store or an events file again, filtered and paced, fresh or byte for byte",
		args:    "FILE|STORE|-",
		fs:      fs,
		run:     func(ctx context.Context, e *env) error { return runReplay(ctx, fs, &o, e) },
	}
}

func runReplay(ctx context.Context, fs *pflag.FlagSet, ro *replayOpts, e *env) error {
	if fs.NArg() != 1 {
		return usageErrorf("one FILE (or - for stdin) is required, got %d arguments", fs.NArg())
	}
	o := ro.replay
	if err := o.Check(); err != nil {
		return usageError(err) // --speed, worded for the flag by explain
	}
	d := &ro.delivery
	c, err := d.provider.choose(ctx)
	if err != nil {
		return err
	}
	if c == nil && !o.Exact {
		return requiredError("provider", "phasio, happycolis or standard (unless --exact)", "provider-file")
	}
	if o.Event != "" {
		if err := checkChosenEvent("event", o.Event, c); err != nil {
			return err
		}
	}
	if o.Exact {
		if err := d.checkExactFaults(); err != nil {
			return err
		}
	}
	if err := d.checkUnblock(c); err != nil {
		return err
	}
	watch, e, err := d.checkReorderInput(ctx, e, fs.Arg(0), "")
	if err != nil {
		return err
	}
	in := input.Interruptible(ctx, e.stdin)
	store, stopStore, err := storeRecords(ctx, ro.redact, fs.Arg(0))
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
	dl, err := d.delivery(e, c, emitter.WithSeed(ro.seed))
	if err != nil {
		return err
	}
	err = dl.run(ctx, e, func(em *emitter.Emitter) (*emitter.Summary, error) {
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
