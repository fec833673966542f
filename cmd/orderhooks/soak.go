package main

import (
	"time"

	"github.com/spf13/pflag"

	"github.com/orderhooks/orderhooks/emitter"
)

// soakLineEvery is how often a soak run (emit --duration) writes a plain
// progress line when standard error is not a terminal (a CI log).
const soakLineEvery = 10 * time.Second

// addSoakFlags registers emit's soak flags.
func addSoakFlags(fs *pflag.FlagSet) {
	fs.Duration("duration", 0, "keep sending until this much time has passed (a soak: fresh orders, unless --orders or --in bound them), then finish the deliveries under way; off a terminal a progress line is written every 10s")
}

// soakEndless reports whether emit generates orders until --duration ends.
func soakEndless(fs *pflag.FlagSet) bool {
	d, _ := fs.GetDuration("duration")
	return d > 0 && !fs.Changed("orders")
}

// soakOptions maps --duration to engine options: the duration, and the
// plain progress lines of a long run in a log.
func soakOptions(fs *pflag.FlagSet, e *env) ([]emitter.Option, error) {
	d, _ := fs.GetDuration("duration")
	if d < 0 {
		return nil, usageErrorf("--duration %s: must not be negative", d)
	}
	if d == 0 {
		return nil, nil
	}
	opts := []emitter.Option{emitter.WithDuration(d)}
	if !e.tty {
		opts = append(opts, emitter.WithProgressLines(e.stderr, soakLineEvery))
	}
	return opts, nil
}
