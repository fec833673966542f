package schemagen

import (
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/brianvoe/gofakeit/v7"

	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/splitmix"
)

// Bounds on the work of one Generate call, so that no schema makes it hang.
const (
	nodeAttempts = 6      // tries at one value before giving up on it
	maxWork      = 50_000 // values generated and checked in total, retries included
	maxExtraKeys = 3      // additional properties a map gets at most
)

// state is the randomness and budget of one payload: a PCG seeded from the
// seed, shared by math/rand and gofakeit, so the same seed gives the same
// draws in the same order.
type state struct {
	g    *Generator
	pcg  rand.PCG
	r    *rand.Rand
	fake *gofakeit.Faker

	depth, size, work int
	rec               *recorder
	forced            map[*node]int // edge cases: the branch to take
	minimal           bool          // edge cases: optional content absent
	maximal           bool          // edge cases: optional content present
}

func newState(g *Generator, seed int64) *state {
	s := &state{g: g}
	s.r = rand.New(&s.pcg)
	s.fake = gofakeit.NewFaker(&s.pcg, false)
	s.reset(seed, 0)
	return s
}

func (s *state) reset(seed int64, stream uint64) {
	splitmix.Seed(&s.pcg, seed, stream)
	s.depth, s.size, s.work = 0, 0, 0
}

func (s *state) chance(p float64) bool { return s.r.Float64() < p }

func isHard(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.final || e.Err != ErrTooHard && e.Err != ErrUnsatisfiable)
}

func (s *state) fail(n *node, sentinel error, reason string) error {
	return &Error{Pointer: s.g.d.display(n.loc), Reason: reason, Err: sentinel}
}

// expand adds n and everything it requires through allOf and $ref to all,
// once each.
func expand(all []*node, n *node) []*node {
	if slices.Contains(all, n) {
		return all
	}
	all = append(all, n)
	for _, m := range n.allOf {
		all = expand(all, m)
	}
	return all
}

// gen generates a value valid against every schema in conj. ptr is the
// value's JSON pointer in the payload, name its property name (a hint).
func (s *state) gen(conj []*node, ptr, name string) (any, error) {
	var base []*node
	for _, n := range conj {
		base = expand(base, n)
	}
	var lastErr error
	for attempt := 0; attempt < nodeAttempts; attempt++ {
		s.work++
		if s.work > maxWork {
			return nil, s.fail(conj[0], ErrTooHard, "gave up after "+strconv.Itoa(maxWork)+" values (retries included)")
		}
		all, err := s.choose(base, attempt)
		if err != nil {
			lastErr = err
			continue
		}
		v, err := s.genAll(all, ptr, name)
		if err != nil {
			if isHard(err) {
				return nil, err
			}
			lastErr = err
			continue
		}
		s.size += 5 // separators and small scalars: every value costs room
		if bad := s.violated(all, v); bad != nil {
			lastErr = s.fail(bad, ErrTooHard, "no value found that satisfies oneOf, not and if/then/else together")
			continue
		}
		if s.rec != nil {
			s.rec.site(ptr, name, conj, all, v)
		}
		return v, nil
	}
	return nil, lastErr
}

// choose takes one branch of every anyOf, oneOf and if/then/else in base
// (and in what the branches bring), rotating with the attempt.
func (s *state) choose(base []*node, attempt int) ([]*node, error) {
	all := slices.Clone(base)
	for i := 0; i < len(all); i++ {
		if i > 256 {
			return nil, s.fail(all[0], ErrTooHard, "more than 256 schemas combine here")
		}
		n := all[i]
		if n.isFalse {
			return nil, s.fail(n, ErrUnsatisfiable, "the schema false accepts nothing")
		}
		for _, group := range [][]*node{n.anyOf, n.oneOf} {
			if len(group) == 0 {
				continue
			}
			k, ok := s.forced[n]
			if !ok || k >= len(group) {
				k = (s.r.IntN(len(group)) + attempt) % len(group)
			}
			all = expand(all, group[k])
		}
		if n.ifN != nil {
			useThen := s.r.IntN(2) == 0
			if attempt%2 == 1 {
				useThen = !useThen
			}
			if useThen && n.thenN != nil || n.elseN == nil {
				all = expand(all, n.ifN)
				if n.thenN != nil {
					all = expand(all, n.thenN)
				}
			} else {
				all = expand(all, n.elseN)
			}
		}
	}
	return all, nil
}

// violated returns the schema whose oneOf, not or if/then/else v breaks.
func (s *state) violated(all []*node, v any) *node {
	for _, n := range all {
		s.work += len(n.not) + len(n.oneOf)
		for _, m := range n.not {
			if m.matches(v) {
				return m
			}
		}
		if len(n.oneOf) > 1 {
			hits := 0
			for _, m := range n.oneOf {
				if m.matches(v) {
					hits++
				}
			}
			if hits != 1 {
				return n
			}
		}
		if n.ifN != nil {
			if n.ifN.matches(v) {
				if n.thenN != nil && !n.thenN.matches(v) {
					return n
				}
			} else if n.elseN != nil && !n.elseN.matches(v) {
				return n
			}
		}
	}
	return nil
}

// constraints is what the schemas in one conjunction demand together.
type constraints struct {
	all   []*node
	types typeSet

	enum     []any // candidates from the first enum or const
	hasEnum  bool
	examples []any
	formats  []string

	minLen, maxLen int
	patterns       []*pattern

	min, max       float64
	hasMin, hasMax bool
	exMin, exMax   bool
	multipleOf     *big.Rat
	intOnly        bool

	objectKW, arrayKW, stringKW, numberKW bool
}

func merge(all []*node) *constraints {
	c := &constraints{all: all, types: tAll, maxLen: -1}
	for _, n := range all {
		c.types &= n.types
		for _, m := range n.not {
			if m.typeOnly {
				c.types &^= m.types
				if m.types&tInt != 0 && m.types&tNum == 0 {
					c.intOnly = false
				}
			}
		}
		if n.hasConst {
			if !c.hasEnum {
				c.enum, c.hasEnum = []any{n.cnst}, true
			} else {
				c.enum = intersect(c.enum, []any{n.cnst})
			}
		}
		if n.hasEnum {
			if !c.hasEnum {
				c.enum, c.hasEnum = n.enum, true
			} else {
				c.enum = intersect(c.enum, n.enum)
			}
		}
		c.examples = append(c.examples, n.examples...)
		if n.format != "" && !slices.Contains(c.formats, n.format) {
			c.formats = append(c.formats, n.format)
		}
		c.minLen = max(c.minLen, n.minLen)
		if n.maxLen >= 0 && (c.maxLen < 0 || n.maxLen < c.maxLen) {
			c.maxLen = n.maxLen
		}
		c.patterns = append(c.patterns, n.patterns...)
		if n.hasMin && (!c.hasMin || n.min > c.min || n.min == c.min && n.exMin) {
			c.min, c.hasMin, c.exMin = n.min, true, n.exMin
		}
		if n.hasMax && (!c.hasMax || n.max < c.max || n.max == c.max && n.exMax) {
			c.max, c.hasMax, c.exMax = n.max, true, n.exMax
		}
		if n.multipleOf != nil {
			if c.multipleOf == nil {
				c.multipleOf = n.multipleOf
			} else {
				c.multipleOf = lcm(c.multipleOf, n.multipleOf)
			}
		}
		c.objectKW = c.objectKW || n.hasObjectKW
		c.arrayKW = c.arrayKW || n.hasArrayKW
		c.stringKW = c.stringKW || n.hasStringKW || n.format != ""
		c.numberKW = c.numberKW || n.hasNumberKW
	}
	for _, f := range c.formats {
		switch f {
		case "int32", "int64":
			c.intOnly = true
			lo, hi := -2147483648.0, 2147483647.0
			if f == "int64" {
				lo, hi = -9007199254740991, 9007199254740991 // exact in every JSON parser
			}
			if !c.hasMin || c.min < lo {
				c.min, c.hasMin, c.exMin = lo, true, false
			}
			if !c.hasMax || c.max > hi {
				c.max, c.hasMax, c.exMax = hi, true, false
			}
		}
	}
	return c
}

// lcm of two positive rationals: a value that is a multiple of both.
func lcm(a, b *big.Rat) *big.Rat {
	// lcm(p/q, r/s) = lcm(p·s, r·q) / (q·s)
	ps := new(big.Int).Mul(a.Num(), b.Denom())
	rq := new(big.Int).Mul(b.Num(), a.Denom())
	g := new(big.Int).GCD(nil, nil, ps, rq)
	l := new(big.Int).Mul(ps, new(big.Int).Quo(rq, g))
	return new(big.Rat).SetFrac(l, new(big.Int).Mul(a.Denom(), b.Denom()))
}

func intersect(a, b []any) []any {
	var out []any
	for _, x := range a {
		kx := canonical(x)
		for _, y := range b {
			if canonical(y) == kx {
				out = append(out, x)
				break
			}
		}
	}
	return out
}

// genAll generates one value for a conjunction whose branches are chosen.
func (s *state) genAll(all []*node, ptr, name string) (any, error) {
	c := merge(all)
	if c.hasEnum {
		return s.pickValue(c, c.enum, true)
	}
	if len(c.examples) > 0 && !s.minimal && !s.maximal && s.chance(0.3) {
		if v, err := s.pickValue(c, c.examples, false); err == nil {
			return v, nil
		}
	}
	t, err := s.pickType(c, name)
	if err != nil {
		return nil, err
	}
	switch t {
	case tNull:
		return nil, nil
	case tBool:
		return s.r.IntN(2) == 0, nil
	case tInt, tNum:
		return s.genNumber(c, t == tInt || c.intOnly, name)
	case tStr:
		return s.genString(c, name)
	case tArr:
		return s.genArray(c, ptr)
	default:
		return s.genObject(c, ptr)
	}
}

// pickValue picks a candidate (enum, const or example) that every schema
// in the conjunction accepts.
func (s *state) pickValue(c *constraints, cands []any, required bool) (any, error) {
	if len(cands) == 0 {
		return nil, s.fail(c.all[0], ErrUnsatisfiable, "enum and const leave no value")
	}
	start := s.r.IntN(len(cands))
	for i := range cands {
		v := cands[(start+i)%len(cands)]
		if s.acceptsAll(c, v) {
			s.size += len(appendJSON(nil, v))
			return v, nil
		}
	}
	if required {
		return nil, s.fail(c.all[0], ErrUnsatisfiable, "no enum or const value satisfies the other keywords")
	}
	return nil, s.fail(c.all[0], ErrTooHard, "no example fits")
}

// acceptsAll checks a ready-made value (enum, const, example) against every
// schema of a conjunction: scalars by the keywords merged in c, objects and
// arrays by the validator.
func (s *state) acceptsAll(c *constraints, v any) bool {
	switch x := v.(type) {
	case *omap, []any:
		for _, n := range c.all {
			if !n.matches(v) {
				return false
			}
		}
		return true
	case nil:
		return c.types&tNull != 0 && c.inEnums(v)
	case bool:
		return c.types&tBool != 0 && c.inEnums(v)
	case string:
		return c.types&tStr != 0 && c.stringOK(x) && (len(c.formats) == 0 || formatOK(c.formats[0], x)) && c.inEnums(v)
	case json.Number:
		return c.numberOK(x) && c.inEnums(v)
	}
	return false
}

// inEnums reports whether v is in every enum and const of the conjunction.
func (c *constraints) inEnums(v any) bool {
	k := ""
	for _, n := range c.all {
		if n.hasConst || n.hasEnum {
			if k == "" {
				k = canonical(v)
			}
			if n.hasConst && canonical(n.cnst) != k {
				return false
			}
			if n.hasEnum && !slices.ContainsFunc(n.enum, func(e any) bool { return canonical(e) == k }) {
				return false
			}
		}
	}
	return true
}

// numberOK checks type, bounds and multipleOf.
func (c *constraints) numberOK(x json.Number) bool {
	r, ok := ratOf(x)
	if !ok {
		return false
	}
	if c.types&tNum == 0 && (c.types&tInt == 0 || !r.IsInt()) {
		return false
	}
	if c.intOnly && !r.IsInt() {
		return false
	}
	f, _ := r.Float64()
	if c.hasMin && (f < c.min || c.exMin && f == c.min) || c.hasMax && (f > c.max || c.exMax && f == c.max) {
		return false
	}
	if c.multipleOf != nil && !new(big.Rat).Quo(r, c.multipleOf).IsInt() {
		return false
	}
	return true
}

var typeOrder = []typeSet{tObj, tArr, tStr, tNum, tInt, tBool, tNull}

// pickType picks one of the allowed types: the one the keywords speak of,
// else the one the property name suggests, null rarely.
func (s *state) pickType(c *constraints, name string) (typeSet, error) {
	t := c.types
	if t == 0 {
		return 0, s.fail(c.all[0], ErrUnsatisfiable, "no JSON type is allowed by every schema here")
	}
	if c.intOnly && t&tInt != 0 {
		t &^= tNum
	}
	if t&tNum != 0 && t&tInt != 0 && (c.multipleOf != nil && c.multipleOf.IsInt() || s.chance(0.2)) {
		t &^= tNum // integers are numbers too
	}
	nonNull := t &^ tNull
	if nonNull == 0 {
		return tNull, nil
	}
	if t&tNull != 0 && !s.maximal && (s.minimal || s.chance(0.1)) {
		return tNull, nil
	}
	if nonNull&(nonNull-1) == 0 {
		return nonNull, nil
	}
	// several types allowed: prefer what the keywords describe
	for _, pref := range []struct {
		on bool
		t  typeSet
	}{{c.objectKW, tObj}, {c.arrayKW, tArr}, {c.stringKW, tStr}, {c.numberKW, tNum | tInt}} {
		if pref.on && nonNull&pref.t != 0 {
			if pref.t == tNum|tInt {
				if nonNull&tNum != 0 {
					return tNum, nil
				}
				return tInt, nil
			}
			return pref.t, nil
		}
	}
	if nonNull == tAll&^tNull || nonNull == tAll&^tNull&^tNum {
		if h := hintFor(name); h != nil {
			return h.kind, nil
		}
		return tStr, nil
	}
	var opts []typeSet
	for _, ts := range typeOrder {
		if nonNull&ts != 0 {
			opts = append(opts, ts)
		}
	}
	return opts[s.r.IntN(len(opts))], nil
}

// ---- numbers ----

// bounds returns the inclusive range a number must lie in.
func (c *constraints) bounds(integer bool) (lo, hi float64, hasLo, hasHi bool) {
	lo, hi = c.min, c.max
	hasLo, hasHi = c.hasMin, c.hasMax
	if integer {
		if hasLo {
			f := math.Ceil(lo)
			if c.exMin && f == lo {
				f++
			}
			lo = f
		}
		if hasHi {
			f := math.Floor(hi)
			if c.exMax && f == hi {
				f--
			}
			hi = f
		}
		return
	}
	if hasLo && c.exMin {
		lo = math.Nextafter(lo, math.Inf(1))
	}
	if hasHi && c.exMax {
		hi = math.Nextafter(hi, math.Inf(-1))
	}
	return
}

func (s *state) genNumber(c *constraints, integer bool, name string) (any, error) {
	lo, hi, hasLo, hasHi := c.bounds(integer)
	if hasLo && hasHi && lo > hi {
		return nil, s.fail(c.all[0], ErrUnsatisfiable, "minimum above maximum")
	}
	if c.multipleOf != nil {
		return s.genMultiple(c, integer, lo, hi, hasLo, hasHi)
	}
	if h := hintFor(name); h != nil && h.num != nil && !s.minimal && !s.maximal {
		f := h.num(s, integer)
		if (!hasLo || f >= lo) && (!hasHi || f <= hi) {
			return formatNumber(f, integer), nil
		}
	}
	// a realistic span inside the bounds
	switch {
	case !hasLo && !hasHi:
		lo, hi = 0, 1000
	case !hasLo:
		lo = hi - 1000
	case !hasHi:
		hi = lo + 1000
	}
	if integer {
		return formatNumber(randInt(s, lo, hi), true), nil
	}
	f := lo + s.r.Float64()*(hi-lo)
	if r := math.Round(f*100) / 100; r >= lo && r <= hi {
		f = r
	}
	if f < lo || f > hi || math.IsInf(f, 0) || math.IsNaN(f) {
		f = lo/2 + hi/2
	}
	return formatNumber(f, false), nil
}

// randInt returns an integer-valued float in [lo, hi] (integral bounds).
func randInt(s *state, lo, hi float64) float64 {
	span := hi - lo
	if span <= 0 {
		return lo
	}
	if span < 1<<53 {
		return lo + float64(s.r.Int64N(int64(span)+1))
	}
	return math.Floor(lo + s.r.Float64()*span)
}

// genMultiple returns k·multipleOf inside the bounds, exactly.
func (s *state) genMultiple(c *constraints, integer bool, lo, hi float64, hasLo, hasHi bool) (any, error) {
	m := c.multipleOf
	step := m
	if integer && !m.IsInt() {
		// integers that are multiples of m: multiples of lcm(m, 1)
		step = lcm(m, big.NewRat(1, 1))
	}
	mf, _ := step.Float64()
	var kLo, kHi float64
	switch {
	case hasLo && hasHi:
		kLo, kHi = math.Ceil(lo/mf), math.Floor(hi/mf)
	case hasLo:
		kLo = math.Ceil(lo / mf)
		kHi = kLo + 100
	case hasHi:
		kHi = math.Floor(hi / mf)
		kLo = kHi - 100
	default:
		kLo, kHi = 0, math.Max(1, math.Floor(1000/mf))
	}
	if math.Abs(kLo) > 1<<52 || math.Abs(kHi) > 1<<52 {
		return nil, s.fail(c.all[0], ErrTooHard, "multipleOf too small for the range")
	}
	if kLo > kHi {
		return nil, s.fail(c.all[0], ErrUnsatisfiable, "no multiple of multipleOf between minimum and maximum")
	}
	var found any
	for try := 0; try < 8; try++ {
		k := randInt(s, kLo, kHi)
		r := new(big.Rat).Mul(step, new(big.Rat).SetInt64(int64(k)))
		f, _ := r.Float64()
		if (hasLo && f < lo) || (hasHi && f > hi) {
			continue
		}
		if found == nil {
			found = ratNumber(r)
		}
		// prefer values whose float division is exact too: validators
		// that divide in floating point (JavaScript's) accept them
		if q := f / mf; q == math.Trunc(q) {
			return ratNumber(r), nil
		}
	}
	if found != nil {
		return found, nil
	}
	return nil, s.fail(c.all[0], ErrTooHard, "no multiple of multipleOf found within the bounds")
}

// formatNumber writes f as a JSON number: integers without a fraction,
// others in the shortest form that reads back as f.
func formatNumber(f float64, integer bool) any {
	if integer || f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return jsonNumber(strconv.FormatFloat(math.Trunc(f), 'f', 0, 64))
	}
	if math.Abs(f) >= 1e-6 && math.Abs(f) < 1e21 {
		return jsonNumber(strconv.FormatFloat(f, 'f', -1, 64))
	}
	return jsonNumber(strconv.FormatFloat(f, 'g', -1, 64))
}

// ratNumber writes an exact decimal rational.
func ratNumber(r *big.Rat) any {
	if r.IsInt() {
		return jsonNumber(r.Num().String())
	}
	// decimals needed: the denominator is 2^a·5^b for a decimal multipleOf
	d := new(big.Int).Set(r.Denom())
	places := 0
	ten := big.NewInt(10)
	for places < 60 {
		places++
		d.Mul(d, ten) // harmless upper bound; trimmed below
		if new(big.Rat).Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(ten, big.NewInt(int64(places)), nil))).IsInt() {
			break
		}
	}
	str := r.FloatString(places)
	if strings.Contains(str, ".") {
		str = strings.TrimRight(strings.TrimRight(str, "0"), ".")
	}
	return jsonNumber(str)
}

// ---- strings ----

func (s *state) genString(c *constraints, name string) (any, error) {
	if c.maxLen >= 0 && c.minLen > c.maxLen {
		return nil, s.fail(c.all[0], ErrUnsatisfiable, "minLength above maxLength")
	}
	h := hintFor(name)
	for attempt := 0; attempt < 12; attempt++ {
		var str string
		switch {
		case len(c.formats) > 0 && knownFormat(c.formats[0]):
			str = s.formatValue(c.formats[0], attempt)
		case len(c.patterns) > 0:
			p := c.patterns[attempt%len(c.patterns)]
			var ok bool
			str, ok = s.fromPattern(p.syn, c.minLen, c.maxLen, attempt)
			if !ok {
				return nil, s.fail(c.all[0], ErrUnsatisfiable, "pattern "+strconv.Quote(p.src)+" matches nothing")
			}
		case h != nil && h.str != nil && attempt < 3 && !s.minimal && !s.maximal:
			str = h.str(s)
		default:
			str = s.text(c.minLen, c.maxLen)
		}
		if c.stringOK(str) {
			s.size += len(str) + 2
			return str, nil
		}
	}
	return nil, s.fail(c.all[0], ErrTooHard, "no string found that satisfies format, pattern and length together")
}

func (c *constraints) stringOK(str string) bool {
	n := utf8.RuneCountInString(str)
	if n < c.minLen || c.maxLen >= 0 && n > c.maxLen {
		return false
	}
	for _, p := range c.patterns {
		if !p.re.MatchString(str) {
			return false
		}
	}
	for _, f := range c.formats[min(1, len(c.formats)):] {
		if !formatOK(f, str) {
			return false
		}
	}
	return true
}

// text returns words of lorem text within the length bounds.
func (s *state) text(minLen, maxLen int) string {
	target := minLen
	if maxLen < 0 || maxLen > minLen {
		hi := maxLen
		if hi < 0 || hi > minLen+24 {
			hi = minLen + 24
		}
		if lo := max(minLen, 3); lo <= hi {
			target = lo + s.r.IntN(hi-lo+1)
		}
	}
	if s.minimal {
		target = minLen
	}
	if s.maximal && maxLen >= 0 {
		target = min(maxLen, 4096)
	}
	var b strings.Builder
	for b.Len() < target {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s.fake.Word())
	}
	out := b.String()
	if len(out) > target {
		out = strings.TrimRight(out[:target], " ")
		for len(out) < target {
			out += "x"
		}
	}
	return out
}

// ---- arrays ----

func (s *state) genArray(c *constraints, ptr string) (any, error) {
	s.depth++
	defer func() { s.depth-- }()
	if err := s.deepCheck(c); err != nil {
		return nil, err
	}
	minItems, maxItems := 0, -1
	unique := false
	var contains []*node
	minContains := 0
	var prefixLen int
	itemsClosed := false
	for _, n := range c.all {
		minItems = max(minItems, n.minItems)
		if n.maxItems >= 0 && (maxItems < 0 || n.maxItems < maxItems) {
			maxItems = n.maxItems
		}
		unique = unique || n.unique
		if n.contains != nil {
			contains = append(contains, n.contains)
			minContains = max(minContains, n.minContains)
		}
		prefixLen = max(prefixLen, len(n.prefix))
		if n.items != nil && n.items.isFalse || n.unevalItemsFalse && n.items == nil {
			itemsClosed = true
		}
	}
	if itemsClosed && (maxItems < 0 || maxItems > prefixLen) {
		maxItems = prefixLen
	}
	if maxItems >= 0 && minItems > maxItems {
		return nil, s.fail(c.all[0], ErrUnsatisfiable, "minItems above maxItems")
	}
	if minItems*2 > s.g.d.opts.maxBytes { // [0,…]: two bytes an item at least
		return nil, &Error{Pointer: s.g.d.display(c.all[0].loc), Reason: "minItems " + strconv.Itoa(minItems) + " cannot fit in " + strconv.Itoa(s.g.d.opts.maxBytes) + " bytes", Err: ErrTooHard, final: true}
	}
	count := minItems
	switch {
	case s.minimal || s.deep():
	case s.maximal && maxItems >= 0:
		count = min(maxItems, 64)
	default:
		hi := max(minItems, 1+s.r.IntN(3))
		if maxItems >= 0 {
			hi = min(hi, maxItems)
		}
		count = max(minItems, hi)
	}
	count = max(count, min(minContains, maxOr(maxItems, minContains)))
	out := make([]any, 0, count)
	seen := map[string]bool{}
	for i := 0; i < count; i++ {
		conj := s.itemConj(c.all, i)
		if i < minContains {
			conj = append(conj, contains...)
		}
		if len(conj) == 0 {
			conj = []*node{anything}
		}
		itemPtr := ptr + "/" + strconv.Itoa(i)
		var v any
		var err error
		for try := 0; ; try++ {
			v, err = s.gen(conj, itemPtr, "")
			if err != nil {
				if errors.Is(err, ErrUnsatisfiable) && i >= minItems && i >= minContains {
					return out, nil // no item can exist here: stop the array
				}
				return nil, err
			}
			if !unique {
				break
			}
			k := canonical(v)
			if !seen[k] {
				seen[k] = true
				break
			}
			if try >= 10 {
				if i >= minItems && i >= minContains {
					return out, nil
				}
				return nil, s.fail(c.all[0], ErrTooHard, "could not make the items unique")
			}
		}
		out = append(out, v)
		if err := s.sizeCheck(c.all[0]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func maxOr(n, def int) int {
	if n < 0 {
		return def
	}
	return n
}

// anything is the schema true, for items no schema constrains.
var anything = &node{loc: "#", types: tStr | tInt | tBool, maxLen: -1, maxProps: -1, maxItems: -1, maxContains: -1}

// itemConj lists the schemas item i must satisfy.
func (s *state) itemConj(all []*node, i int) []*node {
	var conj []*node
	for _, n := range all {
		if i < len(n.prefix) {
			conj = append(conj, n.prefix[i])
		} else if n.items != nil {
			conj = append(conj, n.items)
		}
	}
	return conj
}

// ---- objects ----

func (s *state) deep() bool {
	return s.depth > s.g.d.opts.maxDepth || s.size > s.g.d.opts.maxBytes/2
}

func (s *state) deepCheck(c *constraints) error {
	if s.depth > 4*s.g.d.opts.maxDepth+16 {
		return &Error{Pointer: s.g.d.display(c.all[0].loc), Reason: "required content nests deeper than " + strconv.Itoa(4*s.g.d.opts.maxDepth+16) + " levels", Err: ErrTooHard, final: true}
	}
	return s.sizeCheck(c.all[0])
}

func (s *state) sizeCheck(n *node) error {
	if s.size > s.g.d.opts.maxBytes {
		return &Error{Pointer: s.g.d.display(n.loc), Reason: "payload larger than " + strconv.Itoa(s.g.d.opts.maxBytes) + " bytes", Err: ErrTooHard, final: true}
	}
	return nil
}

// propConj lists the schemas property k must satisfy and whether any
// schema forbids k.
func propConj(all []*node, k string) ([]*node, bool) {
	var conj []*node
	for _, n := range all {
		p, found := n.propAt[k]
		if found {
			conj = append(conj, p)
		}
		for _, pp := range n.patternProps {
			if pp.p.re.MatchString(k) {
				conj = append(conj, pp.n)
				found = true
			}
		}
		if !found && n.additional != nil {
			if n.additional.isFalse {
				return nil, false
			}
			conj = append(conj, n.additional)
		}
		if !found && n.unevalPropsFalse && !declaredAnywhere(all, k) {
			return nil, false
		}
		if n.propertyNames != nil && !n.propertyNames.matches(k) {
			return nil, false
		}
	}
	return conj, true
}

func declaredAnywhere(all []*node, k string) bool {
	for _, n := range all {
		if _, ok := n.propAt[k]; ok {
			return true
		}
		for _, pp := range n.patternProps {
			if pp.p.re.MatchString(k) {
				return true
			}
		}
	}
	return false
}

func (s *state) genObject(c *constraints, ptr string) (any, error) {
	s.depth++
	defer func() { s.depth-- }()
	if err := s.deepCheck(c); err != nil {
		return nil, err
	}
	var names []string // declared properties, in schema order
	named := map[string]bool{}
	addName := func(k string) {
		if !named[k] {
			named[k] = true
			names = append(names, k)
		}
	}
	required := map[string]bool{}
	minProps, maxProps := 0, -1
	mapLike := true // no declared properties: a map from names to values
	var extraSchema bool
	for _, n := range c.all {
		for _, p := range n.props {
			addName(p.name)
			mapLike = false
		}
		for _, r := range n.required {
			required[r] = true
			addName(r)
		}
		minProps = max(minProps, n.minProps)
		if n.maxProps >= 0 && (maxProps < 0 || n.maxProps < maxProps) {
			maxProps = n.maxProps
		}
		if n.additional != nil && !n.additional.isFalse || len(n.patternProps) > 0 {
			extraSchema = true
		}
	}
	if minProps*6 > s.g.d.opts.maxBytes { // {"":0,…}: six bytes a property at least
		return nil, &Error{Pointer: s.g.d.display(c.all[0].loc), Reason: "minProperties " + strconv.Itoa(minProps) + " cannot fit in " + strconv.Itoa(s.g.d.opts.maxBytes) + " bytes", Err: ErrTooHard, final: true}
	}
	deep := s.deep() || s.minimal
	include := map[string]bool{}
	var keys []string
	for _, k := range names {
		if _, ok := propConj(c.all, k); !ok {
			if required[k] {
				return nil, s.fail(c.all[0], ErrUnsatisfiable, "required property "+strconv.Quote(k)+" is not allowed")
			}
			continue
		}
		if required[k] || s.maximal || !deep && s.chance(0.7) {
			include[k] = true
		}
	}
	// dependentRequired, to a fixpoint
	for changed := true; changed; {
		changed = false
		for _, n := range c.all {
			for _, d := range n.depRequired {
				if !include[d.key] {
					continue
				}
				for _, r := range d.req {
					if !include[r] {
						if _, ok := propConj(c.all, r); !ok {
							return nil, s.fail(n, ErrUnsatisfiable, "dependentRequired names a property that is not allowed")
						}
						include[r] = true
						addName(r)
						changed = true
					}
				}
			}
		}
	}
	keySet := map[string]bool{} // the names in keys
	for _, k := range names {
		if include[k] {
			keys = append(keys, k)
			keySet[k] = true
		}
	}
	// maxProperties: drop optional properties from the end
	if maxProps >= 0 && len(keys) > maxProps {
		for i := len(keys) - 1; len(keySet) > maxProps && i >= 0; i-- {
			if !required[keys[i]] && !dependedOn(c.all, keySet, keys[i]) {
				delete(keySet, keys[i])
			}
		}
		keys = slices.DeleteFunc(keys, func(k string) bool { return !keySet[k] })
	}
	if maxProps >= 0 && len(keys) > maxProps {
		return nil, s.fail(c.all[0], ErrUnsatisfiable, "more required properties than maxProperties")
	}
	// minProperties and maps: optional declared names first, then new names
	for _, k := range names {
		if len(keys) >= minProps {
			break
		}
		if !keySet[k] {
			if _, ok := propConj(c.all, k); ok {
				keys = append(keys, k)
				keySet[k] = true
			}
		}
	}
	extra := 0
	if mapLike && (extraSchema || c.objectKW) && !deep {
		extra = 1 + s.r.IntN(maxExtraKeys)
	}
	if s.maximal && mapLike {
		extra = maxExtraKeys
	}
	need := max(minProps-len(keys), 0)
	if maxProps >= 0 {
		extra = min(extra, maxProps-len(keys))
	}
	extra = max(extra, need)
	for tries := 0; extra > 0 && tries < 8*extra+8; tries++ {
		k, ok := s.newKey(c.all)
		if !ok {
			break
		}
		if keySet[k] {
			continue
		}
		if _, ok := propConj(c.all, k); ok {
			keys = append(keys, k)
			keySet[k] = true
			extra--
		}
	}
	if len(keys) < minProps {
		return nil, s.fail(c.all[0], ErrTooHard, "could not find enough allowed property names for minProperties")
	}
	o := &object{Keys: make([]string, 0, len(keys)), Vals: make([]any, 0, len(keys))}
	for _, k := range keys {
		conj, _ := propConj(c.all, k)
		if len(conj) == 0 {
			conj = []*node{anything}
		}
		v, err := s.gen(conj, ptr+"/"+jsonptr.Escape(k), k)
		if err != nil {
			if errors.Is(err, ErrUnsatisfiable) && !required[k] && !dependedOn(c.all, keySet, k) && len(o.Keys) >= minProps {
				continue // an optional property no value can fill is left out
			}
			return nil, err
		}
		s.size += len(k) + 4
		o.Keys = append(o.Keys, k)
		o.Vals = append(o.Vals, v)
		if err := s.sizeCheck(c.all[0]); err != nil {
			return nil, err
		}
	}
	for _, n := range c.all {
		for _, ds := range n.depSchemas {
			if _, present := o.Get(ds.key); present && !ds.n.matches(o) {
				return nil, s.fail(ds.n, ErrTooHard, "dependentSchemas not satisfied")
			}
		}
	}
	if s.rec != nil {
		s.rec.object(ptr, o.Keys, required)
	}
	return o, nil
}

// dependedOn says whether a dependentRequired of a key in keys requires k.
func dependedOn(all []*node, keys map[string]bool, k string) bool {
	for _, n := range all {
		for _, d := range n.depRequired {
			if keys[d.key] && slices.Contains(d.req, k) {
				return true
			}
		}
	}
	return false
}

// newKey makes a property name for a map: from a patternProperties
// pattern, from propertyNames, or a word.
func (s *state) newKey(all []*node) (string, bool) {
	for _, n := range all {
		if len(n.patternProps) > 0 && (n.additional == nil || n.additional.isFalse || s.chance(0.5)) {
			pp := n.patternProps[s.r.IntN(len(n.patternProps))]
			k, ok := s.fromPattern(pp.p.syn, 1, 24, 0)
			return k, ok
		}
	}
	for _, n := range all {
		if n.propertyNames != nil {
			v, err := s.gen([]*node{n.propertyNames}, "", "")
			k, ok := v.(string)
			return k, err == nil && ok
		}
	}
	return s.slug() + "_" + strconv.Itoa(s.r.IntN(100)), true
}
