package schemagen

import "errors"

// Sentinels for errors.Is; every *Error wraps one of them.
var (
	// ErrInvalidSchema: the document is not JSON, a pointer or $ref leads
	// nowhere, or a keyword has a value JSON Schema does not allow.
	ErrInvalidSchema = errors.New("schemagen: invalid schema")
	// ErrUnsatisfiable: no JSON value can validate (false, an empty enum,
	// minLength above maxLength, a required property that is forbidden…).
	ErrUnsatisfiable = errors.New("schemagen: unsatisfiable schema")
	// ErrTooHard: a value may exist but none was found within the limits
	// (attempts, recursion depth, output size, work).
	ErrTooHard = errors.New("schemagen: no valid value found within the limits")
)

var (
	errTrailing = errors.New("data after the JSON value")
	errTooDeep  = errors.New("nested deeper than 1000 levels")
)

// Error says which schema could not be generated for and why.
type Error struct {
	// Pointer locates the schema: "#/properties/items/minItems" in the
	// document given to Load, "URI#/pointer" in a document the Loader gave.
	Pointer string
	// Reason is one line in plain words.
	Reason string
	// Err is ErrInvalidSchema, ErrUnsatisfiable or ErrTooHard.
	Err error

	final bool // a limit no other draw can escape: do not retry
}

// Error returns "schemagen: POINTER: REASON".
func (e *Error) Error() string {
	p := e.Pointer
	if p == "" {
		p = "#"
	}
	return "schemagen: " + p + ": " + e.Reason
}

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Err }
