package contracts

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// ANSI colours for WriteText; only used when the caller says the output is a terminal.
const (
	ansiReset  = "\x1b[0m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiDim    = "\x1b[2m"
	ansiBold   = "\x1b[1m"
)

// WriteText writes the report as a table with one line per check, then the
// evidence and the reproducing command of each failure or warning. color adds
// ANSI colours; pass it true only when w is a terminal.
func (r *Report) WriteText(w io.Writer, color bool) error {
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return code + s + ansiReset
	}
	var b strings.Builder
	fmt.Fprintf(&b, "orderhooks verify: %s -> %s (seed %d)\n\n", r.Provider, r.Target, r.Seed)
	width := len("CHECK")
	for _, c := range r.Checks {
		width = max(width, len(c.Name))
	}
	fmt.Fprintf(&b, "  %-6s  %-*s  %s\n", "STATUS", width, "CHECK", "DETAIL")
	for _, c := range r.Checks {
		label := fmt.Sprintf("%-6s", statusLabel(c.Status))
		fmt.Fprintf(&b, "  %s  %-*s  %s\n", paint(statusColor(c.Status), label), width, c.Name, c.Message)
	}
	for _, c := range r.Checks {
		if c.Status != StatusFail && c.Status != StatusWarn {
			continue
		}
		fmt.Fprintf(&b, "\n%s %s: %s\n", paint(statusColor(c.Status), statusLabel(c.Status)), paint(ansiBold, c.Name), c.Message)
		for _, e := range c.Evidence {
			fmt.Fprintf(&b, "  - %s", e.Request)
			if e.DeliveryID != "" {
				fmt.Fprintf(&b, " [delivery %s]", e.DeliveryID)
			}
			fmt.Fprintf(&b, "\n    expected %s, got %s\n", e.Expected, e.Got)
			if e.Response != "" {
				fmt.Fprintf(&b, "    response: %s\n", e.Response)
			}
		}
		for _, f := range c.Saved {
			fmt.Fprintf(&b, "  saved: %s\n", f)
		}
		if c.Reproduce != "" {
			fmt.Fprintf(&b, "  reproduce: %s\n", c.Reproduce)
		}
	}
	s := r.Summary
	fmt.Fprintf(&b, "\n%d checks: %d passed, %d failed, %d warned, %d skipped in %s\n",
		s.Total, s.Passed, s.Failed, s.Warned, s.Skipped, s.Duration.Round(time.Millisecond))
	_, err := io.WriteString(w, b.String())
	return err
}

func statusLabel(s Status) string {
	if s == StatusFail {
		return "FAIL"
	}
	return string(s)
}

func statusColor(s Status) string {
	switch s {
	case StatusPass:
		return ansiGreen
	case StatusFail:
		return ansiRed
	case StatusWarn:
		return ansiYellow
	}
	return ansiDim
}
