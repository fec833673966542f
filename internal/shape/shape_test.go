package shape

import (
	"errors"
	"testing"

	"github.com/orderhooks/orderhooks/schemas"
)

func embedded(t *testing.T) map[string]*Node {
	t.Helper()
	var docs []Doc
	for _, s := range schemas.All() {
		docs = append(docs, Doc{Name: s.Name(), Source: s.Source()})
	}
	nodes, err := Compile(docs)
	if err != nil {
		t.Fatal(err)
	}
	return nodes
}

func TestCompileEmbedded(t *testing.T) {
	nodes := embedded(t)
	if len(nodes) != len(schemas.Names()) {
		t.Fatalf("compiled %d schemas, want %d", len(nodes), len(schemas.Names()))
	}
	order := nodes[schemas.PhasioOrderStrict]
	if order.Schema != schemas.PhasioOrderStrict || order.Pointer != "" || !order.Closed {
		t.Errorf("root = %s closed=%v", order.Location(), order.Closed)
	}
	email := order.Properties["shipping"].Properties["address"].Properties["email"]
	if email.Personal != "email" || email.Pointer != "/properties/shipping/properties/address/properties/email" {
		t.Errorf("email node = %s personal %q", email.Location(), email.Personal)
	}
	if email.Types != TypeString|TypeNull {
		t.Errorf("email types = %v", email.Types)
	}
	material := order.Properties["parts"].Items.Properties["material"]
	if material.Personal != "" || material.Types != TypeString {
		t.Errorf("material = %+v", material)
	}

	// References: a contact is reached through $ref, sibling keywords kept.
	env := nodes[schemas.HappyColisOrderEventStrict]
	buyer := env.Properties["body"].Properties["buyer"]
	exp := buyer.Expand()
	if len(exp) != 2 || exp[1].Pointer != "/$defs/contact" || exp[0].Types != TypeObject {
		t.Fatalf("buyer expands to %d nodes: %v", len(exp), exp)
	}
	if got := exp[1].Properties["fullname"].Personal; got != "name" {
		t.Errorf("contact fullname personal = %q", got)
	}
	status := env.Properties["body"].Properties["lines"].Items.Properties["status"]
	if !status.InEnum(Key(TypeString, "PENDING")) || status.InEnum(Key(TypeString, "RETURNED")) {
		t.Errorf("status enum = %v", status.Enum)
	}

	// Quote Converted: the order by reference, plus a conditional.
	qc := nodes[schemas.PhasioQuoteConvertedStrict]
	if qc.If == nil || qc.Then == nil || qc.Else == nil {
		t.Fatal("quote-converted conditional missing")
	}
	if len(qc.Expand()) != 2 || qc.Expand()[1].Schema != schemas.PhasioOrderStrict {
		t.Errorf("quote-converted expands to %v", qc.Expand())
	}
}

func TestKey(t *testing.T) {
	for _, tt := range []struct {
		a, b Types
		x, y string
		same bool
	}{
		{TypeNumber, TypeNumber, "2.50", "2.5", true},
		{TypeNumber, TypeInteger, "2", "2.0", true},
		{TypeNumber, TypeNumber, "1e2", "100", true},
		{TypeString, TypeNumber, "2", "2", false},
		{TypeString, TypeString, "a", "A", false},
		{TypeNull, TypeNull, "", "", true},
	} {
		if got := Key(tt.a, tt.x) == Key(tt.b, tt.y); got != tt.same {
			t.Errorf("Key(%v,%q) == Key(%v,%q): %v, want %v", tt.a, tt.x, tt.b, tt.y, got, tt.same)
		}
	}
}

func TestUnsupported(t *testing.T) {
	for _, kw := range []string{`"anyOf":[{"type":"string"}]`, `"uniqueItems":true`, `"patternProperties":{"^a":{}}`} {
		_, err := Compile([]Doc{{Name: "t", Source: []byte(`{"properties":{"a":{` + kw + `}}}`)}})
		var ue *UnsupportedError
		if !errors.As(err, &ue) || !errors.Is(err, ErrCompile) || ue.Location != "t#/properties/a" {
			t.Errorf("%s: err = %v", kw, err)
		}
	}
}
