// Package suggest finds the name a user probably meant, for "did you
// mean" hints in usage errors: an event name with the wrong separator or
// case, a check name with a typo, a platform's display name for a trigger.
package suggest

import (
	"strings"
	"unicode"
)

// Closest returns the candidate input most likely stands for, or "" when
// none is close: equal once case and separators (space, -, _, /, .) are
// ignored; equal to one of a candidate's aliases (e.g. a trigger's display
// name) the same way; within an edit distance of a third of its length
// (at least 1, at most 3); or, for four characters or more, the beginning
// of exactly one candidate, written right or with one typo
// ("rejects-tamperd" for rejects-tampered-payload).
func Closest(input string, candidates []string, aliases map[string]string) string {
	in := fold(input)
	if in == "" {
		return ""
	}
	for _, c := range candidates {
		if fold(c) == in {
			return c
		}
	}
	for alias, c := range aliases {
		if fold(alias) == in {
			return c
		}
	}
	best, bestDist := "", min(3, max(1, len(in)/3))+1
	for _, c := range candidates {
		if d := distance(in, fold(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	if best != "" || len(in) < 4 {
		return best
	}
	// A shortened name ("rejects-bad-sig") stands for the one candidate it
	// begins; failing that, one it begins but for one typo.
	if c, unique := uniquePrefix(in, candidates, 0); c != "" || !unique || len(in) < 6 {
		return c
	}
	c, _ := uniquePrefix(in, candidates, 1)
	return c
}

// uniquePrefix returns the one candidate whose folded beginning is within
// edits of in ("" when none is); unique is false when two are (then c is
// "").
func uniquePrefix(in string, candidates []string, edits int) (c string, unique bool) {
	for _, cand := range candidates {
		f := []rune(fold(cand))
		if len(f) < len([]rune(in)) {
			continue
		}
		// The beginning as long as in, and one rune longer or shorter for
		// an insertion or a deletion.
		near := false
		for n := max(len([]rune(in))-edits, 1); n <= min(len([]rune(in))+edits, len(f)); n++ {
			if distance(in, string(f[:n])) <= edits {
				near = true
				break
			}
		}
		if near {
			if c != "" {
				return "", false
			}
			c = cand
		}
	}
	return c, true
}

// Hint is Closest worded for a message: ` (did you mean "X"?)` or "".
func Hint(input string, candidates []string, aliases map[string]string) string {
	if c := Closest(input, candidates, aliases); c != "" && c != input {
		return ` (did you mean "` + c + `"?)`
	}
	return ""
}

// fold lowers s and drops separators, so ORDER_UPDATED, order-updated and
// "Order Updated" compare equal.
func fold(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == ' ' || r == '-' || r == '_' || r == '/' || r == '.':
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// distance is the edit distance between a and b, in runes, counting a
// swap of two neighbours as one edit ("bda" for "bad"): the optimal
// string alignment distance.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	rows := [3][]int{make([]int, len(rb)+1), make([]int, len(rb)+1), make([]int, len(rb)+1)}
	for j := range rows[1] {
		rows[1][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		before, prev, cur := rows[0], rows[1], rows[2]
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], before[j-2]+1)
			}
		}
		rows[0], rows[1], rows[2] = prev, cur, before
	}
	return rows[1][len(rb)]
}
