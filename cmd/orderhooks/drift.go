package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/orderhooks/orderhooks/capture"
	"github.com/orderhooks/orderhooks/drift"
	"github.com/orderhooks/orderhooks/internal/payloads"
	"github.com/orderhooks/orderhooks/internal/safefile"
)

func init() {
	register(&legacyCommand{
		name:    "drift",
		summary: "compare real payloads (a capture store, a recording, events or JSON files) with the schemas and report how they differ",
		usage: "orderhooks drift [--provider P | --provider-file FILE] SOURCE... [--json] [--overlay FILE] [--schema-overlay FILE] [--fields] [--event NAME]\n" +
			"    SOURCE: a capture store, a recording (emit --record, capture export), an events file (generate), or JSON/JSONL payloads; - for stdin",
		order: 34,
		flags: func() *pflag.FlagSet {
			fs := pflag.NewFlagSet("drift", pflag.ContinueOnError)
			fs.String("provider", "", "the platform of bare payloads (phasio, happycolis, or standard for Standard Webhooks bodies); with other sources, only its payloads")
			addProviderFileFlag(fs)
			fs.String("event", "", "the event of bare Phasio payloads, which do not say (default ORDER_UPDATED), or of a definition's (--provider-file)")
			fs.Bool("json", false, "print the report as JSON")
			fs.String("overlay", "", "write a schema overlay that makes the analysed payloads valid to FILE (for --schema-overlay)")
			addSchemaOverlayFlag(fs)
			fs.Bool("fields", false, "also list what every field held: types, numbers' range, strings' lengths, documented values")
			fs.Bool("unseen", true, "list the documented fields no payload held, with the sample size")
			return fs
		},
		run: runDrift,
	})
}

// runDrift analyses every payload of the sources and prints the report:
// exit 0 when no payload deviates from its schema, 1 when some do (or the
// run was interrupted), 2 for a usage or input error.
func runDrift(ctx context.Context, fs *pflag.FlagSet, e *env) error {
	if fs.NArg() == 0 {
		return usageErrorf("one SOURCE at least is required: a capture store, a recording, an events file or JSON payloads (- for stdin)")
	}
	var o payloads.Options
	o.Provider, _ = fs.GetString("provider")
	o.Event, _ = fs.GetString("event")
	c, err := chooseProvider(fs)
	if err != nil {
		return err
	}
	var opts []drift.Option
	if c != nil && c.file != "" {
		// The definition's payloads, compared with its own schemas.
		for _, f := range []string{"overlay", "schema-overlay"} {
			if v, _ := fs.GetString(f); v != "" {
				return usageErrorf("--%s applies to the built-in schemas: with --provider-file, change the definition's schemas (the report names each pointer)", f)
			}
		}
		o.Provider, o.Definition = c.def.Name(), c.def
		if len(c.def.Origins()) > 0 {
			o.Provider = "" // it carries the platforms' payloads too
		}
		opts = append(opts, drift.WithDefinition(c.def))
		if o.Event != "" {
			if _, ok := c.def.Event(o.Event); !ok {
				return usageErrorf("--event %q: not an event of --provider-file %s (%s)", o.Event, c.file, strings.Join(c.def.EventNames(), ", "))
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
	for _, a := range fs.Args() {
		if a == "-" {
			stdin++
		}
	}
	if stdin > 1 {
		return usageErrorf("- (stdin) can be named once")
	}
	set, err := schemaSetOf(fs)
	if err != nil {
		return err
	}
	if set != nil {
		opts = append(opts, drift.WithSchemas(set))
	}
	if salt := storeSalt(fs.Args()); salt != nil {
		// The pseudonyms of the store's redacted exports.
		opts = append(opts, drift.WithSalt(salt))
	}
	a, err := drift.New(opts...)
	if err != nil {
		return err
	}
	for _, src := range fs.Args() {
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
	if asJSON, _ := fs.GetBool("json"); asJSON {
		err = r.WriteJSON(e.stdout)
	} else {
		var to drift.TextOptions
		to.Unseen, _ = fs.GetBool("unseen")
		to.Fields, _ = fs.GetBool("fields")
		err = r.WriteText(e.stdout, to)
	}
	if err != nil {
		return err
	}
	if path, _ := fs.GetString("overlay"); path != "" {
		if err := writeOverlay(path, r, e); err != nil {
			return err
		}
	}
	switch {
	case interrupted:
		fmt.Fprintf(e.stderr, "orderhooks drift: interrupted; the report covers the %d payloads read\n", r.Payloads)
		return failedSilently()
	case r.Payloads == 0:
		return usageErrorf("no payload in %s", strings.Join(fs.Args(), ", "))
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
