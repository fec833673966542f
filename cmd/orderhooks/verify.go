package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/internal/input"
	"github.com/orderhooks/orderhooks/internal/redact"
	"github.com/orderhooks/orderhooks/internal/safefile"
	"github.com/orderhooks/orderhooks/internal/shell"
	"github.com/orderhooks/orderhooks/internal/suggest"
	"github.com/orderhooks/orderhooks/schemas"
	"github.com/orderhooks/orderhooks/wire"
)

// verifyOpts are verify's flags.
type verifyOpts struct {
	list           bool
	provider       providerFlags
	url            string
	targets        string
	secret         string
	probe          string
	compare        []string
	only           []string
	skip           []string
	reports        []string
	seed           int64
	slo            time.Duration
	timeout        time.Duration
	responseSchema string
	saveFailures   string
	insecure       bool
	caFile         string
	deadline       time.Duration
	record         string
	schemaOverlay  string
	shard          shardValue
	// fs is the flag set: the reproducing command line keeps the flags
	// given (fs.Changed) with their text.
	fs *pflag.FlagSet
}

// newVerifyFlags is verify's flag set, bound to the options it returns.
func newVerifyFlags() (*pflag.FlagSet, *verifyOpts) {
	o := &verifyOpts{}
	fs := newFlagSet("verify")
	o.fs = fs
	fs.BoolVar(&o.list, "list", false, "print the checks, one line each, and exit")
	o.provider.bind(fs, "platform profile `NAME`: phasio, happycolis or standard")
	o.provider.bindSpec(fs)
	fs.StringVar(&o.url, "url", "", "receiver `URL` the deliveries are POSTed to")
	fs.StringVar(&o.targets, "targets", "", "YAML or JSON `FILE` mapping each event (Phasio trigger) or 'default' to {url, secret}, as for emit, instead of --url and --secret")
	fs.StringVar(&o.secret, "secret", "", "the receiver's secret, or env:NAME or file:PATH (never printed)")
	fs.StringVar(&o.probe, "probe", "", "GET URL or path returning an order's stored state as JSON, with {orderKey}, e.g. /orders/{orderKey}")
	fs.StringSliceVar(&o.compare, "compare", nil, "JSON pointers compared between the last snapshot and the probed state (PTR or SNAPSHOT_PTR=PROBE_PTR; default per provider)")
	fs.StringSliceVar(&o.only, "only", nil, "run only these checks (comma-separated names, see --list)")
	fs.StringSliceVar(&o.skip, "skip", nil, "skip these checks (comma-separated names)")
	rawStringsVar(fs, &o.reports, "report", "", "also write the report as FORMAT=FILE, FORMAT json, junit or html (repeatable)")
	fs.Int64Var(&o.seed, "seed", contracts.DefaultSeed, "seed of the generated payloads; a failure reruns alone with --only NAME --seed S")
	durationVar(fs, &o.slo, "slo", contracts.DefaultSLO, true, "p99 latency allowed by responds-within-slo")
	durationVar(fs, &o.timeout, "timeout", contracts.DefaultTimeout, true, "timeout of each delivery and probe")
	fs.StringVar(&o.responseSchema, "response-schema", "", "JSON Schema file every 2xx response body must satisfy (response-contract)")
	fs.StringVar(&o.saveFailures, "save-failures", "", "directory where shrunk failing payloads are saved as scenario files for replay")
	fs.BoolVar(&o.insecure, "insecure", false, "skip TLS certificate verification (self-signed staging receivers)")
	fs.StringVar(&o.caFile, "ca-file", "", "PEM file of extra CA certificates to trust")
	durationVar(fs, &o.deadline, "deadline", 0, false, "bound on the whole run (0: none); when it passes, the running check is interrupted, the rest not run, exit 1")
	fs.StringVar(&o.record, "record", "", "write every request and response of the run to FILE, one JSON line each (replayable; secrets never appear)")
	bindSchemaOverlay(fs, &o.schemaOverlay)
	bindShard(fs, &o.shard)
	required(fs, "provider", "phasio, happycolis or standard", "provider-file", "spec")
	required(fs, "url", "", "targets")
	alone(fs, "list")
	return fs, o
}

// verifyCommand runs the contract checks; --list prints them.
func verifyCommand() *command {
	fs, o := newVerifyFlags()
	return &command{
		name:    "verify",
		summary: "run the contract checks against a receiver and report pass, fail, warn or skip per check",
		fs:      fs,
		run:     func(ctx context.Context, e *env) error { return runVerify(ctx, o, e) },
	}
}

// reportFormats are the --report formats and their writers.
var reportFormats = map[string]func(*contracts.Report, io.Writer) error{
	"json":  (*contracts.Report).WriteJSON,
	"junit": (*contracts.Report).WriteJUnit,
	"html":  (*contracts.Report).WriteHTML,
}

// runVerify runs the suite and prints the report: exit 0 when every check
// passed (warnings and skips allowed), 1 when one failed or was
// inconclusive or the run stopped early, 2 on a usage error, 3 when the
// receiver never answered. The --report files are written in every case
// once their flags are read, atomically, the reason of an early end in them.
func runVerify(ctx context.Context, o *verifyOpts, e *env) error {
	if o.list {
		return printChecks(e.stdout)
	}
	outputs, err := prepareReports(o.reports)
	if err != nil {
		return err
	}
	defer outputs.discard()
	report, err := verifyRun(ctx, o, e)
	if report == nil {
		report = errorReport(ctx, o, err)
	}
	if werr := outputs.commit(report); werr != nil && (err == nil || isSilent(err)) {
		err = werr
	}
	return err
}

// verifyRun checks the flags, runs the checks one at a time (a plain line
// on stderr as each finishes when stderr is not a terminal, a live line
// when it is) and prints the report. It returns the report when checks
// ran, else nil and the error.
func verifyRun(ctx context.Context, o *verifyOpts, e *env) (*contracts.Report, error) {
	if o.fs.NArg() > 0 {
		return nil, usageErrorf("unexpected argument %q", o.fs.Arg(0))
	}
	c, err := o.provider.choose(ctx)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, requiredError("provider", "phasio, happycolis or standard", "provider-file", "spec")
	}
	provider, target, err := o.target(e, c)
	if err != nil {
		return nil, err
	}
	opts, err := o.options()
	if err != nil {
		return nil, err
	}
	if _, err := contracts.New(provider, opts...); err != nil {
		return nil, err // before --record is created
	}
	record, err := createRecord(o.record)
	if err != nil {
		return nil, err
	}
	defer record.Close() // closed and checked below; this covers early returns
	if record != nil {
		opts = append(opts, contracts.WithRecord(record))
	}
	suite, err := contracts.New(provider, opts...)
	if err != nil {
		return nil, err
	}
	if e.tty {
		fmt.Fprintf(e.stderr, "\r\x1b[Kpreflight: sending a valid delivery…")
	}
	session, err := suite.Start(ctx, target)
	if e.tty {
		fmt.Fprint(e.stderr, "\r\x1b[K")
	}
	if err != nil {
		return nil, err
	}
	defer session.Close()
	for _, p := range session.Report().Preflight {
		if !e.tty {
			fmt.Fprintf(e.stderr, "preflight: %s, a valid delivery, got %s\n", p.Request, p.Got)
		}
	}
	checks := suite.Checks()
	for i, c := range checks {
		if e.tty {
			fmt.Fprintf(e.stderr, "\r\x1b[K[%d/%d] %s…", i+1, len(checks), c.Name)
		}
		r := session.Check(c.Name)
		if !e.tty {
			fmt.Fprintf(e.stderr, "[%d/%d] %s\n", i+1, len(checks), r)
		}
	}
	if e.tty {
		fmt.Fprint(e.stderr, "\r\x1b[K")
	}
	report := session.Report()
	if record != nil {
		if err := record.Close(); err != nil {
			return report, fmt.Errorf("--record: %w", err)
		}
	}
	if err := session.RecordErr(); err != nil {
		return report, fmt.Errorf("--record: %w", err)
	}
	if err := report.WriteText(e.stdout, e.tty); err != nil {
		return report, err
	}
	if ctx.Err() != nil {
		return report, fmt.Errorf("interrupted after %d of %d checks: %w", report.Summary.Total-report.Summary.Skipped-report.Summary.Interrupted, len(checks), ctx.Err())
	}
	if report.Failed() {
		return report, failedSilently()
	}
	return report, nil
}

// verifyTarget reads --url and --secret, or --targets (one webhook, URL
// and secret, per event), into the provider and the target.
func (o *verifyOpts) target(e *env, c *chosen) (contracts.Provider, contracts.Target, error) {
	file := o.targets
	if _, err := c.contractsProvider(""); err != nil {
		return contracts.Provider{}, contracts.Target{}, usageError(err)
	}
	if file != "" {
		if o.url != "" || o.secret != "" {
			return contracts.Provider{}, contracts.Target{}, usageErrorf("--targets excludes --url and --secret: the file holds them")
		}
		t, err := c.loadTargets(file, e.getenv)
		if err != nil {
			return contracts.Provider{}, contracts.Target{}, err
		}
		p, err := c.contractsProvider("")
		return p, contracts.Routes(t), usageError(err)
	}
	switch {
	case o.url == "":
		return contracts.Provider{}, contracts.Target{}, requiredError("url", "", "targets")
	case o.secret == "":
		return contracts.Provider{}, contracts.Target{}, requiredError("secret", "", "targets")
	}
	secret, err := wire.ResolveSecret(o.secret, e.getenv)
	if err != nil {
		return contracts.Provider{}, contracts.Target{}, err
	}
	p, err := c.contractsProvider(secret)
	return p, contracts.URL(o.url), usageError(err)
}

// errorReport is the report of a run that ended before any check: the
// flags it could read and the reason.
func errorReport(ctx context.Context, o *verifyOpts, err error) *contracts.Report {
	provider := ""
	if c, cerr := o.provider.choose(ctx); cerr == nil && c != nil {
		provider = c.name
	}
	target := o.url
	if file := o.targets; file != "" {
		target = "targets file " + file
	}
	r := &contracts.Report{Provider: provider, Target: contracts.URL(target).String(), Seed: o.seed, Checks: []contracts.Result{}}
	if err != nil {
		_, msg := explain(err, o.fs)
		r.Error = oneLine(msg)
	}
	return r
}

// createRecord creates the --record file, or returns a nil *os.File
// (whose Close is a harmless error) when there is none.
func createRecord(path string) (*os.File, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, usageErrorf("--record: %w", err)
	}
	return f, nil
}

// verifyOptions turns the flags into suite options.
func (o *verifyOpts) options() ([]contracts.Option, error) {
	seed, slo, timeout, deadline := o.seed, o.slo, o.timeout, o.deadline
	if err := o.check(); err != nil {
		return nil, err
	}
	client, err := emitter.NewClient(emitter.ClientOptions{Timeout: timeout, Insecure: o.insecure, CAFile: o.caFile})
	if err != nil {
		return nil, usageError(err)
	}
	opts := []contracts.Option{
		contracts.WithClient(client),
		contracts.WithSeed(seed),
		contracts.WithTimeout(timeout),
		contracts.WithDeadline(deadline),
		contracts.WithOnly(o.only...),
		contracts.WithSkip(o.skip...),
		contracts.WithReproduce(o.reproducer()),
	}
	if o.fs.Changed("slo") {
		opts = append(opts, contracts.WithSLO(slo))
	}
	if shard := o.shard.shard; !shard.Whole() {
		opts = append(opts, contracts.WithShard(shard))
	}
	if p := o.probe; p != "" {
		opts = append(opts, contracts.WithProbe(p))
	}
	if o.fs.Changed("compare") {
		opts = append(opts, contracts.WithCompare(o.compare...))
	}
	if dir := o.saveFailures; dir != "" {
		opts = append(opts, contracts.WithSaveFailures(dir))
	}
	if set, err := schemaSet(o.schemaOverlay); err != nil {
		return nil, err
	} else if set != nil {
		opts = append(opts, contracts.WithSchemas(set))
	}
	if path := o.responseSchema; path != "" {
		src, err := input.ReadFile(path, input.SchemaFile)
		if err != nil {
			return nil, usageError(fmt.Errorf("--response-schema %w", err))
		}
		s, err := schemas.Compile(path, src)
		if err != nil {
			return nil, usageError(fmt.Errorf("--response-schema %s: %w", path, err))
		}
		opts = append(opts, contracts.WithResponseSchema(s))
	}
	return opts, nil
}

// check makes the --save-failures directory before anything is sent.
// (The check names are the suite's to refuse, the durations' bounds are
// checked as they are parsed.)
func (o *verifyOpts) check() error {
	if dir := o.saveFailures; dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return usageErrorf("--save-failures: %w", err)
		}
	}
	return nil
}

func printChecks(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range contracts.Checks() {
		desc := c.Description
		if c.NeedsProbe {
			desc += " (needs --probe)"
		}
		fmt.Fprintf(tw, "%s\t%s\n", c.Name, desc)
	}
	return tw.Flush()
}

// reportOutput is one --report FORMAT=FILE. Its temporary file is
// created next to FILE before the run, so a bad path fails at once, and
// renamed over FILE only when the report is complete: an earlier report
// stays whole until the new one replaces it.
type reportOutput struct {
	format string
	file   *safefile.Pending
}

// reportOutputs are the --report files of one run.
type reportOutputs []reportOutput

func prepareReports(specs []string) (reportOutputs, error) {
	var out reportOutputs
	for _, spec := range specs {
		format, path, ok := strings.Cut(spec, "=")
		if _, known := reportFormats[format]; !ok || !known || path == "" {
			out.discard()
			return nil, usageErrorf("--report %q: want json=FILE, junit=FILE or html=FILE%s", spec, suggest.Hint(format, []string{"json", "junit", "html"}, nil))
		}
		file, err := safefile.CreatePending(path)
		if err != nil {
			out.discard()
			return nil, usageErrorf("--report %s=%v", format, err)
		}
		out = append(out, reportOutput{format, file})
	}
	return out, nil
}

// commit writes r into every temporary file and renames each over its
// FILE; the first error is returned, naming the flag.
func (outs reportOutputs) commit(r *contracts.Report) error {
	var first error
	for _, o := range outs {
		err := reportFormats[o.format](r, o.file)
		if err == nil {
			err = o.file.Commit()
		} else {
			o.file.Discard() // the old report, if any, stays
		}
		if err != nil && first == nil {
			first = fmt.Errorf("--report %s=%w", o.format, err)
		}
	}
	return first
}

// discard drops the files not committed.
func (outs reportOutputs) discard() {
	for _, o := range outs {
		o.file.Discard()
	}
}

// secretPlaceholder stands for a secret given literally on the command
// line: reproducing commands never contain the secret itself, and the
// shell variable reminds the reader to supply it.
const secretPlaceholder = "$SECRET"

// reproducer returns the command line that reruns one check alone with the
// same seed, the provider flags given (--provider, or --spec with --sign
// or --provider-file and --entity-key, or --provider-file), and every
// other flag given but those of reproduceOwn (and those of options the
// check does not use, which verify would refuse as changing nothing). A literal --secret is replaced by secretPlaceholder; env: and
// file: specs are kept.
func (o *verifyOpts) reproducer() func(check string, seed int64) string {
	fs := o.fs
	return func(check string, seed int64) string {
		uses := map[string]bool{}
		for _, c := range contracts.Checks() {
			if c.Name == check {
				for _, o := range c.Options {
					uses[optionFlags["contracts."+o]] = true
				}
			}
		}
		args := []string{"orderhooks", "verify"}
		add := func(flag, value string) { args = append(args, "--"+flag, shell.Quote(value)) }
		pf := o.provider
		if pf.name != "" {
			add("provider", pf.name)
		}
		if pf.spec != "" {
			add("spec", pf.spec)
		}
		if pf.sign != "" {
			add("sign", pf.sign)
		}
		for _, key := range pf.key {
			add("entity-key", key)
		}
		if pf.remoteRefs {
			args = append(args, "--allow-remote-refs")
		}
		if pf.file != "" {
			add("provider-file", pf.file)
		}
		if file := o.targets; file != "" {
			add("targets", file)
		} else {
			add("url", redact.URL(o.url))
			secret := o.secret
			if strings.HasPrefix(secret, wire.SecretEnvPrefix) || strings.HasPrefix(secret, wire.SecretFilePrefix) {
				add("secret", secret)
			} else {
				args = append(args, "--secret", secretPlaceholder)
			}
		}
		fs.VisitAll(func(f *pflag.Flag) {
			name := f.Name
			if _, own := reproduceOwn[name]; own || !fs.Changed(name) {
				return
			}
			if isContractsOption("--"+name) && !uses["--"+name] {
				return
			}
			v := f.Value
			switch sv, slice := v.(pflag.SliceValue); {
			case v.Type() == "bool":
				if v.String() == "true" {
					args = append(args, "--"+name)
				}
			case slice:
				add(name, strings.Join(sv.GetSlice(), ","))
			default:
				add(name, v.String())
			}
		})
		add("only", check)
		add("seed", fmt.Sprint(seed))
		return strings.Join(args, " ")
	}
}

// reproduceOwn are the flags of verify the reproducing command writes
// itself or leaves out, and why; every other flag given is kept as given
// (in the flag set's order), so a flag that changes what is generated,
// sent or judged (--schema-overlay, --shard, --probe…) cannot be
// forgotten. TestReproducerKeepsEveryFlag holds the list to the flag set.
var reproduceOwn = map[string]string{
	"provider":          "written first, with the other provider flags",
	"provider-file":     "written first, with the other provider flags",
	"spec":              "written first, with the other provider flags",
	"sign":              "written first, with the other provider flags",
	"entity-key":        "written first, with the other provider flags",
	"allow-remote-refs": "written first, with the other provider flags",
	"url":               "written with the secret, redacted",
	"secret":            "a literal secret is replaced by $SECRET",
	"targets":           "written instead of --url and --secret",
	"only":              "the command reruns one check: --only CHECK",
	"skip":              "the command reruns one check: --only CHECK",
	"seed":              "the command writes the run's seed",
	"list":              "lists the checks and runs nothing",
	"report":            "where reports are written, not what is judged",
	"record":            "where the run is recorded, not what is judged",
	"deadline":          "bounds the whole run, not one check",
}

// isContractsOption reports whether flag sets an option some check uses
// (and verify refuses when no selected check does).
func isContractsOption(flag string) bool {
	for _, c := range contracts.Checks() {
		for _, o := range c.Options {
			if optionFlags["contracts."+o] == flag {
				return true
			}
		}
	}
	return false
}
