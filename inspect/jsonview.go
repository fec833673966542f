package inspect

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/jsonscan"
	"github.com/orderhooks/orderhooks/schemas"
)

// Bounds of what one page shows of a payload: beyond them the page says
// so and links the download, so a huge payload cannot make a huge page.
const (
	maxTreeLines   = 20000
	maxStringShown = 2000
	maxTreeBytes   = 4 << 20
)

// Line kinds of a rendered JSON tree.
const (
	lineOpen  = "open"
	lineClose = "close"
	lineLeaf  = "leaf"
)

// treeLine is one line of a pretty-printed, collapsible JSON document: the
// template turns open and close lines into nested <details> elements, so
// every object and array folds without a script. Every text is escaped by
// html/template when rendered.
type treeLine struct {
	ID      int // anchor of the line ("n12"), for links from the violations
	Kind    string
	Key     string // member name, or the item index
	Index   bool   // Key is an array index
	Pointer string
	// Text is a leaf's JSON text (a string quoted), or a container's
	// bracket ("{" on open lines, "}" on close lines).
	Text  string
	Class string // str, num, lit (a leaf's type), obj or arr
	Count int    // members or items of a container
	// Problems are the schema violations at this pointer (or, for a
	// pointer the document does not have, at its nearest ancestor).
	Problems []string
}

// jsonTree is a document laid out for the page.
type jsonTree struct {
	Lines []treeLine
	// Truncated says the document had more lines than the page shows.
	Truncated bool
	// Err says why the document could not be shown as a tree.
	Err string
}

// buildTree lays out doc, marking the violations at their pointers.
func buildTree(doc []byte, violations []schemas.Violation) jsonTree {
	if len(doc) > maxTreeBytes {
		return jsonTree{Err: "too large to show as a tree (" + byteSize(len(doc)) + ")"}
	}
	b := &treeBuilder{s: jsonscan.New(doc)}
	b.value(0, "", false, "")
	if err := b.s.Err(); err != nil && !b.truncated {
		return jsonTree{Err: "not JSON: " + err.Error()}
	}
	t := jsonTree{Lines: b.lines, Truncated: b.truncated}
	markViolations(&t, violations)
	return t
}

type treeBuilder struct {
	s         *jsonscan.Scanner
	lines     []treeLine
	truncated bool
}

func (b *treeBuilder) add(l treeLine) bool {
	if len(b.lines) >= maxTreeLines {
		b.truncated = true
		return false
	}
	l.ID = len(b.lines)
	b.lines = append(b.lines, l)
	return true
}

func (b *treeBuilder) value(depth int, key string, index bool, ptr string) bool {
	s := b.s
	switch s.Peek() {
	case jsonscan.Object:
		open := len(b.lines)
		if !b.add(treeLine{Kind: lineOpen, Key: key, Index: index, Pointer: ptr, Text: "{", Class: "obj"}) || !s.BeginObject() {
			return false
		}
		n := 0
		for {
			raw, esc, ok := s.NextKey()
			if !ok {
				break
			}
			k := jsonscan.Text(raw, esc)
			if !b.value(depth+1, k, false, jsonptr.Join(ptr, k)) {
				return false
			}
			n++
		}
		b.lines[open].Count = n
		return s.Err() == nil && b.add(treeLine{Kind: lineClose, Text: "}", Class: "obj"})
	case jsonscan.Array:
		open := len(b.lines)
		if !b.add(treeLine{Kind: lineOpen, Key: key, Index: index, Pointer: ptr, Text: "[", Class: "arr"}) || !s.BeginArray() {
			return false
		}
		n := 0
		for s.NextItem() {
			i := strconv.Itoa(n)
			if !b.value(depth+1, i, true, ptr+"/"+i) {
				return false
			}
			n++
		}
		b.lines[open].Count = n
		return s.Err() == nil && b.add(treeLine{Kind: lineClose, Text: "]", Class: "arr"})
	case jsonscan.String:
		raw, esc, ok := s.String()
		if !ok {
			return false
		}
		return b.add(treeLine{Kind: lineLeaf, Key: key, Index: index, Pointer: ptr, Text: quoteShown(jsonscan.Text(raw, esc)), Class: "str"})
	case jsonscan.Number:
		raw, ok := s.Number()
		if !ok {
			return false
		}
		return b.add(treeLine{Kind: lineLeaf, Key: key, Index: index, Pointer: ptr, Text: string(raw), Class: "num"})
	default:
		k, ok := s.Literal()
		if !ok {
			return false
		}
		return b.add(treeLine{Kind: lineLeaf, Key: key, Index: index, Pointer: ptr, Text: k.String(), Class: "lit"})
	}
}

// quoteShown quotes a string as JSON, cut to maxStringShown characters.
func quoteShown(s string) string {
	cut := ""
	if utf8.RuneCountInString(s) > maxStringShown {
		r := []rune(s)
		s, cut = string(r[:maxStringShown]), "… ("+strconv.Itoa(len(r))+" characters)"
	}
	if plainJSON(s) {
		return `"` + s + `"` + cut
	}
	q, _ := json.Marshal(s) // a Go string always marshals
	// The page escapes it; JSON's own \u003c for < would only hide the text.
	return unescapeHTML.Replace(string(q)) + cut
}

// unescapeHTML undoes json.Marshal's escapes of <, > and &.
var unescapeHTML = strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&")

// plainJSON reports whether s is its own JSON string body: printable
// ASCII or UTF-8 text without a quote, backslash or control character,
// nor the U+2028 and U+2029 that json.Marshal escapes.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' || c == 0x7f {
			return false
		}
		if c == 0xe2 && i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xa8 || s[i+2] == 0xa9) {
			return false
		}
	}
	return utf8.ValidString(s)
}

// markViolations attaches each violation to the line at its pointer, or
// to the nearest ancestor the document has (a missing member is reported
// at its object).
func markViolations(t *jsonTree, violations []schemas.Violation) {
	if len(violations) == 0 || len(t.Lines) == 0 {
		return
	}
	at := make(map[string]int, len(t.Lines))
	for i, l := range t.Lines {
		if l.Kind != lineClose {
			at[l.Pointer] = i
		}
	}
	for _, v := range violations {
		p := v.Pointer
		for {
			if i, ok := at[p]; ok {
				t.Lines[i].Problems = append(t.Lines[i].Problems, v.Message)
				break
			}
			cut := strings.LastIndexByte(p, '/')
			if cut < 0 {
				break
			}
			p = p[:cut]
		}
	}
}

// lineOf returns the anchor of the line a violation is shown at, or -1.
func (t *jsonTree) lineOf(pointer string) int {
	best := -1
	for _, l := range t.Lines {
		if l.Kind == lineClose || len(l.Problems) == 0 {
			continue
		}
		if l.Pointer == pointer {
			return l.ID
		}
		if strings.HasPrefix(pointer, l.Pointer+"/") && (best < 0 || len(l.Pointer) > len(t.Lines[best].Pointer)) {
			best = l.ID
		}
	}
	return best
}

// leaves flattens a document into its leaves (pointer → JSON text, in
// document order; an empty object or array is a leaf), for diffs.
func leaves(doc []byte, sizeHint int) (ptrs []string, vals map[string]string, ok bool) {
	if len(doc) > maxTreeBytes {
		return nil, nil, false
	}
	vals = make(map[string]string, sizeHint)
	ptrs = make([]string, 0, sizeHint)
	s := jsonscan.New(doc)
	var walk func(ptr string) bool
	walk = func(ptr string) bool {
		leaf := func(text string) bool {
			if _, dup := vals[ptr]; !dup {
				ptrs = append(ptrs, ptr)
			}
			vals[ptr] = text
			return true
		}
		switch s.Peek() {
		case jsonscan.Object:
			if !s.BeginObject() {
				return false
			}
			n := 0
			for {
				raw, esc, ok := s.NextKey()
				if !ok {
					break
				}
				n++
				if !walk(jsonptr.Join(ptr, jsonscan.Text(raw, esc))) {
					return false
				}
			}
			if n == 0 {
				return leaf("{}")
			}
			return s.Err() == nil
		case jsonscan.Array:
			if !s.BeginArray() {
				return false
			}
			n := 0
			for s.NextItem() {
				if !walk(ptr + "/" + strconv.Itoa(n)) {
					return false
				}
				n++
			}
			if n == 0 {
				return leaf("[]")
			}
			return s.Err() == nil
		case jsonscan.String:
			raw, esc, ok := s.String()
			return ok && leaf(quoteShown(jsonscan.Text(raw, esc)))
		case jsonscan.Number:
			raw, ok := s.Number()
			return ok && leaf(string(raw))
		default:
			k, ok := s.Literal()
			return ok && leaf(k.String())
		}
	}
	if !walk("") || s.Err() != nil {
		return nil, nil, false
	}
	return ptrs, vals, true
}

// change is one field that differs between two snapshots.
type change struct {
	Pointer  string
	Old, New string
	Kind     string // changed, added, removed
}

// diff lists what changed from the leaves of one snapshot to the next:
// changed and added fields in the new document's order, then the removed
// ones in the old document's.
func diff(oldPtrs []string, oldVals map[string]string, newPtrs []string, newVals map[string]string) []change {
	var out []change
	for _, p := range newPtrs {
		nv := newVals[p]
		ov, had := oldVals[p]
		switch {
		case !had:
			out = append(out, change{Pointer: p, New: nv, Kind: "added"})
		case ov != nv:
			out = append(out, change{Pointer: p, Old: ov, New: nv, Kind: "changed"})
		}
	}
	for _, p := range oldPtrs {
		if _, has := newVals[p]; !has {
			out = append(out, change{Pointer: p, Old: oldVals[p], Kind: "removed"})
		}
	}
	return out
}

// byteSize says n bytes for people.
func byteSize(n int) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	case n >= 1<<10:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " KiB"
	}
	return strconv.Itoa(n) + " bytes"
}
