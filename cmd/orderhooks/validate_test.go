package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// transcript renders one command run for a golden file.
func transcript(stdout, stderr string, code int) string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", code, stdout, stderr)
}

const examples = "../../schemas/testdata/examples/"

func TestValidateGolden(t *testing.T) {
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
	}{
		{"examples", "", []string{"--schema", "phasio/order-strict",
			examples + "phasio-order-created.json", examples + "phasio-order-updated.json", examples + "phasio-quote-converted.json"}, exitOK},
		{"jsonl", "", []string{"--schema", "phasio/order", "testdata/validate/orders.jsonl"}, exitFailure},
		{"pretty", "", []string{"--schema", "phasio/order", "testdata/validate/order-pretty.json"}, exitFailure},
		{"truncated", "", []string{"--schema", "phasio/order", "testdata/validate/truncated.json"}, exitFailure},
		{"stdin", `{"header":{},"body":[]}` + "\n", []string{"--schema", "happycolis/order-event"}, exitFailure},
		{"stdin-dash", "null\n", []string{"--schema", "phasio/order", "-"}, exitFailure},
		{"auto", "", []string{"--schema", "auto", "testdata/validate/events.jsonl"}, exitFailure},
		{"auto-strict", "", []string{"--schema", "auto", "--strict", "testdata/validate/events.jsonl"}, exitFailure},
		{"unknown-schema", "", []string{"--schema", "phasio/orders", "x.json"}, exitUsage},
		{"no-schema", "", []string{"x.json"}, exitUsage},
		{"strict-without-auto", "", []string{"--schema", "phasio/order", "--strict"}, exitUsage},
		{"missing-file", "", []string{"--schema", "phasio/order", examples + "phasio-order-created.json", "testdata/validate/nope.json"}, exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCmd(t, tt.stdin, append([]string{"validate"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout %s\nstderr %s", code, tt.code, out, errOut)
			}
			golden(t, "TestValidateGolden_"+tt.name+".golden.txt", transcript(out, errOut, code))
		})
	}
}

// TestValidateLinesPointAtValues checks the golden files' key property
// without trusting them: in a pretty-printed document each violation's line
// holds the offending member.
func TestValidateLinesPointAtValues(t *testing.T) {
	const file = "testdata/validate/order-pretty.json"
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(src), "\n")
	out, _, _ := runCmd(t, "", "validate", "--schema", "phasio/order", file)
	// A missing member is reported where its object starts: the next
	// line is then the object's first member.
	want := map[string][2]string{
		"/parts/0/productionSteps/1/sequence": {`"sequence": 0`, ""},
		"/shipping/address/country":           {`"country": "USA"`, ""},
		"/expenses/0/price":                   {`{`, `"id": 1`},
	}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var n int
		var rest string
		if _, err := fmt.Sscanf(strings.TrimPrefix(l, file+":"), "%d: %s", &n, &rest); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		w, ok := want[rest[:len(rest)-1]]
		if !ok {
			t.Fatalf("unexpected violation %q", l)
		}
		if !strings.Contains(lines[n-1], w[0]) || !strings.Contains(lines[n], w[1]) {
			t.Errorf("%q: lines %d-%d are %q, want them to hold %q", l, n, n+1, lines[n-1:n+1], w)
		}
		delete(want, rest[:len(rest)-1])
	}
	if len(want) > 0 {
		t.Errorf("violations not reported: %v", want)
	}
}
