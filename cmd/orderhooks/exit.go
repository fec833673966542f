package main

import (
	"errors"
	"fmt"

	"github.com/orderhooks/orderhooks/internal/input"
)

// Exit codes, shared by every subcommand.
const (
	exitOK          = 0 // everything passed
	exitFailure     = 1 // a check, delivery or document failed
	exitUsage       = 2 // bad flags, arguments or configuration
	exitUnreachable = 3 // the target could not be reached at start
)

// exitError attaches an exit code to an error. silent errors have already
// been reported (e.g. a validation report was printed) and are not printed
// again by run.
type exitError struct {
	code   int
	err    error
	silent bool
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageErrorf reports bad flags, arguments or configuration (exit 2).
func usageErrorf(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// usageError marks err as a usage or configuration error (exit 2).
func usageError(err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: exitUsage, err: err}
}

// unreachable marks err as "target unreachable" (exit 3).
func unreachable(err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: exitUnreachable, err: err}
}

// failedSilently means "the command already printed why; exit 1".
func failedSilently() error { return &exitError{code: exitFailure, silent: true} }

func isSilent(err error) bool {
	var ee *exitError
	return errors.As(err, &ee) && ee.silent
}

// exitCode maps an error to the process exit code: an input that breaks
// the input policy (too large, not UTF-8, a directory, unreadable) is a
// usage error (2); other errors without a class are failures (1).
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	var ie *input.Error
	if errors.As(err, &ie) {
		return exitUsage
	}
	return exitFailure
}
