package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/errs"
	"github.com/orderhooks/orderhooks/internal/input"
	"github.com/orderhooks/orderhooks/internal/redact"
	"github.com/orderhooks/orderhooks/internal/suggest"
	"github.com/orderhooks/orderhooks/provider"
	"github.com/orderhooks/orderhooks/receiver"
	"github.com/orderhooks/orderhooks/wire"
)

// This file is the one place where an error becomes what the user sees:
// its exit code (errorClasses), the flag it is about (optionFlags and
// errorClasses), and its one-line message (explain). Commands return the
// libraries' errors as they are; the libraries never name a flag.

// Exit codes, shared by every subcommand.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitUnreachable = 3
)

// exitCodes is the one table of what the exit codes mean: `orderhooks
// help` and the table of docs/cli.md are generated from it.
var exitCodes = []struct {
	code    int
	short   string // for `orderhooks help`
	meaning string // for docs/cli.md
}{
	{exitOK, "ok",
		"every check passed or warned; every valid delivery ended 2xx and every forgery was rejected with 4xx; every document valid"},
	{exitFailure, "a check, delivery or document failed",
		"a check failed or was inconclusive, `verify` stopped early (three deliveries in a row without an answer, or `--deadline`), a valid delivery did not end 2xx, a forgery was accepted or not rejected, a document is invalid (a recovered internal error included), or the run was interrupted"},
	{exitUsage, "usage or configuration error",
		"usage or configuration error: a flag, file, secret or scenario named in the one-line message; an input over its limit (see [limits.md](limits.md)), not UTF-8, a directory, or unreadable; a `replay` filter that matches no event"},
	{exitUnreachable, "target unreachable",
		"the target was unreachable before anything was sent (`verify`: its preflight delivery got no answer in three tries)"},
}

// exitCodeSummary is the one-line form of exitCodes.
func exitCodeSummary() string {
	parts := make([]string, len(exitCodes))
	for i, c := range exitCodes {
		parts[i] = fmt.Sprintf("%d %s", c.code, c.short)
	}
	return strings.Join(parts, ", ")
}

// errorClasses maps the libraries' classes of errors to exit codes and,
// for a class about one flag's value or file, to that flag (used when the
// command has it). The first class an error matches decides; an error of
// no class is a failure (1).
var errorClasses = []struct {
	match func(error) bool
	code  int
	flag  string
}{
	{is(emitter.ErrUnreachable), exitUnreachable, ""},
	{is(contracts.ErrUnreachable), exitUnreachable, ""},
	{is(emitter.ErrInterrupted), exitFailure, ""},
	{is(emitter.ErrTargets), exitUsage, "--targets"},
	{is(emitter.ErrClientConfig), exitUsage, "--ca-file"},
	{is(generator.ErrScenario), exitUsage, "--scenario"},
	{is(generator.ErrEventFormat), exitUsage, ""},
	{is(emitter.ErrNoMatch), exitUsage, ""},
	{is(emitter.ErrProviderMismatch), exitUsage, ""},
	{is(emitter.ErrRecordFormat), exitUsage, ""},
	{as[*errs.OptionError], exitUsage, ""},
	{as[*input.Error], exitUsage, ""},
	{is(wire.ErrBadSecret), exitUsage, "--secret"},
	{is(wire.ErrOptions), exitUsage, ""},
	{is(emitter.ErrOptions), exitUsage, ""},
	{is(generator.ErrOptions), exitUsage, ""},
	{is(receiver.ErrOptions), exitUsage, ""},
	{is(contracts.ErrConfig), exitUsage, ""},
	{is(provider.ErrDefinition), exitUsage, ""},
	{is(provider.ErrUnknownProvider), exitUsage, ""},
}

func is(class error) func(error) bool { return func(err error) bool { return errors.Is(err, class) } }

func as[T error](err error) bool {
	var t T
	return errors.As(err, &t)
}

// optionFlags maps the libraries' options ("package.Option" or
// "package.Option.Field", as an *errs.OptionError names them) to the flag
// that sets them.
var optionFlags = map[string]string{
	"wire.provider":           "--provider",
	"wire.secret":             "--secret",
	"wire.WithDefaultTrigger": "--trigger",

	"emitter.Target.URL":                              "--url",
	"emitter.WithConcurrency":                         "--concurrency",
	"emitter.WithRate":                                "--rate",
	"emitter.WithRetries":                             "--retries",
	"emitter.WithBackoff":                             "--backoff",
	"emitter.WithTimeout":                             "--timeout",
	"emitter.WithHeader":                              "--header",
	"emitter.WithFaults.Duplicate":                    "--duplicate",
	"emitter.WithFaults.Reorder":                      "--reorder",
	"emitter.WithFaults.Delay":                        "--delay",
	"emitter.WithFaults.Tamper":                       "--tamper",
	"emitter.WithFaults.BadSignature":                 "--bad-signature",
	"emitter.WithFaults.WrongKey":                     "--wrong-key",
	"emitter.WithFaults.Tamper+BadSignature+WrongKey": "--tamper, --bad-signature and --wrong-key",
	"emitter.ReplayOptions.Speed":                     "--speed",
	"emitter.ReplayOptions.Exact":                     "--exact",
	"emitter.ClientOptions.CAFile":                    "--ca-file",
	"emitter.ClientOptions.Timeout":                   "--timeout",

	"generator.provider":     "--provider",
	"generator.scenario":     "--scenario",
	"generator.WithOrders":   "--orders",
	"generator.WithStart":    "--start",
	"generator.WithKanban":   "--kanban",
	"generator.WithEdge":     "--edge",
	"generator.WithDrift":    "--drift",
	"generator.WithScenario": "--scenario",

	"receiver.WithBodyLimit": "--max-body",
	"receiver.WithInflight":  "--max-inflight",
	"receiver.WithConns":     "--max-conns",

	"schemas.name": "--schema",

	"provider.provider": "--provider",
	"provider.WithKey":  "--entity-key",

	"payloads.Options.Provider": "--provider",

	"capture.Filter.Provider": "--provider",
	"capture.Filter.Event":    "--event",
	"capture.Filter.Verdict":  "--verdict",
	"capture.Filter.Status":   "--status",

	"contracts.provider":           "--provider",
	"contracts.WithOnly":           "--only",
	"contracts.WithSkip":           "--skip",
	"contracts.WithCompare":        "--compare",
	"contracts.WithProbe":          "--probe",
	"contracts.WithSLO":            "--slo",
	"contracts.WithTimeout":        "--timeout",
	"contracts.WithDeadline":       "--deadline",
	"contracts.WithResponseSchema": "--response-schema",
	"contracts.WithSaveFailures":   "--save-failures",
	"contracts.Provider":           "--provider",
}

// optionHints are what a message about an option's value adds, by the
// class of the error: where the user finds the accepted values when the
// message cannot list them.
var optionHints = []struct {
	class error
	hint  string
}{
	{contracts.ErrUnknownCheck, "orderhooks verify --list prints the checks"},
}

// cliError is an error the command line itself is at fault for (a flag
// missing, two flags that exclude each other, an argument too many), or a
// library error worded for it: its exit code and message. A silent one
// has been reported already (a validation report was printed).
type cliError struct {
	code   int
	msg    string
	err    error
	silent bool
}

func (e *cliError) Error() string {
	if e.msg == "" && e.err != nil {
		return e.err.Error()
	}
	return e.msg
}

func (e *cliError) Unwrap() error { return e.err }

// usageErrorf reports bad flags, arguments or configuration (exit 2); the
// message names the flag, file or argument first.
func usageErrorf(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	return &cliError{code: exitUsage, msg: err.Error(), err: errors.Unwrap(err)}
}

// flagError is a usage error (exit 2) about the value of flag: the flag,
// then what is wrong, worded without the library's package and option
// ("--secret: environment variable NOPE is empty or unset"), for the
// flags optionFlags cannot name (one option, several flags).
func flagError(flag string, err error) error {
	detail := withoutPackage(err.Error())
	var oe *errs.OptionError
	if errors.As(err, &oe) {
		detail = oe.Detail()
	}
	return &cliError{code: exitUsage, msg: flag + ": " + detail, err: err}
}

// usageError marks err as a usage or configuration error (exit 2), its
// message as explain words it.
func usageError(err error) error {
	if err == nil {
		return nil
	}
	return &cliError{code: exitUsage, err: err}
}

// failedSilently means "the command already printed why; exit 1".
// interrupted is the error of a command stopped by SIGINT or SIGTERM
// while it read its input, before anything was written or sent: exit 1,
// as for any interrupted run, the message naming what was being read.
func interrupted(ctx context.Context, what string) error {
	return &cliError{code: exitFailure, msg: "interrupted while " + what, err: ctx.Err()}
}

func failedSilently() error { return &cliError{code: exitFailure, silent: true} }

func isSilent(err error) bool {
	var ce *cliError
	return errors.As(err, &ce) && ce.silent
}

// report prints err, when there is one, as "orderhooks COMMAND: message"
// on stderr, and returns the exit code.
func report(e *env, cmd string, err error, fs *pflag.FlagSet) int {
	if err == nil {
		return exitOK
	}
	code, msg := explain(err, fs)
	if msg != "" {
		prefix := "orderhooks"
		if cmd != "" {
			prefix += " " + cmd
		}
		fmt.Fprintf(e.stderr, "%s: %s\n", prefix, oneLine(msg))
	}
	return code
}

// exitCode is the exit code of err.
func exitCode(err error) int {
	code, _ := explain(err, nil)
	return code
}

// explain returns err's exit code and its message for a command with the
// flags of fs (nil: none): the flag first when a flag is at fault, without
// the libraries' package names.
func explain(err error, fs *pflag.FlagSet) (int, string) {
	if err == nil {
		return exitOK, ""
	}
	has := flagSet(fs)
	var ce *cliError
	if errors.As(err, &ce) && (ce.msg != "" || ce.silent) {
		if ce.silent {
			return ce.code, ""
		}
		return ce.code, ce.msg
	}
	code, flag := exitFailure, ""
	for _, c := range errorClasses {
		if c.match(err) {
			code, flag = c.code, c.flag
			break
		}
	}
	if ce != nil {
		code = ce.code
	}
	var fe *errs.FileError
	var oe *errs.OptionError
	switch {
	case errors.As(err, &fe):
		// The file names itself; the problem is worded without packages.
	case errors.As(err, &oe):
		if msg, ok := optionMessage(oe, has); ok {
			return code, msg
		}
		if oe.Value != "" && oe.Option == strings.ToLower(oe.Option) {
			// A value given as an argument ("schema show NAME"): the value first.
			return code, errs.Shown(oe.Value) + ": " + oe.Detail()
		}
	}
	msg := withoutPackage(err.Error())
	if flag != "" && has[flag] {
		msg = flag + " " + msg
	}
	return code, msg
}

// optionMessage words an option error for the flag that sets the option:
// "--concurrency 0: must be between 1 and 10000".
func optionMessage(oe *errs.OptionError, has map[string]bool) (string, bool) {
	flag := optionFlags[oe.Package+"."+oe.Name()]
	if flag == "" {
		flag = optionFlags[oe.Package+"."+oe.Option]
	}
	if flag == "" || !has[strings.SplitN(flag, ",", 2)[0]] {
		return "", false
	}
	msg := flag
	if oe.Value != "" {
		msg += " " + errs.Shown(oe.Value)
	}
	msg += ": " + oe.Detail()
	for _, h := range optionHints {
		if errors.Is(oe, h.class) {
			msg += " (" + h.hint + ")"
			break
		}
	}
	if other := optionFlags[oe.Package+"."+oe.Other]; other != "" && has[other] {
		msg += " (" + other + ")"
	}
	return msg, true
}

// flagSet is the set of fs's flag names: "--url", and "-H" and "--header"
// for a flag with a shorthand.
func flagSet(fs *pflag.FlagSet) map[string]bool {
	has := map[string]bool{}
	if fs != nil {
		for _, n := range flagNames(fs) {
			has[n] = true
		}
	}
	return has
}

// libraries are the package names a library error may start with.
var libraries = []string{"wire", "emitter", "receiver", "contracts", "generator", "schemas", "capture", "provider", "drift", "pii", "inspect"}

// withoutPackage drops the package name a library error starts with.
func withoutPackage(msg string) string {
	for _, p := range libraries {
		if rest, ok := strings.CutPrefix(msg, p+": "); ok {
			return rest
		}
	}
	return msg
}

// flagParseError words pflag's errors: the flag first, the closest flag
// for an unknown one.
func flagParseError(cmd string, fs *pflag.FlagSet, err error) error {
	var (
		ne *pflag.NotExistError
		ve *pflag.InvalidValueError
		re *pflag.ValueRequiredError
	)
	switch {
	case errors.As(err, &ne) && ne.GetSpecifiedShortnames() != "":
		return usageErrorf("-%s: unknown flag (run 'orderhooks help %s')", ne.GetSpecifiedName(), cmd)
	case errors.As(err, &ne):
		name := "--" + ne.GetSpecifiedName()
		return usageErrorf("%s: unknown flag%s (run 'orderhooks help %s')", name, suggest.Hint(name, flagNames(fs), nil), cmd)
	case errors.As(err, &ve):
		return usageErrorf("--%s %s: %v", ve.GetFlag().Name, errs.Shown(ve.GetValue()), errors.Unwrap(err))
	case errors.As(err, &re):
		return usageErrorf("--%s: needs a value", re.GetFlag().Name)
	}
	return usageErrorf("%v (run 'orderhooks help %s')", err, cmd)
}

// oneLine makes an error message one readable line: newlines joined,
// URL credentials redacted, and a message quoting a huge value shortened.
func oneLine(s string) string {
	return input.Truncate(redact.Text(strings.ReplaceAll(strings.TrimSpace(s), "\n", "; ")))
}
