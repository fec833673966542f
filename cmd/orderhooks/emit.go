package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/input"
	"github.com/orderhooks/orderhooks/internal/suggest"
	"github.com/orderhooks/orderhooks/wire"
)

func init() {
	register(&legacyCommand{
		name:    "emit",
		summary: "sign (and encrypt) generated order webhooks and deliver them to a receiver, with retries, ordering and faults",
		usage: "orderhooks emit (--provider phasio|happycolis|standard | --provider-file FILE | --spec FILE (--sign standard | --provider-file FILE) [--allow-remote-refs]) (--url URL --secret SECRET|env:NAME|file:PATH | --targets FILE)\n" +
			"    [--scenario NAME|FILE | --in EVENTS.jsonl | --orders N --seed S …] [--record FILE] [--concurrency N] [--rate R]\n" +
			"    [--retries N] [--backoff D] [--timeout D] [-H 'K: V']… [--duplicate P] [--reorder P] [--delay D] [--tamper P]\n" +
			"    [--bad-signature P] [--wrong-key P] [--validate] [--shard I/N] [--duration D] [--reconcile URL [--compare PTRS]] [--json]",
		order: 30,
		flags: func() *pflag.FlagSet {
			fs := pflag.NewFlagSet("emit", pflag.ContinueOnError)
			addDeliveryFlags(fs)
			fs.String("in", "", "deliver the events of this JSONL file (from 'orderhooks generate'; - for stdin) instead of generating them")
			addGenFlags(fs)
			addSoakFlags(fs)
			return fs
		},
		run: runEmit,
	})
}

// runEmit checks the flags, checks that every target accepts connections
// (exit 3 otherwise), delivers, and prints the summary: exit 0 when every
// delivery ended 2xx, 1 otherwise (or when interrupted).
func runEmit(ctx context.Context, fs *pflag.FlagSet, e *env) error {
	if fs.NArg() > 0 {
		return usageErrorf("unexpected argument %q", fs.Arg(0))
	}
	c, err := chooseProvider(fs)
	if err != nil {
		return err
	}
	if c == nil {
		return usageErrorf("--provider is required (or --provider-file): phasio, happycolis or standard")
	}
	if err := checkUnblock(fs, c); err != nil {
		return err
	}
	in, _ := fs.GetString("in")
	watch, e, err := checkReorderInput(ctx, fs, e, in, "--in")
	if err != nil {
		return err
	}
	if in == "" {
		if err := checkReorderGenerated(fs); err != nil {
			return err
		}
	}
	src, total, closeIn, err := emitSource(ctx, fs, e, c)
	if err != nil {
		return err
	}
	defer closeIn()
	seed, _ := fs.GetInt64("seed")
	extra := []emitter.Option{emitter.WithSeed(seed), emitter.WithTotal(total)}
	soak, err := soakOptions(fs, e)
	if err != nil {
		return err
	}
	extra = append(extra, soak...)
	if set, err := schemaSetOf(fs); err != nil {
		return err
	} else if set != nil {
		extra = append(extra, emitter.WithSchemas(set)) // --validate
	}
	d, err := newDelivery(fs, e, c, extra...)
	if err != nil {
		return err
	}
	if shard, _ := shardOf(fs); !shard.Whole() { // checked by emitSource
		d.shard = shard.String()
	}
	if d.reconciler, err = reconcilerOf(fs, c); err != nil {
		return err
	}
	if d.reconciler != nil {
		d.opts = append(d.opts, emitter.WithObserver(d.reconciler))
	}
	err = d.run(ctx, e, func(em *emitter.Emitter) (*emitter.Summary, error) {
		if d.reconciler != nil {
			sctx, stop := context.WithCancel(ctx)
			defer stop()
			go d.reconciler.Sample(sctx)
		}
		return em.Run(ctx, src)
	})
	return watch.verdict(err, "--in -")
}

// emitSource returns the events to deliver, --in or the generator flags,
// and how many there are (0 when unknown), for the progress line.
func emitSource(ctx context.Context, fs *pflag.FlagSet, e *env, c *chosen) (generator.Source, int64, func(), error) {
	in, _ := fs.GetString("in")
	if in == "" {
		g := genFlagsOf(fs)
		g.endless = soakEndless(fs)
		src, total, err := g.chosenSource(c)
		if err != nil {
			return nil, 0, nil, err
		}
		return src, total, func() {}, nil
	}
	for _, name := range []string{"scenario", "orders", "edge", "drift", "start", "kanban"} {
		if fs.Changed(name) {
			return nil, 0, nil, usageErrorf("--in and --%s exclude each other: the events are in the file", name)
		}
	}
	r, closeIn, total := input.Interruptible(ctx, e.stdin), func() {}, int64(0)
	if in != "-" {
		f, err := input.Open(in)
		if err != nil {
			return nil, 0, nil, usageErrorf("--in %w", err)
		}
		// Interruptible: a FIFO can be idle, and an endless line is read to its limit.
		r, closeIn, total = input.Interruptible(ctx, f), func() { _ = f.Close() }, countLines(in) // read-only: nothing to lose on close
	}
	lines, line := emitter.CountLines(r)
	src, total, err := sharded(fs, generator.EventsFrom(lines), total)
	if err != nil {
		closeIn()
		return nil, 0, nil, err
	}
	return func(yield func(*generator.Event) error) error {
		err := src(yield)
		var pe *emitter.ProviderError
		if errors.As(err, &pe) {
			pe.Line = line()
			return providerMismatch("--in "+in, pe)
		}
		if errors.Is(err, generator.ErrEventFormat) {
			return inputError("--in "+in, err, generator.ErrEventFormat)
		}
		if err != nil {
			return fmt.Errorf("--in %s: %w", in, err)
		}
		return nil
	}, total, closeIn, nil
}

// countLines counts the lines of a regular file, for the progress line's
// total; 0 (unknown) for anything else or on error. It reads the file once
// more, in constant memory.
func countLines(path string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close() // read-only
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return 0
	}
	var n int64
	buf := make([]byte, 256<<10)
	last := byte('\n')
	for {
		k, err := f.Read(buf)
		if k > 0 {
			n += int64(bytes.Count(buf[:k], []byte{'\n'}))
			last = buf[k-1]
		}
		if err != nil {
			break
		}
	}
	if last != '\n' {
		n++
	}
	return n
}

// inputError is the usage error of a malformed input line: input (the
// flag and file) and the reader's "line N: …", without the sentinel's
// text, which errors.Is still finds.
func inputError(input string, err, sentinel error) error {
	return usageError(&lineError{text: input + ": " + strings.TrimPrefix(err.Error(), sentinel.Error()+": "), err: err})
}

// lineError rewords an input error, keeping it in the chain.
type lineError struct {
	text string
	err  error
}

func (e *lineError) Error() string { return e.text }
func (e *lineError) Unwrap() error { return e.err }

// providerMismatch is the usage error of an events or recording file
// whose events the --provider profile cannot carry.
func providerMismatch(file string, pe *emitter.ProviderError) error {
	return usageErrorf("%s: line %d: a %s event, but --provider %s", file, pe.Line, pe.Provider, pe.Profile)
}

// checkProvider refuses an unknown --provider before anything else
// trips over it.
func checkProvider(provider string) error {
	known := wire.Providers()
	if slices.Contains(known, provider) {
		return nil
	}
	return usageErrorf("--provider %s: not one of %s%s", provider, strings.Join(known, ", "), suggest.Hint(provider, known, nil))
}

// generatorProvider is the platform whose events are generated: the
// profile's, or for the standard profile (which carries any platform's
// events) the scenario's, Phasio by default.
func generatorProvider(fs *pflag.FlagSet, provider string) (string, error) {
	if provider != wire.ProviderStandard {
		return provider, nil
	}
	name, _ := fs.GetString("scenario")
	if name == "" {
		return generator.ProviderPhasio, nil
	}
	s, err := generator.LoadScenario(name)
	if err != nil {
		return "", err
	}
	return s.Provider, nil
}

// addDeliveryFlags registers the flags emit and replay share: target,
// secret, client, engine, faults, record and output.
func addDeliveryFlags(fs *pflag.FlagSet) {
	fs.String("provider", "", "platform profile: phasio, happycolis or standard")
	addProviderFileFlag(fs)
	addSpecFlags(fs)
	fs.String("url", "", "receiver URL for every event")
	fs.StringArray("secret", nil, "the webhook's secret, or env:NAME or file:PATH (never printed); repeat for standard key rotation")
	fs.String("targets", "", "YAML or JSON file mapping each event (Phasio trigger) or 'default' to {url, secret}, instead of --url and --secret")
	fs.String("record", "", "write one JSON line per attempt to FILE (request and response, never a secret)")
	fs.Int("concurrency", emitter.DefaultConcurrency, "deliveries in parallel, at most 10000 (events of one order never run concurrently)")
	fs.Float64("rate", 0, "at most this many requests per second, 0.0003 (one an hour) to 1000000 (0: no limit)")
	fs.Int("retries", emitter.DefaultRetries, "retries after a connection error, timeout, 408, 429 or 5xx, at most 100")
	fs.Duration("backoff", emitter.DefaultBackoff, "wait before the first retry, doubled each retry, with jitter (Retry-After answers are obeyed)")
	fs.Duration("timeout", emitter.DefaultTimeout, "bound on each request, and on the reachability check at start")
	fs.Bool("insecure", false, "do not verify TLS certificates")
	fs.String("ca-file", "", "trust the PEM certificates in this file too")
	fs.StringArrayP("header", "H", nil, "extra request header 'Key: Value' as RFC 9110 allows it (repeatable)")
	fs.Float64("duplicate", 0, "probability of sending a delivery twice (same ids)")
	fs.Float64("reorder", 0, "probability of swapping an event with its order's next event")
	fs.Duration("delay", 0, "hold each delivery back by a random time up to this")
	fs.Float64("tamper", 0, "probability of changing the payload after signing")
	fs.Float64("bad-signature", 0, "probability of a wrong signature")
	fs.Float64("wrong-key", 0, "probability of signing (and encrypting) with another key")
	fs.Bool("unblock", false, "happycolis: move on after a delivery exhausts its retries instead of blocking the queue as the platform does")
	fs.Bool("validate", false, "validate each payload against its schema before sending (invalid ones are not sent)")
	fs.Bool("json", false, "print the summary as JSON")
}

// delivery is what the shared flags configure: targets, engine options and
// the record file.
type delivery struct {
	targets emitter.Targets
	flag    string // --url or --targets, the origin of the targets
	opts    []emitter.Option
	timeout time.Duration
	record  string
	json    bool
	shard   string // --shard, stamped on the summary
	// reconciler follows the deliveries for --reconcile (emit only).
	reconciler *contracts.Reconciler
}

// newDelivery reads the shared flags; every problem is a usage error (exit 2)
// naming its flag. An empty provider (exact replays, which sign nothing)
// needs no secret.
func newDelivery(fs *pflag.FlagSet, e *env, c *chosen, extra ...emitter.Option) (*delivery, error) {
	targets, err := deliveryTargets(fs, e, c)
	if err != nil {
		return nil, err
	}
	opts, err := engineOptions(fs, e)
	if err != nil {
		return nil, err
	}
	d := &delivery{targets: targets, flag: "--url", opts: append(opts, extra...)}
	if fs.Changed("targets") {
		d.flag = "--targets"
	}
	d.timeout, _ = fs.GetDuration("timeout")
	d.record, _ = fs.GetString("record")
	d.json, _ = fs.GetBool("json")
	return d, nil
}

// deliveryTargets builds the targets of --url/--secret or --targets.
func deliveryTargets(fs *pflag.FlagSet, e *env, c *chosen) (emitter.Targets, error) {
	url, _ := fs.GetString("url")
	file, _ := fs.GetString("targets")
	specs := rawStrings(fs, "secret")
	switch {
	case file != "" && (url != "" || len(specs) > 0):
		return emitter.Targets{}, usageErrorf("--targets excludes --url and --secret: the file holds them")
	case file != "":
		if c == nil {
			return emitter.LoadTargets(file, "", e.getenv)
		}
		return c.loadTargets(file, e.getenv)
	case url == "":
		return emitter.Targets{}, usageErrorf("--url (or --targets) is required")
	case c == nil:
		return emitter.Targets{Default: &emitter.Target{URL: url}}, nil
	case len(specs) == 0:
		return emitter.Targets{}, usageErrorf("--secret is required with --url")
	}
	secrets := make([]string, len(specs))
	for i, spec := range specs {
		s, err := wire.ResolveSecret(spec, e.getenv)
		if err != nil {
			return emitter.Targets{}, err
		}
		secrets[i] = s
	}
	p, err := c.profile(secrets)
	if err != nil {
		return emitter.Targets{}, err
	}
	t := emitter.OneTarget(p, url)
	t.Default.Secret = secrets[0] // records redact a receiver's echo of it
	return t, nil
}

// engineOptions maps the client, engine and fault flags to options.
func engineOptions(fs *pflag.FlagSet, e *env) ([]emitter.Option, error) {
	conc, _ := fs.GetInt("concurrency")
	rate, _ := fs.GetFloat64("rate")
	retries, _ := fs.GetInt("retries")
	backoff, _ := fs.GetDuration("backoff")
	timeout, _ := fs.GetDuration("timeout")
	insecure, _ := fs.GetBool("insecure")
	caFile, _ := fs.GetString("ca-file")
	validate, _ := fs.GetBool("validate")
	unblock, _ := fs.GetBool("unblock")
	switch {
	case conc < 1 || conc > emitter.MaxConcurrency:
		return nil, usageErrorf("--concurrency %d: must be between 1 and %d", conc, emitter.MaxConcurrency)
	case rate != 0 && !(rate >= emitter.MinRate && rate <= emitter.MaxRate): // NaN fails both
		return nil, usageErrorf("--rate %v: 0 (no limit) or between %.6g and %.0f requests per second", rate, emitter.MinRate, emitter.MaxRate)
	case retries < 0 || retries > emitter.MaxRetries:
		return nil, usageErrorf("--retries %d: must be between 0 and %d", retries, emitter.MaxRetries)
	case backoff < 0:
		return nil, usageErrorf("--backoff %s: must not be negative", backoff)
	case timeout <= 0:
		return nil, usageErrorf("--timeout %s: must be positive", timeout)
	}
	client, err := emitter.NewClient(emitter.ClientOptions{Timeout: timeout, Insecure: insecure, CAFile: caFile, MaxConnsPerHost: conc})
	if err != nil {
		return nil, err
	}
	header, err := headerFlags(fs)
	if err != nil {
		return nil, err
	}
	faults, err := faultFlags(fs)
	if err != nil {
		return nil, err
	}
	opts := []emitter.Option{
		emitter.WithConcurrency(conc), emitter.WithRate(rate), emitter.WithRetries(retries),
		emitter.WithBackoff(backoff), emitter.WithTimeout(timeout), emitter.WithClient(client),
		emitter.WithHeader(header), emitter.WithFaults(faults), emitter.WithValidate(validate),
		emitter.WithUnblock(unblock),
	}
	if e.tty {
		opts = append(opts, emitter.WithProgress(e.stderr))
	}
	return opts, nil
}

// headerFlags parses the -H 'Key: Value' flags, each checked as RFC 9110
// defines header fields. Errors name the header, never its value (a
// token travels there).
func headerFlags(fs *pflag.FlagSet) (http.Header, error) {
	raw := rawStrings(fs, "header")
	h := http.Header{}
	for _, kv := range raw {
		k, v, ok := strings.Cut(kv, ":")
		k, v = strings.TrimSpace(k), strings.Trim(v, " \t")
		if !ok || k == "" {
			return nil, usageErrorf("-H: not 'Key: Value' (the text is not repeated: it may hold a token)")
		}
		if err := emitter.CheckHeader(k, v); err != nil {
			return nil, err
		}
		h.Add(k, v)
	}
	return h, nil
}

// faultFlags reads the fault flags; probabilities must lie in [0, 1].
func faultFlags(fs *pflag.FlagSet) (emitter.Faults, error) {
	var f emitter.Faults
	for _, p := range []struct {
		name string
		v    *float64
	}{{"duplicate", &f.Duplicate}, {"reorder", &f.Reorder}, {"tamper", &f.Tamper}, {"bad-signature", &f.BadSignature}, {"wrong-key", &f.WrongKey}} {
		*p.v, _ = fs.GetFloat64(p.name)
		if !(*p.v >= 0 && *p.v <= 1) { // NaN fails both
			return f, usageErrorf("--%s %v: a probability between 0 and 1", p.name, *p.v)
		}
	}
	if s := f.Tamper + f.BadSignature + f.WrongKey; s > 1 {
		return f, usageErrorf("--tamper, --bad-signature and --wrong-key add up to %v: at most 1", s)
	}
	f.Delay, _ = fs.GetDuration("delay")
	if f.Delay < 0 {
		return f, usageErrorf("--delay %s: must not be negative", f.Delay)
	}
	return f, nil
}

// run checks that every target accepts connections (exit 3 otherwise),
// opens the record, runs the engine through start and prints the summary.
func (d *delivery) run(ctx context.Context, e *env, start func(*emitter.Emitter) (*emitter.Summary, error)) error {
	// The engine's live heap is a few MB whatever the run's length; the
	// default collector target (100 %) makes it collect every few
	// thousand deliveries. Four times the live heap halves the time spent
	// collecting, for some 30 MB more (docs/benchmarks.md).
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	if err := d.targets.Preflight(ctx, d.timeout); err != nil {
		return err
	}
	opts := d.opts
	var rec *os.File
	if d.record != "" {
		f, err := os.Create(d.record)
		if err != nil {
			return usageErrorf("--record: %w", err)
		}
		rec = f
		opts = append(opts, emitter.WithRecord(f))
	}
	em, err := emitter.New(d.targets, opts...)
	if err != nil {
		if rec != nil {
			_ = rec.Close() // nothing was recorded
		}
		return usageError(err)
	}
	sum, err := start(em)
	if rec != nil {
		if cerr := rec.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("--record: %w", cerr)
		}
	}
	recon, rerr := reconcileAfter(ctx, d.reconciler, sum, err)
	if err == nil {
		err = rerr
	}
	// An input error before anything was sent prints no (empty) summary.
	if sum != nil && !(exitCode(err) == exitUsage && sum.Deliveries == 0) {
		sum.Shard = d.shard
		if perr := writeReport(e.stdout, sum, recon, d.json); err == nil {
			err = perr
		}
	}
	switch {
	case errors.Is(err, emitter.ErrInterrupted):
		fmt.Fprintln(e.stderr, "orderhooks: interrupted; the summary and record cover what was sent")
		return failedSilently()
	case errors.Is(err, emitter.ErrTargets), errors.Is(err, emitter.ErrOptions):
		return usageError(err)
	case err != nil:
		return err
	case !sum.Passed(), recon != nil && !recon.Passed():
		return failedSilently()
	}
	return nil
}

// printJSON writes v as indented JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
