// Command orderhooks contract-tests the services that receive order webhooks.
//
// Each subcommand lives in its own file as a constructor (signCommand…)
// that binds its flags to an options struct; commandTable lists them in
// help order. main only parses the subcommand name, runs it, and maps its
// error to an exit code in one place (see exitCode).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/orderhooks/orderhooks/internal/input"
	"github.com/orderhooks/orderhooks/internal/shell"
	"github.com/orderhooks/orderhooks/internal/suggest"
	"github.com/orderhooks/orderhooks/provider"
	"github.com/orderhooks/orderhooks/wire"
)

// version is overridden at build time with -ldflags "-X main.version=…".
var version = "dev"

// env is everything a subcommand may touch outside its arguments, so tests
// can run commands in-process with their own streams and environment.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// tty reports whether stderr is a terminal (progress and colour go there).
	tty    bool
	getenv func(string) string
}

// command is one subcommand, built fresh by its constructor: its flags are
// bound to the fields of an options struct the run closure reads, so help
// can print them without running anything.
type command struct {
	name    string
	summary string // one line for `orderhooks help`
	// args are the positional arguments of the usage line ("[FILE|-]");
	// one form of the command a line when it has several ("list", "show NAME").
	args string
	fs   *pflag.FlagSet
	run  func(ctx context.Context, e *env) error
}

// commandTable lists every command's constructor, in the order `orderhooks
// help` shows them.
var commandTable = []func() *command{
	demoCommand,
	validateCommand,
	schemaCommand,
	generateCommand,
	scenariosCommand,
	providerCommand,
	emitCommand,
	replayCommand,
	receiveCommand,
	captureCommand,
	decryptCommand,
	driftCommand,
	inspectCommand,
	secretCommand,
	scenarioCommand,
	signCommand,
	mergeCommand,
	verifyCommand,
}

// allCommands builds every command, in help order.
func allCommands() []*command {
	cs := make([]*command, len(commandTable))
	for i, mk := range commandTable {
		cs[i] = mk()
	}
	return cs
}

// lookupCommand builds the command called name; nil when there is none.
func lookupCommand(name string) *command {
	for _, c := range allCommands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

// newFlagSet is a command's empty FlagSet: errors are returned, not printed.
func newFlagSet(name string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], &env{
		stdin:  os.Stdin,
		stdout: os.Stdout,
		stderr: os.Stderr,
		tty:    term.IsTerminal(int(os.Stderr.Fd())),
		getenv: os.Getenv,
	})
	stop()
	os.Exit(code)
}

// run executes one command line and returns the process exit code.
func run(ctx context.Context, args []string, e *env) int {
	if len(args) == 0 {
		printHelp(e.stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "--help", "help":
		if len(args) > 1 && args[0] == "help" && args[1] == "wire" {
			return helpWire(e, args[2:])
		}
		if len(args) > 1 && args[0] == "help" {
			c := lookupCommand(args[1])
			if c == nil {
				return report(e, "", unknownCommand(args[1]), nil)
			}
			printCommandHelp(e.stdout, c)
			return exitOK
		}
		printHelp(e.stdout)
		return exitOK
	case "-v", "--version", "version":
		fmt.Fprintf(e.stdout, "orderhooks %s\n", version)
		return exitOK
	}
	c := lookupCommand(args[0])
	if c == nil {
		return report(e, "", unknownCommand(args[0]), nil)
	}
	fs := c.fs
	if err := fs.Parse(args[1:]); err != nil {
		if err == pflag.ErrHelp {
			printCommandHelp(e.stdout, c)
			return exitOK
		}
		return report(e, c.name, flagParseError(c.name, fs, err), fs)
	}
	if err := checkFlagValues(fs); err != nil {
		return report(e, c.name, err, fs)
	}
	if err := checkRequired(fs); err != nil && !c.actionMissing(fs.Args()) {
		return report(e, c.name, err, fs)
	}
	return report(e, c.name, c.run(ctx, e), fs)
}

// unknownCommand is the error of a command name that is none, with the
// closest one.
func unknownCommand(name string) error {
	var names []string
	for _, c := range allCommands() {
		names = append(names, c.name)
	}
	sort.Strings(names)
	return usageErrorf("unknown command %q%s (run 'orderhooks help')", name, suggest.Hint(name, names, nil))
}

// flagNames are the names of a FlagSet's flags ("--url", and "-H" for
// shorthands), for "did you mean".
func flagNames(fs *pflag.FlagSet) []string {
	var names []string
	fs.VisitAll(func(f *pflag.Flag) {
		names = append(names, "--"+f.Name)
		if f.Shorthand != "" {
			names = append(names, "-"+f.Shorthand)
		}
	})
	sort.Strings(names)
	return names
}

func printHelp(w io.Writer) {
	fmt.Fprintf(w, "orderhooks contract-tests the services that receive order webhooks (Phasio, HappyColis, Standard Webhooks).\n\n")
	fmt.Fprintf(w, "Usage:\n  orderhooks <command> [flags] [args]\n\nCommands:\n")
	for _, c := range allCommands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'orderhooks help <command>' for a command's flags, 'orderhooks help wire [PROVIDER | FILE]' for what each platform, or a provider definition file, puts on the wire. 'orderhooks --version' prints the version.\n")
	fmt.Fprintf(w, "Exit codes: %s.\n", exitCodeSummary())
}

// printCommandHelp prints c's summary, usage and flags; c is built fresh
// (help never runs it).
func printCommandHelp(w io.Writer, c *command) {
	fmt.Fprintf(w, "%s\n\nUsage:\n  %s\n", c.summary, strings.Join(c.usage(), "\n  "))
	if fs := c.fs; fs.HasFlags() {
		fmt.Fprintf(w, "\nFlags:\n%s", fs.FlagUsages())
	}
}

// checkFlagValues applies the flag-value limit to every flag given.
func checkFlagValues(fs *pflag.FlagSet) error {
	var err error
	fs.Visit(func(f *pflag.Flag) {
		if err == nil {
			err = input.CheckFlag("--"+f.Name, f.Value.String())
		}
	})
	for _, a := range fs.Args() {
		if err == nil {
			err = input.CheckFlag("argument", a)
		}
	}
	return err
}

// helpWire prints the wire format of every profile, or of the one named.
func helpWire(e *env, args []string) int {
	formats := wire.Formats()
	if len(args) == 1 && isDefinitionFile(args[0]) {
		def, err := provider.Load(args[0])
		if err != nil {
			return report(e, "help wire", definitionError(context.Background(), shell.Quote(args[0]), args[0], err), nil)
		}
		_ = wire.FormatOf(def, args[0]).WriteText(e.stdout) // stdout: nothing to do on a failed write
		return exitOK
	}
	if len(args) > 1 {
		return report(e, "help wire", usageErrorf("one PROVIDER at most (%s)", strings.Join(wire.Providers(), ", ")), nil)
	}
	for i, f := range formats {
		if len(args) == 1 && f.Provider != args[0] {
			continue
		}
		if i > 0 && len(args) == 0 {
			fmt.Fprintln(e.stdout)
		}
		_ = f.WriteText(e.stdout) // stdout: nothing to do on a failed write
		if len(args) == 1 {
			return exitOK
		}
	}
	if len(args) == 1 {
		return report(e, "help wire", usageErrorf("unknown provider %q (%s)%s", args[0], strings.Join(wire.Providers(), ", "),
			suggest.Hint(args[0], wire.Providers(), nil)), nil)
	}
	return exitOK
}

// isDefinitionFile reports whether an argument of help wire names a
// definition file rather than a built-in.
func isDefinitionFile(arg string) bool {
	switch strings.ToLower(filepath.Ext(arg)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return strings.ContainsRune(arg, filepath.Separator)
}
