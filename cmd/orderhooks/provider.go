package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/shell"
	"github.com/orderhooks/orderhooks/internal/suggest"
	"github.com/orderhooks/orderhooks/provider"
	"github.com/orderhooks/orderhooks/wire"
)

// providerCommand lists, shows or checks definitions. check prints every
// problem of the file, one "FILE:LINE: POINTER: message" a line on stderr,
// and exits 2; a good file gets one line naming what it defines.
//
// check --spec SPEC (with --sign or --provider-file) checks an imported
// document as the commands taking --spec read it, printing every problem.
func providerCommand() *command {
	var inline bool
	var p providerFlags
	fs := newFlagSet("provider")
	fs.BoolVar(&inline, "inline", false, "show: write the built-in payload schemas out in full, for a file that stands alone")
	p.bindFile(fs)
	p.bindSpec(fs)
	return &command{
		name:    "provider",
		summary: "list the built-in provider definitions, print one as an editable file, or check a definition file or an imported document",
		args:    "[list]\nshow NAME\ncheck FILE\ncheck --spec SPEC (--sign standard | --provider-file FILE)",
		fs:      fs,
		run: func(ctx context.Context, e *env) error {
			return runProvider(ctx, fs.Args(), inline, p, e)
		},
	}
}

func runProvider(ctx context.Context, args []string, inline bool, p providerFlags, e *env) error {
	switch {
	case len(args) == 1 && args[0] == "check" && p.spec != "":
		return checkDefinition(ctx, e, p.spec, p.specDefinition)
	case p.spec != "":
		return usageErrorf("--spec applies with check and no FILE: check --spec SPEC")
	case p.file != "" || p.sign != "" || p.remoteRefs || len(p.key) > 0:
		_, err := p.chooseSpec(ctx) // says which flag needs --spec
		if err == nil {
			err = usageErrorf("--provider-file applies with check --spec SPEC (check FILE checks a definition file)")
		}
		return err
	}
	switch {
	case len(args) == 2 && args[0] == "show":
		def, err := provider.Lookup(args[1])
		if err != nil {
			return usageError(err)
		}
		if inline {
			return def.WriteYAML(e.stdout, true)
		}
		_, err = e.stdout.Write(provider.BuiltinFile(args[1]))
		return err
	case len(args) == 2 && args[0] == "check":
		return checkDefinition(ctx, e, args[1], func(ctx context.Context) (*provider.Definition, error) {
			return provider.Load(args[1], provider.WithContext(ctx))
		})
	case len(args) == 0 || len(args) == 1 && args[0] == "list":
	case args[0] == "show" || args[0] == "check":
		return usageErrorf("%s needs one argument: %s", args[0], map[string]string{"show": "a built-in NAME (orderhooks provider lists them)", "check": "a definition FILE"}[args[0]])
	default:
		return usageErrorf("unknown action %q: want list, show NAME or check FILE%s", strings.Join(args, " "), suggest.Hint(args[0], []string{"list", "show", "check"}, nil))
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTITLE\tEVENTS\tSIGNING\tSOURCE")
	for _, name := range provider.Builtins() {
		def := provider.MustBuiltin(name)
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", name, def.Title(), len(def.EventNames()), signingSummary(def), def.Source())
	}
	return tw.Flush()
}

// signingSummary names a definition's signature schemes: "hmac-sha256
// (X-Phasio-Signature)".
func signingSummary(def *provider.Definition) string {
	s := def.Signing()
	if s == nil {
		return "none"
	}
	var algs []string
	for _, sc := range s.Schemes {
		a := sc.Algorithm
		if sc.Name != "" {
			a = sc.Name + " " + a
		}
		algs = append(algs, a)
	}
	return strings.Join(algs, ", ") + " (" + s.Header + ")"
}

// checkDefinition checks the definition load reads from path (a
// definition file, or a --spec document) as far as it can without
// sending anything: the format, the rules, schemas that compile,
// payloads generated from them that validate, lifecycles that play, and
// a profile compiled from it with a fresh secret that verifies its own
// request.
func checkDefinition(ctx context.Context, e *env, path string, load func(context.Context) (*provider.Definition, error)) error {
	def, err := load(ctx)
	if err == nil {
		err = def.Check(ctx)
	}
	if err != nil && ctx.Err() != nil {
		return interrupted(ctx, "checking "+path)
	}
	if err != nil {
		var ps provider.Problems
		var pe *provider.Error
		switch {
		case errors.As(err, &ps):
			for _, p := range ps {
				fmt.Fprintln(e.stderr, p.Error())
			}
		case errors.As(err, &pe):
			fmt.Fprintln(e.stderr, pe.Error())
		case errors.As(err, new(*cliError)):
			return err // the signing definition's, or a flag's
		default:
			return usageError(err)
		}
		return &cliError{code: exitUsage, silent: true}
	}
	if err := selfTest(ctx, def); err != nil {
		if ctx.Err() != nil {
			return interrupted(ctx, "checking "+path)
		}
		return usageErrorf("%s: %v", path, err)
	}
	if verrs := wire.CheckVectors(def); len(verrs) > 0 {
		for _, ve := range verrs {
			file, line := def.Locate(fmt.Sprintf("/vectors/%d", ve.Index))
			fmt.Fprintf(e.stderr, "%s:%d: /vectors/%d: %s\n", file, max(line, 1), ve.Index, oneLine(ve.Error()))
		}
		return &cliError{code: exitUsage, silent: true}
	}
	fmt.Fprintf(e.stdout, "%s: %s (%s): %d events, signing %s; requests built and verified%s\n", path, def.Name(), def.Title(),
		len(def.EventNames()), signingSummary(def), vectorsNote(def))
	return nil
}

// selfTest compiles def with a fresh secret and verifies a request of
// each of its events built from a generated payload.
func selfTest(ctx context.Context, def *provider.Definition) error {
	secret := ""
	if def.Signing() != nil {
		var err error
		if secret, err = wire.NewDefinitionSecret(def, "", rand.Reader); err != nil {
			return err
		}
	}
	p, err := wire.Compile(def, secret)
	if err != nil {
		return err
	}
	if def.Generator() != "" || len(def.Events()) == 0 {
		return nil // the named generators' payloads are tested with the built-ins
	}
	for _, sc := range generator.DefinitionScenarios(def) {
		if !strings.HasPrefix(sc, generator.SingleEventScenario) {
			continue
		}
		evs, err := generator.FromDefinition(def, 1, sc, 1, false, generator.WithContext(ctx))
		if err != nil {
			return err
		}
		req, err := p.Build(&wire.Message{Event: evs[0], ID: "check-1", Time: evs[0].At}, wire.FaultNone)
		if err != nil {
			return fmt.Errorf("%s: %w", evs[0].Event, err)
		}
		chk, err := wire.Compile(def, secret, clockAt(def, evs[0])...)
		if err != nil {
			return err
		}
		if _, err := chk.Verify(req.Header, req.Body); err != nil {
			return fmt.Errorf("%s: a request of its own does not verify: %s", evs[0].Event, wire.Reason(err))
		}
	}
	return nil
}

// clockAt is the option that sets a profile's clock to an event's send
// time, for definitions with a timestamp.
func clockAt(def *provider.Definition, ev *generator.Event) []wire.Option {
	if def.Timestamp() == nil {
		return nil
	}
	at := ev.At
	return []wire.Option{wire.WithClock(func() time.Time { return at })}
}

// chosen is the provider a command runs with: a built-in's definition
// (--provider NAME) or a definition file (--provider-file FILE).
type chosen struct {
	name string
	def  *provider.Definition
	file string // "" for a built-in
}

// providerFlags are --provider and --provider-file, bound by bind.
type providerFlags struct {
	name       string
	file       string
	spec       string // --spec, bound by bindSpec
	sign       string
	remoteRefs bool
	key        []string // --entity-key, bound by bindSpec
}

// providerFileUsage is the help of --provider-file, the same everywhere.
const providerFileUsage = "a provider definition `FILE` (YAML or JSON; see 'orderhooks provider') instead of --provider"

// bind registers --provider (with usage) and --provider-file on fs.
func (p *providerFlags) bind(fs *pflag.FlagSet, usage string) {
	fs.StringVar(&p.name, "provider", "", usage)
	p.bindFile(fs)
}

// bindFile registers --provider-file alone.
func (p *providerFlags) bindFile(fs *pflag.FlagSet) {
	fs.StringVar(&p.file, "provider-file", "", providerFileUsage)
}

// Help of --spec, --sign and --allow-remote-refs.
const (
	specUsage       = "an OpenAPI 3.1 or AsyncAPI 3 document (YAML or JSON) whose webhooks or send operations are the events; signed as --sign or --provider-file says"
	signUsage       = "with --spec: sign as this built-in definition does (standard: Standard Webhooks)"
	remoteRefsUsage = "with --spec: let the document's $refs name http(s) URLs (fetched with a 10 s timeout)"
	entityKeyUsage  = "with --spec: the JSON `POINTER` of the entity key in the payloads (repeat for fallbacks, the first present wins), in place of --provider-file's events.import.key; ordering, deduplication, probes and distinct generated keys read it"
)

// bindSpec registers --spec, --sign, --allow-remote-refs and
// --entity-key.
func (p *providerFlags) bindSpec(fs *pflag.FlagSet) {
	fs.StringVar(&p.spec, "spec", "", specUsage)
	fs.StringVar(&p.sign, "sign", "", signUsage)
	fs.BoolVar(&p.remoteRefs, "allow-remote-refs", false, remoteRefsUsage)
	fs.StringArrayVar(&p.key, "entity-key", nil, entityKeyUsage)
}

// chooseSpec reads --spec with the signing of --sign or --provider-file,
// under ctx: a SIGINT or SIGTERM while a large document loads ends the
// command at once (exit 1).
func (p providerFlags) chooseSpec(ctx context.Context) (*chosen, error) {
	if p.spec == "" {
		_, err := p.specDefinition(ctx)
		return nil, err
	}
	def, err := p.specDefinition(ctx)
	if err != nil {
		var ce *cliError
		if errors.As(err, &ce) {
			return nil, err
		}
		return nil, definitionError(ctx, p.checkArgs(), p.spec, err)
	}
	return &chosen{name: def.Name(), def: def, file: p.spec}, nil
}

// specDefinition is the definition of --spec with the signing of --sign
// or --provider-file (nil when --spec is not given, an error when a flag
// needing it is), FromSpec's problems as it returns them.
func (p providerFlags) specDefinition(ctx context.Context) (*provider.Definition, error) {
	spec, sign, remote, file := p.spec, p.sign, p.remoteRefs, p.file
	if spec == "" {
		switch {
		case sign != "":
			return nil, usageErrorf("--sign applies with --spec")
		case remote:
			return nil, usageErrorf("--allow-remote-refs applies with --spec")
		case len(p.key) > 0:
			return nil, usageErrorf("--entity-key applies with --spec (a definition file names its key in events.key)")
		}
		return nil, nil
	}
	if p.name != "" {
		return nil, usageErrorf("--provider and --spec exclude each other (--spec FILE --sign standard, or --provider-file for the signing)")
	}
	var signer *provider.Definition
	switch {
	case sign != "" && file != "":
		return nil, usageErrorf("--sign and --provider-file exclude each other: one says how requests are signed")
	case sign == "standard":
		signer, _ = provider.Lookup("standard")
	case sign != "":
		return nil, usageErrorf("--sign %q: only standard (Standard Webhooks) signs an imported document; other signing comes from --provider-file FILE%s", sign, suggest.Hint(sign, []string{"standard"}, nil))
	case file != "":
		// only its signing is used: the document its events.import
		// names, if any, is --spec's
		def, err := provider.LoadSigning(file, provider.WithContext(ctx))
		if err != nil {
			return nil, definitionError(ctx, shell.Quote(file), file, err)
		}
		signer = def
	default:
		return nil, usageErrorf("--spec needs a signing scheme: --sign standard, or --provider-file FILE with a signing section")
	}
	opts := []provider.Option{provider.WithRemoteRefs(remote), provider.WithContext(ctx)}
	if len(p.key) > 0 {
		opts = append(opts, provider.WithKey(p.key...))
	}
	def, err := provider.FromSpec(spec, signer, opts...)
	var oe *provider.OptionError
	if errors.As(err, &oe) && ctx.Err() == nil {
		return nil, usageError(err) // --entity-key's, worded for the flag by explain
	}
	return def, err
}

// checkArgs are the arguments of `orderhooks provider check` that list
// every problem of the --spec document as these flags read it.
func (p providerFlags) checkArgs() string {
	args := []string{"--spec", p.spec}
	if p.sign != "" {
		args = append(args, "--sign", p.sign)
	}
	if p.file != "" {
		args = append(args, "--provider-file", p.file)
	}
	if p.remoteRefs {
		args = append(args, "--allow-remote-refs")
	}
	for _, k := range p.key {
		args = append(args, "--entity-key", k)
	}
	for i, a := range args {
		args[i] = shell.Quote(a)
	}
	return strings.Join(args, " ")
}

// choose reads --spec (see chooseSpec), or --provider or --provider-file:
// at most one; nil when none is given. A definition file's problems are
// exit 2 with the first as FILE:LINE: POINTER: message; an unknown
// --provider is the library's error, worded for the flag by explain.
func (p providerFlags) choose(ctx context.Context) (*chosen, error) {
	if c, err := p.chooseSpec(ctx); c != nil || err != nil {
		return c, err
	}
	name, file := p.name, p.file
	switch {
	case name != "" && file != "":
		return nil, usageErrorf("--provider and --provider-file exclude each other")
	case file != "":
		def, err := provider.Load(file, provider.WithContext(ctx))
		if err != nil {
			return nil, definitionError(ctx, shell.Quote(file), file, err)
		}
		return &chosen{name: def.Name(), def: def, file: file}, nil
	case name != "":
		def, err := provider.Lookup(name)
		if err != nil {
			return nil, usageError(err)
		}
		return &chosen{name: name, def: def}, nil
	}
	return nil, nil
}

// definitionError is the one-line error of a definition file or --spec
// document that does not read: its first problem, and how many more
// there are, with the `provider check` arguments (check) that list them;
// or, when ctx ended while it was read, that the command was interrupted.
func definitionError(ctx context.Context, check, file string, err error) error {
	if ctx.Err() != nil {
		return interrupted(ctx, "reading "+file)
	}
	var ps provider.Problems
	if errors.As(err, &ps) && len(ps) > 1 {
		return usageErrorf("%s (and %d more problems: orderhooks provider check %s lists them)", ps[0].Error(), len(ps)-1, check)
	}
	return usageErrorf("%v", err)
}

// profile builds the chosen provider's profile with secrets.
func (c *chosen) profile(secrets []string, opts ...wire.Option) (wire.Profile, error) {
	if c.file == "" {
		return wire.New(c.name, secrets, opts...)
	}
	return wire.NewFromDefinition(c.def, secrets, opts...)
}

// loadTargets reads a targets file for the chosen provider.
func (c *chosen) loadTargets(path string, getenv func(string) string) (emitter.Targets, error) {
	if c.file == "" {
		return emitter.LoadTargets(path, c.name, getenv)
	}
	return emitter.LoadTargetsFor(path, c.def, getenv)
}

// schemaDriven reports whether the chosen provider's payloads come from
// its events' schemas (no named generator of its own or carried).
func (c *chosen) schemaDriven() bool {
	return c.def.Generator() == "" && len(c.def.Origins()) == 0
}

// eventNames are the event names the chosen provider's deliveries carry.
func (c *chosen) eventNames() []string {
	if c.file == "" {
		return eventNames(c.name)
	}
	return c.def.EventNames()
}

// generatorName is the named generator whose events the chosen provider
// sends: its own, or for a definition carrying other definitions' events
// (Standard Webhooks) the scenario's platform, Phasio by default.
func (c *chosen) generatorName(scenario string) (string, error) {
	if g := c.def.Generator(); g != "" {
		return g, nil
	}
	if len(c.def.Origins()) > 0 {
		return generatorProvider(scenario, wire.ProviderStandard)
	}
	return "", nil
}

// blocks reports whether the chosen provider's queue blocks on a failed
// delivery (HappyColis).
func (c *chosen) blocks() bool {
	d := c.def.Delivery()
	return d.Ordering == provider.OrderingFIFO && d.OnFailure == provider.OnFailureBlock
}

// checkChosenEvent is checkEventName for the chosen provider (nil: an
// exact replay, either platform's events).
func checkChosenEvent(flag, name string, c *chosen) error {
	if c == nil || c.file == "" {
		provider := ""
		if c != nil {
			provider = c.name
		}
		return checkEventName(flag, name, provider)
	}
	known := c.eventNames()
	if slices.Contains(known, name) {
		return nil
	}
	return usageErrorf("--%s %q: not an event of %s%s; known: %s", flag, name, c.file, suggest.Hint(name, known, nil), strings.Join(known, ", "))
}

// contractsProvider is the chosen provider for the contract suite.
func (c *chosen) contractsProvider(secret string) (contracts.Provider, error) {
	if c.file == "" {
		return contracts.NewProvider(c.name, secret)
	}
	return contracts.NewProviderFromDefinition(c.def, secret)
}

// vectorsNote says how many documented examples were reproduced.
func vectorsNote(def *provider.Definition) string {
	n := 0
	for _, v := range def.Vectors() {
		if v.Expect.Error == "" {
			n++
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("; %d documented examples reproduced", n)
}
