package provider

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestTemplate(t *testing.T) {
	vals := map[string]string{"id": "msg_1", "timestamp": "1700000000", "body": `{"a":1}`, "name": "ORDER_UPDATED", "sig": "c2ln"}
	lookup := func(p Part) (string, error) {
		if v, ok := vals[p.Var]; ok {
			return v, nil
		}
		return "", ErrTemplateValue
	}
	tests := []struct {
		src  string
		ctx  Context
		want string // rendered, or the error's text when err
		err  bool
	}{
		{"{id}.{timestamp}.{body}", ContextSigned, `msg_1.1700000000.{"a":1}`, false},
		{"{name|lower|replace:_:.}", ContextEventName, "order.updated", false},
		{"{name|upper|before:_}", ContextEventName, "ORDER", false},
		{"{name|after:_|lower}", ContextEventName, "updated", false},
		{"{name|after:#}", ContextEventName, "ORDER_UPDATED", false},
		{"v1,{sig}", ContextSignature, "v1,c2ln", false},
		{"{{literal}} {sig}", ContextSignature, "{literal} c2ln", false},
		{"{sig", ContextSignature, `"{" at byte 1 is not closed`, true},
		{"sig}", ContextSignature, `"}" at byte 4 closes nothing`, true},
		{"{si{g}", ContextSignature, `is not closed`, true},
		{"{}", ContextSignature, `"" is not a variable name`, true},
		{"{sig}{sig}", ContextSignature, "{sig} exactly once, this one 2 times", true},
		{"v1", ContextSignature, "{sig} exactly once, this one 0 times", true},
		{"{name|title}", ContextEventName, `unknown filter "title"`, true},
		{"{name|replace:a}", ContextEventName, "filter replace takes 2 argument(s), got 1", true},
		{"{body:payload}", ContextSigned, `"payload" is not a JSON pointer`, true},
		{"{header}", ContextSigned, "{header} needs a name", true},
		{"{id:x}", ContextSigned, "{id} takes no argument", true},
		{"{payload}", ContextSigned, "{payload} is not available here", true},
		{"x{payload}", ContextSend, "{payload} must be the whole string", true},
		{"{prev}", ContextTransition, "{prev} needs a pointer", true},
		{strings.Repeat("x", 5000), ContextSend, "at most 4096 bytes", true},
	}
	for _, tt := range tests {
		tm, err := ParseTemplate(tt.src, tt.ctx)
		if tt.err {
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%q: error %v, want %q", tt.src, err, tt.want)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.src, err)
			continue
		}
		got, err := tm.Render(lookup)
		if err != nil || got != tt.want {
			t.Errorf("%q: %q %v, want %q", tt.src, got, err, tt.want)
		}
		if tm.String() != tt.src {
			t.Errorf("String %q", tm.String())
		}
	}
	tm, _ := ParseTemplate("v1,{sig}", ContextSignature)
	if b, a, ok := tm.Around("sig"); !ok || b != "v1," || a != "" {
		t.Errorf("Around %q %q %v", b, a, ok)
	}
	tm, _ = ParseTemplate("t={timestamp}", ContextTimestampItem)
	if b, _, ok := tm.Around("timestamp"); !ok || b != "t=" {
		t.Errorf("Around %q", b)
	}
	tm, _ = ParseTemplate("{payload}", ContextSend)
	if p, ok := tm.Only(); !ok || p.Var != "payload" {
		t.Errorf("Only %+v", p)
	}
	tm, _ = ParseTemplate("Shop-Hooks/1.0", ContextSend)
	if s, ok := tm.Literal(); !ok || s != "Shop-Hooks/1.0" {
		t.Errorf("Literal %q", s)
	}
	if _, err := tm.Render(lookup); err != nil {
		t.Error(err)
	}
	tm, _ = ParseTemplate("{event}", ContextSend)
	if _, err := tm.Render(lookup); err == nil || !strings.Contains(err.Error(), "{event}: no value") {
		t.Errorf("missing value: %v", err)
	}
}

// TestApply plays the shop lifecycle's transitions by hand.
func TestApply(t *testing.T) {
	d, err := Load("testdata/shop.yaml")
	if err != nil {
		t.Fatal(err)
	}
	prev := []byte(`{"id":"ord_000000000001","status":"pending","total":12.50,"items":[{"sku":"a","quantity":1}],"note":"x"}`)
	at := time.Date(2026, 5, 1, 10, 0, 0, 500, time.UTC)
	got, err := d.Apply("pay", prev, TransitionValues{Time: at, Seq: 2, Key: "ord_000000000001"})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"ord_000000000001","status":"paid","total":12.50,"items":[{"sku":"a","quantity":1}],"note":"x","updatedAt":"2026-05-01T10:00:00.0000005Z"}`
	if string(got) != want {
		t.Errorf("pay\n got %s\nwant %s", got, want)
	}
	// create sets the state although it names no set.
	got, err = d.Apply("create", []byte(`{"status":"paid","id":"x"}`), TransitionValues{})
	if err != nil || string(got) != `{"status":"pending","id":"x"}` {
		t.Errorf("create: %s %v", got, err)
	}
	if _, err := d.Apply("refund", prev, TransitionValues{}); err == nil {
		t.Error("an unknown transition applied")
	}
	if _, err := d.Apply("pay", []byte(`[1`), TransitionValues{}); err == nil {
		t.Error("a broken snapshot applied")
	}
}

// TestApplyTemplates: values of every transition variable.
func TestApplyTemplates(t *testing.T) {
	def := minimal(`{name: a, schema: {type: object, properties: {id: {}, s: {}, n: {}, u: {}, k: {}, p: {}, g: {}, lit: {}, deep: {properties: {er: {}}}, gone: {}, list: {items: {}}, obj: {}}}}`) + `lifecycle:
  state: /s
  transitions:
    - name: t
      to: b
      emits: a
      set:
        /n: "{seq}"
        /u: "{time.unix}"
        /k: "order {key}"
        /p: "{prev:/obj}"
        /g: "{gen}"
        /lit: "{{not a template}}"
        /deep/er: 7
      remove: [/gone, /list/0]
`
	d, err := Parse([]byte(def), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got, err := d.Apply("t", []byte(`{"s":"a","gone":1,"obj":{"z":[1,2]},"list":[1,2]}`), TransitionValues{
		Time: time.Unix(1700000000, 0), Seq: 3, Key: "K",
		Gen: func(ptr string) (json.RawMessage, error) { return json.RawMessage(`"gen` + ptr + `"`), nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"s":"b","obj":{"z":[1,2]},"list":[2],"n":3,"u":1700000000,"k":"order K","p":{"z":[1,2]},"g":"gen/g","lit":"{not a template}","deep":{"er":7}}`
	if string(got) != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
}
