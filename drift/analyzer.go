package drift

import (
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/jsonscan"
	"github.com/orderhooks/orderhooks/internal/shape"
	"github.com/orderhooks/orderhooks/pii"
	"github.com/orderhooks/orderhooks/provider"
	"github.com/orderhooks/orderhooks/schemas"
)

// Analyzer compares payloads with the schemas, one Add at a time, and
// keeps per event and pointer what it saw. It is not safe for concurrent
// use; Report may be called at any time.
type Analyzer struct {
	roots    map[string]*shape.Node // by strict schema name
	redactor *pii.Redactor
	events   map[string]*eventStats // by "provider event"
	order    []string               // event keys in order of first sight
	noSchema map[string]int
	w        walker

	def      *provider.Definition
	defRoots map[string]*shape.Node // the definition's own event schemas, by schema name
}

type config struct {
	set  *schemas.Set
	salt []byte
	def  *provider.Definition
}

// Option configures New.
type Option func(*config)

// WithSchemas compares with another schema set (the embedded schemas with
// an overlay applied, say) instead of the embedded schemas.
func WithSchemas(set *schemas.Set) Option { return func(c *config) { c.set = set } }

// WithSalt keys the pseudonyms of personal values in examples (default: a
// fixed salt, so that reports of the same payloads are identical; give a
// capture store's salt for the pseudonyms its redacted exports use).
func WithSalt(salt []byte) Option { return func(c *config) { c.salt = salt } }

// WithDefinition compares the payloads of a provider definition's events
// (those Add is given with the definition's name as provider) with the
// schemas the definition gives them, rather than the built-in platforms':
// its own schemas as written, where an object that lists its properties
// documents its members (a member it does not list is reported unless
// additionalProperties allows it), and the strict built-in schema where an
// event names a built-in one. Payloads of other providers keep the
// built-in schemas. Personal values are those the definition's schemas
// annotate x-personal.
func WithDefinition(def *provider.Definition) Option { return func(c *config) { c.def = def } }

// defaultSalt keys example pseudonyms by default: reports are then
// reproducible. A pseudonym is not the value whatever the salt.
var defaultSalt = []byte("orderhooks drift report examples")

// ErrSchema is wrapped when the schemas use a keyword the analysis does
// not implement (it never ignores a rule the validator enforces).
var ErrSchema = errors.New("drift: schema not supported")

// New returns an Analyzer of payloads against the strict schemas (a field
// the documentation omits is a finding).
func New(opts ...Option) (*Analyzer, error) {
	c := config{set: schemas.Embedded(), salt: defaultSalt}
	for _, o := range opts {
		o(&c)
	}
	var docs []shape.Doc
	for _, s := range c.set.All() {
		docs = append(docs, shape.Doc{Name: s.Name(), Source: s.Source()})
	}
	roots, err := shape.Compile(docs)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSchema, err)
	}
	red, err := pii.New(c.salt, pii.WithSchemas(c.set.All()))
	if err != nil {
		return nil, err
	}
	a := &Analyzer{roots: roots, redactor: red, events: map[string]*eventStats{}, noSchema: map[string]int{}, def: c.def}
	if c.def != nil {
		if a.defRoots, err = definitionRoots(c.def); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// definitionRoots compiles the definition's own event schemas (not those
// naming a built-in schema), by schema name.
func definitionRoots(def *provider.Definition) (map[string]*shape.Node, error) {
	var docs []shape.Doc
	seen := map[string]bool{}
	for _, e := range def.Events() {
		s, err := e.Schema()
		if err != nil {
			return nil, fmt.Errorf("drift: %s: %w", def.Name(), err)
		}
		if s.Builtin() != "" || seen[s.Name()] {
			continue
		}
		seen[s.Name()] = true
		docs = append(docs, shape.Doc{Name: s.Name(), Source: s.Source()})
	}
	roots, err := shape.Compile(docs)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrSchema, def.Name(), err)
	}
	return roots, nil
}

// eventName is the definition's name of an event its deliveries name by
// its wire name (a store's), the name itself otherwise.
func (a *Analyzer) eventName(name string) string {
	if _, ok := a.def.Event(name); ok {
		return name
	}
	if e, ok := a.def.ResolvePayload(name, nil); ok {
		return e.Name
	}
	return name
}

// schemaOf finds the schema of an event: its name, its root and whether
// its objects document their members without saying additionalProperties
// false (a definition's own schemas). root is nil for an event without a
// schema.
func (a *Analyzer) schemaOf(provider, event string) (name string, root *shape.Node, listed bool, err error) {
	if a.def != nil && provider == a.def.Name() {
		e, ok := a.def.Event(event)
		if !ok {
			return "", nil, false, nil
		}
		s, err := e.Schema()
		if err != nil {
			return "", nil, false, fmt.Errorf("drift: %s %s: %w", provider, event, err)
		}
		if b := s.Builtin(); b != "" {
			for _, n := range []string{b + "-strict", b} {
				if r, ok := a.roots[n]; ok {
					return n, r, false, nil
				}
			}
			return "", nil, false, fmt.Errorf("drift: schema %s is not in the schema set", b)
		}
		return s.Name(), a.defRoots[s.Name()], true, nil
	}
	name, err = schemas.ForEvent(provider, event, true)
	if errors.Is(err, schemas.ErrUnknownSchema) {
		return "", nil, false, nil
	}
	if err != nil {
		return "", nil, false, err
	}
	root, ok := a.roots[name]
	if !ok {
		return "", nil, false, fmt.Errorf("drift: schema %s is not in the schema set", name)
	}
	return name, root, false, nil
}

// Add analyses one payload: the generator's Event.Payload form (Phasio:
// the decrypted order; HappyColis: the {header, body} envelope). source
// names it in examples ("delivery 42", "orders.jsonl:7"). Events without
// a schema are only counted. A payload that is not JSON is counted as
// such for its event; Add returns an error only for an event name it
// cannot place.
func (a *Analyzer) Add(provider, event string, payload []byte, source string) error {
	if provider == "" || event == "" {
		return fmt.Errorf("drift: provider and event are required (%s)", source)
	}
	if a.def != nil && provider == a.def.Name() {
		event = a.eventName(event)
	}
	key := provider + " " + event
	es, ok := a.events[key]
	if !ok {
		name, root, listed, err := a.schemaOf(provider, event)
		if err != nil {
			return err
		}
		if root == nil {
			a.noSchema[key]++
			return nil
		}
		es = &eventStats{provider: provider, event: event, schema: name, root: root, listed: listed, fields: &field{documented: true}}
		a.events[key] = es
		a.order = append(a.order, key)
	}
	es.payloads++
	w := &a.w
	w.begin(es, payload, source, a.redactor)
	w.value([]*shape.Node{es.root}, es.fields)
	if w.s.End(); w.s.Err() != nil {
		es.notJSON++
		if es.notJSONExample == "" {
			es.notJSONExample = source + ": " + w.s.Err().Error()
		}
	}
	return nil
}

// walker walks one payload along its schema.
type walker struct {
	s        *jsonscan.Scanner
	data     []byte
	es       *eventStats
	payload  int // index of the payload within its event, from 1
	source   string
	redactor *pii.Redactor
	path     []step
	dry      bool // only count violations (evaluating an "if")
	dryFails int
	cur      *field            // the field of the value being checked
	nodes    []*shape.Node     // a stack of the schema objects of the members being walked
	keys     [][]byte          // a stack of the member names of the objects being walked
	kb       []byte            // a buffer for enum keys
	act      []*shape.Node     // a stack of active schema objects
	objects  int               // objects walked, a serial for duplicate members
	record   func(v violation) // tests: every violation with its concrete pointer
}

// step is one level of the path to the current value.
type step struct {
	key   []byte // unescaped
	index int    // -1 for object members
}

func (w *walker) begin(es *eventStats, payload []byte, source string, red *pii.Redactor) {
	if w.s == nil {
		w.s = &jsonscan.Scanner{}
	}
	w.s.Reset(payload)
	w.data, w.es, w.payload, w.source, w.redactor = payload, es, es.payloads, source, red
	w.path = w.path[:0]
}

// pointer is the concrete JSON pointer of the current value.
func (w *walker) pointer() string {
	var b strings.Builder
	for _, st := range w.path {
		b.WriteByte('/')
		if st.index >= 0 {
			b.WriteString(strconv.Itoa(st.index))
			continue
		}
		b.WriteString(jsonptr.Escape(string(st.key)))
	}
	return b.String()
}

// violation is one way the current value breaks a schema object.
type violation struct {
	kind    Kind
	node    *shape.Node
	pointer string // concrete, for tests
	member  string // undocumented and missing: the member's name
	msg     string
}

// scalar is a scalar value being checked.
type scalar struct {
	kind  jsonscan.Kind
	raw   []byte // number text, or string text between the quotes
	esc   bool
	text  string // decoded string (set lazily)
	start int    // offset of the token
	t     shape.Types
}

func (v *scalar) str() string {
	if v.text == "" && len(v.raw) > 0 {
		v.text = jsonscan.Text(v.raw, v.esc)
	}
	return v.text
}

// typeOf returns the value's JSON type bits (an integer is both).
func (v *scalar) typeOf() shape.Types {
	if v.t == 0 {
		v.t = v.computeType()
	}
	return v.t
}

func (v *scalar) computeType() shape.Types {
	switch v.kind {
	case jsonscan.Null:
		return shape.TypeNull
	case jsonscan.True, jsonscan.False:
		return shape.TypeBoolean
	case jsonscan.String:
		return shape.TypeString
	case jsonscan.Number:
		if isInteger(v.raw) {
			return shape.TypeInteger | shape.TypeNumber
		}
		return shape.TypeNumber
	case jsonscan.Object:
		return shape.TypeObject
	case jsonscan.Array:
		return shape.TypeArray
	}
	return 0
}

func (v *scalar) key() string {
	switch v.kind {
	case jsonscan.String:
		return shape.Key(shape.TypeString, v.str())
	case jsonscan.Number:
		if hugeNumber(v.raw) {
			return "n" + string(v.raw)
		}
		return shape.Key(shape.TypeNumber, string(v.raw))
	case jsonscan.True:
		return shape.Key(shape.TypeBoolean, "true")
	case jsonscan.False:
		return shape.Key(shape.TypeBoolean, "false")
	case jsonscan.Null:
		return shape.Key(shape.TypeNull, "")
	}
	return "container"
}

// isInteger reports whether a JSON number has no fraction (12.0 and 1.5e1
// have none), as the validator decides it, without math/big: the
// significant fraction digits must be covered by the exponent.
func isInteger(raw []byte) bool {
	i := 0
	if i < len(raw) && raw[i] == '-' {
		i++
	}
	allZero := true
	for ; i < len(raw) && raw[i] >= '0' && raw[i] <= '9'; i++ {
		allZero = allZero && raw[i] == '0'
	}
	frac := 0 // significant fraction digits
	if i < len(raw) && raw[i] == '.' {
		i++
		start := i
		last := -1
		for ; i < len(raw) && raw[i] >= '0' && raw[i] <= '9'; i++ {
			if raw[i] != '0' {
				last = i
				allZero = false
			}
		}
		if last >= 0 {
			frac = last - start + 1
		}
	}
	if allZero || frac == 0 && (i == len(raw)) {
		return true
	}
	exp, neg := 0, false
	if i < len(raw) && (raw[i] == 'e' || raw[i] == 'E') {
		i++
		if i < len(raw) && (raw[i] == '+' || raw[i] == '-') {
			neg = raw[i] == '-'
			i++
		}
		for ; i < len(raw) && raw[i] >= '0' && raw[i] <= '9'; i++ {
			if exp < 1<<20 {
				exp = exp*10 + int(raw[i]-'0')
			}
		}
	}
	if neg {
		if frac > 0 {
			return false
		}
		// 1200e-2 is an integer; 12e-2 is not: the integer digits' trailing
		// zeros must cover the negative exponent.
		return trailingZeros(raw) >= exp
	}
	return exp >= frac
}

// trailingZeros counts the zeros ending the integer part of a number.
func trailingZeros(raw []byte) int {
	end := 0
	for end < len(raw) && (raw[end] == '-' || raw[end] >= '0' && raw[end] <= '9') {
		end++
	}
	n := 0
	for i := end - 1; i >= 0 && raw[i] == '0'; i-- {
		n++
	}
	return n
}

// hugeNumber mirrors the schemas package's number limits: more digits or
// a larger exponent than any payload needs is a violation in itself.
func hugeNumber(raw []byte) bool {
	digits, exp := 0, 0
	inExp, neg := false, false
	for _, c := range raw {
		switch {
		case c == 'e' || c == 'E':
			inExp = true
		case inExp && c == '-':
			neg = true
		case c >= '0' && c <= '9' && inExp:
			if exp < 1e6 {
				exp = exp*10 + int(c-'0')
			}
		case c >= '0' && c <= '9':
			digits++
		}
	}
	_ = neg
	return digits > schemas.MaxNumberDigits || exp > schemas.MaxNumberExponent
}

// active appends to into the schema objects of nodes whose type (and,
// for a scalar, const, enum and format) accept the value, following $ref
// and allOf only from those that do, as the validator does; a failing one
// is a violation. Conditionals are resolved by the caller.
func (w *walker) active(nodes []*shape.Node, v *scalar, into []*shape.Node) []*shape.Node {
	from := len(into)
	for _, n := range nodes {
		into = w.activate(n, v, into, from)
	}
	return into
}

// activate adds n (and what it refers to) to into, unless into[from:]
// has it already.
func (w *walker) activate(n *shape.Node, v *scalar, into []*shape.Node, from int) []*shape.Node {
	for _, have := range into[from:] {
		if have == n {
			return into
		}
	}
	if n.Never {
		w.violate(violation{kind: KindType, node: n, msg: "no value is allowed here"}, v, w.cur)
		return into
	}
	t := v.typeOf()
	if !n.Types.Allows(t) {
		k := KindType
		if t == shape.TypeNull {
			k = KindNull
		}
		w.violate(violation{kind: k, node: n, msg: "expected " + n.Types.String()}, v, w.cur)
		return into
	}
	if n.Const != nil && !constMatches(n, v) {
		w.violate(violation{kind: KindEnum, node: n, msg: "not the constant"}, v, w.cur)
		return into
	}
	if n.Enum != nil && !n.InEnumKey(w.enumKey(v)) {
		k := KindEnum
		if t == shape.TypeNull {
			k = KindNull
		}
		w.violate(violation{kind: k, node: n, msg: "not in enum"}, v, w.cur)
		return into
	}
	if n.Format != nil && v.kind == jsonscan.String {
		if err := checkFormat(n.Format, v); err != nil {
			w.violate(violation{kind: KindFormat, node: n, msg: "not " + n.Format.Name + ": " + err.Error()}, v, w.cur)
			return into
		}
	}
	into = append(into, n)
	for _, c := range n.AllOf {
		into = w.activate(c, v, into, from)
	}
	return into
}

// enumKey is v's Key, built in a reused buffer.
func (w *walker) enumKey(v *scalar) []byte {
	if v.kind == jsonscan.String && !v.esc {
		w.kb = append(append(w.kb[:0], 's'), v.raw...)
	} else {
		w.kb = append(w.kb[:0], v.key()...)
	}
	return w.kb
}

// checkFormat validates a string's format. UUIDs, the commonest, are
// checked here without allocating (8-4-4-4-12 hex digits, either case, as
// the validator has it); other formats by the validator's own function.
func checkFormat(f *jsonschema.Format, v *scalar) error {
	if f.Name == "uuid" && !v.esc {
		if isUUID(v.raw) {
			return nil
		}
	}
	return f.Validate(v.str())
}

func isUUID(b []byte) bool {
	if len(b) != 36 {
		return false
	}
	for i, c := range b {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

func constMatches(n *shape.Node, v *scalar) bool {
	c := *n.Const
	var want string
	switch x := c.(type) {
	case string:
		want = shape.Key(shape.TypeString, x)
	case nil:
		want = shape.Key(shape.TypeNull, "")
	case bool:
		want = shape.Key(shape.TypeBoolean, strconv.FormatBool(x))
	default:
		want = shape.Key(shape.TypeNumber, fmt.Sprint(x))
	}
	return want == v.key()
}

// scalarChecks applies the keywords of strings and numbers.
func (w *walker) scalarChecks(act []*shape.Node, v *scalar) {
	switch v.kind {
	case jsonscan.String:
		var n int = -1
		for _, nd := range act {
			if nd.Pattern != nil && !nd.Pattern.MatchString(v.str()) {
				w.violate(violation{kind: KindPattern, node: nd, msg: "does not match " + nd.Pattern.String()}, v, w.cur)
			}
			if nd.MinLength >= 0 || nd.MaxLength >= 0 {
				if n < 0 {
					n = utf8.RuneCountInString(v.str())
				}
				if (nd.MinLength >= 0 && n < nd.MinLength) || (nd.MaxLength >= 0 && n > nd.MaxLength) {
					w.violate(violation{kind: KindRange, node: nd, msg: "length " + strconv.Itoa(n)}, v, w.cur)
				}
			}
		}
	case jsonscan.Number:
		if hugeNumber(v.raw) {
			w.violate(violation{kind: KindRange, node: nil, msg: "number out of range"}, v, w.cur)
			return
		}
		f, parsed := 0.0, false
		for _, nd := range act {
			if nd.Minimum == nil && nd.ExclusiveMinimum == nil && nd.Maximum == nil && nd.ExclusiveMaximum == nil {
				continue // no bound to compare with
			}
			if !parsed {
				f, parsed = parseNumber(v.raw), true
			}
			if below(f, v.raw, nd.Minimum, nd.Bounds[0], false) || below(f, v.raw, nd.ExclusiveMinimum, nd.Bounds[2], true) ||
				above(f, v.raw, nd.Maximum, nd.Bounds[1], false) || above(f, v.raw, nd.ExclusiveMaximum, nd.Bounds[3], true) {
				w.violate(violation{kind: KindRange, node: nd, msg: "out of range"}, v, w.cur)
			}
		}
	}
}

// cmp compares the number (f, its text raw) with bound (bf as a float64):
// -1, 0, 1. Floats decide unless they are equal (rounding keeps order);
// then a number of at most 15 digits is the bound (it would have parsed
// to another float otherwise), and a longer one is compared exactly.
func cmp(f float64, raw []byte, bound *big.Rat, bf float64) int {
	switch {
	case f < bf:
		return -1
	case f > bf:
		return 1
	case shortNumber(raw):
		return 0
	}
	r, ok := new(big.Rat).SetString(string(raw))
	if !ok {
		return 0
	}
	return r.Cmp(bound)
}

// shortNumber: at most 15 significant digits and a small exponent, so
// its float64 is within a part in 10^15 of it.
func shortNumber(raw []byte) bool {
	digits, exp, inExp, lead := 0, 0, false, true
	for _, c := range raw {
		switch {
		case c == 'e' || c == 'E':
			inExp = true
		case c >= '0' && c <= '9' && inExp:
			exp = exp*10 + int(c-'0')
			if exp > 300 {
				return false
			}
		case c >= '0' && c <= '9':
			if c != '0' || !lead {
				lead = false
				digits++
			}
		}
	}
	return digits <= 15
}

func below(f float64, raw []byte, bound *big.Rat, bf float64, exclusive bool) bool {
	if bound == nil {
		return false
	}
	c := cmp(f, raw, bound, bf)
	return c < 0 || (exclusive && c == 0)
}

func above(f float64, raw []byte, bound *big.Rat, bf float64, exclusive bool) bool {
	if bound == nil {
		return false
	}
	c := cmp(f, raw, bound, bf)
	return c > 0 || (exclusive && c == 0)
}

// value walks the next value of the payload against the schema objects
// nodes (nil: undocumented or free-form) and records it on field f (nil
// while deciding an "if").
func (w *walker) value(nodes []*shape.Node, f *field) {
	s := w.s
	v := scalar{kind: s.Peek(), start: s.Pos()}
	switch v.kind {
	case jsonscan.Invalid:
		s.Skip() // records the syntax error
		return
	case jsonscan.String:
		v.raw, v.esc, _ = s.String()
	case jsonscan.Number:
		v.raw, _ = s.Number()
	case jsonscan.Null, jsonscan.True, jsonscan.False:
		s.Literal()
	}
	if s.Err() != nil {
		return
	}
	w.cur = f
	base := len(w.act)
	w.act = w.active(nodes, &v, w.act)
	act := w.act[base:len(w.act):len(w.act)]
	defer func() { w.act = w.act[:base] }()
	// A conditional applies its branch, chosen by the whole value, as one
	// more schema object; a container is read once to decide, then walked
	// from its own bytes.
	container := v.kind == jsonscan.Object || v.kind == jsonscan.Array
	var span []byte
	for i := 0; i < len(act); i++ {
		n := act[i]
		if n.If == nil {
			continue
		}
		if span == nil {
			if container && !s.Skip() {
				return
			}
			span = w.data[v.start:s.Pos()]
		}
		branch := n.Else
		if w.passes(n.If, span) {
			branch = n.Then
		}
		if branch != nil {
			w.act = w.activate(branch, &v, w.act, base)
			act = w.act[base:len(w.act):len(w.act)]
		}
	}
	if !container {
		w.scalarChecks(act, &v)
		if f != nil {
			f.see(w, &v)
		}
		return
	}
	if f != nil {
		f.see(w, &v)
	}
	if span != nil {
		saved, savedData := w.s, w.data
		w.s, w.data = jsonscan.New(span), span
		defer func() { w.s, w.data = saved, savedData }()
	}
	if v.kind == jsonscan.Object {
		w.object(act, f)
	} else {
		w.array(act, f)
	}
}

// passes reports whether the value in span is valid against n.
func (w *walker) passes(n *shape.Node, span []byte) bool {
	saved, savedData, dry, fails, path, cur := w.s, w.data, w.dry, w.dryFails, len(w.path), w.cur
	w.s, w.data, w.dry, w.dryFails = jsonscan.New(span), span, true, 0
	w.value([]*shape.Node{n}, nil)
	ok := w.dryFails == 0
	w.s, w.data, w.dry, w.dryFails, w.path, w.cur = saved, savedData, dry, fails, w.path[:path], cur
	return ok
}

func (w *walker) object(act []*shape.Node, f *field) {
	s := w.s
	s.BeginObject()
	needSeen := false
	for _, n := range act {
		needSeen = needSeen || len(n.Required) > 0
	}
	keys := len(w.keys) // this object's member names are w.keys[keys:]
	w.objects++
	serial := w.objects
	for i := 0; ; {
		k, esc, ok := s.NextKey()
		if !ok {
			break
		}
		if esc {
			k = []byte(jsonscan.Text(k, esc))
		}
		if needSeen {
			w.keys = append(w.keys, k)
		}
		var kids []*shape.Node
		var closed *shape.Node
		var cf *field
		hit := false
		if f != nil {
			cf = f.childAt(i, k)
			if cf != nil && cf.cached(act) {
				kids, closed, hit = cf.kids, cf.closed, true
			}
		}
		if !hit {
			base := len(w.nodes)
			for _, n := range act {
				c := n.Properties[string(k)]
				switch {
				case c != nil:
					w.nodes = append(w.nodes, c)
				case n.Additional != nil:
					w.nodes = append(w.nodes, n.Additional)
				case n.Closed && closed == nil:
					closed = n
				}
			}
			if closed == nil && len(w.nodes) == base && w.es.listed {
				closed = undocumentedIn(act)
			}
			kids = slices.Clone(w.nodes[base:])
			w.nodes = w.nodes[:base]
			if f != nil {
				cf = f.child(k, kids)
				cf.cache(act, kids, closed)
			}
		}
		w.path = append(w.path, step{key: k, index: -1})
		if cf != nil {
			if cf.lastObj == serial {
				w.violate(violation{kind: KindDuplicate, member: string(k), msg: "appears twice"}, nil, cf)
			}
			cf.lastObj = serial
		}
		if closed != nil {
			w.violate(violation{kind: KindUndocumented, node: closed, member: string(k)}, nil, cf)
		}
		start := s.Pos()
		w.value(kids, cf)
		if closed != nil && cf != nil {
			cf.undocumentedExample(w, w.data[start:s.Pos()])
		}
		w.path = w.path[:len(w.path)-1]
		i++
	}
	members := w.keys[keys:]
	defer func() { w.keys = w.keys[:keys] }()
	if s.Err() != nil {
		return
	}
	for _, n := range act {
		for _, r := range n.Required {
			if !hasKey(members, r) {
				w.path = append(w.path, step{key: []byte(r), index: -1})
				var cf *field
				if f != nil {
					var declared []*shape.Node
					if c := n.Properties[r]; c != nil {
						declared = []*shape.Node{c}
					}
					cf = f.child([]byte(r), declared)
				}
				w.violate(violation{kind: KindMissing, node: n, member: r}, nil, cf)
				w.path = w.path[:len(w.path)-1]
			}
		}
	}
}

func hasKey(keys [][]byte, name string) bool {
	for _, k := range keys {
		if string(k) == name {
			return true
		}
	}
	return false
}

func (w *walker) array(act []*shape.Node, f *field) {
	s := w.s
	s.BeginArray()
	base := len(w.nodes)
	for _, n := range act {
		if n.Items != nil {
			w.nodes = append(w.nodes, n.Items)
		}
	}
	kids := w.nodes[base:len(w.nodes):len(w.nodes)]
	defer func() { w.nodes = w.nodes[:base] }()
	var cf *field
	if f != nil {
		cf = f.itemField(kids)
	}
	i := 0
	for s.NextItem() {
		w.path = append(w.path, step{index: i})
		w.value(kids, cf)
		w.path = w.path[:len(w.path)-1]
		i++
	}
	if f != nil {
		f.items(w, i)
	}
	for _, n := range act {
		if (n.MinItems >= 0 && i < n.MinItems) || (n.MaxItems >= 0 && i > n.MaxItems) {
			v := scalar{kind: jsonscan.Array}
			w.violate(violation{kind: KindRange, node: n, msg: strconv.Itoa(i) + " items"}, &v, f)
		}
	}
}

// undocumentedIn is the schema object that documents the members of an
// object where a member none of the active schema objects lists is
// undocumented (a definition's own schemas): the first that lists
// properties, unless one says additionalProperties true. nil when the
// member is allowed.
func undocumentedIn(act []*shape.Node) *shape.Node {
	var listing *shape.Node
	for _, n := range act {
		if n.Open {
			return nil
		}
		if listing == nil && len(n.Properties) > 0 {
			listing = n
		}
	}
	return listing
}
