package schemas

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
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
	// not JSON.
	Err error
}

// ReadDocuments calls fn for every JSON document in r. When the first
// non-blank line is a complete JSON value the stream is read as JSONL, line
// by line: blank lines are skipped and a malformed line is reported (as a
// Document with Err) before reading goes on with the next one. Otherwise r is
// read as a sequence of JSON documents, each possibly spanning lines; since
// nothing after a malformed document can be trusted, reading stops there. It
// returns the read error or the first error fn returns.
func ReadDocuments(r io.Reader, fn func(Document) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	line := 0
	for {
		text, err := br.ReadBytes('\n')
		if len(text) > 0 {
			line++
		}
		if len(bytes.TrimSpace(text)) > 0 {
			if json.Valid(text) {
				return readLines(br, text, line, fn)
			}
			rest, rerr := io.ReadAll(br)
			if rerr != nil {
				return rerr
			}
			return readStream(append(text, rest...), line, fn)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// readLines reads JSONL; first is line number line, already read.
func readLines(br *bufio.Reader, first []byte, line int, fn func(Document) error) error {
	text := first
	for {
		if raw := bytes.TrimRight(text, "\r\n"); len(bytes.TrimSpace(raw)) > 0 {
			d := Document{Line: line, Raw: raw}
			d.Value, d.Err = Decode(raw)
			if se := (*SyntaxError)(nil); errors.As(d.Err, &se) {
				d.Err = &SyntaxError{Line: line + se.Line - 1, Column: se.Column, Err: se.Err}
			}
			if err := fn(d); err != nil {
				return err
			}
		}
		var err error
		text, err = br.ReadBytes('\n')
		if len(text) > 0 {
			line++
		}
		if err == io.EOF && len(text) == 0 {
			return nil
		}
		if err != nil && err != io.EOF {
			return err
		}
	}
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
