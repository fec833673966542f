// Package parallel lets a test binary whose parallel tests mostly wait
// (on timeouts, retries, servers that never answer, processes being
// stopped) run more of them at once than the testing package's default,
// one per CPU. On a 2-core machine that default serialises waits that use
// no CPU; go test ./... runs only two test binaries at a time, so a binary
// that waits holds one of the two for its whole wait
// (docs/development.md#what-the-default-run-costs).
package parallel

import (
	"flag"
	"os"
	"strconv"
	"testing"
)

// Allow sets -test.parallel to n unless the command line set it (which
// then stays in charge) or n is below the current value. Call it from
// TestMain before m.Run.
func Allow(n int) {
	if !flag.Parsed() {
		flag.Parse()
	}
	f := flag.Lookup("test.parallel")
	if f == nil {
		return
	}
	set := false
	flag.Visit(func(v *flag.Flag) {
		if v.Name == f.Name {
			set = true
		}
	})
	if cur, err := strconv.Atoi(f.Value.String()); set || err != nil || cur >= n {
		return
	}
	_ = f.Value.Set(strconv.Itoa(n))
}

// Main is a whole TestMain for a binary that needs nothing else: Allow(n),
// then the tests, then exit with their code.
func Main(m *testing.M, n int) {
	Allow(n)
	os.Exit(m.Run())
}
