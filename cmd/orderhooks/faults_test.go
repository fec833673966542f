package main

import (
	"strings"
	"testing"
)

// TestFaultProbabilityOutOfRange: a fault probability that is not a number
// between 0 and 1 (NaN, an infinity, a negative number, more than 1, or
// too large to be a number) is a usage error of emit and replay: exit 2
// before anything is sent, and one line that names the flag.
func TestFaultProbabilityOutOfRange(t *testing.T) {
	events := writeEvents(t, "events.jsonl", "--provider", "phasio", "--orders", "1")
	url := closedPort(t)
	commands := map[string][]string{
		"emit":   {"emit", "--provider", "phasio", "--url", url, "--secret", emitSecret},
		"replay": {"replay", events, "--provider", "phasio", "--url", url, "--secret", emitSecret},
	}
	for name, base := range commands {
		for _, flag := range []string{"duplicate", "reorder", "tamper", "bad-signature", "wrong-key"} {
			for _, value := range []string{"NaN", "nan", "-0.1", "-0", "2", "1.0000001", "Inf", "+Inf", "-Inf", "1e309", "0x1p1", "half"} {
				if value == "-0" {
					continue // minus zero is zero: a valid probability
				}
				t.Run(name+"/"+flag+"="+value, func(t *testing.T) {
					args := append(append([]string{}, base...), "--"+flag+"="+value)
					if name == "emit" {
						args = append(args, "--scenario", "phasio/quote-to-paid")
					}
					out, errOut, code := runCmd(t, "", args...)
					if code != exitUsage || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "--"+flag) {
						t.Fatalf("exit %d (want %d), stdout %q, stderr %q: want one line naming --%s", code, exitUsage, out, errOut, flag)
					}
				})
			}
		}
	}
}
