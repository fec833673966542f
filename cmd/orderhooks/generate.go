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

// generateOpts are generate's flags.
type generateOpts struct {
	provider providerFlags
	gen      genFlags
	out      string
}

// generateCommand streams the events to --out as they are generated, so memory
// does not grow with --orders.
func generateCommand() *command {
	var o generateOpts
	fs := newFlagSet("generate")
	o.provider.bind(fs, "platform `NAME` whose webhooks to generate: phasio or happycolis")
	o.provider.bindSpec(fs)
	o.gen.bind(fs)
	fs.StringVarP(&o.out, "out", "o", "-", "file to write the JSONL events to (- for stdout)")
	required(fs, "provider", generator.ProviderPhasio+" or "+generator.ProviderHappyColis, "provider-file", "spec")
	return &command{
		name:    "generate",
		summary: "write realistic, seeded order webhooks (single orders or whole lifecycles) as JSONL",
		fs:      fs,
		run:     func(ctx context.Context, e *env) error { return runGenerate(ctx, fs, &o, e) },
	}
}

func runGenerate(ctx context.Context, fs *pflag.FlagSet, o *generateOpts, e *env) error {
	if fs.NArg() > 0 {
		return usageErrorf("unexpected argument %q", fs.Arg(0))
	}
	var src generator.Source
	if p := o.provider; p.file != "" || p.spec != "" || p.sign != "" || p.remoteRefs || len(p.key) > 0 {
		c, err := p.choose(ctx)
		if err != nil {
			return err
		}
		if src, _, err = o.gen.chosenSource(ctx, c); err != nil {
			return err
		}
	} else {
		var err error
		if src, err = o.gen.source(p.name); err != nil {
			return err
		}
	}
	out := o.out
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
