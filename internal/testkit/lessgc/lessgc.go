// Package lessgc makes a test binary's garbage collector run less often.
//
// The heaviest test binaries (whole contract suites, thousands of
// generated payloads, commands run in-process) allocate much and keep
// little: at the default GOGC of 100 the collector takes some 12 % of
// their CPU time. Set raises its target to Percent, trading memory (a few
// hundred MB at most, for live heaps of tens) for that time
// (docs/development.md#what-the-default-run-costs). A test binary whose
// tests measure the heap in use, or that is also run as a command whose
// memory a test measures, does not call it there.
package lessgc

import (
	"os"
	"runtime/debug"
)

// Percent is the collector's target percentage under Set.
const Percent = 400

// Set raises the collector's target percentage to Percent, unless GOGC is
// set in the environment (which then stays in charge).
func Set() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(Percent)
	}
}
