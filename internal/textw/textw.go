// Package textw holds what the text reports and messages of orderhooks
// share: counts worded in English ("1 delivery", "3 deliveries") and a
// printer that keeps its first write error.
package textw

import (
	"fmt"
	"io"
	"strconv"
)

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

// Printer writes formatted text to W and keeps the first write error: a
// report prints line after line and checks Err once at the end. After an
// error it writes nothing more.
type Printer struct {
	W   io.Writer
	Err error
}

// Printf writes like fmt.Fprintf unless an earlier write failed.
func (p *Printer) Printf(format string, args ...any) {
	if p.Err == nil {
		_, p.Err = fmt.Fprintf(p.W, format, args...)
	}
}
