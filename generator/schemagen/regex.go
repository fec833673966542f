package schemagen

import (
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"
)

// fromPattern generates a string that the regular expression matches,
// walking its parse tree: literals as written (case folded at random),
// character classes by a printable member, repetitions bounded. The
// attempt number steers lengths: later attempts aim at minLen or maxLen.
// ok is false when the expression can match nothing.
func (s *state) fromPattern(re *syntax.Regexp, minLen, maxLen, attempt int) (string, bool) {
	var b strings.Builder
	g := regexGen{s: s, b: &b, budget: 4096}
	switch {
	case s.minimal || attempt%3 == 2:
		g.mode = shortest
	case s.maximal || attempt%3 == 1 && minLen > 0:
		g.mode = longer
	}
	if maxLen >= 0 && maxLen < 4096 {
		g.budget = maxLen
	}
	if !g.walk(re, 0) {
		return "", false
	}
	out := b.String()
	// JSON Schema patterns search: an end the pattern does not anchor can
	// take filler up to minLen
	if short := minLen - utf8.RuneCountInString(out); short > 0 {
		fill := strings.Repeat("x", short)
		switch {
		case !anchored(re, false):
			out += fill
		case !anchored(re, true):
			out = fill + out
		}
	}
	return out, true
}

// anchored reports whether the expression is anchored at its start (or end).
func anchored(re *syntax.Regexp, start bool) bool {
	for {
		switch re.Op {
		case syntax.OpBeginText, syntax.OpBeginLine:
			return start
		case syntax.OpEndText, syntax.OpEndLine:
			return !start
		case syntax.OpCapture:
			re = re.Sub[0]
		case syntax.OpConcat:
			if len(re.Sub) == 0 {
				return false
			}
			if start {
				re = re.Sub[0]
			} else {
				re = re.Sub[len(re.Sub)-1]
			}
		case syntax.OpAlternate:
			for _, sub := range re.Sub {
				if !anchored(sub, start) {
					return false
				}
			}
			return true
		default:
			return false
		}
	}
}

type repeatMode int

const (
	typical repeatMode = iota
	shortest
	longer
)

type regexGen struct {
	s      *state
	b      *strings.Builder
	mode   repeatMode
	budget int // runes still wanted at most
}

func (g *regexGen) walk(re *syntax.Regexp, depth int) bool {
	if depth > 200 {
		return true
	}
	switch re.Op {
	case syntax.OpNoMatch:
		return false
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 && g.s.r.IntN(2) == 0 {
				if u := unicode.SimpleFold(r); u != r {
					r = u
				}
			}
			g.put(r)
		}
		return true
	case syntax.OpCharClass:
		r, ok := g.classRune(re.Rune)
		if !ok {
			return false
		}
		g.put(r)
		return true
	case syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		g.put(rune(alnum[g.s.r.IntN(len(alnum))]))
		return true
	case syntax.OpCapture:
		return g.walk(re.Sub[0], depth+1)
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if !g.walk(sub, depth+1) {
				return false
			}
		}
		return true
	case syntax.OpAlternate:
		// try the alternatives from a random start: some may match nothing
		start := g.s.r.IntN(len(re.Sub))
		for i := range re.Sub {
			mark := g.b.Len()
			budget := g.budget
			if g.walk(re.Sub[(start+i)%len(re.Sub)], depth+1) {
				return true
			}
			g.truncate(mark, budget)
		}
		return false
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		lo, hi := re.Min, re.Max
		switch re.Op {
		case syntax.OpStar:
			lo, hi = 0, -1
		case syntax.OpPlus:
			lo, hi = 1, -1
		case syntax.OpQuest:
			lo, hi = 0, 1
		}
		n := g.count(lo, hi)
		for i := 0; i < n; i++ {
			if i >= lo && g.budget <= 0 {
				break
			}
			if !g.walk(re.Sub[0], depth+1) {
				return i >= lo
			}
		}
		return true
	}
	return false
}

// count picks how many times a repetition runs.
func (g *regexGen) count(lo, hi int) int {
	top := hi
	if top < 0 || top > lo+8 {
		top = lo + 8
	}
	switch g.mode {
	case shortest:
		return lo
	case longer:
		if g.budget > 0 {
			return top
		}
		return lo
	}
	if g.budget <= 0 {
		return lo
	}
	if hi < 0 {
		top = lo + 3
	}
	return lo + g.s.r.IntN(top-lo+1)
}

func (g *regexGen) put(r rune) {
	g.b.WriteRune(r)
	g.budget--
}

func (g *regexGen) truncate(n, budget int) {
	str := g.b.String()[:n]
	g.b.Reset()
	g.b.WriteString(str)
	g.budget = budget
}

const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// classRune picks a member of a character class (pairs of inclusive
// ranges): a printable ASCII one when the class has any, else a printable
// rune that is no surrogate and no line terminator.
func (g *regexGen) classRune(ranges []rune) (rune, bool) {
	var ascii [][2]rune
	total := 0
	for i := 0; i+1 < len(ranges); i += 2 {
		lo, hi := max(ranges[i], 0x20), min(ranges[i+1], 0x7e)
		if lo <= hi {
			ascii = append(ascii, [2]rune{lo, hi})
			total += int(hi-lo) + 1
		}
	}
	if total > 0 {
		// letters and digits read better than punctuation: prefer them
		// when the class is broad
		for try := 0; try < 4; try++ {
			r := pickRange(g, ascii, total)
			if total < 60 || isAlnum(r) {
				return r, true
			}
		}
		return pickRange(g, ascii, total), true
	}
	for i := 0; i+1 < len(ranges); i += 2 {
		for r, n := max(ranges[i], 0xa0), 0; r <= ranges[i+1] && r <= utf8.MaxRune && n < 10000; r, n = r+1, n+1 {
			if r >= 0xd800 && r <= 0xdfff || r == 0x2028 || r == 0x2029 || !unicode.IsPrint(r) {
				if r >= 0xd800 && r <= 0xdfff {
					r = 0xdfff
				}
				continue
			}
			return r, true
		}
	}
	return 0, false
}

func pickRange(g *regexGen, rs [][2]rune, total int) rune {
	k := g.s.r.IntN(total)
	for _, r := range rs {
		n := int(r[1]-r[0]) + 1
		if k < n {
			return r[0] + rune(k)
		}
		k -= n
	}
	return rs[0][0]
}

func isAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}
