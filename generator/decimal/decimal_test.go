package decimal

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"testing"
)

func TestDecimalFormat(t *testing.T) {
	tests := []struct {
		d    Decimal
		want string
	}{
		{0, "0.00"}, {5, "0.05"}, {1250, "12.50"}, {-305, "-3.05"}, {Units(1375), "1375.00"},
		{math.MaxInt64, "92233720368547758.07"}, {math.MinInt64, "-92233720368547758.08"},
	}
	for _, tt := range tests {
		if got := tt.d.String(); got != tt.want {
			t.Errorf("%d: %q, want %q", int64(tt.d), got, tt.want)
		}
		if b, _ := json.Marshal(tt.d); string(b) != tt.want {
			t.Errorf("%d: JSON %s, want %s", int64(tt.d), b, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Decimal
		err  bool
	}{
		{"12.5", 1250, false}, {"12.50", 1250, false}, {"-3", -300, false}, {"0.05", 5, false},
		{"1.230", 123, false}, // trailing zeros beyond two decimals are exact
		{"1.234", 0, true}, {"1e3", 0, true}, {".5", 0, true}, {"5.", 0, true}, {"", 0, true}, {"-", 0, true},
		{"1.2.3", 0, true}, {"92233720368547758.08", 0, true}, {"+1", 0, true}, {"NaN", 0, true},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("Parse(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.err)
		}
		if err != nil && !errors.Is(err, ErrSyntax) {
			t.Errorf("Parse(%q): %v does not wrap ErrSyntax", tt.in, err)
		}
	}
	var d struct{ A Decimal }
	if err := json.Unmarshal([]byte(`{"A":1375.00}`), &d); err != nil || d.A != Units(1375) {
		t.Fatalf("Unmarshal: %v %v", d.A, err)
	}
}

// TestRounding: half away from zero, once, on the exact product.
func TestRounding(t *testing.T) {
	tests := []struct {
		name string
		got  Decimal
		want Decimal
	}{
		{"10% of 1250.00", Units(1250).Percent(1000), Units(125)},
		{"5% of 0.10 rounds 0.005 up", Decimal(10).Percent(500), 1},
		{"5% of 0.09 rounds 0.0045 down", Decimal(9).Percent(500), 0},
		{"negative rounds away from zero", Decimal(-10).Percent(500), -1},
		{"19.5% of 33.33", Decimal(3333).Percent(1950), 650},
		{"VAT 0.20 of 25.00", Units(25).MulRate(2000), Units(5)},
		{"VAT 0.055 of 0.10", Decimal(10).MulRate(550), 1},
		{"huge no overflow", Decimal(math.MaxInt64/3).MulDiv(3, 3), Decimal(math.MaxInt64 / 3)},
		{"fx", Units(100).MulDiv(925000, 1170000), 7906},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, tt.got, tt.want)
		}
	}
}

func TestRate(t *testing.T) {
	for _, tt := range []struct {
		r    Rate
		want string
	}{{2000, "0.20"}, {550, "0.055"}, {10845, "1.0845"}, {0, "0.00"}, {10000, "1.00"}, {-55, "-0.0055"}} {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("%d: %q, want %q", int64(tt.r), got, tt.want)
		}
		back, err := ParseRate(tt.want)
		if err != nil || back != tt.r {
			t.Errorf("ParseRate(%q) = %d, %v", tt.want, back, err)
		}
	}
	var r Rate
	if err := json.Unmarshal([]byte(`0.12345`), &r); !errors.Is(err, ErrSyntax) {
		t.Fatalf("five decimals accepted: %v", err)
	}
}

// FuzzParse: whatever Parse accepts, String writes back to a value Parse
// reads the same, equal to the float reading of the text.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"0", "12.50", "-3.05", "1.2", "92233720368547758.07", "007.10", "1.230"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			return
		}
		again, err := Parse(d.String())
		if err != nil || again != d {
			t.Fatalf("Parse(%q) = %s, which reads back as %s, %v", s, d, again, err)
		}
		if f, err := strconv.ParseFloat(s, 64); err != nil || math.Abs(f-d.Float64()) > math.Abs(f)*1e-12+1e-9 {
			t.Fatalf("Parse(%q) = %s, float %v", s, d, f)
		}
	})
}
