package schemas

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestNumberProblem(t *testing.T) {
	for _, tt := range []struct{ n, want string }{
		{"0", ""}, {"-12.50", ""}, {"1e1000", ""}, {"1E-1000", ""}, {"1e+0001000", ""},
		{strings.Repeat("9", MaxNumberDigits), ""},
		{"0." + strings.Repeat("1", MaxNumberDigits-1), ""},
		{"1e1000001", "exponent beyond ±1000"},
		{"1e-1001", "exponent beyond ±1000"},
		{"1e99999999999999999999999", "exponent beyond ±1000"},
		{strings.Repeat("9", MaxNumberDigits+1), "101 digits, more than 100"},
		{strings.Repeat("1", 1_000_000), "1000000 digits"},
		{"1." + strings.Repeat("0", MaxNumberDigits), "101 digits"},
		{"abc", "not a number"}, {"", "not a number"}, {"-", "not a number"}, {"1.", "not a number"},
		{"1e", "not a number"}, {"1e+", "not a number"}, {"1x", "not a number"}, {".5", "not a number"},
	} {
		got := numberProblem(tt.n)
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			name := tt.n
			if len(name) > 30 {
				name = name[:30] + "…"
			}
			t.Errorf("numberProblem(%q) = %q, want %q", name, got, tt.want)
		}
	}
}

// TestValidateNumbersOutOfRange: the numbers that make the validator
// panic (exponent beyond a million) or crawl (a million digits) are
// violations at their pointers, for every schema.
func TestValidateNumbersOutOfRange(t *testing.T) {
	for _, n := range Names() {
		s := MustGet(n)
		doc := map[string]any{"a": []any{json.Number("1e1000001")}, "b": json.Number(strings.Repeat("7", 1_000_000)), "ok": json.Number("1")}
		err := s.Validate(doc)
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("%s: %v, want a *ValidationError", n, err)
		}
		if len(ve.Violations) != 2 || ve.Violations[0].Pointer != "/a/0" || ve.Violations[1].Pointer != "/b" ||
			!strings.HasPrefix(ve.Violations[0].Message, "number out of range") {
			t.Fatalf("%s: %+v", n, ve.Violations)
		}
	}
	// Through the JSON text too, as validate and the receiver read it.
	err := MustGet(PhasioOrder).ValidateJSON([]byte(`{"pricing":{"totalPrice":1e1000001}}`))
	if err == nil || !strings.Contains(err.Error(), "/pricing/totalPrice: number out of range") {
		t.Fatalf("got %v", err)
	}
}

func TestCompileNumbersOutOfRange(t *testing.T) {
	_, err := Compile("hostile", []byte(`{"type":"object","properties":{"n":{"minimum":1e9999999}}}`))
	if !errors.Is(err, ErrCompile) || !strings.Contains(err.Error(), "/properties/n/minimum: number out of range") {
		t.Fatalf("got %v", err)
	}
}

func TestGuard(t *testing.T) {
	err := guard("validating against x", func() error { panic("boom") })
	if !errors.Is(err, ErrInternal) || !strings.Contains(err.Error(), "boom") || !strings.Contains(err.Error(), "please report") {
		t.Fatalf("got %v", err)
	}
	if err := guard("x", func() error { return nil }); err != nil {
		t.Fatal(err)
	}
}

func TestDecodeRejectsInvalidUTF8(t *testing.T) {
	_, err := Decode([]byte("{\n  \"name\": \"caf\xe9\"\n}"))
	var se *SyntaxError
	if !errors.As(err, &se) || se.Line != 2 || se.Column != 15 {
		t.Fatalf("got %v (%+v), want a syntax error at 2:15", err, se)
	}
}

// TestNamesCompiled: Names, read without compiling, lists exactly the
// schemas the package compiles.
func TestNamesCompiled(t *testing.T) {
	compiled := slices.Sorted(maps.Keys(mustLoad()))
	if got := Names(); !slices.Equal(got, compiled) {
		t.Errorf("Names() = %q, compiled %q", got, compiled)
	}
}

// TestSourceOf: SourceOf, read without compiling, is each compiled
// schema's Source (strict variants derived alike); an unknown name is
// ErrUnknownSchema.
func TestSourceOf(t *testing.T) {
	for _, n := range Names() {
		src, err := SourceOf(n)
		if err != nil || !bytes.Equal(src, MustGet(n).Source()) {
			t.Errorf("SourceOf(%q): %v, not the compiled schema's source", n, err)
		}
	}
	if _, err := SourceOf("phasio/nope"); !errors.Is(err, ErrUnknownSchema) {
		t.Errorf("SourceOf of an unknown name: %v", err)
	}
}
