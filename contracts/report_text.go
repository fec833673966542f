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

// WriteText writes the report: what the preflight delivery got, one line
// per check, why the run stopped early (if it did), the diagnosis, then the
// evidence and the reproducing command of each check that did not pass.
// color adds ANSI colours; pass it true only when w is a terminal.
func (r *Report) WriteText(w io.Writer, color bool) error {
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return code + s + ansiReset
	}
	var b strings.Builder
	fmt.Fprintf(&b, "orderhooks verify: %s -> %s (seed %d)\n", r.Provider, r.Target, r.Seed)
	if r.Error != "" {
		fmt.Fprintf(&b, "\n%s %s\n", paint(ansiRed, "ERROR"), r.Error)
	}
	for _, p := range r.Preflight {
		fmt.Fprintf(&b, "preflight: %s, a valid delivery, got %s", p.Request, p.Got)
		if p.Response != "" {
			fmt.Fprintf(&b, ": %s", p.Response)
		}
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	width, labels := len("CHECK"), len("STATUS")
	for _, c := range r.Checks {
		width = max(width, len(c.Name))
		labels = max(labels, len(statusLabel(c.Status)))
	}
	if len(r.Checks) > 0 {
		fmt.Fprintf(&b, "  %-*s  %-*s  %s\n", labels, "STATUS", width, "CHECK", "DETAIL")
	}
	for _, c := range r.Checks {
		label := fmt.Sprintf("%-*s", labels, statusLabel(c.Status))
		fmt.Fprintf(&b, "  %s  %-*s  %s\n", paint(statusColor(c.Status), label), width, c.Name, c.Message)
	}
	if r.Stopped != nil {
		fmt.Fprintf(&b, "\n%s %s\n", paint(ansiRed, "STOPPED"), r.Stopped.Message)
	}
	if len(r.Diagnosis) > 0 {
		fmt.Fprintf(&b, "\n%s\n", paint(ansiBold, "Diagnosis:"))
		for _, d := range r.Diagnosis {
			fmt.Fprintf(&b, "  - %s\n", d.Message)
		}
	}
	for _, c := range r.Checks {
		if c.Status != StatusFail && c.Status != StatusWarn && c.Status != StatusInconclusive {
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
	fmt.Fprintf(&b, "\n%s\n", r.Summary.Line())
	_, err := io.WriteString(w, b.String())
	return err
}

// Line is the summary in one line: "14 checks: 12 passed, 1 failed, 1 skipped in 1.2s"
// (inconclusive and interrupted checks are named only when there are some).
func (s Summary) Line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d checks: %d passed, %d failed", s.Total, s.Passed, s.Failed)
	if s.Inconclusive > 0 {
		fmt.Fprintf(&b, ", %d inconclusive", s.Inconclusive)
	}
	fmt.Fprintf(&b, ", %d warned, %d skipped", s.Warned, s.Skipped)
	if s.Interrupted > 0 {
		fmt.Fprintf(&b, ", %d interrupted", s.Interrupted)
	}
	fmt.Fprintf(&b, " in %s", s.Duration.Round(time.Millisecond))
	return b.String()
}

// String is the result in one plain line, as progress logs print each
// check when it finishes: "pass accepts-valid-lifecycle: 31 deliveries … (1.2s)".
func (r Result) String() string {
	return fmt.Sprintf("%s %s: %s (%s)", statusLabel(r.Status), r.Name, r.Message, roundLatency(r.Duration))
}

// statusLabel shouts the statuses that fail a run.
func statusLabel(s Status) string {
	switch s {
	case StatusFail, StatusInconclusive:
		return strings.ToUpper(string(s))
	}
	return string(s)
}

func statusColor(s Status) string {
	switch s {
	case StatusPass:
		return ansiGreen
	case StatusFail, StatusInconclusive:
		return ansiRed
	case StatusWarn, StatusInterrupted:
		return ansiYellow
	}
	return ansiDim
}
