package schemagen

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"regexp/syntax"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/orderhooks/orderhooks/internal/ids"
	"github.com/orderhooks/orderhooks/internal/splitmix"
)

// Keys are the distinct values a schema allows at one place of its
// payloads, an entity key say, in a fixed order: Value(i) and Value(j)
// differ for any i != j below Count. The values honour the place's
// type, enum, const, range, multipleOf, format (uuid, email, date-time,
// date, uri, hostname), pattern and length; examples are not used, so a
// documented example does not make every entity share a key. Keys is
// immutable and safe for concurrent use.
type Keys struct {
	c     *constraints
	count *big.Int
	nth   func(i *big.Int) any // i below count
}

// KeysUnbounded is what Count reports for a place with more distinct
// values than any run sends.
const KeysUnbounded = math.MaxInt64

// Keys finds the schemas a payload generated with seed answered to at
// instance pointer ptr (e.g. "/order/id") and returns the distinct values
// they allow there. The place must be one a generated payload has.
func (g *Generator) Keys(ptr string, seed int64) (*Keys, error) {
	rec := &recorder{byPtr: map[string]int{}}
	if _, err := g.value(seed, rec); err != nil {
		return nil, err
	}
	i, ok := rec.byPtr[ptr]
	if !ok {
		return nil, &Error{Pointer: ptr, Reason: "the generated payloads have no value there", Err: ErrUnsatisfiable}
	}
	st := rec.sites[i]
	k := &Keys{c: merge(st.all)}
	k.plan(st.v)
	return k, nil
}

// Count is how many distinct values Value gives, KeysUnbounded when
// there are more than that.
func (k *Keys) Count() int64 {
	if !k.count.IsInt64() {
		return KeysUnbounded
	}
	return k.count.Int64()
}

// Value is the i-th distinct value (i taken modulo Count), as compact
// JSON; ok is false when that value breaks a keyword Keys does not
// construct for (not, if/then/else, a second pattern), and the caller
// should keep the value it has.
func (k *Keys) Value(i int64) (value json.RawMessage, ok bool) {
	if k.count.Sign() == 0 {
		return nil, false
	}
	n := new(big.Int).SetUint64(uint64(i))
	n.Mod(n, k.count)
	v := k.nth(n)
	if v == nil || !k.accepts(v) {
		return nil, false
	}
	return appendJSON(nil, v), true
}

// accepts checks a value against every schema of the place.
func (k *Keys) accepts(v any) bool {
	switch x := v.(type) {
	case string:
		if !k.c.stringOK(x) || len(k.c.formats) > 0 && !formatOK(k.c.formats[0], x) || !k.c.inEnums(v) {
			return false
		}
	case json.Number:
		if !k.c.numberOK(x) || !k.c.inEnums(v) {
			return false
		}
	}
	for _, n := range k.c.all {
		if !n.matches(v) {
			return false
		}
	}
	return true
}

// plan chooses how the values are made, from the place's constraints and
// the kind of value generated there.
func (k *Keys) plan(generated any) {
	c := k.c
	one := func(v any) { k.count, k.nth = big.NewInt(1), func(*big.Int) any { return v } }
	if c.hasEnum {
		var cands []any
		seen := map[string]bool{}
		for _, v := range c.enum {
			if key := canonical(v); !seen[key] && k.accepts(v) {
				seen[key] = true
				cands = append(cands, v)
			}
		}
		k.count = big.NewInt(int64(len(cands)))
		k.nth = func(i *big.Int) any { return cands[i.Int64()] }
		return
	}
	switch generated.(type) {
	case json.Number:
		integer := c.types&tNum == 0 || c.intOnly
		if !k.planNumber(integer) {
			one(generated)
		}
	case string:
		k.planString()
	case bool:
		k.count = big.NewInt(2)
		k.nth = func(i *big.Int) any { return i.Sign() == 0 }
	default:
		one(generated) // null, objects and arrays: not a key's kind
	}
}

// maxSafe is the largest integer every JSON parser reads exactly.
const maxSafe = 1<<53 - 1

// planNumber: the multiples of multipleOf (integers: of 1 too) within the
// range, from its low end; false when there is no such multiple.
func (k *Keys) planNumber(integer bool) bool {
	c := k.c
	lo, hi, hasLo, hasHi := c.bounds(integer)
	switch {
	case !hasLo && !hasHi:
		lo, hi = 1, maxSafe
	case !hasLo:
		lo = max(hi-maxSafe, -maxSafe)
	case !hasHi:
		hi = min(lo+maxSafe, maxSafe)
	}
	lo, hi = max(lo, -maxSafe), min(hi, maxSafe)
	step := big.NewRat(1, 1)
	if c.multipleOf != nil {
		step = c.multipleOf
		if integer {
			step = lcm(step, big.NewRat(1, 1))
		}
	}
	loR, hiR := new(big.Rat), new(big.Rat)
	if loR.SetFloat64(lo) == nil || hiR.SetFloat64(hi) == nil {
		return false
	}
	// first = ceil(lo/step)·step
	q := new(big.Rat).Quo(loR, step)
	first := new(big.Int).Quo(q.Num(), q.Denom())
	if new(big.Rat).SetInt(first).Cmp(q) < 0 {
		first.Add(first, big.NewInt(1))
	}
	firstR := new(big.Rat).Mul(new(big.Rat).SetInt(first), step)
	if firstR.Cmp(hiR) > 0 {
		return false
	}
	span := new(big.Rat).Quo(new(big.Rat).Sub(hiR, firstR), step)
	k.count = new(big.Int).Add(new(big.Int).Quo(span.Num(), span.Denom()), big.NewInt(1))
	// positive values first where the range has them (ids rarely go below
	// 1), then around: the value at index 0 is the first multiple ≥ 1
	skip := new(big.Int)
	if firstR.Cmp(big.NewRat(1, 1)) < 0 && hiR.Cmp(big.NewRat(1, 1)) >= 0 {
		q := new(big.Rat).Quo(new(big.Rat).Sub(big.NewRat(1, 1), firstR), step)
		skip.Quo(q.Num(), q.Denom())
		if new(big.Rat).SetInt(skip).Cmp(q) < 0 {
			skip.Add(skip, big.NewInt(1))
		}
		skip.Mod(skip, k.count)
	}
	k.nth = func(i *big.Int) any {
		j := new(big.Int).Add(i, skip)
		j.Mod(j, k.count)
		v := new(big.Rat).Add(firstR, new(big.Rat).Mul(new(big.Rat).SetInt(j), step))
		return ratNumber(v)
	}
	return true
}

// planString: by the first format when it is one made here, else by the
// first pattern, else short words of letters and digits within the length
// bounds.
func (k *Keys) planString() {
	c := k.c
	format := ""
	if len(c.formats) > 0 {
		format = c.formats[0]
	}
	unbounded := new(big.Int).Lsh(big.NewInt(1), 62)
	epoch := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	byIndex := func(f func(i uint64) string) {
		k.count = unbounded
		k.nth = func(i *big.Int) any { return f(i.Uint64()) }
	}
	switch format {
	case "uuid":
		byIndex(func(i uint64) string {
			var b [16]byte
			binary.BigEndian.PutUint64(b[0:8], splitmix.Mix(i))
			binary.BigEndian.PutUint64(b[8:16], i) // below 2^62: the variant bits keep it whole
			return ids.UUID(b)
		})
		return
	case "email", "idn-email":
		byIndex(func(i uint64) string { return "customer" + strconv.FormatUint(i, 10) + "@example.com" })
		return
	case "date-time":
		byIndex(func(i uint64) string { return epoch.Add(time.Duration(i%(1<<32)) * time.Second).Format(time.RFC3339) })
		k.count = big.NewInt(1 << 32)
		return
	case "date":
		byIndex(func(i uint64) string { return epoch.AddDate(0, 0, int(i)).Format(time.DateOnly) })
		k.count = big.NewInt(2_000_000) // before year 7000
		return
	case "uri", "url", "iri":
		byIndex(func(i uint64) string { return "https://example.com/entities/" + strconv.FormatUint(i, 10) })
		return
	case "uri-reference", "iri-reference":
		byIndex(func(i uint64) string { return "/entities/" + strconv.FormatUint(i, 10) })
		return
	case "hostname", "idn-hostname":
		byIndex(func(i uint64) string { return "h" + strconv.FormatUint(i, 10) + ".example.com" })
		return
	}
	var re *syntax.Regexp
	if len(c.patterns) > 0 {
		re = c.patterns[0].syn
	} else {
		lo := max(c.minLen, 1)
		hi := max(lo, 8)
		if c.maxLen >= 0 {
			hi = min(hi, c.maxLen)
		}
		if c.maxLen >= 8 || c.maxLen < 0 {
			lo = max(lo, 8) // eight characters when the bounds allow: k3x9a0b2
		}
		if lo > hi {
			k.count = new(big.Int)
			k.nth = func(*big.Int) any { return nil }
			return
		}
		var err error
		re, err = syntax.Parse(fmt.Sprintf("[a-z0-9]{%d,%d}", lo, hi), syntax.Perl)
		if err != nil {
			k.count = new(big.Int)
			k.nth = func(*big.Int) any { return nil }
			return
		}
	}
	r := newRanker(re)
	k.count = r.count(re)
	k.nth = func(i *big.Int) any {
		var b strings.Builder
		r.unrank(re, new(big.Int).Set(i), &b)
		return b.String()
	}
}

// ranker counts and numbers the strings a regular expression matches,
// whole (anchors match the empty string): repetitions without an upper
// bound take at most maxExtraRepeat more than their minimum, characters
// are the printable ASCII ones of a class when it has any, and "." is a
// letter or a digit.
type ranker struct {
	counts map[*syntax.Regexp]*big.Int
	runes  map[*syntax.Regexp][]rune
}

const (
	maxExtraRepeat = 3
	maxClassRunes  = 512
)

func newRanker(re *syntax.Regexp) *ranker {
	r := &ranker{counts: map[*syntax.Regexp]*big.Int{}, runes: map[*syntax.Regexp][]rune{}}
	r.count(re)
	return r
}

// classRunes lists the runes a class (or "."): printable ASCII first.
func (r *ranker) classRunes(re *syntax.Regexp) []rune {
	if rs, ok := r.runes[re]; ok {
		return rs
	}
	var ascii, other []rune
	if re.Op == syntax.OpCharClass {
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for c := re.Rune[i]; c <= re.Rune[i+1] && len(ascii)+len(other) < maxClassRunes*2; c++ {
				switch {
				case c >= 0x21 && c <= 0x7e:
					ascii = append(ascii, c)
				case c > 0x7e && utf8.ValidRune(c) && len(other) < maxClassRunes:
					other = append(other, c)
				}
			}
		}
	} else {
		ascii = []rune("abcdefghijklmnopqrstuvwxyz0123456789")
	}
	rs := ascii
	if len(rs) == 0 {
		rs = other
	}
	r.runes[re] = rs
	return rs
}

// repeats is the range of repetition counts of a repeat operator.
func repeats(re *syntax.Regexp) (lo, hi int) {
	switch re.Op {
	case syntax.OpStar:
		return 0, maxExtraRepeat
	case syntax.OpPlus:
		return 1, 1 + maxExtraRepeat
	case syntax.OpQuest:
		return 0, 1
	}
	lo, hi = re.Min, re.Max
	if hi < 0 {
		hi = lo + maxExtraRepeat
	}
	return lo, min(hi, lo+64)
}

// count is how many strings re matches (as ranked here).
func (r *ranker) count(re *syntax.Regexp) *big.Int {
	if n, ok := r.counts[re]; ok {
		return n
	}
	n := new(big.Int)
	switch re.Op {
	case syntax.OpNoMatch:
	case syntax.OpLiteral, syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		n.SetInt64(1)
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		n.SetInt64(int64(len(r.classRunes(re))))
	case syntax.OpCapture:
		n.Set(r.count(re.Sub[0]))
	case syntax.OpConcat:
		n.SetInt64(1)
		for _, s := range re.Sub {
			n.Mul(n, r.count(s))
		}
	case syntax.OpAlternate:
		for _, s := range re.Sub {
			n.Add(n, r.count(s))
		}
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		lo, hi := repeats(re)
		sub := r.count(re.Sub[0])
		for t := lo; t <= hi; t++ {
			n.Add(n, new(big.Int).Exp(sub, big.NewInt(int64(t)), nil))
		}
	}
	r.counts[re] = n
	return n
}

// unrank writes the i-th string of re (i below count(re)); the last
// part of a concatenation varies fastest.
func (r *ranker) unrank(re *syntax.Regexp, i *big.Int, b *strings.Builder) {
	switch re.Op {
	case syntax.OpLiteral:
		b.WriteString(string(re.Rune))
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		rs := r.classRunes(re)
		b.WriteRune(rs[i.Int64()])
	case syntax.OpCapture:
		r.unrank(re.Sub[0], i, b)
	case syntax.OpConcat:
		r.unrankSeq(re.Sub, i, b)
	case syntax.OpAlternate:
		for _, s := range re.Sub {
			n := r.count(s)
			if i.Cmp(n) < 0 {
				r.unrank(s, i, b)
				return
			}
			i.Sub(i, n)
		}
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		lo, hi := repeats(re)
		sub := r.count(re.Sub[0])
		for t := lo; t <= hi; t++ {
			n := new(big.Int).Exp(sub, big.NewInt(int64(t)), nil)
			if i.Cmp(n) < 0 {
				seq := make([]*syntax.Regexp, t)
				for j := range seq {
					seq[j] = re.Sub[0]
				}
				r.unrankSeq(seq, i, b)
				return
			}
			i.Sub(i, n)
		}
	}
}

// unrankSeq writes the i-th string of a sequence, mixed radix.
func (r *ranker) unrankSeq(seq []*syntax.Regexp, i *big.Int, b *strings.Builder) {
	digits := make([]*big.Int, len(seq))
	for j := len(seq) - 1; j >= 0; j-- {
		n := r.count(seq[j])
		d := new(big.Int)
		i.QuoRem(i, n, d)
		digits[j] = d
	}
	for j, s := range seq {
		r.unrank(s, digits[j], b)
	}
}
