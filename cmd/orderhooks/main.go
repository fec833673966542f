// Command orderhooks contract-tests the services that receive order webhooks.
//
// Each subcommand lives in its own file and registers itself with register;
// main only parses the subcommand name, runs it, and maps its error to an
// exit code in one place (see exitCode).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/orderhooks/orderhooks/internal/input"
	"github.com/orderhooks/orderhooks/internal/redact"
	"github.com/orderhooks/orderhooks/internal/suggest"
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

// command is one subcommand. flags builds a fresh FlagSet (so help can print
// it without running anything); run receives the parsed FlagSet.
type command struct {
	name    string
	summary string // one line for `orderhooks help`
	usage   string // "orderhooks NAME [flags] ARGS…"
	order   int    // position in `orderhooks help`
	flags   func() *pflag.FlagSet
	run     func(ctx context.Context, fs *pflag.FlagSet, e *env) error
}

var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("orderhooks: command registered twice: " + c.name)
	}
	commands[c.name] = c
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
			c, ok := commands[args[1]]
			if !ok {
				fmt.Fprintf(e.stderr, "orderhooks: unknown command %q (run 'orderhooks help')\n", args[1])
				return exitUsage
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
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "orderhooks: unknown command %q (run 'orderhooks help')\n", args[0])
		return exitUsage
	}
	fs := c.flags()
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if err := fs.Parse(args[1:]); err != nil {
		if err == pflag.ErrHelp {
			printCommandHelp(e.stdout, c)
			return exitOK
		}
		fmt.Fprintf(e.stderr, "orderhooks %s: %v (run 'orderhooks help %s')\n", c.name, err, c.name)
		return exitUsage
	}
	if err := checkFlagValues(fs); err != nil {
		fmt.Fprintf(e.stderr, "orderhooks %s: %s\n", c.name, oneLine(err.Error()))
		return exitUsage
	}
	err := c.run(ctx, fs, e)
	code := exitCode(err)
	if err != nil && !isSilent(err) {
		fmt.Fprintf(e.stderr, "orderhooks %s: %s\n", c.name, oneLine(err.Error()))
	}
	return code
}

func sortedCommands() []*command {
	cs := make([]*command, 0, len(commands))
	for _, c := range commands {
		cs = append(cs, c)
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].order != cs[j].order {
			return cs[i].order < cs[j].order
		}
		return cs[i].name < cs[j].name
	})
	return cs
}

func printHelp(w io.Writer) {
	fmt.Fprintf(w, "orderhooks contract-tests the services that receive order webhooks (Phasio, HappyColis, Standard Webhooks).\n\n")
	fmt.Fprintf(w, "Usage:\n  orderhooks <command> [flags] [args]\n\nCommands:\n")
	for _, c := range sortedCommands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'orderhooks help <command>' for a command's flags, 'orderhooks help wire [PROVIDER]' for what each platform puts on the wire. 'orderhooks --version' prints the version.\n")
	fmt.Fprintf(w, "Exit codes: 0 ok, 1 a check, delivery or document failed, 2 usage or configuration error, 3 target unreachable.\n")
}

func printCommandHelp(w io.Writer, c *command) {
	fmt.Fprintf(w, "%s\n\nUsage:\n  %s\n", c.summary, c.usage)
	fs := c.flags()
	if fs.HasFlags() {
		fmt.Fprintf(w, "\nFlags:\n%s", fs.FlagUsages())
	}
}

// oneLine makes an error message one readable line: newlines joined,
// URL credentials redacted, and a message quoting a huge value shortened.
func oneLine(s string) string {
	return input.Truncate(redact.Text(strings.ReplaceAll(strings.TrimSpace(s), "\n", "; ")))
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

// rawStrings returns a repeatable string flag's values exactly as given:
// pflag's GetStringArray round-trips them through CSV, which turns CR LF
// into LF.
func rawStrings(fs *pflag.FlagSet, name string) []string {
	if sv, ok := fs.Lookup(name).Value.(pflag.SliceValue); ok {
		return sv.GetSlice()
	}
	return nil
}

// helpWire prints the wire format of every profile, or of the one named.
func helpWire(e *env, args []string) int {
	formats := wire.Formats()
	if len(args) > 1 {
		fmt.Fprintf(e.stderr, "orderhooks help wire: one PROVIDER at most (%s)\n", strings.Join(wire.Providers(), ", "))
		return exitUsage
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
		fmt.Fprintf(e.stderr, "orderhooks help wire: unknown provider %q (%s)%s\n", args[0], strings.Join(wire.Providers(), ", "), suggest.Hint(args[0], wire.Providers(), nil))
		return exitUsage
	}
	return exitOK
}
