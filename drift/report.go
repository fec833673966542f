package drift

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/shape"
	"github.com/orderhooks/orderhooks/internal/textw"
)

// Report is what an Analyzer found: per event, the findings (what breaks
// the schemas, by pointer), the documented fields never seen, and what
// every field held. It encodes as JSON as it is (field names in the JSON
// tags); WriteText prints it for people; Overlay turns it into schema
// patches.
type Report struct {
	// Payloads counts every payload added.
	Payloads int `json:"payloads"`
	// Events are the events with a schema, by provider then event.
	Events []*EventReport `json:"events"`
	// NoSchema counts the payloads of events that have no schema (Phasio
	// customer and cart triggers, say): not analysed.
	NoSchema []EventCount `json:"noSchema,omitempty"`
}

// EventCount is a number of payloads of one event.
type EventCount struct {
	Provider string `json:"provider"`
	Event    string `json:"event"`
	Payloads int    `json:"payloads"`
}

// EventReport is the analysis of one event's payloads.
type EventReport struct {
	Provider string `json:"provider"`
	Event    string `json:"event"`
	// Schema is the strict schema the payloads were compared with.
	Schema   string `json:"schema"`
	Payloads int    `json:"payloads"`
	// NotJSON counts payloads that were not JSON; NotJSONExample says
	// where the first one broke.
	NotJSON        int    `json:"notJSON,omitempty"`
	NotJSONExample string `json:"notJSONExample,omitempty"`
	// Findings are the deviations, in report order (Kinds), then by pointer.
	Findings []Finding `json:"findings"`
	// Unseen are documented fields no payload held.
	Unseen []Unseen `json:"unseen"`
	// Fields says what every field held (documented or not), by pointer.
	Fields []Field `json:"fields"`
}

// Finding is one kind of deviation at one pointer.
type Finding struct {
	Kind Kind `json:"kind"`
	// Pointer is the field's JSON pointer, * for any array index:
	// /parts/*/material.
	Pointer string `json:"pointer"`
	// Deliveries is how many payloads of the event deviate here, Of how
	// many payloads of the event there were.
	Deliveries int `json:"deliveries"`
	Of         int `json:"of"`
	// Expected is what the schema says ("number or null", "one of
	// 'DRAFT', 'OPENED'", "format date-time").
	Expected string `json:"expected"`
	// Types are the JSON types of the deviating values.
	Types []string `json:"types,omitempty"`
	// Observed are the distinct deviating values (redacted as examples
	// are) with how many payloads held each, most frequent first;
	// OtherValues counts the values seen beyond MaxValues distinct ones.
	Observed    []Value `json:"observed,omitempty"`
	OtherValues int     `json:"otherValues,omitempty"`
	// Min and Max are the smallest and largest deviating numbers.
	Min string `json:"min,omitempty"`
	Max string `json:"max,omitempty"`
	// Example is the first deviating value, where it came from.
	Example *Example `json:"example,omitempty"`
	// Rules locates the schema objects whose rule is broken
	// (SCHEMA#POINTER).
	Rules []string `json:"rules"`

	nodes []*shape.Node
	raw   []string // the deviating values as JSON, for overlays
	f     *field
}

// Value is a value (redacted) with how many payloads held it.
type Value struct {
	Value      string `json:"value"`
	Deliveries int    `json:"deliveries"`
}

// Example is one deviating value and where it was seen. Values of
// documented fields that are not personal are shown as sent; personal
// ones as pseudonyms; undocumented and free-form ones by their shape only
// (letters x, digits 9), since nothing says what they hold.
type Example struct {
	// Pointer is the concrete pointer in the payload (/parts/3/material).
	Pointer string `json:"pointer"`
	// Value is the value as JSON text, redacted; empty for a missing field.
	Value string `json:"value,omitempty"`
	// Source names the payload (the source given to Add).
	Source string `json:"source"`
}

// Unseen is a documented field that no payload held.
type Unseen struct {
	Pointer string `json:"pointer"`
	// Sample is how many payloads of the event were analysed, so that
	// absence means something (or not).
	Sample int `json:"sample"`
	// Fields counts the documented fields at and below Pointer.
	Fields int `json:"fields"`
	// Null is true when the field itself was seen, but only ever null
	// (or empty, for an array), so none of its fields below was.
	Null bool `json:"null,omitempty"`
}

// Field is what one field held.
type Field struct {
	Pointer    string `json:"pointer"`
	Documented bool   `json:"documented"`
	// Personal is the field's x-personal kind; its values are not listed.
	Personal   string         `json:"personal,omitempty"`
	Deliveries int            `json:"deliveries"`
	Types      map[string]int `json:"types"`
	// Min and Max are the smallest and largest numbers, as sent.
	Min string `json:"min,omitempty"`
	Max string `json:"max,omitempty"`
	// MinLength and MaxLength bound its strings, in characters.
	MinLength *int `json:"minLength,omitempty"`
	MaxLength *int `json:"maxLength,omitempty"`
	// MinItems and MaxItems bound its arrays.
	MinItems *int `json:"minItems,omitempty"`
	MaxItems *int `json:"maxItems,omitempty"`
	// Values are the distinct strings and booleans of a documented field
	// that is not personal, most frequent first (at most MaxValues;
	// OtherValues counts the others seen). ManyValues replaces them for a
	// field with far more distinct values (ids, names).
	Values      []Value `json:"values,omitempty"`
	OtherValues int     `json:"otherValues,omitempty"`
	ManyValues  bool    `json:"manyValues,omitempty"`
}

// HasDrift reports whether any payload deviated from its schema (or was
// not JSON). Documented fields never seen are not drift: they are
// reported so that their absence can be judged.
func (r *Report) HasDrift() bool {
	for _, e := range r.Events {
		if len(e.Findings) > 0 || e.NotJSON > 0 {
			return true
		}
	}
	return false
}

// Report returns what the Analyzer found so far.
func (a *Analyzer) Report() *Report {
	r := &Report{}
	keys := append([]string(nil), a.order...)
	sort.Strings(keys)
	for _, k := range keys {
		es := a.events[k]
		r.Payloads += es.payloads
		r.Events = append(r.Events, es.report())
	}
	for k, n := range a.noSchema {
		p, e, _ := strings.Cut(k, " ")
		r.NoSchema = append(r.NoSchema, EventCount{Provider: p, Event: e, Payloads: n})
		r.Payloads += n
	}
	sort.Slice(r.NoSchema, func(i, j int) bool {
		return r.NoSchema[i].Provider+" "+r.NoSchema[i].Event < r.NoSchema[j].Provider+" "+r.NoSchema[j].Event
	})
	return r
}

func (es *eventStats) report() *EventReport {
	er := &EventReport{Provider: es.provider, Event: es.event, Schema: es.schema, Payloads: es.payloads,
		NotJSON: es.notJSON, NotJSONExample: es.notJSONExample, Findings: []Finding{}, Unseen: []Unseen{}, Fields: []Field{}}
	es.fields.walk(func(f *field) {
		if f.parent != nil {
			er.Fields = append(er.Fields, f.stats())
		}
		for _, fd := range f.findings {
			er.Findings = append(er.Findings, fd.report(f, es.payloads))
		}
	})
	sort.SliceStable(er.Findings, func(i, j int) bool {
		a, b := er.Findings[i], er.Findings[j]
		if a.Kind.rank() != b.Kind.rank() {
			return a.Kind.rank() < b.Kind.rank()
		}
		return a.Pointer < b.Pointer
	})
	sort.Slice(er.Fields, func(i, j int) bool { return er.Fields[i].Pointer < er.Fields[j].Pointer })
	er.Unseen = unseen(es)
	return er
}

// walk visits f and its descendants.
func (f *field) walk(fn func(*field)) {
	fn(f)
	for _, k := range f.order {
		f.children[k].walk(fn)
	}
	if f.item != nil {
		f.item.walk(fn)
	}
}

func (c *counts) report() ([]Value, int) {
	out := make([]Value, len(c.list))
	for i, vc := range c.list {
		out[i] = Value{Value: vc.display, Deliveries: vc.n}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Deliveries > out[j].Deliveries })
	return out, c.others
}

func (f *field) stats() Field {
	fs := Field{Pointer: f.ptr, Documented: f.documented, Personal: f.personal, Deliveries: f.seen, Types: f.observedTypes()}
	if f.nums.has && f.personal == "" {
		fs.Min, fs.Max = f.nums.minRaw, f.nums.maxRaw
	}
	if f.hasStr {
		fs.MinLength, fs.MaxLength = intp(f.minLen), intp(f.maxLen)
	}
	if f.hasItems {
		fs.MinItems, fs.MaxItems = intp(f.minItems), intp(f.maxItems)
	}
	if f.values.others > MaxValues {
		fs.ManyValues = true
	} else {
		fs.Values, fs.OtherValues = f.values.report()
	}
	return fs
}

func intp(n int) *int { return &n }

func (fd *finding) report(f *field, of int) Finding {
	out := Finding{Kind: fd.kind, Pointer: f.ptr, Deliveries: fd.deliveries, Of: of, Example: fd.example,
		nodes: fd.nodes, f: f, Rules: []string{}}
	if out.Pointer == "" {
		out.Pointer = "/"
	}
	for _, n := range fd.nodes {
		out.Rules = append(out.Rules, n.Location())
	}
	out.Types = fd.types.Names()
	if fd.types&shape.TypeInteger != 0 {
		if fd.nums.fractional {
			out.Types = removeName(out.Types, "integer")
		} else {
			out.Types = removeName(out.Types, "number")
		}
	}
	if fd.kind == KindUndocumented {
		out.Types = slices.Sorted(maps.Keys(f.observedTypes()))
	}
	if fd.kind != KindUndocumented && fd.kind != KindMissing && fd.kind != KindDuplicate {
		out.Observed, out.OtherValues = fd.values.report()
		for _, vc := range fd.values.list {
			out.raw = append(out.raw, vc.raw)
		}
	}
	if fd.nums.has && f.personal == "" {
		out.Min, out.Max = fd.nums.minRaw, fd.nums.maxRaw
	}
	out.Expected = expected(fd)
	return out
}

func removeName(names []string, drop string) []string {
	out := names[:0:0]
	for _, n := range names {
		if n != drop {
			out = append(out, n)
		}
	}
	return out
}

// expected says what the schema objects behind a finding require.
func expected(fd *finding) string {
	var parts []string
	add := func(s string) {
		if s != "" && !slices.Contains(parts, s) {
			parts = append(parts, s)
		}
	}
	for _, n := range fd.nodes {
		switch fd.kind {
		case KindNull, KindType:
			if n.Types != 0 {
				add(n.Types.String())
			} else if n.Enum != nil {
				add("one of " + enumText(n.Enum))
			}
		case KindMissing:
			add("required")
		case KindDuplicate:
			add("once")
		case KindEnum:
			if n.Const != nil {
				add("the constant " + enumText([]any{*n.Const}))
			} else {
				add("one of " + enumText(n.Enum))
			}
		case KindFormat:
			if n.Format != nil {
				add("format " + n.Format.Name)
			}
		case KindPattern:
			if n.Pattern != nil {
				add("pattern " + n.Pattern.String())
			}
		case KindRange:
			add(bounds(n))
		case KindUndocumented:
			add("no such field (the documentation does not list it)")
		}
	}
	if len(parts) == 0 {
		if len(fd.messages) > 0 {
			return strings.Join(fd.messages, "; ")
		}
		return "nothing"
	}
	return strings.Join(parts, "; ")
}

func enumText(vals []any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		b, _ := json.Marshal(v)
		parts[i] = string(b)
	}
	return strings.Join(parts, ", ")
}

func bounds(n *shape.Node) string {
	var parts []string
	if n.Minimum != nil {
		parts = append(parts, ">= "+ratText(n.Minimum.RatString()))
	}
	if n.ExclusiveMinimum != nil {
		parts = append(parts, "> "+ratText(n.ExclusiveMinimum.RatString()))
	}
	if n.Maximum != nil {
		parts = append(parts, "<= "+ratText(n.Maximum.RatString()))
	}
	if n.ExclusiveMaximum != nil {
		parts = append(parts, "< "+ratText(n.ExclusiveMaximum.RatString()))
	}
	if n.MinLength >= 0 {
		parts = append(parts, "at least "+strconv.Itoa(n.MinLength)+" characters")
	}
	if n.MaxLength >= 0 {
		parts = append(parts, "at most "+strconv.Itoa(n.MaxLength)+" characters")
	}
	if n.MinItems >= 0 {
		parts = append(parts, "at least "+strconv.Itoa(n.MinItems)+" items")
	}
	if n.MaxItems >= 0 {
		parts = append(parts, "at most "+strconv.Itoa(n.MaxItems)+" items")
	}
	return strings.Join(parts, " and ")
}

func ratText(s string) string {
	if num, den, ok := strings.Cut(s, "/"); ok {
		n, _ := strconv.ParseFloat(num, 64)
		d, _ := strconv.ParseFloat(den, 64)
		return strconv.FormatFloat(n/d, 'g', -1, 64)
	}
	return s
}

// unseen lists the documented fields of the event's schema that no
// payload held: the topmost of each unseen subtree.
func unseen(es *eventStats) []Unseen {
	out := []Unseen{}
	var walk func(nodes []*shape.Node, f *field, ptr string, depth int)
	walk = func(nodes []*shape.Node, f *field, ptr string, depth int) {
		if depth > 32 {
			return
		}
		kids := documentedChildren(nodes)
		names := make([]string, 0, len(kids))
		for k := range kids {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, name := range names {
			if name == "*" {
				continue
			}
			var cf *field
			if f != nil {
				cf = f.children[name]
			}
			at := ptr + "/" + jsonptr.Escape(name)
			walk2(kids[name], cf, at, depth, es, &out, walk)
		}
		if items, ok := kids["*"]; ok {
			var cf *field
			if f != nil {
				cf = f.item
			}
			walk2(items, cf, ptr+"/*", depth, es, &out, walk)
		}
	}
	walk([]*shape.Node{es.root}, es.fields, "", 0)
	return out
}

func walk2(nodes []*shape.Node, cf *field, at string, depth int, es *eventStats, out *[]Unseen,
	walk func([]*shape.Node, *field, string, int)) {
	switch {
	case cf == nil || cf.seen == 0:
		*out = append(*out, Unseen{Pointer: at, Sample: es.payloads, Fields: countFields(nodes, 0)})
	case len(documentedChildren(nodes)) > 0 && cf.children == nil && cf.item == nil:
		*out = append(*out, Unseen{Pointer: at, Sample: es.payloads, Fields: countFields(nodes, 0) - 1, Null: true})
	default:
		walk(nodes, cf, at, depth+1)
	}
}

// documentedChildren maps the member names (and "*" for items) the
// schema objects document to their schema objects, following $ref, allOf
// and both branches of conditionals.
func documentedChildren(nodes []*shape.Node) map[string][]*shape.Node {
	out := map[string][]*shape.Node{}
	seen := map[*shape.Node]bool{}
	var visit func(n *shape.Node)
	visit = func(n *shape.Node) {
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		for k, c := range n.Properties {
			out[k] = append(out[k], c)
		}
		if n.Items != nil {
			out["*"] = append(out["*"], n.Items)
		}
		for _, c := range n.AllOf {
			visit(c)
		}
		visit(n.Then)
		visit(n.Else)
	}
	for _, n := range nodes {
		visit(n)
	}
	return out
}

// countFields counts the documented fields at and below nodes.
func countFields(nodes []*shape.Node, depth int) int {
	if depth > 32 {
		return 1
	}
	n := 1
	for _, kids := range documentedChildren(nodes) {
		n += countFields(kids, depth+1)
	}
	return n
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// TextOptions choose what WriteText prints beyond the findings.
type TextOptions struct {
	// Unseen lists the documented fields never seen (default in the CLI).
	Unseen bool
	// Fields lists what every field held (numbers' range, strings'
	// lengths, the values of documented non-personal fields).
	Fields bool
}

var headings = map[Kind]string{
	KindNull:         "Null where the schema allows none (a receiver that dereferences the field crashes)",
	KindType:         "Type changes (a typed receiver fails to parse the payload)",
	KindMissing:      "Required fields missing",
	KindDuplicate:    "Members that appear twice in one object (receivers disagree on which value counts)",
	KindEnum:         "Values outside the documented enum (a switch over the documented values misses them)",
	KindFormat:       "Format deviations",
	KindPattern:      "Pattern deviations",
	KindRange:        "Values out of the documented range",
	KindUndocumented: "Undocumented fields (strict receivers reject them; tolerant ones ignore them)",
}

// WriteText prints the report for people: a summary line, then the
// findings grouped by kind, what breaks a receiver first coming first.
func (r *Report) WriteText(w io.Writer, o TextOptions) error {
	p := &textw.Printer{W: w}
	var counts []string
	total := 0
	for _, e := range r.Events {
		counts = append(counts, fmt.Sprintf("%s %s %s", e.Provider, e.Event, thousands(e.Payloads)))
		total += len(e.Findings)
	}
	for _, e := range r.NoSchema {
		counts = append(counts, fmt.Sprintf("%s %s %s (no schema, not analysed)", e.Provider, e.Event, thousands(e.Payloads)))
	}
	verdict := "no drift"
	if r.HasDrift() {
		verdict = fmt.Sprintf("%d %s", total, textw.Plural(total, "deviation", "deviations"))
	}
	p.Printf("drift: %s %s: %s\n", thousands(r.Payloads), textw.Plural(r.Payloads, "payload", "payloads"), verdict)
	if len(counts) > 0 {
		p.Printf("  %s\n", strings.Join(counts, ", "))
	}
	for _, e := range r.Events {
		if e.NotJSON > 0 {
			p.Printf("\nNot JSON\n  %s %s: %s of %s payloads; first: %s\n", e.Provider, e.Event, thousands(e.NotJSON), thousands(e.Payloads), e.NotJSONExample)
		}
	}
	for _, k := range Kinds {
		first := true
		for _, e := range r.Events {
			for _, f := range e.Findings {
				if f.Kind != k {
					continue
				}
				if first {
					p.Printf("\n%s\n", headings[k])
					first = false
				}
				line := fmt.Sprintf("  %s %s %s: %s in %s of %s %s (%s)", e.Provider, e.Event, f.Pointer, f.what(),
					thousands(f.Deliveries), thousands(f.Of), textw.Plural(f.Of, "delivery", "deliveries"), percent(f.Deliveries, f.Of))
				if f.Kind != KindUndocumented && f.Kind != KindMissing && f.Kind != KindDuplicate {
					line += "; expected " + f.Expected
				}
				p.Printf("%s\n", line)
				if ex := f.Example; ex != nil {
					if ex.Value != "" {
						p.Printf("      e.g. %s = %s (%s)\n", ex.Pointer, ex.Value, ex.Source)
					} else {
						p.Printf("      e.g. %s (%s)\n", ex.Pointer, ex.Source)
					}
				}
			}
		}
	}
	if o.Unseen {
		first := true
		for _, e := range r.Events {
			if len(e.Unseen) == 0 {
				continue
			}
			if first {
				p.Printf("\nDocumented fields never seen\n")
				first = false
			}
			p.Printf("  %s %s (sample: %s %s)\n", e.Provider, e.Event, thousands(e.Payloads), textw.Plural(e.Payloads, "payload", "payloads"))
			for _, u := range e.Unseen {
				switch {
				case u.Null && u.Fields > 0:
					p.Printf("    %s: always null or empty; its %d documented %s never seen\n", u.Pointer, u.Fields, textw.Plural(u.Fields, "field", "fields"))
				case u.Fields > 1:
					p.Printf("    %s and the %d documented fields below it\n", u.Pointer, u.Fields-1)
				default:
					p.Printf("    %s\n", u.Pointer)
				}
			}
		}
	}
	if o.Fields {
		for _, e := range r.Events {
			p.Printf("\nFields of %s %s (%s %s)\n", e.Provider, e.Event, thousands(e.Payloads), textw.Plural(e.Payloads, "payload", "payloads"))
			for _, f := range e.Fields {
				p.Printf("  %s\n", f.line())
			}
		}
	}
	return p.Err
}

func (f Finding) what() string {
	switch f.Kind {
	case KindNull:
		return "null"
	case KindType:
		return strings.Join(f.Types, " or ")
	case KindMissing:
		return "missing"
	case KindDuplicate:
		return "twice"
	case KindUndocumented:
		return strings.Join(f.Types, " or ")
	case KindRange:
		if f.Min != "" {
			if f.Min == f.Max {
				return f.Min
			}
			return "values from " + f.Min + " to " + f.Max
		}
		return "out of bounds"
	}
	var vals []string
	for i, v := range f.Observed {
		if i == 5 {
			vals = append(vals, fmt.Sprintf("and %d more", len(f.Observed)-5))
			break
		}
		vals = append(vals, v.Value)
	}
	if f.OtherValues > 0 {
		vals = append(vals, "others")
	}
	return strings.Join(vals, ", ")
}

func (f Field) line() string {
	var parts []string
	types := make([]string, 0, len(f.Types))
	for t, n := range f.Types {
		types = append(types, fmt.Sprintf("%s %s", t, thousands(n)))
	}
	sort.Strings(types)
	parts = append(parts, strings.Join(types, ", "))
	if !f.Documented {
		parts = append(parts, "undocumented")
	}
	if f.Min != "" {
		parts = append(parts, "from "+f.Min+" to "+f.Max)
	}
	if f.MinLength != nil {
		parts = append(parts, fmt.Sprintf("%d to %d characters", *f.MinLength, *f.MaxLength))
	}
	if f.MinItems != nil {
		parts = append(parts, fmt.Sprintf("%d to %d items", *f.MinItems, *f.MaxItems))
	}
	if f.Personal != "" {
		parts = append(parts, "personal ("+f.Personal+")")
	} else if len(f.Values) > 0 && len(f.Values) <= 8 {
		var vs []string
		for _, v := range f.Values {
			vs = append(vs, v.Value+" "+thousands(v.Deliveries))
		}
		if f.OtherValues > 0 {
			vs = append(vs, "others "+thousands(f.OtherValues))
		}
		parts = append(parts, strings.Join(vs, ", "))
	} else if len(f.Values) > 8 || f.ManyValues {
		parts = append(parts, "many distinct values")
	}
	return f.Pointer + ": " + strings.Join(parts, "; ")
}

// thousands writes n with comma separators: 10,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func percent(n, of int) string {
	if of == 0 {
		return "0%"
	}
	p := 100 * float64(n) / float64(of)
	switch {
	case p >= 10 || p == 0 || p == 100:
		return strconv.FormatFloat(p, 'f', 0, 64) + "%"
	case p >= 0.1:
		return strconv.FormatFloat(p, 'f', 1, 64) + "%"
	}
	return "<0.1%"
}
