package schemas

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/orderhooks/orderhooks/internal/input"
)

// SyntaxError says where a document stops being JSON. It wraps
// ErrInvalidJSON and the encoding/json error.
type SyntaxError struct {
	// Line and Column (1-based) locate the offending byte in the document,
	// or in the stream for errors from ReadDocuments.
	Line, Column int
	// Err is the encoding/json error.
	Err error
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%v: line %d column %d: %v", ErrInvalidJSON, e.Line, e.Column, e.Err)
}

// Unwrap returns ErrInvalidJSON and the encoding/json error.
func (e *SyntaxError) Unwrap() []error { return []error{ErrInvalidJSON, e.Err} }

// errTrailingData is the SyntaxError cause when a document has more after it.
var errTrailingData = errors.New("unexpected data after the document")

// Document is one JSON document read by ReadDocuments.
type Document struct {
	// Line is the 1-based line of the stream where the document starts.
	Line int
	// Raw is the document's text.
	Raw []byte
	// Value is the decoded document (json.Number for numbers), ready for
	// Schema.Validate; nil when Err is set.
	Value any
	// Err is a *SyntaxError, positioned in the stream, when the document is
	// not JSON (or not UTF-8), or an error naming the line and the limit
	// when a JSONL line is too long to read.
	Err error
}

// ReadDocuments calls fn for every JSON document in r. When the first
// non-blank line is a complete JSON value the stream is read as JSONL, line
// by line: blank lines are skipped and a malformed line is reported (as a
// Document with Err) before reading goes on with the next one. Otherwise r is
// read as a sequence of JSON documents, each possibly spanning lines; since
// nothing after a malformed document can be trusted, reading stops there. It
// returns the read error or the first error fn returns.
//
// Reading is bounded: a JSONL line longer than 16 MiB, or a line that is not
// valid UTF-8, is reported as a Document whose Err names the line and the
// limit, and skipped; input that is not JSONL is read whole, up to 64 MiB
// (beyond, ReadDocuments returns an error naming the limit). A byte order
// mark before the first line is ignored.
func ReadDocuments(r io.Reader, fn func(Document) error) error {
	lines := input.NewLines(r, "", input.EventLine)
	jsonl := false
	for {
		text, err := lines.Next()
		if err == io.EOF {
			return nil
		}
		var ie *input.Error
		if errors.As(err, &ie) {
			// A line too long or not UTF-8 ends the chance of reading the
			// input as one multi-line document: read on as JSONL.
			jsonl = true
			if err := fn(Document{Line: lines.Line(), Err: lineError(ie)}); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		if len(bytes.TrimSpace(text)) == 0 {
			continue
		}
		if !jsonl && !json.Valid(text) {
			first := lines.Line()
			rest, err := lines.Rest(input.Document)
			if err != nil {
				return err
			}
			return readStream(append(append(bytes.Clone(text), '\n'), rest...), first, fn)
		}
		jsonl = true
		d := Document{Line: lines.Line(), Raw: bytes.Clone(text)}
		d.Value, d.Err = Decode(d.Raw)
		if se := (*SyntaxError)(nil); errors.As(d.Err, &se) {
			d.Err = &SyntaxError{Line: d.Line + se.Line - 1, Column: se.Column, Err: se.Err}
		}
		if err := fn(d); err != nil {
			return err
		}
	}
}

// lineError is a JSONL line that could not be read (too long, not UTF-8),
// positioned like a syntax error.
func lineError(ie *input.Error) error {
	if errors.Is(ie, input.ErrEncoding) {
		return &SyntaxError{Line: ie.Line, Column: ie.Column, Err: input.ErrEncoding}
	}
	return ie
}

// readStream reads a sequence of JSON documents from buf, which starts at
// line firstLine of the stream.
func readStream(buf []byte, firstLine int, fn func(Document) error) error {
	lines := newLineIndex(buf)
	dec := json.NewDecoder(bytes.NewReader(buf))
	dec.UseNumber()
	for {
		start := skipSpace(buf, dec.InputOffset())
		if start == int64(len(buf)) {
			return nil
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			l, c := lines.position(min(errorOffset(err, int64(len(buf))), int64(len(buf))))
			return fn(Document{Line: firstLine + lines.line(start) - 1, Raw: buf[start:],
				Err: &SyntaxError{Line: firstLine + l - 1, Column: c, Err: err}})
		}
		d := Document{Line: firstLine + lines.line(start) - 1, Raw: buf[start:dec.InputOffset()], Value: v}
		if err := input.CheckUTF8(d.Raw, "", 1); err != nil {
			ie := err.(*input.Error)
			d.Value, d.Err = nil, &SyntaxError{Line: d.Line + ie.Line - 1, Column: ie.Column, Err: input.ErrEncoding}
		}
		if err := fn(d); err != nil {
			return err
		}
	}
}

func skipSpace(buf []byte, off int64) int64 {
	for off < int64(len(buf)) && isSpace(buf[off]) {
		off++
	}
	return off
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// lineIndex converts byte offsets into lines and columns.
type lineIndex []int64 // offsets of the '\n' bytes

func newLineIndex(buf []byte) lineIndex {
	var idx lineIndex
	for i, c := range buf {
		if c == '\n' {
			idx = append(idx, int64(i))
		}
	}
	return idx
}

// line returns the 1-based line of offset off.
func (idx lineIndex) line(off int64) int {
	return sort.Search(len(idx), func(i int) bool { return idx[i] >= off }) + 1
}

// position returns the 1-based line and column of offset off.
func (idx lineIndex) position(off int64) (line, col int) {
	line = idx.line(off)
	lineStart := int64(0)
	if line > 1 {
		lineStart = idx[line-2] + 1
	}
	return line, int(off-lineStart) + 1
}
