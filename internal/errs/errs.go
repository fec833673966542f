// Package errs is the one shape of the libraries' option errors, and the
// helpers that keep an error chain to one package prefix.
//
// Every library (wire, generator, emitter, receiver, contracts) exports
// `type OptionError = errs.OptionError`, so errors.As gives Go users and
// the CLI the option, field and value of any of them; the CLI turns the
// option into its flag name in one place.
package errs

import (
	"errors"
	"strings"

	"github.com/orderhooks/orderhooks/internal/suggest"
)

// OptionError says an option's value cannot be used, or an option cannot
// be used with the others: New refuses it rather than clamping it or
// ignoring it silently.
type OptionError struct {
	// Package is the library that refused it, e.g. "emitter".
	Package string
	// Option is the option's Go name, e.g. "WithFaults", "WithNonceSize",
	// "ReplayOptions", or "secret" for a constructor's secret argument.
	Option string
	// Field is the field of a struct option, e.g. "Tamper" of WithFaults
	// ("" for a plain option).
	Field string
	// Value is the refused value as given ("" when it is not shown, e.g.
	// a secret).
	Value string
	// Want says what is expected, e.g. "a probability between 0 and 1".
	Want string
	// Known lists the accepted values of a name-like option; Error then
	// suggests the closest one ("did you mean …?").
	Known []string
	// Aliases maps other names of Known values (a platform's display
	// name of an event) to them, for the suggestion.
	Aliases map[string]string
	// Other is the option this one conflicts with or needs, e.g.
	// "WithProbe" for WithCompare.
	Other string
	// Err is the package's class of the error (its ErrOptions, ErrConfig,
	// ErrBadSecret …), which errors.Is finds.
	Err error
}

// Name is the option as written in Go: Option, or Option.Field.
func (e *OptionError) Name() string {
	if e.Field == "" {
		return e.Option
	}
	return e.Option + "." + e.Field
}

// Detail is the message without the package and the option: the value's
// problem, the suggestion and the option it conflicts with, e.g.
// `"ORDER_CREATED": an event of phasio (did you mean "ORDER"?)`.
func (e *OptionError) Detail() string {
	var b strings.Builder
	b.WriteString(e.Want)
	if len(e.Known) > 0 {
		b.WriteString(suggest.Hint(e.Value, e.Known, e.Aliases))
	}
	return b.String()
}

// Error is "<package>: <option>[.<field>] [<value>]: <want>[ (did you
// mean …?)][ (<other>)]".
func (e *OptionError) Error() string {
	var b strings.Builder
	b.WriteString(e.Package)
	b.WriteString(": ")
	b.WriteString(e.Name())
	if e.Value != "" {
		b.WriteString(" ")
		b.WriteString(e.Value)
	}
	b.WriteString(": ")
	b.WriteString(e.Detail())
	if e.Other != "" {
		b.WriteString(" (" + e.Other + ")")
	}
	return b.String()
}

// Unwrap returns the package's class of the error.
func (e *OptionError) Unwrap() error { return e.Err }

// Mark returns err classified as class too (errors.Is(result, class)),
// with err's message unchanged: a package passes another's error on
// without adding its own prefix to the chain.
func Mark(err, class error) error {
	if err == nil || errors.Is(err, class) {
		return err
	}
	return &marked{err: err, class: class}
}

type marked struct{ err, class error }

func (m *marked) Error() string        { return m.err.Error() }
func (m *marked) Unwrap() []error      { return []error{m.err, m.class} }
func (m *marked) Is(target error) bool { return target == m.class }

// Trim returns err's message without the text of sentinel and what
// precedes it, e.g. "not base64url" for "wire: bad secret: not base64url"
// and sentinel "wire: bad secret": what a caller that names the cause
// itself (a flag) shows. The whole message when sentinel is not in it.
func Trim(err, sentinel error) string {
	msg := err.Error()
	if i := strings.Index(msg, sentinel.Error()); i >= 0 {
		return strings.TrimPrefix(msg[i+len(sentinel.Error()):], ": ")
	}
	return msg
}
