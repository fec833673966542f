package apispec

import (
	"errors"

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

// Error is one problem, where it is: File (the document as given, or the
// URL of a remote one), Line (1-based), the JSON Pointer into that
// document, and the Message saying what is wrong; Err is the class
// (ErrRemoteRef, ErrLimit) or the cause. Its text is one line,
// "FILE:LINE: POINTER: message", and it wraps ErrSpec (its Class) and Err.
// The same type is provider.Error and specexport.Error, with their own
// classes.
type Error = errs.Located
