package schemas

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// Number limits. JSON allows numbers of any length and exponent, but the
// validator compares them exactly (math/big): an exponent beyond a million
// makes it fail outright, and a million digits take seconds. No order
// payload needs more than a few dozen digits, so numbers beyond these
// bounds are a violation ("number out of range") at their pointer, found
// before the schema is applied.
const (
	// MaxNumberDigits bounds the digits of a number (integer and fraction).
	MaxNumberDigits = 100
	// MaxNumberExponent bounds the absolute value of a number's exponent.
	MaxNumberExponent = 1000
)

// ErrInternal is wrapped when validation itself fails, a bug in
// orderhooks or its validator; it is reported for the one document
// rather than stopping the program.
var ErrInternal = errors.New("schemas: internal error")

// numberViolations walks a decoded document and reports every number that
// is out of range, or is not a number at all (a json.Number made by hand).
func numberViolations(v any) []Violation {
	var out []Violation
	var walk func(v any, path []string)
	walk = func(v any, path []string) {
		switch x := v.(type) {
		case json.Number:
			if msg := numberProblem(string(x)); msg != "" {
				out = append(out, Violation{Pointer: pointer(path), Message: msg})
			}
		case map[string]any:
			for k, e := range x {
				walk(e, append(path, k))
			}
		case []any:
			for i, e := range x {
				walk(e, append(path, strconv.Itoa(i)))
			}
		}
	}
	walk(v, make([]string, 0, 32)) // room for the path: siblings reuse it
	return out
}

// numberProblem says what is wrong with a number token, or "".
func numberProblem(s string) string {
	i, digits := 0, 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	start := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	digits += i - start
	if digits == 0 {
		return "not a number"
	}
	if i < len(s) && s[i] == '.' {
		i++
		f := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == f {
			return "not a number"
		}
		digits += i - f
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		e, exp := i, 0
		for i < len(s) && isDigit(s[i]) {
			if exp <= MaxNumberExponent {
				exp = exp*10 + int(s[i]-'0')
			}
			i++
		}
		if i == e {
			return "not a number"
		}
		if exp > MaxNumberExponent {
			return fmt.Sprintf("number out of range: exponent beyond ±%d", MaxNumberExponent)
		}
	}
	if i != len(s) {
		return "not a number"
	}
	if digits > MaxNumberDigits {
		return fmt.Sprintf("number out of range: %d digits, more than %d", digits, MaxNumberDigits)
	}
	return ""
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// guard runs fn, turning a panic of the validator into an error wrapping
// ErrInternal for the one document or schema at hand.
func guard(what string, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w %s (a bug in orderhooks; please report it with this line): %v", ErrInternal, what, r)
		}
	}()
	return fn()
}
