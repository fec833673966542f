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

	"github.com/orderhooks/orderhooks/inspect"
	"github.com/orderhooks/orderhooks/provider"
	"github.com/orderhooks/orderhooks/receiver"
	"github.com/orderhooks/orderhooks/wire"
)

// defaultListen is where receive listens unless told otherwise.
const defaultListen = "127.0.0.1:8787"

// receiveOpts are receive's flags.
type receiveOpts struct {
	provider    providerFlags
	secrets     []string
	listen      string
	trigger     string
	print       bool
	record      string
	validate    bool
	maxBody     int64
	maxInflight int64
	maxConns    int
	capture     captureFlags
	ui          uiFlags
	// changed is the flag set's Changed: --trigger has a default of its
	// own for definitions matched by URL.
	changed func(string) bool
}

// receiveCommand prints the listening URL as its first line, then one line per
// delivery, until ctx is cancelled (Ctrl-C); the summary goes to stderr.
func receiveCommand() *command {
	var o receiveOpts
	fs := newFlagSet("receive")
	o.provider.bind(fs, "platform profile `NAME`: phasio, happycolis or standard")
	o.provider.bindSpec(fs)
	rawStringsVar(fs, &o.secrets, "secret", "", "the webhook's `SECRET`, or env:NAME or file:PATH (never printed); repeat for standard key rotation; a whpk_ public key verifies standard v1a signatures")
	fs.StringVar(&o.listen, "listen", defaultListen, "address to listen on (port 0 picks a free one)")
	fs.StringVar(&o.trigger, "trigger", wire.DefaultPhasioTrigger, "phasio: the trigger of deliveries without an X-Orderhooks-Trigger header")
	fs.BoolVar(&o.print, "print", false, "append each accepted payload (compact JSON) to its line")
	fs.StringVar(&o.record, "record", "", "write one JSON line per delivery to FILE (time, id, event, order key, status, outcome, reason)")
	fs.BoolVar(&o.validate, "validate", true, "validate payloads against their schema (400 when invalid)")
	fs.Int64Var(&o.maxBody, "max-body", receiver.DefaultBodyLimit, fmt.Sprintf("largest accepted body in bytes, at most %d (413 beyond)", receiver.MaxBodyLimit))
	fs.Int64Var(&o.maxInflight, "max-inflight", receiver.DefaultInflight, "bytes of bodies read at once over all requests, at least --max-body (503 with Retry-After beyond)")
	fs.IntVar(&o.maxConns, "max-conns", receiver.DefaultConns, "connections served at once (more wait to be accepted)")
	o.capture.bind(fs)
	o.ui.bind(fs)
	o.changed = fs.Changed
	required(fs, "provider", "phasio, happycolis or standard", "provider-file", "spec")
	required(fs, "secret", "")
	return &command{
		name:    "receive",
		summary: "run a verifying receiver: check signatures, decrypt, validate, keep the newest snapshot per order",
		fs:      fs,
		run:     func(ctx context.Context, e *env) error { return runReceive(ctx, fs.Args(), &o, e) },
	}
}

func runReceive(ctx context.Context, args []string, o *receiveOpts, e *env) error {
	if len(args) > 0 {
		return usageErrorf("unexpected argument %q", args[0])
	}
	cf := &o.capture
	if err := cf.check(); err != nil {
		return err
	}
	ui := &o.ui
	uiOpts, err := ui.check(o.changed, cf.store, e)
	if err != nil {
		return err
	}
	profile, chosen, err := o.profile(ctx, e)
	if err != nil {
		return err
	}
	if ui.on && chosen.file != "" {
		uiOpts = append(uiOpts, inspect.WithDefinitions(chosen.def)) // its deliveries verified and re-signed on the pages
	}
	opts := o.options(e.stdout, cf.on())
	if _, err := receiver.New(profile, opts...); err != nil { // options refused before anything listens
		return usageError(err)
	}
	addr := o.listen
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return usageErrorf("--listen %s: %w", addr, err)
	}
	// Opened only now: a failed --listen creates no store.
	capt, err := cf.open(profile, chosen, e)
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
	if path := o.record; path != "" {
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
	served, told := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(told)
		select {
		case <-ctx.Done():
			// Serve's wait for the forwards is otherwise a silent one.
			if cf.forwardTo != "" {
				fmt.Fprintf(e.stderr, "stopping: the forwards under way have up to %s (--forward-timeout) to end\n", cf.forwardTimeout)
			}
		case <-served:
		}
	}()
	err = rcv.Serve(ctx, ln)
	close(served)
	<-told
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

// profile builds the verifying profile from --provider, --secret and --trigger.
func (o *receiveOpts) profile(ctx context.Context, e *env) (wire.Profile, *chosen, error) {
	c, err := o.provider.choose(ctx)
	if err != nil {
		return nil, nil, err
	}
	specs := o.secrets
	if c == nil {
		return nil, nil, requiredError("provider", "phasio, happycolis or standard", "provider-file", "spec")
	}
	urlMatched := slices.ContainsFunc(c.def.EventsSpec().Match, func(m provider.Match) bool { return m.URL })
	if o.changed("trigger") && !urlMatched && c.file == "" {
		return nil, nil, usageErrorf("--trigger only applies to --provider phasio")
	}
	if o.changed("trigger") && !urlMatched {
		return nil, nil, usageErrorf("--trigger only applies to definitions of one URL per event, not to %s", c.file)
	}
	trigger := o.trigger
	if urlMatched && !o.changed("trigger") && c.file != "" {
		// a definition's default event, or none: each delivery names its
		// event in the test header (an imported document's webhooks)
		trigger = c.def.EventsSpec().Default
	}
	if urlMatched && trigger != "" {
		if err := checkChosenEvent("trigger", trigger, c); err != nil {
			return nil, nil, err
		}
	}
	secrets := make([]string, len(specs))
	for i, spec := range specs {
		s, err := wire.ResolveSecret(spec, e.getenv)
		if err != nil {
			return nil, nil, err
		}
		secrets[i] = s
	}
	var opts []wire.Option
	if urlMatched && len(secrets) == 1 && trigger != "" {
		opts = append(opts, wire.WithDefaultTrigger(trigger))
	}
	p, err := c.profile(secrets, opts...)
	return p, c, err
}

// options returns the receiver options of the flags but --record.
// receiver.New refuses values out of range, worded for the flags by
// explain.
func (o *receiveOpts) options(stdout io.Writer, captureLines bool) []receiver.Option {
	validate, limit, inflight, conns := o.validate, o.maxBody, o.maxInflight, o.maxConns
	printPayload := o.print
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
	return opts
}
