package main

import (
	"context"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/emitter"
)

// soakLineEvery is how often a soak run (emit --duration) writes a plain
// progress line when standard error is not a terminal (a CI log).
const soakLineEvery = 10 * time.Second

// soakFlags are emit's soak and reconciliation flags.
type soakFlags struct {
	duration     time.Duration
	reconcile    string
	compare      []string
	reconcileMax int
	// changed is the flag set's Changed: --compare applies only when given.
	changed func(string) bool
}

// bind registers emit's soak and reconciliation flags.
func (o *soakFlags) bind(fs *pflag.FlagSet) {
	durationVar(fs, &o.duration, "duration", 0, false, "keep sending until this much time has passed (a soak: fresh orders, unless --orders or --in bound them), then finish the deliveries under way; off a terminal a progress line is written every 10s")
	fs.StringVar(&o.reconcile, "reconcile", "", "after the run (and for a sample during it) GET each order's state from this URL or path with {orderKey}, e.g. /orders/{orderKey}, and compare it with the newest snapshot the receiver acknowledged; lost or misapplied orders exit 1")
	fs.StringSliceVar(&o.compare, "compare", nil, "with --reconcile: JSON pointers compared (PTR or SNAPSHOT_PTR=PROBE_PTR; default per provider, as verify)")
	fs.IntVar(&o.reconcileMax, "reconcile-max", contracts.DefaultReconcileOrders, "with --reconcile: follow at most this many orders (beyond, a uniform sample), some 200 bytes each")
	o.changed = fs.Changed
}

// reconcileReport is emit's --json output: the summary, and the
// reconciliation when --reconcile was given.
type reconcileReport struct {
	*emitter.Summary
	Reconciliation *contracts.Reconciliation `json:"reconciliation,omitempty"`
}

// reconciler builds the Reconciler of --reconcile for the chosen
// provider (nil without the flag).
func (eo *emitOpts) reconciler(c *chosen) (*contracts.Reconciler, error) {
	so, d := &eo.soak, &eo.delivery
	tmpl := so.reconcile
	if !so.changed("reconcile") {
		for _, name := range []string{"compare", "reconcile-max"} {
			if so.changed(name) {
				return nil, usageErrorf("--%s compares the receiver's state, which only --reconcile reads", name)
			}
		}
		return nil, nil
	}
	gen, err := c.generatorName(eo.gen.scenario)
	if err != nil {
		return nil, err
	}
	var opts []contracts.ProviderOption
	if gen != "" && c.def.Generator() == "" {
		opts = append(opts, contracts.WithPayloads(gen))
	}
	var p contracts.Provider
	if c.file == "" {
		p, err = contracts.NewProvider(c.name, "", opts...)
	} else {
		p, err = contracts.NewProviderFromDefinition(c.def, "", opts...)
	}
	if err != nil {
		return nil, usageError(err)
	}
	o := contracts.ReconcileOptions{Probe: tmpl, Timeout: d.timeout, MaxOrders: so.reconcileMax, Concurrency: min(d.concurrency, 64)}
	if o.MaxOrders < 1 {
		return nil, usageErrorf("--reconcile-max %d: must be at least 1", o.MaxOrders)
	}
	if so.changed("compare") {
		o.Compare = so.compare
	}
	o.Client, err = emitter.NewClient(emitter.ClientOptions{Timeout: o.Timeout, Insecure: d.insecure, CAFile: d.caFile, MaxConnsPerHost: o.Concurrency})
	if err != nil {
		return nil, usageError(err)
	}
	if u := d.url; u != "" {
		o.Base, _ = url.Parse(u) // checked with the targets
	}
	r, err := contracts.NewReconciler(p, o)
	if err != nil {
		return nil, usageErrorf("--reconcile: %s", strings.TrimPrefix(err.Error(), "contracts: "))
	}
	return r, nil
}

// reconcileAfter probes the orders after the run, unless it was
// interrupted; the reconciliation says why it was skipped then.
func reconcileAfter(ctx context.Context, r *contracts.Reconciler, sum *emitter.Summary, runErr error) (*contracts.Reconciliation, error) {
	if r == nil || sum == nil {
		return nil, nil
	}
	if sum.Interrupted || runErr != nil {
		return &contracts.Reconciliation{Skipped: "the run did not finish"}, nil
	}
	rec, err := r.Reconcile(ctx)
	if err != nil && ctx.Err() != nil {
		return rec, emitter.ErrInterrupted
	}
	return rec, err
}

// writeReport writes the summary and the reconciliation, as text or JSON.
func writeReport(w io.Writer, sum *emitter.Summary, rec *contracts.Reconciliation, asJSON bool) error {
	if asJSON {
		return printJSON(w, reconcileReport{Summary: sum, Reconciliation: rec})
	}
	if err := sum.WriteText(w); err != nil {
		return err
	}
	if rec != nil {
		return rec.WriteText(w, 20)
	}
	return nil
}

// soakEndless reports whether emit generates orders until --duration
// ends: changed is the flag set's Changed.
func soakEndless(d time.Duration, changed func(string) bool) bool {
	return d > 0 && !changed("orders")
}

// soakOptions maps --duration to engine options: the duration, and the
// plain progress lines of a long run in a log.
func soakOptions(d time.Duration, e *env) []emitter.Option {
	if d == 0 {
		return nil
	}
	opts := []emitter.Option{emitter.WithDuration(d)}
	if !e.tty {
		opts = append(opts, emitter.WithProgressLines(e.stderr, soakLineEvery))
	}
	return opts
}
