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
// of exactly one candidate.
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
	// begins.
	for _, c := range candidates {
		if strings.HasPrefix(fold(c), in) {
			if best != "" {
				return ""
			}
			best = c
		}
	}
	return best
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

// distance is the Levenshtein distance between a and b, in runes.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
