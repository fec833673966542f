package schemas_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/orderhooks/orderhooks/internal/platform"
	"github.com/orderhooks/orderhooks/internal/testkit/lessgc"
	"github.com/orderhooks/orderhooks/schemas"
)

// The tests allocate much and keep little: the collector runs a quarter as
// often (internal/testkit/lessgc).
func init() { lessgc.Set() }

func TestNamesAndGet(t *testing.T) {
	names := schemas.Names()
	for _, want := range []string{
		schemas.PhasioOrder, schemas.PhasioOrderStrict, schemas.PhasioQuoteConverted,
		schemas.PhasioQuoteConvertedStrict, schemas.HappyColisOrderEvent, schemas.HappyColisOrderEventStrict,
	} {
		s, err := schemas.Get(want)
		if err != nil {
			t.Fatalf("Get(%q): %v (names %v)", want, err, names)
		}
		if s.Name() != want || s.Title() == "" || len(s.Source()) == 0 {
			t.Errorf("%s: name %q, title %q, %d source bytes", want, s.Name(), s.Title(), len(s.Source()))
		}
	}
	if len(schemas.All()) != len(names) {
		t.Errorf("All has %d schemas, Names %d", len(schemas.All()), len(names))
	}
	_, err := schemas.Get("phasio/nope")
	if !errors.Is(err, schemas.ErrUnknownSchema) || !strings.Contains(err.Error(), schemas.PhasioOrder) {
		t.Fatalf("Get unknown: %v, want ErrUnknownSchema listing the names", err)
	}
}

func TestForEvent(t *testing.T) {
	tests := []struct {
		provider, event string
		strict          bool
		want            string
	}{
		{"phasio", "ORDER", false, schemas.PhasioOrder},
		{"phasio", "ORDER_UPDATED", true, schemas.PhasioOrderStrict},
		{"phasio", "QUOTE_CONVERTED", false, schemas.PhasioQuoteConverted},
		{"phasio", "QUOTE_CONVERTED", true, schemas.PhasioQuoteConvertedStrict},
		{"happycolis", "order/cancelled", false, schemas.HappyColisOrderEvent},
		{"happycolis", "order/created", true, schemas.HappyColisOrderEventStrict},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.provider, tt.event, tt.strict), func(t *testing.T) {
			got, err := schemas.ForEvent(tt.provider, tt.event, tt.strict)
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	for _, pe := range [][2]string{{"stripe", "charge.succeeded"}, {"phasio", "CART_CREATED"}, {"happycolis", "order/deleted"}, {"happycolis", "ORDER"}} {
		if _, err := schemas.ForEvent(pe[0], pe[1], false); !errors.Is(err, schemas.ErrUnknownSchema) {
			t.Errorf("ForEvent(%s, %s): %v, want ErrUnknownSchema", pe[0], pe[1], err)
		}
	}
}

func TestValidationErrorShape(t *testing.T) {
	err := schemas.Validate(schemas.PhasioOrder, []byte(`{"orderId":"12","parts":[{"quantity":1.5}]}`))
	var ve *schemas.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, schemas.ErrInvalidDocument) {
		t.Fatalf("got %v, want a *ValidationError wrapping ErrInvalidDocument", err)
	}
	want := map[string]string{
		"/orderId":                 "expected integer, got string",
		"/parts/0/quantity":        "expected integer, got number",
		"/parts/0/id":              "required field is missing",
		"/shipping":                "required field is missing",
		"/parts/0/postProcessings": "required field is missing",
	}
	got := map[string]string{}
	for i, v := range ve.Violations {
		got[v.Pointer] = v.Message
		if i > 0 && ve.Violations[i-1].Pointer > v.Pointer {
			t.Errorf("violations not sorted by pointer: %v", ve.Violations)
		}
	}
	for p, msg := range want {
		if got[p] != msg {
			t.Errorf("%s: got %q, want %q", p, got[p], msg)
		}
	}
	if strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), "phasio/order: /") {
		t.Errorf("Error() = %q, want one line starting with the schema name", err)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		doc, want string
	}{
		{"{\n  \"a\": 1,\n  \"b\": tru\n}", "line 3 column"},
		{`{"a": 1`, "line 1 column 8"},
		{"{}\n{}", "line 2 column 1: unexpected data after the document"},
		{"", "line 1 column 1"},
	}
	for _, tt := range tests {
		t.Run(tt.doc, func(t *testing.T) {
			err := schemas.Validate(schemas.PhasioOrder, []byte(tt.doc))
			if !errors.Is(err, schemas.ErrInvalidJSON) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want ErrInvalidJSON mentioning %q", err, tt.want)
			}
		})
	}
}

func TestCompile(t *testing.T) {
	s, err := schemas.Compile("scenario/v1", []byte(`{
		"type": "object",
		"required": ["version", "steps"],
		"additionalProperties": false,
		"properties": {
			"version": {"const": 1},
			"steps": {"type": "array", "items": {"$ref": "#/$defs/step"}}
		},
		"$defs": {"step": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ValidateJSON([]byte(`{"version":1,"steps":[{"name":"open"}]}`)); err != nil {
		t.Fatal(err)
	}
	err = s.ValidateJSON([]byte(`{"version":1,"steps":[{}],"extra":true}`))
	var ve *schemas.ValidationError
	if !errors.As(err, &ve) || ve.Schema != "scenario/v1" || len(ve.Violations) != 2 ||
		ve.Violations[0].Pointer != "/extra" || ve.Violations[1].Pointer != "/steps/0/name" {
		t.Fatalf("got %#v", err)
	}
	for _, bad := range []string{`{"type": 12}`, `{"$ref": "other.json"}`, `not json`} {
		if _, err := schemas.Compile("bad", []byte(bad)); !errors.Is(err, schemas.ErrCompile) {
			t.Errorf("Compile(%s): %v, want ErrCompile", bad, err)
		}
	}
}

// TestConcurrentValidation validates valid and invalid documents from many
// goroutines (run with -race): results must match the sequential ones.
func TestConcurrentValidation(t *testing.T) {
	docs := [][]byte{
		readExample(t, "phasio-order-created.json"),
		readExample(t, "happycolis-order-updated.json"),
		[]byte(`{"orderId": -1}`),
		[]byte(`{"header": {}, "body": []}`),
	}
	names := schemas.Names()
	want := map[string]string{}
	for _, n := range names {
		for i, d := range docs {
			want[fmt.Sprint(n, i)] = fmt.Sprint(schemas.Validate(n, d))
		}
	}
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range 20 {
				n, i := names[(g+r)%len(names)], (g*7+r)%len(docs)
				if got := fmt.Sprint(schemas.Validate(n, docs[i])); got != want[fmt.Sprint(n, i)] {
					errs <- fmt.Sprintf("%s doc %d: %s", n, i, got)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// FuzzValidate: arbitrary bytes never panic and always give nil, invalid
// JSON or a *ValidationError with at least one violation. The seeds are
// small on purpose: the engine spends its time mutating, not minimising
// 10 KB examples, and each input is checked against one schema (chosen by
// which), so it runs tens of thousands of inputs a minute.
func FuzzValidate(f *testing.F) {
	for _, s := range []string{``, `{}`, `[]`, `null`, `{"orderId":1e999}`, `{"a":"\ud800"}`, `{"parts":[{"quantity":-0.0}]}`, "\xff",
		`{"header":{"organizationId":"org_"}}`, `{"pricing":{"totalPrice":1e1000001}}`, `{"orderId":12345678901234567890123}`,
		`{"header":{"type":"order/created","date":"2025-06-15T08:00:00Z"},"body":{"id":"1","state":"DRAFT"}}`} {
		f.Add(uint8(0), []byte(s))
	}
	names := schemas.Names()
	f.Fuzz(func(t *testing.T, which uint8, doc []byte) {
		n := names[int(which)%len(names)]
		err := schemas.Validate(n, doc)
		var ve *schemas.ValidationError
		switch {
		case err == nil, errors.Is(err, schemas.ErrInvalidJSON):
		case errors.As(err, &ve):
			if len(ve.Violations) == 0 {
				t.Fatalf("%s: ValidationError without violations", n)
			}
		default:
			t.Fatalf("%s: unexpected error %v", n, err)
		}
	})
}

// TestEverySchemaOfThePlatformTable: each order event of internal/platform
// has its schema here, loose and strict.
func TestEverySchemaOfThePlatformTable(t *testing.T) {
	for _, provider := range platform.Names() {
		for _, ev := range platform.Events(provider) {
			for _, strict := range []bool{false, true} {
				name, err := schemas.ForEvent(provider, ev, strict)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := schemas.Get(name); err != nil {
					t.Errorf("%s %s: %v", provider, ev, err)
				}
			}
		}
	}
}
