package drift

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/jsonscan"
	"github.com/orderhooks/orderhooks/internal/shape"
)

// Kind classifies a finding. The order of the constants is the order of
// the report: what breaks a receiver first comes first.
type Kind string

// Kinds of findings.
const (
	// KindNull: null where the schema allows none; a receiver that
	// dereferences the field crashes.
	KindNull Kind = "null"
	// KindType: a value of another JSON type; a typed receiver fails to
	// parse the payload.
	KindType Kind = "type"
	// KindMissing: a required field is absent.
	KindMissing Kind = "missing"
	// KindDuplicate: a member appears twice in one object; receivers
	// disagree on which value counts (most keep the last, as the
	// validator does; every value is checked here).
	KindDuplicate Kind = "duplicate"
	// KindEnum: a value outside the documented enum (or const); a switch
	// over the documented values misses it.
	KindEnum Kind = "enum"
	// KindFormat: a string that is not of its documented format
	// (date-time, date, uuid, uri…).
	KindFormat Kind = "format"
	// KindPattern: a string that does not match its documented pattern.
	KindPattern Kind = "pattern"
	// KindRange: a number, length or item count out of its documented
	// bounds.
	KindRange Kind = "range"
	// KindUndocumented: a field the documentation does not list; strict
	// receivers reject it, tolerant ones ignore it.
	KindUndocumented Kind = "undocumented"
)

// Kinds lists the kinds in report order.
var Kinds = []Kind{KindNull, KindType, KindMissing, KindDuplicate, KindEnum, KindFormat, KindPattern, KindRange, KindUndocumented}

func (k Kind) rank() int {
	for i, x := range Kinds {
		if x == k {
			return i
		}
	}
	return len(Kinds)
}

// Limits of what one field keeps, so that memory stays bounded whatever
// the traffic.
const (
	// MaxValues is how many distinct values a field or finding counts
	// (more are summed as "others").
	MaxValues = 20
	// MaxExample bounds the text of an example value.
	MaxExample = 120
)

type eventStats struct {
	provider, event, schema string
	root                    *shape.Node
	listed                  bool // an object's listed properties document its members
	payloads, notJSON       int
	notJSONExample          string
	fields                  *field
}

// field is what was seen at one normalized pointer (/parts/*/material).
type field struct {
	name       string // member name, "*" for array items, "" for the root
	ptr        string
	parent     *field
	documented bool
	personal   string
	learned    bool

	seen, lastSeen int    // deliveries with the field
	types          [8]int // deliveries per jsonscan.Kind of value
	lastType       [8]int // last delivery counted per kind
	nums           extremes
	hasStr         bool   // strings seen
	minLen, maxLen int    // strings, in characters
	hasItems       bool   // arrays seen
	minItems       int    // item counts
	maxItems       int    //
	values         counts // distinct non-personal scalar values
	children       map[string]*field
	order          []string // children in order of first sight
	ordered        []*field // the same fields

	// lastObj is the walker's serial of the last object the field was a
	// member of: seeing it twice in one object is a duplicate.
	lastObj int

	// What the schema says of the field's value, cached for the schema
	// objects of its parent that decided it (they rarely change).
	cacheAct []*shape.Node
	kids     []*shape.Node
	closed   *shape.Node
	item     *field
	findings []*finding
}

// extremes are the smallest and largest of some numbers, with their text.
type extremes struct {
	has, fractional bool
	min, max        float64
	minRaw, maxRaw  string
}

func (e *extremes) add(raw []byte) {
	x := parseNumber(raw)
	if !isInteger(raw) {
		e.fractional = true
	}
	if !e.has || x < e.min {
		e.min, e.minRaw = x, string(raw)
	}
	if !e.has || x > e.max {
		e.max, e.maxRaw = x, string(raw)
	}
	e.has = true
}

// parseNumber is the float64 of a JSON number: fastFloat's, else
// strconv.ParseFloat's.
func parseNumber(raw []byte) float64 {
	if x, ok := fastFloat(raw); ok {
		return x
	}
	x, _ := strconv.ParseFloat(string(raw), 64)
	return x
}

// pow10 are the powers of ten a float64 holds exactly.
var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// fastFloat reads the usual JSON numbers of payloads (an optional minus,
// at most 15 digits, an optional fraction, no exponent) exactly as
// strconv.ParseFloat does, without its generality: an integer below
// 10^15 and a power of ten up to 10^15 are exact float64s, and IEEE
// division rounds their quotient correctly. ok is false for anything
// else.
func fastFloat(raw []byte) (x float64, ok bool) {
	neg := len(raw) > 0 && raw[0] == '-'
	if neg {
		raw = raw[1:]
	}
	var mant uint64
	digits, frac := 0, -1
	for i, c := range raw {
		switch {
		case c >= '0' && c <= '9':
			mant = mant*10 + uint64(c-'0')
			digits++
		case c == '.' && frac < 0 && i > 0:
			frac = 0
			continue
		default:
			return 0, false
		}
		if frac >= 0 {
			frac++
		}
	}
	if digits == 0 || digits > 15 || frac == 0 {
		return 0, false
	}
	x = float64(mant)
	if frac > 0 {
		x /= pow10[frac]
	}
	if neg {
		x = -x
	}
	return x, true
}

// counts counts distinct values up to MaxValues, the rest as others; by
// deliveries.
type counts struct {
	list   []*valueCount
	others int
}

type valueCount struct {
	kind    jsonscan.Kind
	key     string // the token's text
	display string // redacted text for reports
	raw     string // the JSON value, for overlays (enum values)
	n, last int
}

func (c *counts) add(v *scalar, payload int, mk func() (display, raw string)) {
	if c.others > MaxValues {
		// Many distinct values (ids, names): the list is full and stays
		// as it is; only the overflow is counted.
		c.others++
		return
	}
	for _, vc := range c.list {
		if vc.kind == v.kind && vc.key == string(v.raw) {
			if vc.last != payload {
				vc.n++
				vc.last = payload
			}
			return
		}
	}
	if len(c.list) >= MaxValues {
		c.others++
		return
	}
	d, r := mk()
	c.list = append(c.list, &valueCount{kind: v.kind, key: string(v.raw), display: d, raw: r, n: 1, last: payload})
}

// finding is one kind of deviation at one field.
type finding struct {
	kind       Kind
	deliveries int
	last       int
	nodes      []*shape.Node
	values     counts
	types      shape.Types // of the deviating values
	nums       extremes    // of the deviating numbers
	example    *Example
	messages   []string // what the checks said (distinct, first few)
}

// child returns (creating) the field of member k (unescaped); nodes are
// the schema objects describing it (none: undocumented).
func (f *field) child(k []byte, nodes []*shape.Node) *field {
	c := f.children[string(k)]
	if c == nil {
		name := string(k)
		c = &field{name: name, ptr: f.ptr + "/" + jsonptr.Escape(name), parent: f, documented: len(nodes) > 0 && f.documented}
		if f.children == nil {
			f.children = map[string]*field{}
		}
		f.children[name] = c
		f.order = append(f.order, name)
		f.ordered = append(f.ordered, c)
	}
	if len(nodes) > 0 && f.documented {
		c.documented = true
	}
	c.learn(nodes)
	return c
}

// childAt finds the field of member k, the i-th of its object, trying
// the i-th field first (payloads keep their field order); nil when the
// member was never seen.
func (f *field) childAt(i int, k []byte) *field {
	if i < len(f.ordered) && f.order[i] == string(k) {
		return f.ordered[i]
	}
	return f.children[string(k)]
}

// cached reports whether the field's schema objects were decided by
// exactly these schema objects of its parent.
func (f *field) cached(act []*shape.Node) bool {
	return f.cacheAct != nil && slices.Equal(f.cacheAct, act)
}

func (f *field) cache(act, kids []*shape.Node, closed *shape.Node) {
	f.cacheAct, f.kids, f.closed = slices.Clone(act), kids, closed
	if f.cacheAct == nil {
		f.cacheAct = []*shape.Node{}
	}
}

// item returns (creating) the field of the array's items.
func (f *field) itemField(nodes []*shape.Node) *field {
	if f.item == nil {
		f.item = &field{name: "*", ptr: f.ptr + "/*", parent: f, documented: len(nodes) > 0 && f.documented}
	}
	if len(nodes) > 0 && f.documented {
		f.item.documented = true
	}
	f.item.learn(nodes)
	return f.item
}

// learn takes the personal-data kind from the schema objects of the field
// (the first time it has any).
func (f *field) learn(nodes []*shape.Node) {
	if f.learned || len(nodes) == 0 && f.parent != nil && f.parent.personal == "" {
		return
	}
	f.learned = len(nodes) > 0
	for _, n := range nodes {
		for _, e := range n.Expand() {
			if e.Personal != "" {
				f.personal = e.Personal
				return
			}
		}
	}
	if f.parent != nil && f.parent.personal != "" {
		f.personal = "free-form" // inside a personal value
	}
}

// items records an array's item count.
func (f *field) items(w *walker, n int) {
	if !f.hasItems || n < f.minItems {
		f.minItems = n
	}
	if !f.hasItems || n > f.maxItems {
		f.maxItems = n
	}
	f.hasItems = true
}

// see records one value at the field.
func (f *field) see(w *walker, v *scalar) {
	p := w.payload
	if f.lastSeen != p {
		f.seen++
		f.lastSeen = p
	}
	if k := int(v.kind); k < len(f.types) && f.lastType[k] != p {
		f.types[k]++
		f.lastType[k] = p
	}
	switch v.kind {
	case jsonscan.Number:
		if hugeNumber(v.raw) {
			return
		}
		f.nums.add(v.raw)
	case jsonscan.String:
		n := utf8.RuneCount(v.raw)
		if v.esc {
			n = utf8.RuneCountInString(v.str())
		}
		if !f.hasStr || n < f.minLen {
			f.minLen = n
		}
		if !f.hasStr || n > f.maxLen {
			f.maxLen = n
		}
		f.hasStr = true
	}
	if f.documented && f.personal == "" && (v.kind == jsonscan.String || v.kind == jsonscan.True || v.kind == jsonscan.False) {
		f.values.add(v, p, func() (string, string) { return w.display(f, v), rawJSON(v) })
	}
}

// rawJSON is the value as JSON text.
func rawJSON(v *scalar) string {
	switch v.kind {
	case jsonscan.String:
		return `"` + string(v.raw) + `"`
	case jsonscan.Number:
		return string(v.raw)
	}
	return v.kind.String()
}

// display is the value as a report shows it: as sent for documented
// fields that are not personal, a pseudonym for personal ones, the shape
// only (letters x, digits 9) for undocumented and free-form ones, whose
// content nothing says is safe to show.
func (w *walker) display(f *field, v *scalar) string {
	var out string
	switch {
	case v.kind == jsonscan.Object:
		return "an object"
	case v.kind == jsonscan.Array:
		return "an array"
	case f != nil && f.documented && f.personal == "":
		out = rawJSON(v)
	case f != nil && f.documented && f.personal != "free-form" && v.kind == jsonscan.String:
		out = quote(w.redactor.Pseudonym(f.personal, v.str()))
	case v.kind == jsonscan.String:
		out = quote(mask(v.str()))
	case v.kind == jsonscan.Number:
		if f != nil && f.personal != "" {
			out = mask(string(v.raw))
		} else {
			out = string(v.raw)
		}
	default:
		out = rawJSON(v)
	}
	return clip(out)
}

func quote(s string) string { return strconv.Quote(s) }

func clip(s string) string {
	if utf8.RuneCountInString(s) <= MaxExample {
		return s
	}
	r := []rune(s)
	return string(r[:MaxExample]) + "…"
}

// mask keeps a text's shape: letters x (X upper case), digits 9, the rest.
func mask(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsUpper(r):
			return 'X'
		case unicode.IsLetter(r):
			return 'x'
		case unicode.IsDigit(r):
			return '9'
		}
		return r
	}, s)
}

// maskJSON is a compact JSON value with its strings masked, clipped.
func maskJSON(span []byte) string {
	s := jsonscan.New(span)
	var b strings.Builder
	var walk func()
	walk = func() {
		if b.Len() > MaxExample {
			s.Skip()
			return
		}
		switch s.Peek() {
		case jsonscan.Object:
			s.BeginObject()
			b.WriteByte('{')
			first := true
			for {
				k, esc, ok := s.NextKey()
				if !ok {
					break
				}
				if !first {
					b.WriteByte(',')
				}
				first = false
				b.WriteString(strconv.Quote(jsonscan.Text(k, esc)) + ":")
				walk()
			}
			b.WriteByte('}')
		case jsonscan.Array:
			s.BeginArray()
			b.WriteByte('[')
			for i := 0; s.NextItem(); i++ {
				if i > 0 {
					b.WriteByte(',')
				}
				walk()
			}
			b.WriteByte(']')
		case jsonscan.String:
			raw, esc, _ := s.String()
			b.WriteString(quote(mask(jsonscan.Text(raw, esc))))
		case jsonscan.Number:
			raw, _ := s.Number()
			b.Write(raw)
		default:
			k, _ := s.Literal()
			b.WriteString(k.String())
		}
	}
	walk()
	return clip(b.String())
}

func (f *field) finding(k Kind) *finding {
	for _, fd := range f.findings {
		if fd.kind == k {
			return fd
		}
	}
	fd := &finding{kind: k}
	f.findings = append(f.findings, fd)
	return fd
}

// violate records a violation of the current value (v; nil for a member
// that is missing or undocumented) at field f.
func (w *walker) violate(vi violation, v *scalar, f *field) {
	if w.dry {
		w.dryFails++
		return
	}
	if w.record != nil {
		vi.pointer = w.pointer()
		w.record(vi)
	}
	if f == nil {
		return
	}
	fd := f.finding(vi.kind)
	p := w.payload
	if fd.last != p {
		fd.deliveries++
		fd.last = p
	}
	if vi.node != nil {
		known := false
		for _, n := range fd.nodes {
			known = known || n == vi.node
		}
		if !known {
			fd.nodes = append(fd.nodes, vi.node)
		}
	}
	if vi.msg != "" && len(fd.messages) < 3 && !slices.Contains(fd.messages, vi.msg) {
		fd.messages = append(fd.messages, vi.msg)
	}
	if v != nil {
		fd.types |= v.typeOf()
		if v.kind != jsonscan.Object && v.kind != jsonscan.Array {
			fd.values.add(v, p, func() (string, string) { return w.display(f, v), rawJSON(v) })
		}
		if v.kind == jsonscan.Number && !hugeNumber(v.raw) {
			fd.nums.add(v.raw)
		}
	}
	if fd.example == nil && vi.kind != KindUndocumented {
		ex := &Example{Pointer: w.pointer(), Source: w.source}
		if v != nil {
			ex.Value = w.display(f, v)
		}
		fd.example = ex
	}
}

// undocumentedExample records the first value of an undocumented member.
func (f *field) undocumentedExample(w *walker, span []byte) {
	fd := f.finding(KindUndocumented)
	if fd.example != nil || w.dry {
		return
	}
	fd.example = &Example{Pointer: w.pointer(), Source: w.source, Value: maskJSON(span)}
}

// observedTypes returns the JSON type names of what the field held, by
// deliveries.
func (f *field) observedTypes() map[string]int {
	out := map[string]int{}
	for k, n := range f.types {
		if n > 0 {
			name := jsonscan.Kind(k).String()
			switch jsonscan.Kind(k) {
			case jsonscan.True, jsonscan.False:
				name = "boolean"
			case jsonscan.Number:
				if !f.nums.fractional {
					name = "integer"
				}
			}
			out[name] += n
		}
	}
	return out
}
