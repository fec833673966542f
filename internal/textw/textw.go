// Package textw holds what the text reports and messages of orderhooks
// share: counts worded in English ("1 delivery", "3 deliveries"),
// durations for people ("0.42 ms", "12 ms", "1.20 s") and a printer that
// keeps its first write error.
package textw

import (
	"fmt"
	"io"
	"strconv"
	"time"
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

// Millis shows a duration for people, in milliseconds with a precision
// that suits it, in seconds from one second on: "0.42 ms", "12 ms",
// "1.20 s". Its callers decide what a zero duration shows.
func Millis(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms < 10:
		return strconv.FormatFloat(ms, 'f', 2, 64) + " ms"
	case ms < 1000:
		return strconv.FormatFloat(ms, 'f', 0, 64) + " ms"
	}
	return strconv.FormatFloat(ms/1000, 'f', 2, 64) + " s"
}
