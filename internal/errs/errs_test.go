package errs

import (
	"errors"
	"fmt"
	"testing"
)

func TestOptionError(t *testing.T) {
	class := errors.New("wire: bad option")
	tests := []struct {
		err  *OptionError
		want string
	}{
		{&OptionError{Package: "emitter", Option: "WithFaults", Field: "Tamper", Value: "NaN", Want: "a probability between 0 and 1", Err: class},
			"emitter: WithFaults.Tamper NaN: a probability between 0 and 1"},
		{&OptionError{Package: "wire", Option: "WithDefaultTrigger", Value: "ORDER_CREATED", Want: "a Phasio order trigger",
			Known: []string{"ORDER", "ORDER_UPDATED"}, Aliases: map[string]string{"Order Created": "ORDER"}, Err: class},
			`wire: WithDefaultTrigger ORDER_CREATED: a Phasio order trigger (did you mean "ORDER"?)`},
		{&OptionError{Package: "contracts", Option: "WithCompare", Want: "only a probe reads the state", Other: "WithProbe", Err: class},
			"contracts: WithCompare: only a probe reads the state (WithProbe)"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
		var oe *OptionError
		if !errors.Is(fmt.Errorf("wrapped: %w", tt.err), class) || !errors.As(fmt.Errorf("x: %w", tt.err), &oe) || oe != tt.err {
			t.Errorf("%v: not found in a chain", tt.err)
		}
	}
}

func TestMarkAndTrim(t *testing.T) {
	bad := errors.New("wire: bad secret")
	config := errors.New("contracts: bad configuration")
	err := fmt.Errorf("%w: not base64url", bad)
	m := Mark(err, config)
	if m.Error() != "wire: bad secret: not base64url" || !errors.Is(m, config) || !errors.Is(m, bad) {
		t.Fatalf("Mark: %v", m)
	}
	if Mark(m, config) != m || Mark(nil, config) != nil {
		t.Fatal("Mark marks twice or marks nil")
	}
	if got := Trim(fmt.Errorf("--targets: x.yaml: %w", err), bad); got != "not base64url" {
		t.Fatalf("Trim = %q", got)
	}
	if got := Trim(errors.New("other"), bad); got != "other" {
		t.Fatalf("Trim = %q", got)
	}
}
