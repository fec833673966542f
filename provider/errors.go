package provider

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/orderhooks/orderhooks/internal/errs"
	"github.com/orderhooks/orderhooks/internal/input"
)

// Errors of the package, for errors.Is.
var (
	// ErrDefinition is wrapped by every problem of a definition (*Error,
	// Problems).
	ErrDefinition = errors.New("provider: bad definition")
	// ErrUnknownProvider is returned by Builtin's relatives and Lookup for
	// a name that is no built-in definition.
	ErrUnknownProvider = errors.New("provider: unknown provider")
)

// OptionError is the error of a name the package does not know: Lookup's
// provider (Option "provider", wrapping ErrUnknownProvider), with the
// known names for a suggestion.
type OptionError = errs.OptionError

// Error is one problem of a definition, where it is: File, Line (1-based;
// the line of the nearest written ancestor when the problem is a missing
// part), Column, the JSON Pointer into the definition, and the Message
// saying what is wrong; Err is the cause when the problem comes from
// another package. Its text is one line, "FILE:LINE: POINTER: message",
// and it wraps ErrDefinition (its Class) and the cause. The same type is
// apispec.Error and specexport.Error, with their own classes.
type Error = errs.Located

// Problems are several problems of one definition, in file order.
type Problems []*Error

// Error lists the problems one a line, at most input.MaxProblems of
// them, then "and N more".
func (p Problems) Error() string {
	lines := make([]string, 0, min(len(p), input.MaxProblems)+1)
	for i, e := range p {
		if i == input.MaxProblems {
			lines = append(lines, fmt.Sprintf("and %d more", len(p)-i))
			break
		}
		lines = append(lines, e.Error())
	}
	return strings.Join(lines, "\n")
}

// Unwrap gives each problem, so errors.Is finds ErrDefinition and
// errors.As the first *Error.
func (p Problems) Unwrap() []error {
	out := make([]error, len(p))
	for i, e := range p {
		out[i] = e
	}
	return out
}

// problemsOf is the problems err holds: its Problems, its one *Error, or
// none.
func problemsOf(err error) Problems {
	var list Problems
	var one *Error
	switch {
	case errors.As(err, &list):
	case errors.As(err, &one):
		list = Problems{one}
	}
	return list
}

// problems collects the problems of one definition.
type problems struct {
	file string
	data []byte // the bytes read, to locate pointers in; nil: not located
	list Problems
}

func (ps *problems) add(ptr, format string, args ...any) {
	ps.list = append(ps.list, &Error{Class: ErrDefinition, File: ps.file, Pointer: ptr, Message: fmt.Sprintf(format, args...)})
}

func (ps *problems) addErr(ptr string, err error) {
	ps.list = append(ps.list, &Error{Class: ErrDefinition, File: ps.file, Pointer: ptr, Message: err.Error(), Err: err})
}

// err locates and sorts the problems; nil when there are none.
func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	for _, e := range ps.list {
		if e.Line == 0 && ps.data != nil {
			e.Line, e.Column = locate(ps.data, e.Pointer)
		}
	}
	sort.SliceStable(ps.list, func(i, j int) bool { return ps.list[i].Line < ps.list[j].Line })
	if len(ps.list) == 1 {
		return ps.list[0]
	}
	return ps.list
}
