// Package shell writes command lines for POSIX shells: the reproducing
// commands the CLI prints and the curl commands of the inspector.
package shell

import (
	"regexp"
	"strings"
)

// safe are the strings a shell reads as themselves.
var safe = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

// Quote returns s as a shell reads it back as one word: as it is when it
// needs no quoting, else in single quotes.
func Quote(s string) string {
	if safe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
