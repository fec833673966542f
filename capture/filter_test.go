package capture

import (
	"errors"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/schemas"
)

// TestFilterValidate: a filter that would select nothing for a wrong
// reason is refused with the field, the value and what is expected; a
// provider or an event the store holds no delivery of is refused with the
// closest one it holds.
func TestFilterValidate(t *testing.T) {
	t.Parallel()
	s, _, _ := stored(t, 4) // deliveries of both platforms
	for _, tt := range []struct {
		name  string
		f     Filter
		field string // "" when valid
		want  string
	}{
		{"empty", Filter{}, "", ""},
		{"every verdict", Filter{Verdict: VerdictSignature, Status: 401, StatusClass: 4}, "", ""},
		{"held provider", Filter{Provider: "happycolis"}, "", ""},
		{"unknown verdict", Filter{Verdict: "signature-bda"}, "Verdict", `(did you mean "signature-bad"?)`},
		{"status too low", Filter{Status: 99}, "Status", "an HTTP status between 100 and 599"},
		{"status too high", Filter{Status: 600}, "Status", "an HTTP status between 100 and 599"},
		{"class", Filter{StatusClass: 9}, "StatusClass", "a status class from 1 (1xx) to 5 (5xx)"},
		{"misspelt provider", Filter{Provider: "phasoi"}, "Provider", `it holds happycolis, phasio) (did you mean "phasio"?)`},
		{"other provider", Filter{Provider: "shop"}, "Provider", "no delivery of this provider in the store"},
		{"held event", Filter{Event: "ORDER"}, "", ""},
		{"held event of its provider", Filter{Provider: "happycolis", Event: "order/created"}, "", ""},
		{"misspelt event", Filter{Event: "ORDER_CRATED"}, "Event", `no delivery of this event in the store (it holds `},
		{"misspelt event's hint", Filter{Event: "order/craeted"}, "Event", `(did you mean "order/created"?)`},
		{"event of the other provider", Filter{Provider: "phasio", Event: "order/created"}, "Event", "no phasio delivery of this event in the store (it holds ORDER"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Validate(ctx, tt.f)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if err := tt.f.Validate(); err != nil {
					t.Fatalf("Filter.Validate refused: %v", err)
				}
				return
			}
			var oe *OptionError
			if !errors.As(err, &oe) || !errors.Is(err, ErrFilter) {
				t.Fatalf("got %v, want an *OptionError wrapping ErrFilter", err)
			}
			if oe.Field != tt.field || !strings.Contains(oe.Detail(), tt.want) {
				t.Errorf("field %q, detail %q; want %q with %q", oe.Field, oe.Detail(), tt.field, tt.want)
			}
		})
	}
}

// TestVerdictsAreTheDecidedOnes: every verdict a delivery can have is
// one a filter selects.
func TestVerdictsAreTheDecidedOnes(t *testing.T) {
	t.Parallel()
	for _, d := range []*Delivery{
		{Signature: SignatureMissing}, {Signature: SignatureBad}, {Signature: SignatureStale},
		{Decryption: DecryptionFailed}, {Malformed: true}, {Violations: []schemas.Violation{{Pointer: "/id"}}},
		{Status: 400}, {Status: 200},
	} {
		if err := (Filter{Verdict: d.Verdict()}).Validate(); err != nil {
			t.Errorf("verdict %s: %v", d.Verdict(), err)
		}
	}
}
