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
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/input"
	"github.com/orderhooks/orderhooks/wire"
)

// emitOpts are emit's flags.
type emitOpts struct {
	delivery deliveryOpts
	in       string
	gen      genFlags
	soak     soakFlags
}

// emitCommand checks the flags, checks that every target accepts connections
// (exit 3 otherwise), delivers, and prints the summary: exit 0 when every
// delivery ended 2xx, 1 otherwise (or when interrupted).
func emitCommand() *command {
	var o emitOpts
	fs := newFlagSet("emit")
	o.delivery.bind(fs)
	fs.StringVar(&o.in, "in", "", "deliver the events of this JSONL file (from 'orderhooks generate'; - for stdin) instead of generating them")
	o.gen.bind(fs)
	o.soak.bind(fs)
	required(fs, "provider", "phasio, happycolis or standard", "provider-file", "spec")
	required(fs, "url", "", "targets")
	return &command{
		name:    "emit",
		summary: "sign (and encrypt) generated order webhooks and deliver them to a receiver, with retries, ordering and faults",
		fs:      fs,
		run:     func(ctx context.Context, e *env) error { return runEmit(ctx, fs.Args(), &o, e) },
	}
}

func runEmit(ctx context.Context, args []string, o *emitOpts, e *env) error {
	if len(args) > 0 {
		return usageErrorf("unexpected argument %q", args[0])
	}
	d := &o.delivery
	c, err := d.provider.choose(ctx)
	if err != nil {
		return err
	}
	if err := d.checkUnblock(c); err != nil {
		return err
	}
	in := o.in
	watch, e, err := d.checkReorderInput(ctx, e, in, "--in")
	if err != nil {
		return err
	}
	if in == "" {
		if err := d.checkReorderGenerated(o.gen.scenario, o.gen.edge); err != nil {
			return err
		}
	}
	src, total, closeIn, err := o.source(ctx, e, c)
	if err != nil {
		return err
	}
	defer closeIn()
	extra := []emitter.Option{emitter.WithSeed(o.gen.seed), emitter.WithTotal(total)}
	extra = append(extra, soakOptions(o.soak.duration, e)...)
	if set, err := schemaSet(o.gen.schemaOverlay); err != nil {
		return err
	} else if set != nil {
		extra = append(extra, emitter.WithSchemas(set)) // --validate
	}
	dl, err := d.delivery(e, c, extra...)
	if err != nil {
		return err
	}
	if shard := o.gen.shard.shard; !shard.Whole() {
		dl.shard = shard.String()
	}
	if dl.reconciler, err = o.reconciler(c); err != nil {
		return err
	}
	if dl.reconciler != nil {
		dl.opts = append(dl.opts, emitter.WithObserver(dl.reconciler))
	}
	err = dl.run(ctx, e, func(em *emitter.Emitter) (*emitter.Summary, error) {
		if dl.reconciler != nil {
			sctx, stop := context.WithCancel(ctx)
			defer stop()
			go dl.reconciler.Sample(sctx)
		}
		return em.Run(ctx, src)
	})
	return watch.verdict(err, "--in -")
}

// source returns the events to deliver, --in or the generator flags,
// and how many there are (0 when unknown), for the progress line.
func (o *emitOpts) source(ctx context.Context, e *env, c *chosen) (generator.Source, int64, func(), error) {
	in := o.in
	if in == "" {
		g := o.gen
		g.endless = soakEndless(o.soak.duration, g.changed)
		src, total, err := g.chosenSource(ctx, c)
		if err != nil {
			return nil, 0, nil, err
		}
		return src, total, func() {}, nil
	}
	for _, name := range []string{"scenario", "orders", "edge", "drift", "start", "kanban"} {
		if o.gen.changed(name) {
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
	src, total := sharded(o.gen.shard.shard, generator.EventsFrom(lines), total)
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
	return usageError(&lineError{text: atLine(input, strings.TrimPrefix(err.Error(), sentinel.Error()+": ")), err: err})
}

// atLine places a library's "line N: message" in its input as every located
// error reads, "INPUT:N: message"; other messages as "INPUT: message".
func atLine(input, msg string) string {
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, tail, ok := strings.Cut(rest, ": "); ok && n != "" && strings.Trim(n, "0123456789") == "" {
			return input + ":" + n + ": " + tail
		}
	}
	return input + ": " + msg
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
	return usageErrorf("%s:%d: a %s event, but --provider %s", file, pe.Line, pe.Provider, pe.Profile)
}

// generatorProvider is the platform whose events are generated: the
// profile's, or for the standard profile (which carries any platform's
// events) the scenario's, Phasio by default.
func generatorProvider(scenario, provider string) (string, error) {
	if provider != wire.ProviderStandard {
		return provider, nil
	}
	if scenario == "" {
		return generator.ProviderPhasio, nil
	}
	s, err := generator.LoadScenario(scenario)
	if err != nil {
		return "", err
	}
	return s.Provider, nil
}

// deliveryOpts are the flags emit and replay share: target, secret,
// client, engine, faults, record and output.
type deliveryOpts struct {
	provider    providerFlags
	url         string
	secrets     []string
	targets     string
	record      string
	concurrency int
	rate        float64
	retries     int
	backoff     time.Duration
	timeout     time.Duration
	insecure    bool
	caFile      string
	headers     []string
	faults      emitter.Faults
	unblock     bool
	validate    bool
	json        bool
}

// bind registers the delivery flags on fs.
func (o *deliveryOpts) bind(fs *pflag.FlagSet) {
	o.provider.bind(fs, "platform profile `NAME`: phasio, happycolis or standard")
	o.provider.bindSpec(fs)
	fs.StringVar(&o.url, "url", "", "receiver `URL` for every event")
	rawStringsVar(fs, &o.secrets, "secret", "", "the webhook's secret, or env:NAME or file:PATH (never printed); repeat for standard key rotation")
	fs.StringVar(&o.targets, "targets", "", "YAML or JSON `FILE` mapping each event (Phasio trigger) or 'default' to {url, secret}, instead of --url and --secret")
	fs.StringVar(&o.record, "record", "", "write one JSON line per attempt to FILE (request and response, never a secret)")
	fs.IntVar(&o.concurrency, "concurrency", emitter.DefaultConcurrency, "deliveries in parallel, at most 10000 (events of one order never run concurrently)")
	fs.Float64Var(&o.rate, "rate", 0, "at most this many requests per second, 0.0003 (one an hour) to 1000000 (0: no limit)")
	fs.IntVar(&o.retries, "retries", emitter.DefaultRetries, "retries after a connection error, timeout, 408, 429 or 5xx, at most 100")
	durationVar(fs, &o.backoff, "backoff", emitter.DefaultBackoff, false, "wait before the first retry, doubled each retry, with jitter (Retry-After answers are obeyed)")
	durationVar(fs, &o.timeout, "timeout", emitter.DefaultTimeout, true, "bound on each request, and on the reachability check at start")
	fs.BoolVar(&o.insecure, "insecure", false, "do not verify TLS certificates")
	fs.StringVar(&o.caFile, "ca-file", "", "trust the PEM certificates in this file too")
	rawStringsVar(fs, &o.headers, "header", "H", "extra request header 'Key: Value' as RFC 9110 allows it (repeatable)")
	probabilityVar(fs, &o.faults.Duplicate, "duplicate", "probability of sending a delivery twice (same ids)")
	probabilityVar(fs, &o.faults.Reorder, "reorder", "probability of swapping an event with its order's next event")
	durationVar(fs, &o.faults.Delay, "delay", 0, false, "hold each delivery back by a random time up to this")
	probabilityVar(fs, &o.faults.Tamper, "tamper", "probability of changing the payload after signing")
	probabilityVar(fs, &o.faults.BadSignature, "bad-signature", "probability of a wrong signature")
	probabilityVar(fs, &o.faults.WrongKey, "wrong-key", "probability of signing (and encrypting) with another key")
	fs.BoolVar(&o.unblock, "unblock", false, "happycolis: move on after a delivery exhausts its retries instead of blocking the queue as the platform does")
	fs.BoolVar(&o.validate, "validate", false, "validate each payload against its schema before sending (invalid ones are not sent)")
	fs.BoolVar(&o.json, "json", false, "print the summary as JSON")
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

// delivery checks the shared flags; every problem is a usage error (exit 2)
// naming its flag. An empty provider (exact replays, which sign nothing)
// needs no secret.
func (o *deliveryOpts) delivery(e *env, c *chosen, extra ...emitter.Option) (*delivery, error) {
	targets, err := o.deliveryTargets(e, c)
	if err != nil {
		return nil, err
	}
	opts, err := o.engineOptions(e)
	if err != nil {
		return nil, err
	}
	d := &delivery{targets: targets, flag: "--url", opts: append(opts, extra...), timeout: o.timeout, record: o.record, json: o.json}
	if o.targets != "" {
		d.flag = "--targets"
	}
	// The engine refuses values out of range (worded for the flags by
	// explain) before anything is sent or written.
	if _, err := emitter.New(d.targets, d.opts...); err != nil {
		return nil, usageError(err)
	}
	return d, nil
}

// deliveryTargets builds the targets of --url/--secret or --targets.
func (o *deliveryOpts) deliveryTargets(e *env, c *chosen) (emitter.Targets, error) {
	url, file, specs := o.url, o.targets, o.secrets
	switch {
	case file != "" && (url != "" || len(specs) > 0):
		return emitter.Targets{}, usageErrorf("--targets excludes --url and --secret: the file holds them")
	case file != "":
		if c == nil {
			return emitter.LoadTargets(file, "", e.getenv)
		}
		return c.loadTargets(file, e.getenv)
	case url == "":
		return emitter.Targets{}, requiredError("url", "", "targets")
	case c == nil:
		return emitter.Targets{Default: &emitter.Target{URL: url}}, nil
	case len(specs) == 0:
		return emitter.Targets{}, requiredError("secret", "the receiver's secret for --url, or env:NAME or file:PATH")
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
func (o *deliveryOpts) engineOptions(e *env) ([]emitter.Option, error) {
	conc, rate, retries := o.concurrency, o.rate, o.retries
	client, err := emitter.NewClient(emitter.ClientOptions{Timeout: o.timeout, Insecure: o.insecure, CAFile: o.caFile, MaxConnsPerHost: conc})
	if err != nil {
		return nil, err
	}
	header, err := headerFlags(o.headers)
	if err != nil {
		return nil, err
	}
	opts := []emitter.Option{
		emitter.WithConcurrency(conc), emitter.WithRate(rate), emitter.WithRetries(retries),
		emitter.WithBackoff(o.backoff), emitter.WithTimeout(o.timeout), emitter.WithClient(client),
		emitter.WithHeader(header), emitter.WithFaults(o.faults), emitter.WithValidate(o.validate),
		emitter.WithUnblock(o.unblock),
	}
	if e.tty {
		opts = append(opts, emitter.WithProgress(e.stderr))
	}
	return opts, nil
}

// headerFlags parses the -H 'Key: Value' flags, each checked as RFC 9110
// defines header fields. Errors name the header, never its value (a
// token travels there).
func headerFlags(raw []string) (http.Header, error) {
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
