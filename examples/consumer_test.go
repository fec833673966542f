package examples_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/internal/testkit/sweep"
)

// TestConsumerModule runs the go test suite of examples/consumer, a
// separate module that imports orderhooks as a team's service would, with
// a receiver that never checks signatures. Its contract test must fail,
// exactly in the subtests named after the checks the bug breaks. It
// builds and links that module's test binary (some 4 CPU-seconds), so it
// runs under ORDERHOOKS_LONG=1, a step of .ci/run; the default run checks
// the same go test API in package contracts (TestTestWithRealT, ExampleTest).
func TestConsumerModule(t *testing.T) {
	if testing.Short() || !sweep.Long() {
		t.Skip("builds and tests a separate module; set " + sweep.Env + "=1")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "test", "-json", "-count=1", "./...")
	cmd.Dir = "consumer"
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if _, failed := err.(*exec.ExitError); err != nil && !failed {
		t.Fatalf("go test in examples/consumer: %v\n%s", err, stderr.String())
	}
	results := map[string]string{} // subtest → pass, fail or skip
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var ev struct{ Action, Test string }
		if json.Unmarshal(sc.Bytes(), &ev) != nil || ev.Test == "" {
			continue
		}
		if name, ok := strings.CutPrefix(ev.Test, "TestPhasioContract/"); ok && (ev.Action == "pass" || ev.Action == "fail" || ev.Action == "skip") {
			results[name] = ev.Action
		}
	}
	var failed []string
	for name, action := range results {
		if action == "fail" {
			failed = append(failed, name)
		}
	}
	slices.Sort(failed)
	// verifies-raw-body is inconclusive: a receiver that accepts a wrong
	// signature proves nothing by accepting legal forms of a body.
	want := []string{"rejects-bad-signature", "rejects-missing-signature", "verifies-raw-body"}
	if !slices.Equal(failed, want) {
		t.Fatalf("failing subtests %v, want %v (all: %v)\n%s", failed, want, results, stderr.String())
	}
	if results["accepts-valid-lifecycle"] != "pass" || results["rejects-tampered-payload"] != "pass" {
		t.Errorf("the checks the bug does not break should pass: %v", results)
	}
}
