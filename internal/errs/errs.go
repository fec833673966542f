// Package errs is the one shape of the libraries' option errors and of
// their errors located in a document, and the helpers that keep an error
// chain to one package prefix.
//
// Every library (wire, generator, emitter, receiver, contracts) exports
// `type OptionError = errs.OptionError`, so errors.As gives Go users and
// the CLI the option, field and value of any of them; the CLI turns the
// option into its flag name in one place. The packages that read documents
// (provider, apispec, specexport) export `type Error = errs.Located`.
package errs

import (
	"errors"
	"strconv"
	"strings"

	"github.com/orderhooks/orderhooks/internal/input"
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
	// a secret); Error shows it quoted when it is not a plain word.
	Value string
	// Want says what is wrong and what is expected, e.g. "a probability
	// between 0 and 1" or "not base64url (…)".
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
		b.WriteString(Shown(e.Value))
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

// Shown is a value as messages show it: as given when it is a plain word
// (letters, digits and . _ - + : / @ = , * ~), else quoted, and shortened
// past 200 bytes.
func Shown(v string) string {
	if v == "" || len(v) > 200 {
		return input.Quote(v)
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._-+:/@=,*~", c) >= 0) {
			return input.Quote(v)
		}
	}
	return v
}

// FileError is a problem at one place of an input file: the file, the line
// when known, where in it (an entry's field, a JSON pointer), and the
// problem: "targets.yaml: ORDER.secret: not base64url (…)".
type FileError struct {
	Path string
	Line int
	// Where is the place in the file: "ORDER.secret", "/steps/2" ("" for
	// the whole file).
	Where string
	// Err is the problem; an *OptionError shows its Detail, without its
	// package and option.
	Err error
	// Class is the package's class of the error (its ErrTargets …), which
	// errors.Is finds.
	Class error
}

// Error is "path[:line][: where]: problem".
func (e *FileError) Error() string { return At(e.Path, e.Line, e.Where, Message(e.Err)) }

// At is the one line of every error that points into a file:
// "path[:line][: where]: problem", the line when it is above 0, where (a
// field, a JSON pointer) when it is not empty.
func At(path string, line int, where, problem string) string {
	b := make([]byte, 0, len(path)+len(where)+len(problem)+16)
	b = append(b, path...)
	if line > 0 {
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(line), 10)
	}
	if where != "" {
		b = append(b, ": "...)
		b = append(b, where...)
	}
	b = append(b, ": "...)
	b = append(b, problem...)
	return string(b)
}

// Located is a problem at one place of a document: the file (or the URL
// of a remote one), the line (1-based; 0 when it is not known, shown as
// 1), the column (0 when not known), the JSON pointer into the document,
// and what is wrong. Its text is one line, "FILE:LINE: POINTER: message".
type Located struct {
	File    string
	Line    int
	Column  int
	Pointer string
	Message string
	// Err is the cause, or a finer class of the problem (apispec's
	// ErrLimit), when there is one.
	Err error
	// Class is the package's class of every problem of its documents
	// (provider's ErrDefinition, apispec's ErrSpec, specexport's
	// ErrExport), which errors.Is finds.
	Class error
}

func (e *Located) Error() string {
	return At(e.File, max(e.Line, 1), e.Pointer, oneLine(e.Message))
}

// Unwrap returns the class and the cause.
func (e *Located) Unwrap() []error { return nonNil(e.Class, e.Err) }

// oneLine keeps a message on one line.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// Unwrap returns the problem and the class.
func (e *FileError) Unwrap() []error { return nonNil(e.Err, e.Class) }

// nonNil is errs without its nils.
func nonNil(errs ...error) []error {
	var out []error
	for _, err := range errs {
		if err != nil {
			out = append(out, err)
		}
	}
	return out
}

// Message is err's message for a caller that names the option or file
// itself: an *OptionError's Detail, any other error as it is.
func Message(err error) string {
	if oe, ok := err.(*OptionError); ok {
		return oe.Detail()
	}
	return err.Error()
}

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
