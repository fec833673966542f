// Package decimal holds the exact numbers of generated payloads: amounts,
// percentages and measurements with two decimals, and rates with four.
//
// They are integers underneath (hundredths, ten-thousandths), so sums and
// the pricing formulas of the generator hold to the cent with no float
// rounding, and they marshal as plain JSON numbers ("12.50", "0.20").
// Products round half away from zero, once, at the end.
package decimal
