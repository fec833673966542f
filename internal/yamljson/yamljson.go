// Package yamljson turns the YAML (or JSON) files users write — scenario
// files, provider definitions — into compact JSON, with limits a hostile
// file cannot get around, and finds the line of a JSON pointer in such a
// file so problems can be reported as FILE:LINE.
//
// Mapping order and numbers are kept as written; keys must be plain
// strings and appear once; aliases are followed, but the JSON they expand
// to is sized before anything is built, so a small file full of aliases
// fails at once instead of growing without end.
package yamljson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/orderhooks/orderhooks/internal/input"
	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/jsonw"
)

// Limits bound what one document may expand to.
type Limits struct {
	// Expansion bounds the bytes of JSON the document expands to, aliases
	// included.
	Expansion input.Limit
	// Nodes bounds the values it expands to, aliases included.
	Nodes int
	// Depth bounds the nesting of mappings and sequences.
	Depth int
}

// Error is a problem at a line of the document (0 when there is none);
// Pointer is where in the JSON value it is, when known.
type Error struct {
	Line    int
	Pointer string
	// Msg says what is wrong, without the line.
	Msg string
	// syntax marks yaml.v3's own messages, which Error keeps as written
	// ("yaml: line 3: …").
	syntax string
}

func (e *Error) Error() string {
	switch {
	case e.syntax != "":
		return e.syntax
	case e.Line > 0:
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// ErrEmpty is the Msg of a document with no value.
var ErrEmpty = errors.New("empty document")

// ToJSON converts YAML (and so JSON) to compact JSON within lim. Errors
// are *Error values.
func ToJSON(data []byte, lim Limits) ([]byte, error) {
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		// yaml.v3 refuses flow collections nested past its own bound
		// (10,000 levels) before the writer can say where the document
		// passes lim.Depth: the document cut where it does says it.
		if clipped, ok := clipDeep(data, lim.Depth); ok {
			if _, cerr := ToJSON(clipped, lim); isDepth(cerr) {
				return nil, cerr
			}
		}
		return nil, syntaxError(err)
	}
	if n.Kind == 0 || len(n.Content) == 0 {
		return nil, &Error{Msg: ErrEmpty.Error()}
	}
	root := n.Content[0]
	// Sized first, in bytes and without building anything, so a file whose
	// aliases expand past the limit costs no more than its parse.
	if size := sizeOf(root, 0, lim.Depth, lim.Expansion.Bytes, map[*yaml.Node]int64{}); size > lim.Expansion.Bytes {
		return nil, &Error{Line: root.Line, Msg: fmt.Sprintf("the document expands (aliases included) beyond the %s", lim.Expansion)}
	}
	w := &writer{lim: lim, budget: lim.Nodes}
	b, err := w.append(nil, root, 0, nil)
	if err == nil && int64(len(b)) > lim.Expansion.Bytes {
		err = &Error{Line: root.Line, Msg: fmt.Sprintf("the document expands (aliases included) beyond the %s", lim.Expansion)}
	}
	return b, err
}

// yamlLine finds the line yaml.v3 names in its messages.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// syntaxError turns a yaml.v3 error into an *Error with its line.
func syntaxError(err error) *Error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{Line: line, Msg: "yaml: " + msg[len(m[0]):], syntax: msg}
	}
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	return &Error{Msg: msg}
}

// sizeOf estimates the bytes of JSON n expands to, aliases followed (each
// anchored node sized once), saturating past max; too deep a document
// sizes as 0 and is refused by append.
func sizeOf(n *yaml.Node, depth, maxDepth int, max int64, memo map[*yaml.Node]int64) int64 {
	if depth > maxDepth {
		return 0
	}
	if size, ok := memo[n]; ok {
		return size
	}
	size := int64(len(n.Value)) + 2
	for _, c := range n.Content {
		size += sizeOf(c, depth+1, maxDepth, max, memo) + 1
		if size > max {
			break
		}
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		size = sizeOf(n.Alias, depth+1, maxDepth, max, memo)
	}
	memo[n] = size
	return size
}

// msgDeep is the message of a document nested past Limits.Depth.
const msgDeep = "nested too deeply"

// isDepth reports whether err is the writer's refusal of a document
// nested past its depth limit.
func isDepth(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Msg == msgDeep
}

// clipDeep returns data cut at the first flow collection ([…], {…})
// opened deeper than limit flow collections, with a scalar in its place
// and the open collections closed, and true; false when flow collections
// nest no deeper. It reads just enough YAML to tell a collection's
// opening bracket from one inside a scalar or a comment; a document it
// misreads clips to one that does not parse, or parses without being
// too deep, and the caller then reports the parser's error.
func clipDeep(data []byte, limit int) ([]byte, bool) {
	var stack []byte
	node, indent := true, 0 // node: the next byte may start a node
	blank := func(i int) bool {
		return i < 0 || i >= len(data) || data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r'
	}
	for i := 0; i < len(data); i++ {
		c := data[i]
		flow := len(stack) > 0
		switch {
		case c == '\n':
			node = node || !flow
			indent = 0
			for j := i + 1; j < len(data) && data[j] == ' '; j++ {
				indent++
			}
		case c == ' ' || c == '\t' || c == '\r':
		case c == '#' && blank(i-1):
			for i+1 < len(data) && data[i+1] != '\n' {
				i++
			}
		case node && (c == '[' || c == '{'):
			stack = append(stack, c)
			if len(stack) > limit {
				out := append(bytes.Clone(data[:i]), '0')
				for j := len(stack) - 2; j >= 0; j-- {
					out = append(out, map[byte]byte{'[': ']', '{': '}'}[stack[j]])
				}
				return out, true
			}
		case flow && (c == ']' || c == '}'):
			stack, node = stack[:len(stack)-1], false
		case flow && c == ',':
			node = true
		case node && c == '"':
			for i++; i < len(data) && data[i] != '"'; i++ {
				if data[i] == '\\' {
					i++
				}
			}
			node = false
		case node && c == '\'':
			for i++; i < len(data) && (data[i] != '\'' || i+1 < len(data) && data[i+1] == '\''); i++ {
				if data[i] == '\'' {
					i++
				}
			}
			node = false
		case c == ':' && (flow || blank(i+1)), !flow && c == '-' && node && blank(i+1), !flow && c == '?' && node && blank(i+1):
			node = true
		case !flow && node && (c == '|' || c == '>'):
			// A block scalar: the lines after this one that are blank or
			// more indented than it.
			own := indent
			for {
				nl := bytes.IndexByte(data[i:], '\n')
				if nl < 0 {
					return nil, false
				}
				i += nl
				j := i + 1
				for j < len(data) && data[j] == ' ' {
					j++
				}
				if j >= len(data) {
					return nil, false
				}
				if data[j] != '\n' && data[j] != '\r' && j-(i+1) <= own {
					break
				}
				i = j
			}
			i-- // the next pass reads the newline
			node = false
		default:
			node = false
		}
	}
	return nil, false
}

type writer struct {
	lim    Limits
	budget int
}

func (w *writer) fail(n *yaml.Node, path []string, format string, args ...any) error {
	return &Error{Line: n.Line, Pointer: jsonptr.Pointer(path).String(), Msg: fmt.Sprintf(format, args...)}
}

func (w *writer) append(b []byte, n *yaml.Node, depth int, path []string) ([]byte, error) {
	if w.budget--; w.budget < 0 {
		return nil, w.fail(n, path, "more than %d values (aliases included)", w.lim.Nodes)
	}
	// Checked before each value is appended, counting a scalar's own size,
	// so the expansion stops before it grows past the limit.
	if int64(len(b)+len(n.Value)) > w.lim.Expansion.Bytes {
		return nil, w.fail(n, path, "the document expands (aliases included) beyond the %s", w.lim.Expansion)
	}
	if depth > w.lim.Depth {
		return nil, w.fail(n, path, msgDeep)
	}
	var err error
	switch n.Kind {
	case yaml.AliasNode:
		return w.append(b, n.Alias, depth+1, path)
	case yaml.MappingNode:
		b = append(b, '{')
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode || k.ShortTag() == "!!merge" {
				return nil, w.fail(k, path, "keys must be plain strings")
			}
			if seen[k.Value] {
				return nil, w.fail(k, path, "key %q appears twice", k.Value)
			}
			seen[k.Value] = true
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonw.String(b, k.Value)
			b = append(b, ':')
			if b, err = w.append(b, n.Content[i+1], depth+1, append(path, k.Value)); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case yaml.SequenceNode:
		b = append(b, '[')
		for i, c := range n.Content {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = w.append(b, c, depth+1, append(path, strconv.Itoa(i))); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	}
	switch n.ShortTag() {
	case "!!null":
		return append(b, "null"...), nil
	case "!!bool":
		var v bool
		if err := n.Decode(&v); err != nil {
			return nil, w.fail(n, path, "%s is not true or false", input.Quote(n.Value))
		}
		return strconv.AppendBool(b, v), nil
	case "!!int":
		var v int64
		if err := n.Decode(&v); err != nil {
			if json.Valid([]byte(n.Value)) { // beyond int64, but a JSON number all the same
				return append(b, n.Value...), nil
			}
			return nil, w.fail(n, path, "%s is not an integer JSON can hold", input.Quote(n.Value))
		}
		return strconv.AppendInt(b, v, 10), nil
	case "!!float":
		if json.Valid([]byte(n.Value)) {
			return append(b, n.Value...), nil
		}
		var f float64
		if err := n.Decode(&f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, w.fail(n, path, "%q is not a JSON number", n.Value)
		}
		return strconv.AppendFloat(b, f, 'f', -1, 64), nil
	}
	return jsonw.String(b, n.Value), nil
}

// Locate returns the 1-based line and column at which the value at JSON
// pointer ptr is written in data (YAML or JSON): for a member of a
// mapping, its key. A pointer into a part that does not exist gives the
// nearest written ancestor; data that does not parse gives line 0.
// Locate parses data again: call it only to report a problem.
func Locate(data []byte, ptr string) (line, col int) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 {
		return 0, 0
	}
	n := doc.Content[0]
	line, col = n.Line, n.Column
	segs, err := jsonptr.Parse(ptr)
	if err != nil {
		return line, col
	}
	for _, seg := range segs {
		for n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		var next *yaml.Node
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == seg {
					line, col = n.Content[i].Line, n.Content[i].Column
					next = n.Content[i+1]
					break
				}
			}
		case yaml.SequenceNode:
			if i, err := strconv.Atoi(seg); err == nil && i >= 0 && i < len(n.Content) {
				next = n.Content[i]
				line, col = next.Line, next.Column
			}
		}
		if next == nil {
			return line, col
		}
		n = next
	}
	return line, col
}
