package schemas

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strconv"

	"github.com/orderhooks/orderhooks/internal/jsonptr"
)

// LineOf returns the 1-based line of doc on which the value at JSON pointer
// p starts, so a violation in a multi-line document can name its line. For
// a pointer to a missing member it returns the line of the nearest ancestor
// that exists; for a document that is not JSON, line 1.
func LineOf(doc []byte, p string) int {
	l := &locator{doc: doc, dec: json.NewDecoder(bytes.NewReader(doc)), target: splitPointer(p)}
	l.dec.UseNumber()
	_ = l.value(nil) // on a syntax error, the best line found so far
	return newLineIndex(doc).line(l.best)
}

// splitPointer returns the tokens of an RFC 6901 pointer; a malformed one
// is no place in the document (LineOf then answers line 1).
func splitPointer(p string) []string {
	toks, err := jsonptr.Parse(p)
	if err != nil {
		return []string{"\x00not a pointer"}
	}
	return toks
}

var errFound = errors.New("found")

// locator walks doc's tokens, remembering where the deepest value on the
// way to target starts.
type locator struct {
	doc    []byte
	dec    *json.Decoder
	target []string
	best   int64
}

func (l *locator) value(path []string) error {
	onPath := len(path) <= len(l.target) && slices.Equal(path, l.target[:len(path)])
	if onPath {
		// The value starts after the separators the decoder has not consumed.
		l.best = l.dec.InputOffset()
		for l.best < int64(len(l.doc)) && (isSpace(l.doc[l.best]) || l.doc[l.best] == ':' || l.doc[l.best] == ',') {
			l.best++
		}
		if len(path) == len(l.target) {
			return errFound
		}
	}
	tok, err := l.dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		for l.dec.More() {
			key, err := l.dec.Token()
			if err != nil {
				return err
			}
			k, _ := key.(string)
			if err := l.value(append(path, k)); err != nil {
				return err
			}
		}
	case json.Delim('['):
		for i := 0; l.dec.More(); i++ {
			if err := l.value(append(path, strconv.Itoa(i))); err != nil {
				return err
			}
		}
	default:
		return nil
	}
	_, err = l.dec.Token() // the closing delimiter
	return err
}
