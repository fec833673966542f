package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/orderhooks/orderhooks/capture"
	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/internal/input"
	"github.com/orderhooks/orderhooks/internal/redact"
	"github.com/orderhooks/orderhooks/internal/textw"
	"github.com/orderhooks/orderhooks/receiver"
	"github.com/orderhooks/orderhooks/wire"
)

// captureFlags are receive's flags for keeping and forwarding deliveries.
type captureFlags struct {
	store          string
	storeMax       int64
	sync           syncValue
	redact         bool
	forwardTo      string
	forwardSecret  []string
	forwardTimeout time.Duration
}

// bind registers --store, --store-max-bytes, --sync, --redact,
// --forward-to, --forward-secret and --forward-timeout on fs.
func (o *captureFlags) bind(fs *pflag.FlagSet) {
	fs.StringVar(&o.store, "store", "", "keep every delivery (request, verdicts, payload, answer) in this capture store, created if missing; a delivery that cannot be stored is answered 503")
	fs.Int64Var(&o.storeMax, "store-max-bytes", 0, "with --store: cap the store's size; deliveries beyond it are answered 503, as on a full disk (0: no cap)")
	fs.Var(&o.sync, "sync", "with --store: normal (a delivery answered 2xx survives the process being killed; an operating system crash or power cut may lose the last ones) or full (every commit is flushed to the disk before its deliveries are answered, slower)")
	fs.BoolVar(&o.redact, "redact", false, "with --store: replace personal data by the store's pseudonyms before anything is written")
	fs.StringVar(&o.forwardTo, "forward-to", "", "pass every accepted delivery on to this URL (your app), byte for byte with its headers, once (failures are stored, not retried: resend them with capture export --app-errors and replay)")
	rawStringsVar(fs, &o.forwardSecret, "forward-secret", "", "with --forward-to: re-sign (and for phasio re-encrypt) each forwarded delivery with this secret, or env:NAME or file:PATH")
	durationVar(fs, &o.forwardTimeout, "forward-timeout", receiver.DefaultForwardTimeout, true, "with --forward-to: bound on each request to the app, and on the wait for queued forwards when receive stops")
}

// capturing is what the capture flags set up for one receive run.
type capturing struct {
	flags  *captureFlags
	store  *capture.Store
	keeper *capture.Keeper
	opts   []receiver.Option
}

// check refuses combinations of the capture flags before anything is
// opened.
func (o *captureFlags) check() error {
	switch {
	case o.redact && o.store == "":
		return usageErrorf("--redact needs --store: it redacts what is stored")
	case o.storeMax != 0 && o.store == "":
		return usageErrorf("--store-max-bytes needs --store")
	case o.sync.set && o.store == "":
		return usageErrorf("--sync needs --store")
	case o.storeMax < 0:
		return usageErrorf("--store-max-bytes %d: must not be negative", o.storeMax)
	case len(o.forwardSecret) > 0 && o.forwardTo == "":
		return usageErrorf("--forward-secret needs --forward-to")
	}
	return nil
}

// on reports whether deliveries are kept or forwarded: receive then
// prints the capture line instead of the receipt.
func (o *captureFlags) on() bool { return o.store != "" || o.forwardTo != "" }

// open opens the store and builds the receiver options of the flags; c
// is the provider profile was built for, which re-signs forwards.
// The store is opened last, so that nothing is created when another flag
// is wrong.
func (o *captureFlags) open(profile wire.Profile, c *chosen, e *env) (*capturing, error) {
	cp := &capturing{flags: o}
	var to *receiver.ForwardTo
	if o.forwardTo != "" {
		to = &receiver.ForwardTo{URL: o.forwardTo}
		if len(o.forwardSecret) > 0 {
			p, err := c.profileWith("--forward-secret", o.forwardSecret, e)
			if err != nil {
				return nil, err
			}
			to.Resign = p
		}
		client, err := emitter.NewClient(emitter.ClientOptions{Timeout: o.forwardTimeout})
		if err != nil {
			return nil, usageErrorf("--forward-to: %w", err)
		}
		to.Client = client
		if _, err := receiver.New(profile, receiver.WithForward(*to)); err != nil {
			return nil, usageErrorf("--forward-to %s: want an http:// or https:// URL", input.Quote(redact.URL(o.forwardTo)))
		}
	}
	if o.store != "" {
		s, err := capture.Open(o.store, capture.WithMaxBytes(o.storeMax), capture.WithSync(o.sync.sync))
		if err != nil {
			return nil, usageErrorf("--store: %w", err)
		}
		k, err := s.Keeper(capture.KeeperOptions{Redact: o.redact, Profile: profile})
		if err != nil {
			_ = s.Close() // nothing was written
			return nil, err
		}
		cp.store, cp.keeper = s, k
		cp.opts = append(cp.opts, receiver.WithCapture(k.Capture))
		if to != nil {
			to.Done = k.Forwarded // the app's answers are kept with the deliveries
		}
	}
	if to != nil {
		cp.opts = append(cp.opts, receiver.WithForward(*to))
	}
	return cp, nil
}

// close closes the store and returns the first error of keeping.
func (c *capturing) close() error {
	if c.store == nil {
		return nil
	}
	err := c.store.Close()
	if kerr := c.keeper.Err(); err == nil {
		err = kerr
	}
	if err != nil {
		return fmt.Errorf("--store %s: %w", c.flags.store, err)
	}
	return nil
}

// summary adds what was stored and forwarded to receive's summary line,
// and returns an error (exit 1) when deliveries could not be stored.
func (c *capturing) summary(w io.Writer, st receiver.Stats) error {
	if c.store != nil {
		fmt.Fprintf(w, "; stored %d in %s", st.Received-st.NotStored, c.flags.store)
		if c.store.Sync() == capture.SyncFull {
			fmt.Fprint(w, ", every commit flushed to the disk")
		}
	}
	if c.flags.forwardTo != "" {
		fmt.Fprintf(w, "; forwarded %d: %d answered 2xx, %d failed", st.Forwarded, st.ForwardOK, st.ForwardFailed)
	}
	if st.NotStored > 0 {
		fmt.Fprintf(w, "; %d NOT STORED, answered 503 for the platform to retry: %s", st.NotStored, oneLine(st.StoreError))
		return &cliError{code: exitFailure, err: fmt.Errorf("%d deliveries could not be stored in %s", st.NotStored, c.flags.store)}
	}
	return nil
}

// captureLine is the line receive prints per delivery when it keeps or
// forwards them: "12:01:03 ORDER_UPDATED 73244 sig ok → app 200 4ms #12".
func captureLine(rc receiver.Receipt) string {
	c := rc.Capture
	var b strings.Builder
	b.WriteString(rc.Time.Local().Format("15:04:05"))
	for _, s := range []string{rc.Event, rc.OrderKey} {
		if s == "" {
			s = "-"
		}
		b.WriteString(" " + s)
	}
	if c != nil && c.Signature != "" {
		b.WriteString(" sig " + c.Signature)
		if c.Decryption == "failed" {
			b.WriteString(", decryption failed")
		}
		if n := len(c.Violations); n > 0 {
			b.WriteString(", " + textw.Count(n, "schema violation", "schema violations"))
		}
	}
	switch {
	case rc.Status >= 300:
		fmt.Fprintf(&b, " → %d %s", rc.Status, rc.Reason)
	case rc.Forward != nil:
		if rc.Outcome != receiver.Applied {
			b.WriteString(" " + string(rc.Outcome))
		}
		b.WriteString(" → " + rc.Forward.String())
	default:
		fmt.Fprintf(&b, " → %d %s", rc.Status, rc.Outcome)
	}
	if rc.Stored > 0 {
		fmt.Fprintf(&b, " #%d", rc.Stored)
	}
	if rc.ResponseError != "" {
		fmt.Fprintf(&b, " (%s)", rc.ResponseError)
	}
	return b.String()
}
