package decimal

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
)

// ErrSyntax is wrapped by the parsers for text that is not a decimal they
// can hold exactly.
var ErrSyntax = errors.New("decimal: invalid number")

// Decimal is a number with two decimals held as hundredths: 12.50 is
// Decimal(1250). Money is in cents, percentages in hundredths of a percent
// (10.00 % is 1000), lengths in hundredths of a millimetre.
type Decimal int64

// Units returns the Decimal for a whole number of units.
func Units(n int64) Decimal { return Decimal(n * 100) }

// String formats d with exactly two decimals ("-3.05").
func (d Decimal) String() string { return string(d.Append(nil)) }

// Append appends d with exactly two decimals to b.
func (d Decimal) Append(b []byte) []byte { return appendScaled(b, int64(d), 2, 2) }

// Float64 returns d as a float64 (for display and for receivers that store
// floats; arithmetic should stay in Decimal).
func (d Decimal) Float64() float64 { return float64(d) / 100 }

// MarshalJSON writes d as a JSON number with two decimals.
func (d Decimal) MarshalJSON() ([]byte, error) { return d.Append(nil), nil }

// UnmarshalJSON reads a JSON number with at most two decimals.
func (d *Decimal) UnmarshalJSON(b []byte) (err error) {
	*d, err = Parse(string(b))
	return err
}

// Parse reads a decimal with at most two decimals ("12.5", "-3", "0.05").
func Parse(s string) (Decimal, error) {
	v, err := parseScaled(s, 2)
	return Decimal(v), err
}

// Percent returns pct percent of d, rounded half away from zero to the
// hundredth: Units(1250).Percent(Decimal(1000)) is 125.00.
func (d Decimal) Percent(pct Decimal) Decimal {
	return Decimal(mulDivRound(int64(d), int64(pct), 100*100))
}

// MulRate returns d × r rounded half away from zero to the hundredth.
func (d Decimal) MulRate(r Rate) Decimal {
	return Decimal(mulDivRound(int64(d), int64(r), rateScale))
}

// Mul returns d × n (a quantity).
func (d Decimal) Mul(n int64) Decimal { return d * Decimal(n) }

// MulDiv returns d × num / den rounded half away from zero; den must be
// positive. It does not overflow for any int64 inputs whose result fits.
func (d Decimal) MulDiv(num, den int64) Decimal {
	return Decimal(mulDivRound(int64(d), num, den))
}

// Rate is a ratio with four decimals held as ten-thousandths: a VAT rate of
// 0.20 is Rate(2000), 0.055 is Rate(550).
type Rate int64

const rateScale = 10000

// String formats r with at least two and at most four decimals ("0.20",
// "0.055", "1.0845").
func (r Rate) String() string { return string(r.Append(nil)) }

// Append appends r as String formats it.
func (r Rate) Append(b []byte) []byte { return appendScaled(b, int64(r), 4, 2) }

// appendScaled appends v / 10^scale with its fractional digits, trailing
// zeros trimmed down to keep digits.
func appendScaled(b []byte, v int64, scale, keep int) []byte {
	u := uint64(v)
	if v < 0 {
		b = append(b, '-')
		u = -u
	}
	pow := uint64(1)
	for range scale {
		pow *= 10
	}
	b = strconv.AppendUint(b, u/pow, 10)
	var frac [4]byte
	f := u % pow
	for i := scale - 1; i >= 0; i-- {
		frac[i] = byte('0' + f%10)
		f /= 10
	}
	n := scale
	for n > keep && frac[n-1] == '0' {
		n--
	}
	b = append(b, '.')
	return append(b, frac[:n]...)
}

// MarshalJSON writes r as a JSON number.
func (r Rate) MarshalJSON() ([]byte, error) { return r.Append(nil), nil }

// UnmarshalJSON reads a JSON number with at most four decimals.
func (r *Rate) UnmarshalJSON(b []byte) (err error) {
	*r, err = ParseRate(string(b))
	return err
}

// ParseRate reads a rate with at most four decimals ("0.2", "0.055").
func ParseRate(s string) (Rate, error) {
	v, err := parseScaled(s, 4)
	return Rate(v), err
}

// parseScaled reads a plain decimal (optional minus, digits, optional
// fraction of at most scale digits; no exponent) as an integer of
// 10^-scale units.
func parseScaled(s string, scale int) (int64, error) {
	bad := func(why string) (int64, error) {
		return 0, fmt.Errorf("%w %q: %s", ErrSyntax, s, why)
	}
	i, neg := 0, false
	if i < len(s) && s[i] == '-' {
		neg = true
		i++
	}
	var v uint64
	digits, frac, inFrac := 0, 0, false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' && !inFrac && digits > 0:
			inFrac = true
			continue
		case c < '0' || c > '9':
			return bad("not a plain decimal number")
		}
		if inFrac {
			if frac == scale {
				if c != '0' {
					return bad(fmt.Sprintf("more than %d decimals", scale))
				}
				continue
			}
			frac++
		}
		digits++
		hi, lo := bits.Mul64(v, 10)
		if hi != 0 || lo > math.MaxInt64-uint64(c-'0') {
			return bad("out of range")
		}
		v = lo + uint64(c-'0')
	}
	if digits == 0 || (inFrac && s[len(s)-1] == '.') {
		return bad("not a plain decimal number")
	}
	for ; frac < scale; frac++ {
		hi, lo := bits.Mul64(v, 10)
		if hi != 0 || lo > math.MaxInt64 {
			return bad("out of range")
		}
		v = lo
	}
	if neg {
		return -int64(v), nil
	}
	return int64(v), nil
}

// mulDivRound returns a×b/den rounded half away from zero, computing the
// product on 128 bits. den must be positive; a result beyond int64 wraps,
// which the generator's ranges never reach.
func mulDivRound(a, b, den int64) int64 {
	neg := (a < 0) != (b < 0)
	ua, ub := abs(a), abs(b)
	hi, lo := bits.Mul64(ua, ub)
	q, r := bits.Div64(hi%uint64(den), lo, uint64(den))
	if 2*r >= uint64(den) {
		q++
	}
	if neg {
		return -int64(q)
	}
	return int64(q)
}

func abs(v int64) uint64 {
	if v < 0 {
		return uint64(-v)
	}
	return uint64(v)
}
