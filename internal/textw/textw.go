// Package textw holds what the text reports and messages of orderhooks
// share: counts worded in English ("1 delivery", "3 deliveries").
package textw

import "strconv"

// Plural returns one when n is 1, else many.
func Plural[N ~int | ~int64](n N, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Count returns n and its word: "1 delivery", "0 deliveries",
// "3 deliveries".
func Count[N ~int | ~int64](n N, one, many string) string {
	return strconv.FormatInt(int64(n), 10) + " " + Plural(n, one, many)
}
