package provider

import (
	"errors"
	"strings"
	"testing"
)

// TestScenarioSteps: a lifecycle scenario whose step needs a state the
// steps before did not leave the order in is refused at the step, as is a
// step creating an order that exists (the generator played them anyway:
// lifecycles the platform never sends, on which the lifecycle checks judged
// receivers). Before the first step the order is in lifecycle.initial, or
// in no state at all.
func TestScenarioSteps(t *testing.T) {
	// def has the transitions create (→ created), note (created →
	// created), pay (created → paid), pack (paid → packed), ship (paid or
	// packed → shipped) and cancel (created, paid or packed → cancelled);
	// its scenarios are on lines 17, 18, … (one more with initial).
	def := func(initial string, scenarios ...string) string {
		s := "format: 1\nname: tiny\nsigning: none\nevents:\n  match: [{header: X-Event}]\n" +
			"  list: [{name: e, schema: {type: object, properties: {status: {type: string}}}}]\nlifecycle:\n  state: /status\n" + initial +
			"  transitions:\n    - {name: create, to: created, emits: e}\n    - {name: note, from: [created], to: created, emits: e}\n" +
			"    - {name: pay, from: [created], to: paid, emits: e}\n    - {name: pack, from: [paid], to: packed, emits: e}\n" +
			"    - {name: ship, from: [paid, packed], to: shipped, emits: e}\n    - {name: cancel, from: [created, paid, packed], to: cancelled, emits: e}\n" +
			"  scenarios:\n"
		for i, steps := range scenarios {
			s += "    - {name: s" + string(rune('0'+i)) + ", steps: [" + steps + "]}\n"
		}
		return s
	}
	tests := []struct {
		name, file string
		want       []string // nil: it reads
	}{
		{"every step allowed", def("", "create, note, pay, pack, ship", "create, pay, ship", "create, cancel"), nil},
		{"a step from another state", def("", "create, pay, ship", "create, note, note, ship"),
			[]string{`p.yaml:18: /lifecycle/scenarios/1/steps/3: transition "ship" needs state paid or packed, the order is in state created after step 2 (note)`}},
		{"after the step before", def("", "create, pay, note"),
			[]string{`p.yaml:17: /lifecycle/scenarios/0/steps/2: transition "note" needs state created, the order is in state paid after step 1 (pay)`}},
		{"three states", def("", "create, pay, ship, cancel"),
			[]string{`p.yaml:17: /lifecycle/scenarios/0/steps/3: transition "cancel" needs state created, paid or packed, the order is in state shipped after step 2 (ship)`}},
		{"creating an order that exists", def("", "create, pay, create"),
			[]string{`p.yaml:17: /lifecycle/scenarios/0/steps/2: transition "create" creates the order, which is in state paid after step 1 (pay): only a first step creates`}},
		{"a first step from a state, no initial state", def("", "pay, ship"),
			[]string{`p.yaml:17: /lifecycle/scenarios/0/steps/0: transition "pay" needs state created, and an order has none before its first step: start with a transition that creates it (no from), or give lifecycle.initial`}},
		{"a first step from the initial state", def("  initial: created\n", "pay, ship", "create, pay"), nil},
		{"a first step from another state than the initial", def("  initial: created\n", "ship"),
			[]string{`p.yaml:18: /lifecycle/scenarios/0/steps/0: transition "ship" needs state paid or packed, the order is in state created (lifecycle.initial) before its first step`}},
		{"every bad step", def("", "create, ship, create"),
			[]string{`p.yaml:17: /lifecycle/scenarios/0/steps/1: transition "ship" needs state paid or packed, the order is in state created after step 0 (create)`,
				`p.yaml:17: /lifecycle/scenarios/0/steps/2: transition "create" creates the order, which is in state shipped after step 1 (ship): only a first step creates`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantProblems(t, tt.file, tt.want)
		})
	}
}

// wantProblems parses a definition file and wants exactly the problems
// want, one a line, wrapping ErrDefinition (none when want is nil).
func wantProblems(t *testing.T, file string, want []string) {
	t.Helper()
	_, err := Parse([]byte(file), "p.yaml")
	if want == nil {
		if err != nil {
			t.Fatalf("refused:\n%v\n%s", err, file)
		}
		return
	}
	if err == nil || !errors.Is(err, ErrDefinition) {
		t.Fatalf("read (%v); want\n%s", err, strings.Join(want, "\n"))
	}
	if got := err.Error(); got != strings.Join(want, "\n") {
		t.Errorf("error\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
}
