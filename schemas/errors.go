package schemas

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/orderhooks/orderhooks/internal/input"
	"github.com/orderhooks/orderhooks/internal/jsonptr"
)

// ErrInvalidDocument is what every *ValidationError wraps, so callers can
// test errors.Is(err, ErrInvalidDocument).
var ErrInvalidDocument = errors.New("schemas: document does not match the schema")

// Violation is one way a document breaks a schema.
type Violation struct {
	// Pointer is the RFC 6901 JSON pointer of the offending value ("" for the
	// root). For a missing or unknown field it points at that field.
	Pointer string `json:"pointer"`
	// Message says what is wrong, in plain words.
	Message string `json:"message"`
}

// String returns "POINTER: MESSAGE", with "/" for the root.
func (v Violation) String() string {
	p := v.Pointer
	if p == "" {
		p = "/"
	}
	return p + ": " + v.Message
}

// ValidationError lists every violation of one document against one schema,
// sorted by pointer.
type ValidationError struct {
	// Schema is the name of the schema the document was checked against.
	Schema string
	// Violations has at least one entry.
	Violations []Violation
}

// Error returns "SCHEMA: POINTER: MESSAGE; POINTER: MESSAGE…" on one
// line, listing the first few violations and how many more there are.
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		parts[i] = v.String()
	}
	return e.Schema + ": " + input.Join(parts, "; ")
}

// Unwrap returns ErrInvalidDocument.
func (e *ValidationError) Unwrap() error { return ErrInvalidDocument }

func newValidationError(schema string, ve *jsonschema.ValidationError) *ValidationError {
	out := &ValidationError{Schema: schema}
	collect(ve, &out.Violations)
	sortViolations(out.Violations)
	return out
}

func sortViolations(vs []Violation) {
	sort.SliceStable(vs, func(i, j int) bool { return vs[i].Pointer < vs[j].Pointer })
}

var printer = message.NewPrinter(language.English)

// collect flattens the leaves of a validation error tree. Missing and unknown
// fields are reported at the field's own pointer (/parts/0/quantity), not at
// the enclosing object, so every violation names the field it is about.
func collect(ve *jsonschema.ValidationError, into *[]Violation) {
	if len(ve.Causes) > 0 {
		for _, c := range ve.Causes {
			collect(c, into)
		}
		return
	}
	at := pointer(ve.InstanceLocation)
	switch k := ve.ErrorKind.(type) {
	case *kind.Required:
		for _, f := range k.Missing {
			*into = append(*into, Violation{at + "/" + jsonptr.Escape(f), "required field is missing"})
		}
	case *kind.AdditionalProperties:
		for _, f := range k.Properties {
			*into = append(*into, Violation{at + "/" + jsonptr.Escape(f), "unknown field, not allowed here"})
		}
	case *kind.Type:
		*into = append(*into, Violation{at, fmt.Sprintf("expected %s, got %s", strings.Join(k.Want, " or "), k.Got)})
	case *kind.Minimum:
		*into = append(*into, Violation{at, "must be >= " + ratString(k.Want) + ", got " + ratString(k.Got)})
	case *kind.Maximum:
		*into = append(*into, Violation{at, "must be <= " + ratString(k.Want) + ", got " + ratString(k.Got)})
	default:
		*into = append(*into, Violation{at, ve.ErrorKind.LocalizedString(printer)})
	}
}

// ratString prints a bound or value as the document would write it.
func ratString(r *big.Rat) string {
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// pointer builds an RFC 6901 JSON pointer from path segments.
func pointer(segs []string) string { return jsonptr.Pointer(segs).String() }

// Decode parses JSON the way Validate expects it (json.Number for numbers),
// rejecting trailing data. A document that is not JSON gives a *SyntaxError
// naming the line and column.
//
// Strings must be valid UTF-8 (encoding/json would silently replace a bad
// byte): a document with invalid UTF-8 is a *SyntaxError too.
func Decode(doc []byte) (any, error) {
	if err := input.CheckUTF8(doc, "", 1); err != nil {
		var ie *input.Error
		errors.As(err, &ie)
		return nil, &SyntaxError{Line: ie.Line, Column: ie.Column, Err: input.ErrEncoding}
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, syntaxError(doc, errorOffset(err, int64(len(doc))), err)
	}
	if end := skipSpace(doc, dec.InputOffset()); end < int64(len(doc)) {
		return nil, syntaxError(doc, end, errTrailingData)
	}
	return v, nil
}

func syntaxError(doc []byte, off int64, err error) *SyntaxError {
	line, col := newLineIndex(doc).position(off)
	return &SyntaxError{Line: line, Column: col, Err: err}
}

// errorOffset is the offset of the byte encoding/json choked on (its
// Offset counts that byte as read); errors without an offset (unexpected end
// of input) are at the end of the document.
func errorOffset(err error, end int64) int64 {
	var se *json.SyntaxError
	if errors.As(err, &se) && se.Offset > 0 {
		return se.Offset - 1
	}
	return end
}
