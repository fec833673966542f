package schemas

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/orderhooks/orderhooks/internal/jsonptr"
)

// LineOf returns the 1-based line of doc on which the value at JSON pointer
// p starts, so a violation in a multi-line document can name its line. For
// a pointer to a missing member it returns the line of the nearest ancestor
// that exists; for a document that is not JSON, line 1.
func LineOf(doc []byte, p string) int { return LinesOf(doc, []string{p})[0] }

// LinesOf is LineOf of every pointer in ps, found in one pass over doc
// (a document with many violations costs one walk, not one per violation).
func LinesOf(doc []byte, ps []string) []int {
	root := &pointerNode{off: -1}
	ends := make([]*pointerNode, len(ps))
	for i, p := range ps {
		n := root
		for _, seg := range splitPointer(p) {
			c := n.kids[seg]
			if c == nil {
				c = &pointerNode{off: -1, parent: n}
				if n.kids == nil {
					n.kids = map[string]*pointerNode{}
				}
				n.kids[seg] = c
			}
			n = c
		}
		ends[i] = n
	}
	l := &locator{doc: doc, dec: json.NewDecoder(bytes.NewReader(doc))}
	l.dec.UseNumber()
	_ = l.value(root) // on a syntax error, the offsets found so far
	idx := newLineIndex(doc)
	lines := make([]int, len(ps))
	for i, n := range ends {
		for n.off < 0 && n.parent != nil {
			n = n.parent
		}
		lines[i] = idx.line(max(n.off, 0))
	}
	return lines
}

// pointerNode is one segment of the pointers LinesOf looks for, with the
// offset where its value starts (-1 until found).
type pointerNode struct {
	kids   map[string]*pointerNode
	parent *pointerNode
	off    int64
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

// locator walks doc's tokens, noting where each value that a pointer
// goes through starts (the first of duplicate members).
type locator struct {
	doc []byte
	dec *json.Decoder
}

// value walks one value; n is its pointer node, nil off every pointer.
func (l *locator) value(n *pointerNode) error {
	if n != nil && n.off < 0 {
		// The value starts after the separators the decoder has not consumed.
		n.off = l.dec.InputOffset()
		for n.off < int64(len(l.doc)) && (isSpace(l.doc[n.off]) || l.doc[n.off] == ':' || l.doc[n.off] == ',') {
			n.off++
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
			if err := l.value(n.kid(k)); err != nil {
				return err
			}
		}
	case json.Delim('['):
		for i := 0; l.dec.More(); i++ {
			var kid *pointerNode
			if n != nil && n.kids != nil {
				kid = n.kids[strconv.Itoa(i)]
			}
			if err := l.value(kid); err != nil {
				return err
			}
		}
	default:
		return nil
	}
	_, err = l.dec.Token() // the closing delimiter
	return err
}

func (n *pointerNode) kid(seg string) *pointerNode {
	if n == nil {
		return nil
	}
	return n.kids[seg]
}
