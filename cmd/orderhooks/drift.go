package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/orderhooks/orderhooks/capture"
	"github.com/orderhooks/orderhooks/drift"
	"github.com/orderhooks/orderhooks/internal/payloads"
	"github.com/orderhooks/orderhooks/internal/safefile"
	"github.com/orderhooks/orderhooks/internal/suggest"
)

// driftOpts are drift's flags.
type driftOpts struct {
	provider      providerFlags
	event         string
	json          bool
	overlay       string
	schemaOverlay string
	fields        bool
	unseen        bool
}

// driftCommand analyses every payload of the sources and prints the report:
// exit 0 when no payload deviates from its schema, 1 when some do (or the
// run was interrupted), 2 for a usage or input error.
func driftCommand() *command {
	var o driftOpts
	fs := newFlagSet("drift")
	o.provider.bind(fs, "the platform of bare payloads (phasio, happycolis, or standard for Standard Webhooks bodies); with other sources, only its payloads")
	fs.StringVar(&o.event, "event", "", "the event of bare Phasio payloads, which do not say (default ORDER_UPDATED), or of a definition's (--provider-file)")
	fs.BoolVar(&o.json, "json", false, "print the report as JSON")
	fs.StringVar(&o.overlay, "overlay", "", "write a schema overlay that makes the analysed payloads valid to FILE (for --schema-overlay)")
	bindSchemaOverlay(fs, &o.schemaOverlay)
	fs.BoolVar(&o.fields, "fields", false, "also list what every field held: types, numbers' range, strings' lengths, documented values")
	fs.BoolVar(&o.unseen, "unseen", true, "list the documented fields no payload held, with the sample size")
	return &command{
		name:    "drift",
		summary: "compare real payloads (a capture store, a recording, events or JSON files) with the schemas and report how they differ",
		args:    "SOURCE... (capture stores, recordings from emit --record or capture export, events files from generate, or JSON/JSONL payloads; - for stdin)",
		fs:      fs,
		run:     func(ctx context.Context, e *env) error { return runDrift(ctx, fs.Args(), &o, e) },
	}
}

func runDrift(ctx context.Context, args []string, do *driftOpts, e *env) error {
	if len(args) == 0 {
		return usageErrorf("one SOURCE at least is required: a capture store, a recording, an events file or JSON payloads (- for stdin)")
	}
	o := payloads.Options{Provider: do.provider.name, Event: do.event}
	c, err := do.provider.choose(ctx)
	if err != nil {
		return err
	}
	var opts []drift.Option
	if c != nil && c.file != "" {
		// The definition's payloads, compared with its own schemas.
		for _, f := range []struct{ name, value string }{{"overlay", do.overlay}, {"schema-overlay", do.schemaOverlay}} {
			if f.value != "" {
				return usageErrorf("--%s applies to the built-in schemas: with --provider-file, change the definition's schemas (the report names each pointer)", f.name)
			}
		}
		o.Provider, o.Definition = c.def.Name(), c.def
		if len(c.def.Origins()) > 0 {
			o.Provider = "" // it carries the platforms' payloads too
		}
		opts = append(opts, drift.WithDefinition(c.def))
		if o.Event != "" {
			if _, ok := c.def.Event(o.Event); !ok {
				return usageErrorf("--event %q: not an event of --provider-file %s (%s)%s", o.Event, c.file, strings.Join(c.def.EventNames(), ", "),
					suggest.Hint(o.Event, c.def.EventNames(), nil))
			}
		}
	} else if o.Event != "" {
		if o.Provider != "phasio" {
			return usageErrorf("--event applies to bare Phasio payloads (--provider phasio): the others say their event")
		}
		if err := checkEventName("event", o.Event, o.Provider); err != nil {
			return err
		}
	}
	stdin := 0
	for _, a := range args {
		if a == "-" {
			stdin++
		}
	}
	if stdin > 1 {
		return usageErrorf("- (stdin) can be named once")
	}
	set, err := schemaSet(do.schemaOverlay)
	if err != nil {
		return err
	}
	if set != nil {
		opts = append(opts, drift.WithSchemas(set))
	}
	if salt := storeSalt(args); salt != nil {
		// The pseudonyms of the store's redacted exports.
		opts = append(opts, drift.WithSalt(salt))
	}
	a, err := drift.New(opts...)
	if err != nil {
		return err
	}
	for _, src := range args {
		err = payloads.Read(ctx, src, e.stdin, o, func(p *payloads.Payload) error {
			return a.Add(p.Provider, p.Event, p.Payload, p.Source)
		})
		if err != nil {
			break
		}
	}
	interrupted := err != nil && ctx.Err() != nil
	if err != nil && !interrupted {
		return payloadsError(err)
	}
	r := a.Report()
	if do.json {
		err = r.WriteJSON(e.stdout)
	} else {
		err = r.WriteText(e.stdout, drift.TextOptions{Unseen: do.unseen, Fields: do.fields})
	}
	if err != nil {
		return err
	}
	if path := do.overlay; path != "" {
		if err := writeOverlay(path, r, e); err != nil {
			return err
		}
	}
	switch {
	case interrupted:
		fmt.Fprintf(e.stderr, "orderhooks drift: interrupted; the report covers the %d payloads read\n", r.Payloads)
		return failedSilently()
	case r.Payloads == 0:
		return usageErrorf("no payload in %s", strings.Join(args, ", "))
	case r.HasDrift():
		return failedSilently()
	}
	return nil
}

// storeSalt is the salt of the one capture store among the sources, or
// nil.
func storeSalt(sources []string) []byte {
	var salt []byte
	for _, src := range sources {
		if src == "-" || !capture.LooksLikeStore(src) {
			continue
		}
		if salt != nil {
			return nil // several stores: the default salt, one for all
		}
		s, err := capture.OpenReadOnly(src)
		if err != nil {
			return nil // refused with its message when read
		}
		salt = s.Salt()
		_ = s.Close() // read-only
	}
	return salt
}

// payloadsError words an error reading the sources: input problems (a
// file, a line, a store) are usage errors naming them.
func payloadsError(err error) error {
	var pe *payloads.Error
	var se *capture.Error
	switch {
	case errors.As(err, &pe) && errors.Is(err, payloads.ErrNoProvider):
		return usageErrorf("%s (--provider phasio, happycolis or standard)", pe)
	case errors.As(err, &pe), errors.As(err, &se):
		return usageError(err)
	}
	return err
}

// writeOverlay writes the report's overlay to path (replacing the file
// whole, never leaving half of one) and says what it covers.
func writeOverlay(path string, r *drift.Report, e *env) error {
	o, uncovered := r.Overlay()
	if o == nil {
		fmt.Fprintf(e.stderr, "no overlay written to %s: nothing to patch\n", path)
		return nil
	}
	if err := safefile.WriteFile(path, o.Marshal()); err != nil {
		return usageErrorf("--overlay: %w", err)
	}
	n := 0
	for _, ops := range o.Patches {
		n += len(ops)
	}
	fmt.Fprintf(e.stderr, "overlay written to %s: %d patch operations; use it with --schema-overlay %s\n", path, n, path)
	for _, f := range uncovered {
		fmt.Fprintf(e.stderr, "not covered by the overlay: %s %s (%s)\n", f.Kind, f.Pointer, f.Expected)
	}
	return nil
}
