package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/localrecv"
	"github.com/orderhooks/orderhooks/internal/safefile"
	"github.com/orderhooks/orderhooks/receiver"
	"github.com/orderhooks/orderhooks/wire"
)

// demoOpts are demo's flags.
type demoOpts struct {
	keep   bool
	seed   int64
	orders int
	dir    string
}

// demoCommand runs the whole loop locally.
func demoCommand() *command {
	var o demoOpts
	fs := newFlagSet("demo")
	fs.BoolVar(&o.keep, "keep", false, "leave the receivers running after the report and print commands to try (Ctrl-C stops them)")
	fs.Int64Var(&o.seed, "seed", contracts.DefaultSeed, "seed of the emitted lifecycles and of the contract suite")
	fs.IntVar(&o.orders, "orders", demoOrders, "orders per built-in lifecycle")
	fs.StringVar(&o.dir, "dir", "", "directory for the recordings and secret files (default: a new temporary directory)")
	return &command{
		name:    "demo",
		summary: "run the whole loop locally: two verifying receivers, the Phasio and HappyColis lifecycles, the contract suites and their reports",
		fs:      fs,
		run:     func(ctx context.Context, e *env) error { return runDemo(ctx, o, e) },
	}
}

// demoOrders keeps the demo to a few seconds while still interleaving
// several orders per lifecycle; maxDemoOrders keeps it a demo (emit is
// for load).
const (
	demoOrders    = 3
	maxDemoOrders = 10_000
)

// demoProviders are the platforms the demo plays, in order.
var demoProviders = []string{generator.ProviderPhasio, generator.ProviderHappyColis}

// demoRun is one provider's half of the demo: its secret, its receiver and
// what was sent and judged.
type demoRun struct {
	provider   string
	secret     string // never printed: commands show secretSpec
	secretFile string
	sentFile   string
	recvFile   string
	profile    wire.Profile
	recv       *receiver.Server
	recvOut    *os.File
	summary    *emitter.Summary
	report     *contracts.Report
}

func runDemo(ctx context.Context, o demoOpts, e *env) error {
	keep, seed, orders, dir := o.keep, o.seed, o.orders, o.dir
	if orders < 1 || orders > maxDemoOrders {
		return usageErrorf("--orders %d: must be between 1 and %d", orders, maxDemoOrders)
	}
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "orderhooks-demo-"); err != nil {
			return err
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return usageErrorf("--dir: %w", err)
	}

	start := time.Now()
	runs := make([]*demoRun, 0, len(demoProviders))
	defer func() {
		for _, r := range runs {
			r.close()
		}
	}()
	for _, p := range demoProviders {
		r, err := startDemoReceiver(p, dir)
		if err != nil {
			return err
		}
		runs = append(runs, r)
		fmt.Fprintf(e.stdout, "%s: verifying receiver on %s\n", p, r.recv.URL)
	}
	failed := false
	for _, r := range runs {
		if err := r.emit(ctx, e, seed, orders); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "\n%s: sent %d deliveries of %s, %d answered 2xx (p50 %s, p99 %s)\n",
			r.provider, r.summary.Deliveries, strings.Join(scenarioNames(r.provider), ", "), r.summary.OK,
			r.summary.P50.Round(time.Microsecond), r.summary.P99.Round(time.Microsecond))
		if r.summary.Failed > 0 {
			failed = true
		}
		if err := r.verify(ctx, seed); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "\n%s contract suite against %s:\n", r.provider, r.recv.URL)
		if err := r.report.WriteText(e.stdout, e.tty); err != nil {
			return err
		}
		if r.report.Failed() {
			failed = true
		}
	}
	fmt.Fprintf(e.stdout, "\nRecordings (JSON lines: one per attempt sent, one per delivery received) in %s:\n", dir)
	for _, r := range runs {
		fmt.Fprintf(e.stdout, "  %s  sent by orderhooks emit\n  %s  received by the verifying receiver\n", r.sentFile, r.recvFile)
	}
	fmt.Fprintf(e.stdout, "Done in %s.\n", time.Since(start).Round(10*time.Millisecond))
	if keep {
		printDemoNext(e.stdout, runs)
		<-ctx.Done()
	}
	if failed {
		return failedSilently()
	}
	return nil
}

// startDemoReceiver makes a fresh secret, saves it for the printed
// commands (owner-only), and starts a verifying receiver that records what
// it receives.
func startDemoReceiver(provider, dir string) (*demoRun, error) {
	r := &demoRun{
		provider:   provider,
		secretFile: filepath.Join(dir, provider+".secret"),
		sentFile:   filepath.Join(dir, provider+"-sent.jsonl"),
		recvFile:   filepath.Join(dir, provider+"-received.jsonl"),
	}
	var err error
	if r.recvOut, err = safefile.Create(r.recvFile, 0o644); err != nil {
		return nil, usageErrorf("--dir: %w", err)
	}
	if r.recv, r.profile, r.secret, err = localrecv.Start(provider, receiver.WithRecord(r.recvOut)); err != nil {
		r.recvOut.Close()
		return nil, err
	}
	if err := emitter.SaveSecret(r.secretFile, r.secret); err != nil {
		r.close()
		return nil, usageErrorf("--dir: %w", err)
	}
	return r, nil
}

func (r *demoRun) close() {
	if r.recv != nil {
		r.recv.Close()
	}
	if r.recvOut != nil {
		r.recvOut.Close()
	}
}

// secretSpec is how commands refer to the secret without showing it.
func (r *demoRun) secretSpec() string { return "file:" + r.secretFile }

// demoSource plays every built-in lifecycle of the provider, one after
// the other, each with its own orders: its own seed and, for Phasio, its
// own range of order ids above the previous scenario's, so no two
// scenarios share an order whatever the seed and --orders.
func demoSource(provider string, seed int64, orders int) (generator.Source, error) {
	var gens []*generator.Generator
	// Phasio ids of the first scenario start at a seeded 10000 to 90000.
	base := int64(0)
	next := int64(90000)
	for i, name := range scenarioNames(provider) {
		s, err := generator.LoadScenario(name)
		if err != nil {
			return nil, err
		}
		opts := []generator.Option{generator.WithScenario(s), generator.WithSeed(seed*int64(len(scenarioNames(provider))) + int64(i)), generator.WithOrders(orders * max(s.Orders, 1))}
		if provider == generator.ProviderPhasio && i > 0 {
			base = next
			opts = append(opts, generator.WithOrderIDBase(base))
		}
		g, err := generator.New(provider, opts...)
		if err != nil {
			return nil, err
		}
		next = max(next, base) + int64(g.Orders())*generator.MaxOrderIDStep
		gens = append(gens, g)
	}
	// Each generator numbers its events from 1, and message ids derive from
	// the seq: renumber so that no delivery looks like a redelivery of
	// another scenario's. An order key two scenarios share would be a bug
	// of the ranges above: refuse it rather than send it.
	return func(yield func(*generator.Event) error) error {
		seq, owner := int64(0), map[string]string{}
		for _, g := range gens {
			err := g.Run(func(ev *generator.Event) error {
				if o, ok := owner[ev.OrderKey]; ok && o != ev.Scenario {
					return fmt.Errorf("seed %d: %s and %s both generated order %s", seed, o, ev.Scenario, ev.OrderKey)
				}
				owner[ev.OrderKey] = ev.Scenario
				seq++
				ev.Seq = seq
				return yield(ev)
			})
			if err != nil {
				return err
			}
		}
		return nil
	}, nil
}

func scenarioNames(provider string) []string {
	if provider == generator.ProviderHappyColis {
		return contracts.DefaultScenariosHappyColis
	}
	return contracts.DefaultScenariosPhasio
}

// emit sends every built-in lifecycle to the receiver, recording each
// attempt, with live progress on a terminal.
func (r *demoRun) emit(ctx context.Context, e *env, seed int64, orders int) error {
	src, err := demoSource(r.provider, seed, orders)
	if err != nil {
		return err
	}
	out, err := safefile.Create(r.sentFile, 0o644)
	if err != nil {
		return usageErrorf("--dir: %w", err)
	}
	defer out.Close()
	opts := []emitter.Option{emitter.WithSeed(seed), emitter.WithRecord(out)}
	if e.tty {
		opts = append(opts, emitter.WithProgress(e.stderr))
	}
	em, err := emitter.New(emitter.OneTarget(r.profile, r.recv.URL+"/webhooks/"+r.provider), opts...)
	if err != nil {
		return err
	}
	r.summary, err = em.Run(ctx, src)
	if err != nil {
		return err
	}
	return out.Close()
}

func (r *demoRun) verify(ctx context.Context, seed int64) error {
	p, err := contracts.NewProvider(r.provider, r.secret)
	if err != nil {
		return err
	}
	r.report, err = contracts.Verify(ctx, contracts.URL(r.recv.URL+"/webhooks/"+r.provider), p,
		contracts.WithProbe(r.recv.URL+"/orders/{orderKey}"), contracts.WithSeed(seed),
		contracts.WithReproduce(func(check string, seed int64) string {
			return fmt.Sprintf("orderhooks verify --provider %s --url %s/webhooks/%s --secret %s --probe '%s/orders/{orderKey}' --only %s --seed %d",
				r.provider, r.recv.URL, r.provider, r.secretSpec(), r.recv.URL, check, seed)
		}))
	return err
}

func printDemoNext(w io.Writer, runs []*demoRun) {
	fmt.Fprintf(w, "\nThe receivers keep running; Ctrl-C stops them. Try, in another terminal (orderhooks on your PATH: go install ./cmd/orderhooks):\n")
	for _, r := range runs {
		url := r.recv.URL + "/webhooks/" + r.provider
		fmt.Fprintf(w, "  orderhooks emit --provider %s --url %s --secret %s --scenario %s --orders 50 --duplicate 0.2\n",
			r.provider, url, r.secretSpec(), scenarioNames(r.provider)[0])
		fmt.Fprintf(w, "  orderhooks verify --provider %s --url %s --secret %s --probe '%s/orders/{orderKey}'\n",
			r.provider, url, r.secretSpec(), r.recv.URL)
		fmt.Fprintf(w, "  orderhooks replay %s --provider %s --url %s --secret %s\n", r.sentFile, r.provider, url, r.secretSpec())
	}
	fmt.Fprintf(w, "  curl %s/orders/<orderKey>   # the newest snapshot of an order, keys are in the recordings\n", runs[0].recv.URL)
}
