package contracts

import (
	"strings"
	"unicode/utf8"
)

// MaxExcerpt bounds the response text kept in evidence, in bytes.
const MaxExcerpt = 200

// excerpt flattens b to one line and cuts it at MaxExcerpt on a rune
// boundary, so reports stay readable whatever a receiver answers.
func excerpt(b []byte) string {
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(b), "\uFFFD")), " ")
	if len(s) <= MaxExcerpt {
		return s
	}
	cut := MaxExcerpt
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
