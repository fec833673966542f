package apispec

import (
	"errors"
	"strings"

	"github.com/orderhooks/orderhooks/internal/errs"
)

// Errors an *Error wraps, for errors.Is.
var (
	// ErrSpec is wrapped by every problem of a document.
	ErrSpec = errors.New("apispec: bad document")
	// ErrRemoteRef is wrapped when a $ref names an http or https URL and
	// Options.AllowRemote is false.
	ErrRemoteRef = errors.New("apispec: remote reference refused")
	// ErrLimit is wrapped when a document, a chain of references or a
	// nesting goes past its bound.
	ErrLimit = errors.New("apispec: limit reached")
	// ErrRefCycle is wrapped when a payload schema's $refs, through
	// allOf, anyOf, oneOf, not, if, then or else and nothing else, lead
	// back to a schema of their own chain.
	ErrRefCycle = errors.New("apispec: reference cycle")
)

// Error is one problem, where it is: the document (as given, or the URL of
// a remote one), the line (1-based), the JSON pointer into that document,
// and what is wrong. Its text is one line, "FILE:LINE: POINTER: message".
type Error struct {
	File    string
	Line    int
	Pointer string
	Message string
	// Err is the class (ErrRemoteRef, ErrLimit) or the cause.
	Err error
}

func (e *Error) Error() string {
	return errs.At(e.File, max(e.Line, 1), e.Pointer, strings.Join(strings.Fields(e.Message), " "))
}

// Unwrap gives ErrSpec and the cause.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrSpec, e.Err}
	}
	return []error{ErrSpec}
}
