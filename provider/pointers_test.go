package provider

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUndeclaredPointers: a pointer a definition names into payloads that
// no payload schema it applies to declares is refused when the definition
// is read, at the line it is written: a snapshot time the payloads never
// carry made ignores-stale-snapshot fail a correct receiver, a compared
// pointer to nowhere made the state checks compare nothing. The events
// section's keys and compared pointers need one event declaring them; an
// event's own pointers, a snapshot time, a free-text field and the
// lifecycle's pointers need every event they apply to.
func TestUndeclaredPointers(t *testing.T) {
	const (
		order = "{type: object, properties: {id: {type: string}, status: {enum: [new, paid]}, total: {type: number}, updatedAt: {type: string}, note: {type: string}}}"
		bare  = "{type: object, properties: {id: {type: string}, status: {enum: [new, paid]}}}"
	)
	// def is a definition whose events section holds section and the
	// events a (order) and b (schema b), line 8 and 9.
	def := func(section, b, rest string) string {
		return "format: 1\nname: tiny\nsigning: none\nevents:\n  match: [{header: X-Event}]\n" + section +
			"  list:\n    - {name: a, schema: " + order + "}\n    - {name: b, schema: " + b + "}\n" + rest
	}
	lifecycle := func(set string) string {
		return "lifecycle:\n  state: /status\n  transitions:\n    - {name: create, to: new, emits: a}\n" +
			"    - {name: pay, from: [new], to: paid, emits: b" + set + "}\n"
	}
	tests := []struct {
		name, file string
		want       []string // nil: it reads
	}{
		{"all declared", def("  key: /id\n  time: {pointer: /updatedAt}\n  compare: [/id, /total]\n  freeText: /note\n", order,
			lifecycle(", set: {/updatedAt: \"{time}\"}, remove: [/note]")), nil},
		{"an event's own time", strings.Replace(def("", order, ""), "- {name: b, schema: "+order+"}", "- {name: b, schema: "+order+", time: {pointer: /updated_at}}", 1),
			[]string{`p.yaml:8: /events/list/1/time/pointer: snapshot time "/updated_at" is not a property the event's payload schema declares`}},
		{"the section's time, one event without it", def("  time: {pointer: /updatedAt, format: rfc3339}\n", bare, ""),
			[]string{`p.yaml:6: /events/time/pointer: snapshot time "/updatedAt" is not a property the payload schema of b declares`}},
		{"time none", def("  time: none\n", bare, ""), nil},
		{"an event's own time none", strings.Replace(def("  time: {pointer: /updatedAt}\n", bare, ""), "- {name: b, schema: "+bare+"}", "- {name: b, schema: "+bare+", time: none}", 1), nil},
		{"the section's compared pointer, declared by one event", def("  compare: [/id, /total]\n", bare, ""), nil},
		{"the section's compared pointer, declared by none", def("  compare: [/id, /totl]\n", bare, ""),
			[]string{`p.yaml:6: /events/compare/1: compared pointer "/totl" is not a property any of the payload schemas of a and b declares`}},
		{"a compared pointer with the probe's pointer", def("  compare: [/total=/amount, /totl=/total]\n", bare, ""),
			[]string{`p.yaml:6: /events/compare/1: compared pointer "/totl" is not a property any of the payload schemas of a and b declares`}},
		{"an event's own compared pointer", strings.Replace(def("", bare, ""), "- {name: b, schema: "+bare+"}", "- {name: b, schema: "+bare+", compare: [/id, /total]}", 1),
			[]string{`p.yaml:8: /events/list/1/compare/1: compared pointer "/total" is not a property the event's payload schema declares`}},
		{"the section's key", def("  key: /order/id\n", bare, ""),
			[]string{`p.yaml:6: /events/key: entity key "/order/id" is not a property any of the payload schemas of a and b declares`}},
		{"the section's keys, one of them nowhere", def("  key: [/id, /ID]\n", bare, ""),
			[]string{`p.yaml:6: /events/key/1: entity key "/ID" is not a property any of the payload schemas of a and b declares`}},
		{"the section's key, declared by one event", def("  key: /total\n", bare, ""), nil},
		{"an event's own key", strings.Replace(def("  key: /id\n", bare, ""), "- {name: b, schema: "+bare+"}", "- {name: b, schema: "+bare+", key: /total}", 1),
			[]string{`p.yaml:9: /events/list/1/key: entity key "/total" is not a property the event's payload schema declares`}},
		{"free text", def("  freeText: /note\n", bare, ""),
			[]string{`p.yaml:6: /events/freeText: free-text field "/note" is not a property the payload schema of b declares`}},
		{"the lifecycle's state", def("", order, strings.Replace(lifecycle(""), "/status", "/state", 1)),
			[]string{`p.yaml:10: /lifecycle/state: state "/state" is not a property the payload schemas of a and b declare`}},
		{"a transition's set and remove", def("", bare, lifecycle(", set: {/updatedAt: \"{time}\", /status: paid}, remove: [/note]")),
			[]string{`p.yaml:13: /lifecycle/transitions/1/set/~1updatedAt: "/updatedAt" is not a property the payload schema of b declares`,
				`p.yaml:13: /lifecycle/transitions/1/remove/0: "/note" is not a property the payload schema of b declares`}},
		{"a built-in schema, through its $ref", def("  key: /orderId\n  compare: [/pricing/totalPrice]\n", "{builtin: phasio/quote-converted}", ""), nil},
		{"a built-in schema", strings.Replace(def("  key: /orderId\n", "{builtin: phasio/quote-converted}", ""), "name: a, schema: "+order, "name: a, schema: {builtin: phasio/quote-converted}, time: {pointer: /updatedAt}", 1),
			[]string{`p.yaml:8: /events/list/0/time/pointer: snapshot time "/updatedAt" is not a property the event's payload schema declares`}},
		{"a reference it cannot follow", def("  key: /anything\n", "{type: object, $ref: \"https://example.test/order.json\"}", ""), nil},
		{"a schema file it cannot read", def("  key: /anything\n", "{$ref: \"https://example.test/order.json\"}", ""), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantProblems(t, tt.file, tt.want)
		})
	}
}

// TestUndeclaredPointersFromSpec: the keys a signer's events section
// carries to another document are refused where the signer's file writes
// them; those WithKey names, where the document is.
func TestUndeclaredPointersFromSpec(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"signer.yaml": "format: 1\nname: hub\nsigning: none\nevents:\n  match: [{header: X-Event}]\n" +
			"  key: /repository/id\n  import: {spec: own.yaml}\n",
		"own.yaml":   api("repository: {properties: {id: {type: integer}}}"),
		"other.yaml": api("id: {type: string}"),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	signer, err := Load(filepath.Join(dir, "signer.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := FromSpec(filepath.Join(dir, "own.yaml"), signer); err != nil {
		t.Fatalf("its own document: %v", err)
	}
	other := filepath.Join(dir, "other.yaml")
	_, err = FromSpec(other, signer)
	if want := filepath.Join(dir, "signer.yaml") + `:6: /events/key: entity key "/repository/id" is not a property the payload schema of e declares`; err == nil || err.Error() != want {
		t.Errorf("another document: %v\nwant %s", err, want)
	}
	for _, tt := range []struct {
		opts []Option
		want string // the *OptionError's Error
	}{
		{[]Option{WithKey("/key")}, `provider: WithKey: "/key" is not a property the payload schema of e declares`},
		{[]Option{WithKey("/id", "/key")}, `provider: WithKey: "/key" is not a property the payload schema of e declares`},
		{[]Option{WithKey("key")}, `provider: WithKey key: not a JSON pointer into the payloads (/id, /data/object/id)`},
		{[]Option{WithKey("/id"), WithCompare("/id", "/state")}, `provider: WithCompare: "/state" is not a property the payload schema of e declares`},
	} {
		_, err = FromSpec(other, signer, tt.opts...)
		var oe *OptionError
		if !errors.As(err, &oe) || err.Error() != tt.want || !errors.Is(err, ErrDefinition) {
			t.Errorf("%s: %v, want an *OptionError %s", tt.want, err, tt.want)
		}
	}
	if _, err := FromSpec(other, signer, WithKey("/id")); err != nil {
		t.Errorf("WithKey the document declares: %v", err)
	}
}

// api is an OpenAPI document with one webhook, e, whose payload has the
// properties props.
func api(props string) string {
	return "openapi: 3.1.0\ninfo: {title: t, version: '1'}\nwebhooks:\n  e:\n    post:\n      requestBody:\n        content:\n" +
		"          application/json:\n            schema: {type: object, properties: {" + props + "}}\n"
}
