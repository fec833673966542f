package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/spf13/pflag"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/progress"
)

func init() {
	register(&legacyCommand{
		name:    "generate",
		summary: "write realistic, seeded order webhooks (single orders or whole lifecycles) as JSONL",
		usage:   "orderhooks generate (--provider phasio|happycolis | --provider-file FILE | --spec FILE (--sign standard | --provider-file FILE) [--allow-remote-refs]) [--scenario NAME|FILE] [--orders N] [--seed S] [--edge|--drift] [--shard I/N] [--out FILE]",
		order:   20,
		flags: func() *pflag.FlagSet {
			fs := pflag.NewFlagSet("generate", pflag.ContinueOnError)
			fs.String("provider", "", "platform whose webhooks to generate: phasio or happycolis")
			addProviderFileFlag(fs)
			addSpecFlags(fs)
			addGenFlags(fs)
			fs.StringP("out", "o", "-", "file to write the JSONL events to (- for stdout)")
			return fs
		},
		run: runGenerate,
	})
}

// runGenerate streams the events to --out as they are generated, so memory
// does not grow with --orders.
func runGenerate(ctx context.Context, fs *pflag.FlagSet, e *env) error {
	if fs.NArg() > 0 {
		return usageErrorf("unexpected argument %q", fs.Arg(0))
	}
	provider, _ := fs.GetString("provider")
	var src generator.Source
	if fs.Changed("provider-file") || fs.Changed("spec") || fs.Changed("sign") || fs.Changed("allow-remote-refs") {
		c, err := chooseProvider(fs)
		if err != nil {
			return err
		}
		if src, _, err = genFlagsOf(fs).chosenSource(c); err != nil {
			return err
		}
	} else {
		if provider == "" {
			return usageErrorf("--provider is required (or --provider-file): %s or %s", generator.ProviderPhasio, generator.ProviderHappyColis)
		}
		var err error
		if src, err = genFlagsOf(fs).source(provider); err != nil {
			return err
		}
	}
	out, _ := fs.GetString("out")
	var w io.Writer = e.stdout
	if out != "-" {
		f, err := os.Create(out)
		if err != nil {
			return usageErrorf("--out: %w", err)
		}
		defer f.Close()
		w = f
	}
	ew := generator.NewEventWriter(w)
	var n atomic.Int64
	// Progress goes to stderr on a terminal, and only when the events are
	// not going to that same terminal.
	start := time.Now()
	line := progress.Start(e.stderr, e.tty && out != "-", 250*time.Millisecond, func() string {
		k := n.Load()
		return fmt.Sprintf("generated %d events (%.0f/s)", k, float64(k)/max(time.Since(start).Seconds(), 1e-3))
	})
	err := src(func(ev *generator.Event) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		n.Add(1)
		return ew.Write(ev)
	})
	line.Stop()
	if ferr := ew.Flush(); err == nil {
		err = ferr
	}
	if f, ok := w.(*os.File); ok && out != "-" {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("after %d events: %w", n.Load(), err)
	}
	return nil
}
