package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"slices"

	"github.com/spf13/pflag"

	"github.com/orderhooks/orderhooks/provider"
	"github.com/orderhooks/orderhooks/receiver"
	"github.com/orderhooks/orderhooks/wire"
)

// defaultListen is where receive listens unless told otherwise.
const defaultListen = "127.0.0.1:8787"

// maxReceiverConns bounds --max-conns: each connection holds a file
// descriptor and buffers.
const maxReceiverConns = 100_000

func init() {
	register(&legacyCommand{
		name:    "receive",
		summary: "run a verifying receiver: check signatures, decrypt, validate, keep the newest snapshot per order",
		usage: "orderhooks receive (--provider phasio|happycolis|standard | --provider-file FILE | --spec FILE (--sign standard | --provider-file FILE) [--allow-remote-refs]) --secret SECRET|env:NAME|file:PATH [--listen ADDR] [--trigger TRIGGER] [--print] [--record FILE]\n" +
			"    [--store FILE [--redact] [--ui [--ui-listen ADDR] [--ui-token TOKEN]]] [--forward-to URL [--forward-secret SECRET]]",
		order: 32,
		flags: func() *pflag.FlagSet {
			fs := pflag.NewFlagSet("receive", pflag.ContinueOnError)
			fs.String("provider", "", "platform profile: phasio, happycolis or standard")
			addProviderFileFlag(fs)
			addSpecFlags(fs)
			fs.StringArray("secret", nil, "the webhook's secret, or env:NAME or file:PATH (never printed); repeat for standard key rotation; a whpk_ public key verifies standard v1a signatures")
			fs.String("listen", defaultListen, "address to listen on (port 0 picks a free one)")
			fs.String("trigger", wire.DefaultPhasioTrigger, "phasio: the trigger of deliveries without an X-Orderhooks-Trigger header")
			fs.Bool("print", false, "append each accepted payload (compact JSON) to its line")
			fs.String("record", "", "write one JSON line per delivery to FILE (time, id, event, order key, status, outcome, reason)")
			fs.Bool("validate", true, "validate payloads against their schema (400 when invalid)")
			fs.Int64("max-body", receiver.DefaultBodyLimit, fmt.Sprintf("largest accepted body in bytes, at most %d (413 beyond)", receiver.MaxBodyLimit))
			fs.Int64("max-inflight", receiver.DefaultInflight, "bytes of bodies read at once over all requests, at least --max-body (503 with Retry-After beyond)")
			fs.Int("max-conns", receiver.DefaultConns, "connections served at once (more wait to be accepted)")
			addCaptureFlags(fs)
			addUIFlags(fs)
			return fs
		},
		run: runReceive,
	})
}

// runReceive prints the listening URL as its first line, then one line per
// delivery, until ctx is cancelled (Ctrl-C); the summary goes to stderr.
func runReceive(ctx context.Context, fs *pflag.FlagSet, e *env) error {
	if fs.NArg() > 0 {
		return usageErrorf("unexpected argument %q", fs.Arg(0))
	}
	cf := captureFlagsOf(fs)
	if err := cf.check(); err != nil {
		return err
	}
	ui := uiFlagsOf(fs)
	uiOpts, err := ui.check(fs, cf.store, e)
	if err != nil {
		return err
	}
	profile, err := receiveProfile(fs, e)
	if err != nil {
		return err
	}
	opts, err := receiveOptions(fs, e.stdout, cf.on())
	if err != nil {
		return err
	}
	if _, err := receiver.New(profile, opts...); err != nil { // options refused before anything listens
		return usageError(err)
	}
	addr, _ := fs.GetString("listen")
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return usageErrorf("--listen %s: %w", addr, err)
	}
	// Opened only now: a failed --listen creates no store.
	capt, err := cf.open(profile, e)
	if err != nil {
		_ = ln.Close() // nothing was served
		return err
	}
	opts = append(opts, capt.opts...)
	rcv, err := receiver.New(profile, opts...)
	if err != nil {
		_ = ln.Close()
		_ = capt.close()
		return usageError(err)
	}
	// Created only now: a failed --listen leaves an earlier record intact.
	closeRecord := func() error { return nil }
	if path, _ := fs.GetString("record"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			_ = ln.Close()   // nothing was served
			_ = capt.close() // nor stored
			return usageErrorf("--record: %w", err)
		}
		closeRecord = f.Close
		if rcv, err = receiver.New(profile, append(opts, receiver.WithRecord(f))...); err != nil {
			return err // the same options were accepted above
		}
	}
	// The pages, on their own listener: --listen may be reached by the
	// platform (through a tunnel), the pages stay on loopback.
	uiCtx, stopUI := context.WithCancel(ctx)
	defer stopUI()
	waitUI := func() error { return nil }
	if ui.on {
		if waitUI, err = ui.serveUI(uiCtx, capt.store, uiOpts, e); err != nil {
			_ = ln.Close()
			_ = closeRecord()
			_ = capt.close()
			return err
		}
	}
	fmt.Fprintf(e.stdout, "http://%s\n", ln.Addr())
	err = rcv.Serve(ctx, ln)
	stopUI()
	if uerr := waitUI(); err == nil {
		err = uerr
	}
	if cerr := closeRecord(); err == nil {
		err = cerr
	}
	if cerr := capt.close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = rcv.Err()
	}
	st := rcv.Stats()
	fmt.Fprintf(e.stderr, "received %d: %d applied, %d duplicate, %d stale, %d rejected (401: %d, 400: %d, 413: %d)",
		st.Received, st.Applied, st.Duplicates, st.Stale,
		st.Unauthorized+st.BadRequest+st.TooLarge, st.Unauthorized, st.BadRequest, st.TooLarge)
	if st.Busy > 0 {
		fmt.Fprintf(e.stderr, ", %d busy (503)", st.Busy)
	}
	if st.Internal > 0 {
		fmt.Fprintf(e.stderr, ", %d internal errors (500)", st.Internal)
	}
	if st.Unanswered > 0 {
		fmt.Fprintf(e.stderr, ", %d answers not sent (connection gone)", st.Unanswered)
	}
	fmt.Fprintf(e.stderr, "; orders stored: %d", st.Orders)
	serr := capt.summary(e.stderr, st)
	fmt.Fprintln(e.stderr)
	if err == nil {
		err = serr
	}
	return err
}

// receiveProfile builds the verifying profile from --provider, --secret and --trigger.
func receiveProfile(fs *pflag.FlagSet, e *env) (wire.Profile, error) {
	c, err := chooseProvider(fs)
	if err != nil {
		return nil, err
	}
	specs := rawStrings(fs, "secret")
	if c == nil || len(specs) == 0 {
		return nil, usageErrorf("--provider and --secret are required (--provider-file in place of --provider for a definition file)")
	}
	urlMatched := slices.ContainsFunc(c.def.EventsSpec().Match, func(m provider.Match) bool { return m.URL })
	if fs.Changed("trigger") && !urlMatched && c.file == "" {
		return nil, usageErrorf("--trigger only applies to --provider phasio")
	}
	if fs.Changed("trigger") && !urlMatched {
		return nil, usageErrorf("--trigger only applies to definitions of one URL per event, not to %s", c.file)
	}
	trigger, _ := fs.GetString("trigger")
	if urlMatched && !fs.Changed("trigger") && c.file != "" {
		// a definition's default event, or none: each delivery names its
		// event in the test header (an imported document's webhooks)
		trigger = c.def.EventsSpec().Default
	}
	if urlMatched && trigger != "" {
		if err := checkChosenEvent("trigger", trigger, c); err != nil {
			return nil, err
		}
	}
	secrets := make([]string, len(specs))
	for i, spec := range specs {
		s, err := wire.ResolveSecret(spec, e.getenv)
		if err != nil {
			return nil, err
		}
		secrets[i] = s
	}
	var opts []wire.Option
	if urlMatched && len(secrets) == 1 && trigger != "" {
		opts = append(opts, wire.WithDefaultTrigger(trigger))
	}
	return c.profile(secrets, opts...)
}

// receiveOptions returns the receiver options of the flags but --record.
func receiveOptions(fs *pflag.FlagSet, stdout io.Writer, captureLines bool) ([]receiver.Option, error) {
	validate, _ := fs.GetBool("validate")
	limit, _ := fs.GetInt64("max-body")
	inflight, _ := fs.GetInt64("max-inflight")
	conns, _ := fs.GetInt("max-conns")
	switch {
	case limit < 1 || limit > receiver.MaxBodyLimit:
		return nil, usageErrorf("--max-body %d: must be between 1 and %d", limit, receiver.MaxBodyLimit)
	case inflight < limit:
		return nil, usageErrorf("--max-inflight %d: must be at least --max-body (%d)", inflight, limit)
	case conns < 1 || conns > maxReceiverConns:
		return nil, usageErrorf("--max-conns %d: must be between 1 and %d", conns, maxReceiverConns)
	}
	printPayload, _ := fs.GetBool("print")
	opts := []receiver.Option{
		receiver.WithValidation(validate),
		receiver.WithBodyLimit(limit),
		receiver.WithInflight(inflight),
		receiver.WithConns(conns),
		receiver.WithReceiptFunc(func(rc receiver.Receipt) {
			line := rc.String()
			if captureLines {
				line = captureLine(rc)
			}
			var payload bytes.Buffer
			// One line per delivery, whatever the sender's formatting.
			if printPayload && json.Compact(&payload, rc.Payload) == nil {
				fmt.Fprintf(stdout, "%s %s\n", line, payload.Bytes())
				return
			}
			fmt.Fprintln(stdout, line)
		}),
	}
	return opts, nil
}
