package provider

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/suggest"
)

// Template is one compiled template of a definition: literal text and
// variables, "{var}", "{var:arg}" or "{var|filter|filter:a:b}"; "{{" and
// "}}" are literal braces. Which variables a field may use depends on the
// field (see Context); a template is checked against its field's once, at
// load.
type Template struct {
	src   string
	parts []Part
}

// Part is a literal (Var empty) or a variable with its argument and
// filters.
type Part struct {
	Lit     string
	Var     string
	Arg     string
	Filters []Filter
}

// Filter changes a variable's text: lower, upper, replace:OLD:NEW,
// before:SEP (the text before the first SEP, or all of it), after:SEP
// (the text after the first SEP, or all of it).
type Filter struct {
	Name string
	Args []string
}

// Context is what a templated field may refer to.
type Context int

// Contexts of the templated fields.
const (
	// ContextSigned is signing.content: id, timestamp, body, body:/PTR,
	// header:NAME, url, method, event.
	ContextSigned Context = iota
	// ContextSignature is a scheme's signature: sig, exactly once.
	ContextSignature
	// ContextTimestampItem is signing.timestampItem: timestamp, exactly once.
	ContextTimestampItem
	// ContextSend is body.envelope, body.stamp and the headers: event, id,
	// time, time.unix, timestamp, and payload or sealed as a whole string.
	ContextSend
	// ContextTransition is a transition's set values: time, time.unix,
	// seq, key, prev:/PTR, gen.
	ContextTransition
	// ContextEventName is events.rename and events.import.match: name,
	// operationId, summary, channel, address, const:/PTR, header:NAME.
	ContextEventName
)

// argument kinds of a variable.
const (
	argNone = iota
	argOptionalPointer
	argPointer
	argName
)

var contextVars = map[Context]map[string]int{
	ContextSigned: {"id": argNone, "timestamp": argNone, "body": argOptionalPointer, "header": argName,
		"url": argNone, "method": argNone, "event": argNone},
	ContextSignature:     {"sig": argNone},
	ContextTimestampItem: {"timestamp": argNone},
	ContextSend: {"event": argNone, "id": argNone, "time": argNone, "time.unix": argNone, "timestamp": argNone,
		"payload": argNone, "sealed": argNone},
	ContextTransition: {"time": argNone, "time.unix": argNone, "seq": argNone, "key": argNone, "prev": argPointer, "gen": argNone},
	ContextEventName: {"name": argNone, "operationId": argNone, "summary": argNone, "channel": argNone,
		"address": argNone, "const": argPointer, "header": argName},
}

// maxTemplate bounds a template's text.
const maxTemplate = 4096

// ParseTemplate compiles s for a field of context c.
func ParseTemplate(s string, c Context) (*Template, error) {
	if len(s) > maxTemplate {
		return nil, fmt.Errorf("a template is at most %d bytes", maxTemplate)
	}
	t := &Template{src: s}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			t.parts = append(t.parts, Part{Lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '{' && i+1 < len(s) && s[i+1] == '{':
			lit.WriteByte('{')
			i++
		case c == '}' && i+1 < len(s) && s[i+1] == '}':
			lit.WriteByte('}')
			i++
		case c == '}':
			return nil, fmt.Errorf("%q at byte %d closes nothing (write }} for a brace)", "}", i+1)
		case c == '{':
			end := strings.IndexAny(s[i+1:], "{}")
			if end < 0 || s[i+1+end] == '{' {
				return nil, fmt.Errorf("%q at byte %d is not closed (write {{ for a brace)", "{", i+1)
			}
			p, err := parsePart(s[i+1 : i+1+end])
			if err != nil {
				return nil, err
			}
			flush()
			t.parts = append(t.parts, p)
			i += end + 1
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	return t, t.check(c)
}

// parsePart reads "var", "var:arg" and "var|f|f:a:b".
func parsePart(body string) (Part, error) {
	segs := strings.Split(body, "|")
	name, arg, hasArg := strings.Cut(segs[0], ":")
	p := Part{Var: name, Arg: arg}
	if !validVarName(name) {
		return p, fmt.Errorf("{%s}: %q is not a variable name", body, name)
	}
	if hasArg && arg == "" {
		return p, fmt.Errorf("{%s}: empty argument", body)
	}
	for _, f := range segs[1:] {
		fs := strings.Split(f, ":")
		filter := Filter{Name: fs[0], Args: fs[1:]}
		want, ok := filterArgs[filter.Name]
		switch {
		case !ok:
			return p, fmt.Errorf("{%s}: unknown filter %q (lower, upper, replace:OLD:NEW, before:SEP, after:SEP)%s", body, filter.Name,
				suggest.Hint(filter.Name, slices.Sorted(maps.Keys(filterArgs)), nil))
		case len(filter.Args) != want:
			return p, fmt.Errorf("{%s}: filter %s takes %d argument(s), got %d", body, filter.Name, want, len(filter.Args))
		case want > 0 && filter.Args[0] == "":
			return p, fmt.Errorf("{%s}: filter %s needs a non-empty first argument", body, filter.Name)
		}
		p.Filters = append(p.Filters, filter)
	}
	return p, nil
}

var filterArgs = map[string]int{"lower": 0, "upper": 0, "replace": 2, "before": 1, "after": 1}

func validVarName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '.' || c == '_'):
		default:
			return false
		}
	}
	return true
}

// check refuses variables the context does not offer.
func (t *Template) check(c Context) error {
	vars := contextVars[c]
	for _, p := range t.parts {
		if p.Var == "" {
			continue
		}
		kind, ok := vars[p.Var]
		if !ok {
			return fmt.Errorf("{%s} is not available here (%s)", p.Var, strings.Join(varNames(c), ", "))
		}
		switch {
		case kind == argNone && p.Arg != "":
			return fmt.Errorf("{%s} takes no argument", p.Var)
		case kind == argPointer && p.Arg == "":
			return fmt.Errorf("{%s} needs a pointer: {%s:/…}", p.Var, p.Var)
		case kind == argName && p.Arg == "":
			return fmt.Errorf("{%s} needs a name: {%s:NAME}", p.Var, p.Var)
		case (kind == argPointer || kind == argOptionalPointer) && p.Arg != "" && !validPointer(p.Arg):
			return fmt.Errorf("{%s:%s}: %q is not a JSON pointer", p.Var, p.Arg, p.Arg)
		}
		if (p.Var == "payload" || p.Var == "sealed") && (len(t.parts) != 1 || len(p.Filters) > 0) {
			return fmt.Errorf("{%s} must be the whole string", p.Var)
		}
	}
	switch c {
	case ContextSignature:
		if n := t.count("sig"); n != 1 {
			return fmt.Errorf("a signature template has {sig} exactly once, this one %d times", n)
		}
	case ContextTimestampItem:
		if n := t.count("timestamp"); n != 1 {
			return fmt.Errorf("a timestamp item has {timestamp} exactly once, this one %d times", n)
		}
	}
	return nil
}

// varNames lists a context's variables, for messages.
func varNames(c Context) []string { return contextNames[c] }

var contextNames = map[Context][]string{
	ContextSigned:        {"{id}", "{timestamp}", "{body}", "{body:/PTR}", "{header:NAME}", "{url}", "{method}", "{event}"},
	ContextSignature:     {"{sig}"},
	ContextTimestampItem: {"{timestamp}"},
	ContextSend:          {"{event}", "{id}", "{time}", "{time.unix}", "{timestamp}", "{payload}", "{sealed}"},
	ContextTransition:    {"{time}", "{time.unix}", "{seq}", "{key}", "{prev:/PTR}", "{gen}"},
	ContextEventName:     {"{name}", "{operationId}", "{summary}", "{channel}", "{address}", "{const:/PTR}", "{header:NAME}"},
}

func (t *Template) count(v string) int {
	n := 0
	for _, p := range t.parts {
		if p.Var == v {
			n++
		}
	}
	return n
}

// String is the template as written.
func (t *Template) String() string { return t.src }

// Parts are the compiled parts, in order.
func (t *Template) Parts() []Part { return t.parts }

// Uses reports whether the template refers to variable v.
func (t *Template) Uses(v string) bool { return t.count(v) > 0 }

// Only returns the variable part when the template is that one variable
// and nothing else ("{payload}"), with its filters.
func (t *Template) Only() (Part, bool) {
	if len(t.parts) == 1 && t.parts[0].Var != "" {
		return t.parts[0], true
	}
	return Part{}, false
}

// Literal returns the text when the template has no variable.
func (t *Template) Literal() (string, bool) {
	switch {
	case len(t.parts) == 0:
		return "", true
	case len(t.parts) == 1 && t.parts[0].Var == "":
		return t.parts[0].Lit, true
	}
	return "", false
}

// Around splits a template with variable v once into the literal text
// before and after it ("v1,{sig}" → "v1,", ""); ok is false when the
// rest of the template is not literal or v has filters.
func (t *Template) Around(v string) (before, after string, ok bool) {
	seen := false
	for _, p := range t.parts {
		switch {
		case p.Var == "" && !seen:
			before += p.Lit
		case p.Var == "":
			after += p.Lit
		case p.Var == v && !seen && len(p.Filters) == 0:
			seen = true
		default:
			return "", "", false
		}
	}
	return before, after, seen
}

// ErrTemplateValue is returned by Render's lookup for a variable it has
// no value for.
var ErrTemplateValue = errors.New("no value")

// Render writes the template, asking lookup for each variable's text
// (before its filters).
func (t *Template) Render(lookup func(p Part) (string, error)) (string, error) {
	var b strings.Builder
	for _, p := range t.parts {
		if p.Var == "" {
			b.WriteString(p.Lit)
			continue
		}
		v, err := lookup(p)
		if err != nil {
			return "", fmt.Errorf("{%s}: %w", p.Var, err)
		}
		b.WriteString(p.Apply(v))
	}
	return b.String(), nil
}

// Apply runs the part's filters over s.
func (p Part) Apply(s string) string {
	for _, f := range p.Filters {
		switch f.Name {
		case "lower":
			s = strings.ToLower(s)
		case "upper":
			s = strings.ToUpper(s)
		case "replace":
			s = strings.ReplaceAll(s, f.Args[0], f.Args[1])
		case "before":
			s, _, _ = strings.Cut(s, f.Args[0])
		case "after":
			if _, a, ok := strings.Cut(s, f.Args[0]); ok {
				s = a
			}
		}
	}
	return s
}

// validPointer reports whether p is a non-empty RFC 6901 pointer.
func validPointer(p string) bool {
	_, err := jsonptr.Parse(p)
	return p != "" && err == nil
}
