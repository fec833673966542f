package generator

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const validScenario = `version: 1
name: test/ok
provider: phasio
steps:
  - name: quote
    event: ORDER
    action: create-quote
  - event: QUOTE_CONVERTED
    action: pay
`

// TestParseScenarioErrors: every kind of mistake gives a one-line error
// naming the file and the JSON pointer of the mistake.
func TestParseScenarioErrors(t *testing.T) {
	base := func(steps string) string {
		return "version: 1\nname: t\nprovider: phasio\nsteps:\n" + steps
	}
	hc := func(steps string) string {
		return "version: 1\nname: t\nprovider: happycolis\nsteps:\n" + steps
	}
	tests := []struct {
		name, in, want string
	}{
		{"not yaml", "version: [1", "bad.yaml:1: yaml: did not find expected"},
		{"bad indent", "name: x\n  bad: indent\n", "bad.yaml:2: yaml: mapping values are not allowed"},
		{"empty", "", "bad.yaml: /: empty document"},
		{"not an object", "- 1\n- 2", "bad.yaml: /: expected object, got array"},
		{"unknown version", "version: 2\nname: t\nprovider: phasio\nsteps: []", "bad.yaml: /version: unsupported scenario format version 2 (this orderhooks reads version 1)"},
		{"missing version", "name: t\nprovider: phasio\nsteps:\n  - {event: ORDER, action: notify}", "bad.yaml: /version: required field is missing"},
		{"unknown provider", "version: 1\nname: t\nprovider: shopify\nsteps:\n  - {event: x, action: y}", "bad.yaml: /provider: value must be one of 'phasio', 'happycolis'"},
		{"no steps", "version: 1\nname: t\nprovider: phasio\nsteps: []", "bad.yaml: /steps: minItems"},
		{"unknown top-level field", validScenario + "colour: red\n", "bad.yaml: /colour"},
		{"unknown step field", base("  - {event: ORDER, action: create-quote, colour: red}"), "bad.yaml: /steps/0/colour"},
		{"phasio event", base("  - {event: ORDER_CREATED, action: create-quote}"), "bad.yaml: /steps/0/event: value must be one of 'ORDER', 'ORDER_UPDATED', 'QUOTE_CONVERTED' (did you mean \"ORDER\"?)"},
		{"misspelt phasio event", base("  - {event: ORDER_UPDATD, action: create-quote}"), `(did you mean "ORDER_UPDATED"?)`},
		{"misspelt happycolis event", hc("  - {event: order/craeted, action: create}"), `(did you mean "order/created"?)`},
		{"happycolis action", hc("  - {event: order/created, action: create-quote}"), "bad.yaml: /steps/0/action: value must be one of 'create', 'open'"},
		{"kanban on happycolis", "version: 1\nname: t\nprovider: happycolis\nkanban: []\nsteps:\n  - {event: order/created, action: create}", "bad.yaml: /kanban: Kanban boards are Phasio's"},
		{"duplicate column", "version: 1\nname: t\nprovider: phasio\nkanban: [{name: A, sequence: 1}, {name: A, sequence: 2}]\nsteps:\n  - {event: ORDER, action: create-quote}", `bad.yaml: /kanban: the Kanban board has column "A" twice`},
		{"bad duration", base("  - {event: ORDER, action: create-quote, after: 3 days}"), "bad.yaml: /steps/0/after"},
		{"pay twice", base("  - {event: ORDER, action: pay}\n  - {event: ORDER, action: pay}"), "bad.yaml: /steps/1/action: pay: the order is already PAID"},
		{"create twice", base("  - {event: ORDER, action: create-quote}\n  - {event: ORDER, action: create-order}"), "bad.yaml: /steps/1/action: create-order: the order already exists"},
		{"move a quote", base("  - {event: ORDER, action: create-quote}\n  - {event: ORDER_UPDATED, action: move}"), "bad.yaml: /steps/1/action: move: the order is not committed yet"},
		{"move to no column", base("  - {event: ORDER, action: pay}\n  - {event: ORDER_UPDATED, action: move, to: Painting}"), `bad.yaml: /steps/1/action: move: no Kanban column "Painting"`},
		{"move back", base("  - {event: ORDER, action: pay}\n  - {event: ORDER_UPDATED, action: move, to: Shipped}\n  - {event: ORDER_UPDATED, action: move, to: In Progress}"), "bad.yaml: /steps/2/action: move: \"In Progress\" is before \"Shipped\"; set backwards: true"},
		{"move past the end", base("  - {event: ORDER, action: pay}\n  - {event: ORDER_UPDATED, action: move, to: Completed}\n  - {event: ORDER_UPDATED, action: move}"), "bad.yaml: /steps/2/action: move: the order is already in the last column"},
		{"to without move", base("  - {event: ORDER, action: pay, to: Shipped}"), "bad.yaml: /steps/0/to: only the move action takes to and backwards"},
		{"payment without create-order", base("  - {event: ORDER, action: pay, payment: PAID}"), "bad.yaml: /steps/0/payment: only the create-order action takes payment"},
		{"bad payment", base("  - {event: ORDER, action: create-order, payment: LATER}"), "bad.yaml: /steps/0/payment: value must be one of 'PAID', 'CONFIRMED'"},
		{"edit a committed order", base("  - {event: ORDER, action: create-order}\n  - {event: ORDER_UPDATED, action: edit-parts}"), "bad.yaml: /steps/1/action: edit-parts: the order is already committed"},
		{"complete a draft", hc("  - {event: order/created, action: create}\n  - {event: order/completed, action: complete}"), "bad.yaml: /steps/1/action: complete: needs state OPENED with lines FULFILLED, the order is DRAFT with lines PENDING"},
		{"cancel in fulfilment", hc("  - {event: order/created, action: create}\n  - {event: order/opened, action: open}\n  - {event: order/updated, action: accept-lines}\n  - {event: order/updated, action: request-fulfillment}\n  - {event: order/cancelled, action: cancel}"), "bad.yaml: /steps/4/action: cancel: only an order whose lines are PENDING or ACCEPTED"},
		{"duplicate step name", base("  - {name: a, event: ORDER, action: create-quote}\n  - {name: a, event: ORDER_UPDATED, action: notify}"), `bad.yaml: /steps/1/name: step name "a" is already used by /steps/0`},
		{"bad step name", base("  - {name: 'a b', event: ORDER, action: create-quote}"), "bad.yaml: /steps/0/name"},
		{"unknown reference", base("  - {name: a, event: ORDER, action: create-quote}\n  - event: ORDER_UPDATED\n    action: notify\n    set: {/customReference: '${b:/quoteNumber}'}"), `bad.yaml: /steps/1/set/~1customReference: ${b:/quoteNumber} refers to no earlier step named "b"`},
		{"forward reference", base("  - event: ORDER\n    action: create-quote\n    set: {/customReference: '${later:/quoteNumber}'}\n  - {name: later, event: ORDER_UPDATED, action: notify}"), `refers to no earlier step named "later"`},
		{"self reference", base("  - name: a\n    event: ORDER\n    action: create-quote\n    set: {/customReference: '${a:/quoteNumber}'}"), `refers to no earlier step named "a"`},
		{"set key not a pointer", base("  - event: ORDER\n    action: create-quote\n    set: {customReference: x}"), `bad.yaml: /steps/0/set/customReference: generator: JSON pointer "customReference": must start with /`},
		{"remove not a pointer", base("  - event: ORDER\n    action: create-quote\n    remove: [parts]"), "bad.yaml: /steps/0/remove/0"},
		{"bad pointer escape", base("  - event: ORDER\n    action: create-quote\n    remove: ['/a~2b']"), "bad.yaml: /steps/0/remove/0"},
		{"duplicate key", "version: 1\nversion: 1\nname: t", "bad.yaml:2: key \"version\" appears twice"},
		{"payload not an object", base("  - {event: ORDER, action: notify, payload: [1]}"), "bad.yaml: /steps/0/payload: expected object, got array"},
		{"orders zero", "version: 1\nname: t\nprovider: phasio\norders: 0\nsteps:\n  - {event: ORDER, action: create-quote}", "bad.yaml: /orders: must be >= 1, got 0"},
		{"alias bomb", "a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]", "more than 100000 values"},
		{"infinite float", base("  - event: ORDER\n    action: create-quote\n    set: {/x: .inf}"), `bad.yaml:7: /steps/0/set/~1x: ".inf" is not a JSON number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseScenario([]byte(tt.in), "bad.yaml")
			if err == nil {
				t.Fatalf("parsed %+v, want an error", s)
			}
			if !errors.Is(err, ErrScenario) {
				t.Errorf("error %v does not wrap ErrScenario", err)
			}
			if msg := err.Error(); !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") {
				t.Fatalf("error %q, want one line containing %q", msg, tt.want)
			}
		})
	}
}

func TestParseScenarioJSONAndYAMLAgree(t *testing.T) {
	y, err := ParseScenario([]byte(validScenario), "ok.yaml")
	if err != nil {
		t.Fatal(err)
	}
	j, err := ParseScenario([]byte(`{"version":1,"name":"test/ok","provider":"phasio","steps":[{"name":"quote","event":"ORDER","action":"create-quote"},{"event":"QUOTE_CONVERTED","action":"pay"}]}`), "ok.json")
	if err != nil {
		t.Fatal(err)
	}
	y.source, j.source = "", ""
	if !reflect.DeepEqual(y, j) {
		t.Fatalf("YAML %+v and JSON %+v differ", y, j)
	}
}

// TestMarshalRoundTrip: every built-in scenario, and one with every step
// field, survives Marshal and ParseScenario unchanged.
func TestMarshalRoundTrip(t *testing.T) {
	full := `version: 1
name: test/full
provider: phasio
description: every field
seed: 42
orders: 2
kanban:
  - {name: Queued, sequence: 1}
  - {name: Done, sequence: 2}
steps:
  - name: created
    event: ORDER
    action: create-order
    payment: CONFIRMED
    set:
      /customReference: "ref ${created:/quoteNumber}"
      /pricing/topUpAmount: 12.50
      /parts/0/quantity: 7
      /threadId: null
      /extra: {b: [1, 2.50, "x"], a: true}
  - event: ORDER_UPDATED
    action: move
    to: Done
    after: 1h30m
    remove: [/parts/1, /expenses]
  - event: ORDER_UPDATED
    action: move
    to: Queued
    backwards: true
    payload: {orderId: 5, zeta: 1.10, alpha: [3, {y: 1, x: 2}]}
`
	// The reference to its own step is refused; refer to nothing instead.
	full = strings.Replace(full, "ref ${created:/quoteNumber}", "ref", 1)
	all := append(Scenarios(), mustParse(t, full))
	for _, s := range all {
		t.Run(s.Name, func(t *testing.T) {
			out, err := s.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			back, err := ParseScenario(out, "marshalled.yaml")
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			back.source, s.source = "", ""
			if !reflect.DeepEqual(back, s) {
				t.Fatalf("round trip changed the scenario:\n%s\n%+v\n%+v", out, back, s)
			}
			if s.Name == "test/full" && !bytes.Contains(out, []byte("zeta: 1.10")) {
				t.Fatalf("literal payload lost its number text or order:\n%s", out)
			}
		})
	}
}

func mustParse(t *testing.T, yaml string) *Scenario {
	t.Helper()
	s, err := ParseScenario([]byte(yaml), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBuiltinScenarioFiles(t *testing.T) {
	files, _ := filepath.Glob("scenarios/*.yaml")
	if len(files) != 6 || len(Scenarios()) != 6 {
		t.Fatalf("%d files, %d scenarios, want the 6 of the issue", len(files), len(Scenarios()))
	}
	for _, s := range Scenarios() {
		// Files are named after their scenario, phasio/x in phasio-x.yaml.
		if _, err := os.Stat(filepath.Join("scenarios", strings.ReplaceAll(s.Name, "/", "-")+".yaml")); err != nil {
			t.Errorf("%s: %v", s.Name, err)
		}
		if s.Description == "" || s.Seed != 1 {
			t.Errorf("%s: description %q, seed %d", s.Name, s.Description, s.Seed)
		}
	}
}

func TestLoadScenario(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mine.yml")
	if err := os.WriteFile(path, []byte(validScenario), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := LoadScenario(path); err != nil || s.Name != "test/ok" {
		t.Fatalf("LoadScenario(file) = %v, %v", s, err)
	}
	if s, err := LoadScenario("phasio/precommitted"); err != nil || len(s.Steps) != 5 {
		t.Fatalf("LoadScenario(built-in) = %v, %v", s, err)
	}
	if _, err := LoadScenario("phasio/nope"); !errors.Is(err, ErrUnknownScenario) || !strings.Contains(err.Error(), "phasio/quote-to-paid") {
		t.Fatalf("unknown name: %v, want ErrUnknownScenario listing the built-ins", err)
	}
	if _, err := LoadScenario(filepath.Join(dir, "missing.yaml")); !errors.Is(err, ErrScenario) {
		t.Fatalf("missing file: %v", err)
	}
	// Each call returns a fresh copy.
	a, _ := LoadScenario("phasio/precommitted")
	a.Steps[0].Action = ActionNotify
	if b, _ := LoadScenario("phasio/precommitted"); b.Steps[0].Action != ActionCreateOrder {
		t.Fatal("changing a loaded scenario changed the built-in")
	}
	// The built-ins are read once (their checked JSON kept): a load is
	// still what parsing the file gives, and shares no map with the
	// loads before it.
	for _, s := range Scenarios() {
		file, err := ScenarioFile(s.Name)
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := ParseScenario(file, s.Name)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			loaded, err := LoadScenario(s.Name)
			if err != nil || !reflect.DeepEqual(loaded, parsed) {
				t.Fatalf("LoadScenario(%s) = %+v, %v; want what ParseScenario gives, %+v", s.Name, loaded, err, parsed)
			}
			for i := range loaded.Steps {
				for k := range loaded.Steps[i].Set {
					loaded.Steps[i].Set[k] = "changed"
				}
			}
		}
	}
}

// FuzzParseScenario: any bytes are a scenario that marshals and parses
// back, or a one-line ErrScenario. The seeds are small on purpose (the
// built-in scenarios as seeds kept the engine minimising, at a few
// thousand inputs a minute); TestMarshalRoundTrip and TestBuiltinScenarioFiles cover those.
func FuzzParseScenario(f *testing.F) {
	f.Add([]byte(validScenario))
	f.Add([]byte("version: 1\nname: &big xxxx\nprovider: phasio\nsteps:\n  - {event: ORDER, action: create-quote, name: *big}\n  - {event: ORDER, action: pay, name: *big}"))
	f.Add([]byte(`{"version":1,"name":"x","provider":"happycolis","steps":[{"event":"order/created","action":"create","set":{"/body/x":"${a:/b}"}}]}`))
	f.Add([]byte("version: 1\nname: &a x\nprovider: *a\nsteps: [{event: ORDER, action: pay, remove: [/x~1y]}]"))
	f.Add([]byte("version: 1\nname: t\nprovider: phasio\nsteps:\n  - {event: ORDER, action: notify, payload: {a: !!binary aGk=}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseScenario(data, "fuzz.yaml")
		if err != nil {
			if !errors.Is(err, ErrScenario) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q: not a one-line ErrScenario", err)
			}
			return
		}
		out, err := s.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseScenario(out, "again.yaml"); err != nil {
			t.Fatalf("a parsed scenario does not parse once marshalled: %v\n%s", err, out)
		}
	})
}
