package schemagen

import (
	"encoding/json"
	"math"
	"math/big"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/orderhooks/orderhooks/internal/jsonptr"
)

// Case is one edge-case payload: valid against the schema, with one value
// (or one property's absence) at a boundary.
type Case struct {
	// Label says what is at the boundary, "POINTER: what" ("/" for the
	// whole payload), e.g. "/items/0/quantity: maximum (99)".
	Label string
	// Pointer locates the value the case is about ("" for the payload).
	Pointer string
	// JSON is the payload.
	JSON []byte
}

// recorder notes, while a payload is generated, which schemas each value
// answered to, so EdgeCases can revisit every value.
type recorder struct {
	sites   []site
	byPtr   map[string]int
	objects []objectSite
}

type site struct {
	ptr, name string
	conj      []*node // the schemas the value was asked for
	all       []*node // with allOf, $ref and the chosen branches
	v         any
}

type objectSite struct {
	ptr      string
	keys     []string
	required map[string]bool
}

func (r *recorder) reset() {
	r.sites, r.objects = r.sites[:0], r.objects[:0]
	r.byPtr = map[string]int{}
}

func (r *recorder) site(ptr, name string, conj, all []*node, v any) {
	st := site{ptr, name, slices.Clone(conj), all, v}
	if i, ok := r.byPtr[ptr]; ok {
		r.sites[i] = st
		return
	}
	r.byPtr[ptr] = len(r.sites)
	r.sites = append(r.sites, st)
}

func (r *recorder) object(ptr string, keys []string, required map[string]bool) {
	r.objects = append(r.objects, objectSite{ptr, slices.Clone(keys), required})
}

// EdgeCases returns payloads that walk the schema's boundaries, each valid
// and labelled, in a fixed order for a given seed: a typical payload, one
// with only required content, one with every optional property; then for
// each value of the typical payload its boundaries: minimum and maximum
// (or just inside exclusive bounds), zero and large numbers, empty,
// shortest and longest strings, unicode and quote-laden text, null where
// allowed, every enum value and every oneOf/anyOf branch, fewest and most
// items, and each optional property absent. Candidates the schema rejects
// are dropped; at most WithMaxCases cases are returned.
func (g *Generator) EdgeCases(seed int64) ([]Case, error) {
	rec := &recorder{byPtr: map[string]int{}}
	base, err := g.value(seed, rec)
	if err != nil {
		return nil, err
	}
	e := &edges{g: g, seed: seed, base: base, seen: map[string]bool{}, budget: 8 * g.d.opts.maxCases}
	e.add("", "typical payload", base)
	var full any
	fullRec := &recorder{byPtr: map[string]int{}}
	for _, minimal := range []bool{true, false} {
		s := newState(g, seed)
		s.minimal, s.maximal = minimal, !minimal
		label := "required content only, shortest values"
		if !minimal {
			label = "every optional property, longest values"
			s.rec = fullRec
		}
		if v, err := s.gen([]*node{g.root}, "", ""); err == nil && g.check(plain(v)) == nil {
			e.add("", label, v)
			if !minimal {
				full = v
			}
		}
	}
	// every value of the typical payload, then those only the payload with
	// every optional property has
	e.walk(rec, nil)
	if full != nil {
		e.base = full
		e.walk(fullRec, rec.byPtr)
	}
	return e.cases, nil
}

// walk adds the edge cases of every recorded value not in skip.
func (e *edges) walk(rec *recorder, skip map[string]int) {
	sites := slices.Clone(rec.sites)
	sort.SliceStable(sites, func(i, j int) bool { return sites[i].ptr < sites[j].ptr })
	for _, st := range sites {
		if _, done := skip[st.ptr]; !done && !e.full() {
			e.site(st)
		}
	}
	for _, o := range rec.objects {
		for _, k := range o.keys {
			p := o.ptr + "/" + jsonptr.Escape(k)
			if _, done := skip[p]; done || o.required[k] || e.full() {
				continue
			}
			if v, ok := removeAt(clone(e.base), o.ptr, k); ok {
				e.add(p, "optional property absent", v)
			}
		}
	}
}

type edges struct {
	g      *Generator
	seed   int64
	base   any
	cases  []Case
	seen   map[string]bool
	budget int // candidates still to validate
}

func (e *edges) full() bool { return len(e.cases) >= e.g.d.opts.maxCases || e.budget <= 0 }

// add keeps a candidate payload when it is new and the schema accepts it.
func (e *edges) add(ptr, what string, payload any) {
	if e.full() {
		return
	}
	e.budget--
	b := appendJSON(nil, payload)
	if e.seen[string(b)] || len(b) > e.g.d.opts.maxBytes {
		return
	}
	if e.g.check(plain(payload)) != nil {
		return
	}
	e.seen[string(b)] = true
	label := ptr
	if label == "" {
		label = "/"
	}
	e.cases = append(e.cases, Case{Label: label + ": " + what, Pointer: ptr, JSON: b})
}

// at puts v at ptr in a copy of the typical payload.
func (e *edges) at(ptr, what string, v any) {
	if t, ok := replaceAt(clone(e.base), ptr, v); ok {
		e.add(ptr, what, t)
	}
}

func (e *edges) site(st site) {
	c := merge(st.all)
	if c.hasEnum {
		for i, v := range c.enum {
			if i >= 20 {
				break
			}
			e.at(st.ptr, "enum value "+short(appendJSON(nil, v)), v)
		}
	}
	if c.types&tNull != 0 && st.v != nil {
		e.at(st.ptr, "null", nil)
	}
	for _, n := range st.all {
		for gi, group := range [][]*node{n.anyOf, n.oneOf} {
			kw := [...]string{"anyOf", "oneOf"}[gi]
			for k := range group {
				if k >= 20 {
					break
				}
				s := newState(e.g, e.seed)
				s.forced = map[*node]int{n: k}
				if v, err := s.gen(st.conj, st.ptr, st.name); err == nil {
					e.at(st.ptr, kw+" branch "+strconv.Itoa(k), v)
				}
			}
		}
	}
	if c.hasEnum {
		return
	}
	switch v := st.v.(type) {
	case bool:
		e.at(st.ptr, "true", true)
		e.at(st.ptr, "false", false)
	case string:
		e.strings(st, c)
	case []any:
		lo := 0
		for _, n := range st.all {
			lo = max(lo, n.minItems)
		}
		if len(v) > lo {
			e.at(st.ptr, "fewest items ("+strconv.Itoa(lo)+")", slices.Clone(v[:lo]))
		}
		s := newState(e.g, e.seed)
		s.maximal = true
		if m, err := s.gen(st.conj, st.ptr, st.name); err == nil {
			if a, ok := m.([]any); ok && len(a) > len(v) {
				e.at(st.ptr, "most items ("+strconv.Itoa(len(a))+")", m)
			}
		}
	case json.Number:
		e.numbers(st, c)
	}
}

const unicodeSample = "Zoë Ünïcødé — 東京 Ελλάδα עברית 🚚✓"
const quoteSample = `  "quoted" \back\slash <tag> & 'single' `

func (e *edges) strings(st site, c *constraints) {
	if len(c.formats) > 0 && knownFormat(c.formats[0]) {
		return // a format fixes the shape; boundaries would not validate
	}
	if len(c.patterns) > 0 {
		for _, mode := range []struct {
			minimal bool
			what    string
		}{{true, "shortest match of pattern"}, {false, "long match of pattern"}} {
			s := newState(e.g, e.seed)
			s.minimal, s.maximal = mode.minimal, !mode.minimal
			if str, ok := s.fromPattern(c.patterns[0].syn, c.minLen, c.maxLen, 0); ok && c.stringOK(str) {
				e.at(st.ptr, mode.what+" ("+strconv.Itoa(utf8.RuneCountInString(str))+" chars)", str)
			}
		}
		return
	}
	if c.minLen == 0 {
		e.at(st.ptr, "empty string", "")
	} else {
		e.at(st.ptr, "shortest string ("+strconv.Itoa(c.minLen)+" chars)", strings.Repeat("a", c.minLen))
	}
	long := 1000
	what := "long string (1000 chars)"
	if c.maxLen >= 0 && c.maxLen <= 10000 {
		long, what = c.maxLen, "longest string ("+strconv.Itoa(c.maxLen)+" chars)"
	}
	if long >= c.minLen {
		e.at(st.ptr, what, fit("abcdefghij", long, long))
	}
	e.at(st.ptr, "unicode text", fit(unicodeSample, c.minLen, c.maxLen))
	e.at(st.ptr, "quotes, backslashes and markup", fit(quoteSample, c.minLen, c.maxLen))
}

// fit repeats or cuts sample to a rune count within [lo, hi] (hi -1: none).
func fit(sample string, lo, hi int) string {
	rs := []rune(sample)
	want := len(rs)
	if want < lo {
		want = lo
	}
	if hi >= 0 && want > hi {
		want = hi
	}
	out := make([]rune, 0, want)
	for len(out) < want {
		out = append(out, rs[len(out)%len(rs)])
	}
	return string(out)
}

func (e *edges) numbers(st site, c *constraints) {
	integer := c.intOnly || c.types&tNum == 0
	lo, hi, hasLo, hasHi := c.bounds(integer)
	type cand struct {
		what string
		f    float64
	}
	var cands []cand
	if hasLo {
		what := "minimum"
		if c.exMin {
			what = "just above exclusiveMinimum"
		}
		cands = append(cands, cand{what, lo})
	}
	if hasHi {
		what := "maximum"
		if c.exMax {
			what = "just below exclusiveMaximum"
		}
		cands = append(cands, cand{what, hi})
	}
	cands = append(cands, cand{"zero", 0}, cand{"negative", -1})
	if integer {
		cands = append(cands, cand{"large integer", 9007199254740991}, cand{"large negative integer", -9007199254740991})
	} else {
		cands = append(cands, cand{"small fraction", 0.000001}, cand{"large number", 1e15 + 0.5})
	}
	for _, cd := range cands {
		f := cd.f
		if c.multipleOf != nil {
			f = snap(f, c.multipleOf, hasLo && f == lo)
		}
		if (hasLo && f < lo) || (hasHi && f > hi) {
			continue
		}
		var v any
		if c.multipleOf != nil && !c.multipleOf.IsInt() {
			r := new(big.Rat)
			if r.SetFloat64(f) == nil {
				continue
			}
			k := new(big.Rat).Quo(r, c.multipleOf)
			kf, _ := k.Float64()
			v = ratNumber(new(big.Rat).Mul(c.multipleOf, new(big.Rat).SetInt64(int64(math.Round(kf)))))
		} else {
			v = formatNumber(f, integer)
		}
		e.at(st.ptr, cd.what+" ("+short(appendJSON(nil, v))+")", v)
	}
}

// snap moves f to a multiple of m: up from a lower bound, else down.
func snap(f float64, m *big.Rat, up bool) float64 {
	mf, _ := m.Float64()
	if mf == 0 {
		return f
	}
	k := f / mf
	if up {
		k = math.Ceil(k)
	} else {
		k = math.Floor(k)
	}
	return k * mf
}

func short(b []byte) string {
	if len(b) > 40 {
		return string(b[:37]) + "…"
	}
	return string(b)
}

// replaceAt sets the value at an RFC 6901 pointer of a generated tree.
func replaceAt(tree any, ptr string, v any) (any, bool) {
	toks, ok := splitPointer(ptr)
	if !ok {
		return nil, false
	}
	if len(toks) == 0 {
		return v, true
	}
	parent, ok := jsonptr.Get(tree, toks[:len(toks)-1])
	if !ok {
		return nil, false
	}
	last := toks[len(toks)-1]
	switch p := parent.(type) {
	case *object:
		if _, ok := p.Get(last); !ok {
			return nil, false
		}
		p.Set(last, v)
	case []any:
		i, ok := jsonptr.Index(last, len(p), false)
		if !ok {
			return nil, false
		}
		p[i] = v
	default:
		return nil, false
	}
	return tree, true
}

// removeAt deletes property key of the object at ptr.
func removeAt(tree any, ptr, key string) (any, bool) {
	toks, ok := splitPointer(ptr)
	if !ok {
		return nil, false
	}
	o, ok := jsonptr.Get(tree, toks)
	if !ok {
		return nil, false
	}
	obj, ok := o.(*object)
	if !ok {
		return nil, false
	}
	if _, ok := obj.Get(key); !ok {
		return nil, false
	}
	obj.Remove(key)
	return tree, true
}
