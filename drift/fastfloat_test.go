package drift

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestFastFloat: fastFloat reads what it accepts exactly as
// strconv.ParseFloat does, bit for bit, and refuses the rest.
func TestFastFloat(t *testing.T) {
	inputs := []string{"0", "-0", "7", "-12", "0.1", "0.3", "2.675", "99.99", "123456789012345", "-0.000000000000001",
		"1.7976931348623157", "0.30000000000000004", "19.99", "100.0", "5e3", "1E2", ".5", "5.", "-", "", "1.2.3",
		"1234567890123456", "12345678901234.5", "--1", "+1", "0x10", "1e-7"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		var s string
		switch r.IntN(3) {
		case 0:
			s = strconv.FormatInt(r.Int64N(1e15)-5e14, 10)
		case 1:
			s = strconv.FormatFloat(float64(r.Int64N(1e12))/math.Pow10(r.IntN(8)), 'f', -1, 64)
		default:
			s = strconv.FormatFloat((r.Float64()-0.5)*math.Pow10(r.IntN(12)), 'f', r.IntN(14), 64)
		}
		inputs = append(inputs, s)
	}
	accepted := 0
	for _, in := range inputs {
		got, ok := fastFloat([]byte(in))
		want, err := strconv.ParseFloat(in, 64)
		if !ok {
			continue
		}
		accepted++
		if err != nil || math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("fastFloat(%q) = %v, ParseFloat %v (%v)", in, got, want, err)
		}
	}
	for _, in := range []string{"5e3", "1E2", ".5", "5.", "-", "", "1.2.3", "1234567890123456", "--1", "+1", "0x10"} {
		if _, ok := fastFloat([]byte(in)); ok {
			t.Errorf("fastFloat(%q) accepted", in)
		}
	}
	if accepted < len(inputs)/2 {
		t.Errorf("only %d of %d accepted", accepted, len(inputs))
	}
}
