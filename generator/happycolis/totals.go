package happycolis

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/orderhooks/orderhooks/generator/decimal"
)

// ErrTotals is wrapped by CheckTotals when amounts do not follow the totals
// formula.
var ErrTotals = errors.New("happycolis: totals do not add up")

// Retotal sets every line's total and totalTaxInclusive and the order's
// total, totalVat and totalTaxInclusive from prices, quantities, VAT rates,
// shipping, insurance and discount.
func (o *Order) Retotal() {
	var lines, vat decimal.Decimal
	for i := range o.Lines {
		l := &o.Lines[i]
		l.Total = l.Price.Mul(l.Quantity)
		l.TotalTaxInclusive = l.Total + l.Total.MulRate(l.VatRate)
		lines += l.Total
		vat += l.TotalTaxInclusive - l.Total
	}
	o.Total = lines + o.TotalShipping - o.TotalDiscount
	if o.TotalInsurance != nil {
		o.Total += *o.TotalInsurance
	}
	o.TotalVat = vat
	o.TotalTaxInclusive = o.Total + vat
}

// CheckTotals reports, wrapping ErrTotals, the first amount that differs
// from the formula, by JSON pointer within the body.
func (o *Order) CheckTotals() error {
	want := *o
	want.Lines = append([]Line(nil), o.Lines...)
	want.Retotal()
	for i := range o.Lines {
		g, w := &o.Lines[i], &want.Lines[i]
		if g.Total != w.Total {
			return mismatch("lines/"+strconv.Itoa(i)+"/total", g.Total, w.Total)
		}
		if g.TotalTaxInclusive != w.TotalTaxInclusive {
			return mismatch("lines/"+strconv.Itoa(i)+"/totalTaxInclusive", g.TotalTaxInclusive, w.TotalTaxInclusive)
		}
	}
	switch {
	case o.Total != want.Total:
		return mismatch("total", o.Total, want.Total)
	case o.TotalVat != want.TotalVat:
		return mismatch("totalVat", o.TotalVat, want.TotalVat)
	case o.TotalTaxInclusive != want.TotalTaxInclusive:
		return mismatch("totalTaxInclusive", o.TotalTaxInclusive, want.TotalTaxInclusive)
	}
	return nil
}

func mismatch(ptr string, got, want decimal.Decimal) error {
	return fmt.Errorf("%w: /body/%s is %s, the formula gives %s", ErrTotals, ptr, got, want)
}
