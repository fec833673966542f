// Package sweep sizes the property tests. The default run (go test ./...)
// checks a representative sample of seeds; with ORDERHOOKS_LONG=1 (a
// separate step of .ci/run) every property test runs its full sweep.
// Representative proves the sample earns its name: run under
// ORDERHOOKS_LONG=1, it fails when the full sweep reaches a statement of
// the code under test that the sample does not.
//
// It imports no package of the module, so every package's internal tests
// can use it.
package sweep

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Env is the environment variable that asks for the full sweeps.
const Env = "ORDERHOOKS_LONG"

// Long reports whether the full sweeps were asked for.
func Long() bool { return os.Getenv(Env) != "" }

// N returns full under ORDERHOOKS_LONG=1 and sample otherwise.
func N(sample, full int) int {
	if Long() {
		return full
	}
	return sample
}

// Size returns the size of a sweep that the environment variable name
// can set (PII_ORDERS=50000): its value when set, else N(sample, full). A
// value that is not a positive integer is an error naming the variable.
func Size(name string, sample, full int) (int, error) {
	s := os.Getenv(name)
	if s == "" {
		return N(sample, full), nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%s=%q: want a positive integer", name, s)
	}
	return n, nil
}

// Representative runs the tests that -run pattern names in two child
// processes of `go test` on the package in the working directory, with
// statement coverage of coverpkg (a -coverpkg list): once as the default
// run does (ORDERHOOKS_LONG unset), once with the full sweep. Both must
// pass, and every statement the full sweep reaches must be reached by the
// sample; the test fails naming those that are not. It runs only under
// ORDERHOOKS_LONG=1 and skips otherwise.
func Representative(t *testing.T, pattern, coverpkg string) {
	t.Helper()
	if !Long() {
		t.Skip("runs the full sweep twice with coverage; set " + Env + "=1")
	}
	dir := t.TempDir()
	sample := run(t, pattern, coverpkg, filepath.Join(dir, "sample.out"), false)
	full := run(t, pattern, coverpkg, filepath.Join(dir, "full.out"), true)
	var missed []string
	for block := range full {
		if !sample[block] {
			missed = append(missed, block)
		}
	}
	sort.Strings(missed)
	t.Logf("the sample reaches %d of the %d statement blocks the full sweep reaches", len(sample), len(full))
	if len(missed) > 0 {
		if len(missed) > 20 {
			missed = append(missed[:20], fmt.Sprintf("… and %d more", len(missed)-20))
		}
		t.Errorf("the full sweep reaches %d blocks the default sample misses (raise the sample or add a seed that reaches them):\n  %s",
			len(missed), strings.Join(missed, "\n  "))
	}
}

// run runs the child and returns the blocks it covered.
func run(t *testing.T, pattern, coverpkg, profile string, long bool) map[string]bool {
	t.Helper()
	cmd := exec.Command("go", "test", "-count=1", "-timeout=60m", "-run", pattern,
		"-covermode=set", "-coverpkg="+coverpkg, "-coverprofile="+profile, ".")
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, Env+"=") {
			env = append(env, kv)
		}
	}
	if long {
		env = append(env, Env+"=1")
	}
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	what := "the default sample"
	if long {
		what = "the full sweep"
	}
	if err != nil {
		t.Fatalf("%s: go test -run %q: %v\n%s", what, pattern, err, out)
	}
	t.Logf("%s: %s", what, bytes.TrimSpace(out))
	blocks, err := covered(profile)
	if err != nil {
		t.Fatal(err)
	}
	return blocks
}

// covered reads a coverage profile (set mode) and returns the blocks run
// at least once, as "file:line.col,line.col".
func covered(path string) (map[string]bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	blocks := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "mode:") || line == "" {
			continue
		}
		// name.go:12.3,14.5 2 1
		fields := strings.Fields(line)
		if len(fields) != 3 {
			return nil, fmt.Errorf("%s: malformed line %q", path, line)
		}
		n, err := strconv.Atoi(fields[2])
		if err != nil {
			return nil, fmt.Errorf("%s: malformed line %q", path, line)
		}
		if n > 0 {
			blocks[fields[0]] = true
		}
	}
	return blocks, sc.Err()
}
