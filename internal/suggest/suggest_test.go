package suggest

import "testing"

func TestClosest(t *testing.T) {
	triggers := []string{"ORDER", "ORDER_UPDATED", "QUOTE_CONVERTED"}
	aliases := map[string]string{"Order Created": "ORDER"}
	checks := []string{"rejects-bad-signature", "rejects-wrong-key", "accepts-valid-lifecycle"}
	tests := []struct {
		input      string
		candidates []string
		want       string
	}{
		{"ORDER_UPDATE", triggers, "ORDER_UPDATED"},
		{"order-updated", triggers, "ORDER_UPDATED"},
		{"ORDER_CREATED", triggers, "ORDER"}, // the display name
		{"quote_converted", triggers, "QUOTE_CONVERTED"},
		{"CART_CREATED", triggers, ""},
		{"rejects-bad-signatures", checks, "rejects-bad-signature"},
		{"rejects-wrongkey", checks, "rejects-wrong-key"},
		{"everything", checks, ""},
		{"rejects-bad-sig", checks, "rejects-bad-signature"}, // the beginning of one
		{"rejects", checks, ""},                              // of two: no guess
		{"rejects-bda-sig", checks, "rejects-bad-signature"}, // the beginning of one, with a typo
		{"rejects-wrnog", checks, "rejects-wrong-key"},
		{"rejects-x", checks, ""}, // a typo away from the beginning of two
		{"acc", checks, ""},       // too short to guess
		{"", checks, ""},
		{"order.updated", []string{"order/created", "order/updated"}, "order/updated"},
	}
	for _, tt := range tests {
		if got := Closest(tt.input, tt.candidates, aliases); got != tt.want {
			t.Errorf("Closest(%q) = %q, want %q", tt.input, got, tt.want)
		}
	}
	if h := Hint("ORDER_UPDATE", triggers, nil); h != ` (did you mean "ORDER_UPDATED"?)` {
		t.Errorf("Hint = %q", h)
	}
	if h := Hint("ORDER", triggers, nil); h != "" {
		t.Errorf("Hint of an exact name = %q", h)
	}
}
