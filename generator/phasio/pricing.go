package phasio

import (
	"errors"
	"fmt"
	"sort"

	"github.com/orderhooks/orderhooks/generator/decimal"
)

// ErrPricing is wrapped by CheckPricing when an order's amounts do not
// follow the pricing formula.
var ErrPricing = errors.New("phasio: pricing does not add up")

// ErrCurrency is returned for a currency missing from the FX table.
var ErrCurrency = errors.New("phasio: unknown currency")

// fxMicroEUR is the fixed FX table: the value of one unit of each currency
// in millionths of a euro. Fixed (not live) so totals are reproducible.
var fxMicroEUR = map[string]int64{
	"AUD": 610000,
	"CAD": 680000,
	"CHF": 1050000,
	"DKK": 134000,
	"EUR": 1000000,
	"GBP": 1170000,
	"NOK": 86000,
	"PLN": 230000,
	"SEK": 87000,
	"USD": 925000,
}

// Currencies lists the currencies of the FX table, sorted.
func Currencies() []string {
	out := make([]string, 0, len(fxMicroEUR))
	for c := range fxMicroEUR {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// FX returns the fixed value of one unit of currency in euros, with six
// decimals as a string ("0.925000"), for documentation and reports.
func FX(currency string) (string, error) {
	v, ok := fxMicroEUR[currency]
	if !ok {
		return "", fmt.Errorf("%w %q", ErrCurrency, currency)
	}
	return fmt.Sprintf("%d.%06d", v/1e6, v%1e6), nil
}

// Convert converts amount from one currency to another with the fixed
// table: round(amount × fx[from] / fx[to]).
func Convert(amount decimal.Decimal, from, to string) (decimal.Decimal, error) {
	f, ok := fxMicroEUR[from]
	if !ok {
		return 0, fmt.Errorf("%w %q", ErrCurrency, from)
	}
	t, ok := fxMicroEUR[to]
	if !ok {
		return 0, fmt.Errorf("%w %q", ErrCurrency, to)
	}
	return amount.MulDiv(f, t), nil
}

// Breakdown is every intermediate amount of the pricing formula.
type Breakdown struct {
	Goods, Discount, Net, TopUp, TaxBase, Tax, Total, LocalTotal decimal.Decimal
}

// Breakdown computes the formula of the package doc from the order's parts,
// expenses and pricing inputs; local is the manufacturer's currency.
func (o *Order) Breakdown(local string) (Breakdown, error) {
	var b Breakdown
	for i := range o.Parts {
		p := &o.Parts[i]
		unit := p.PricePerPart
		for _, pp := range p.PostProcessings {
			unit += pp.Price
		}
		b.Goods += unit.Mul(p.Quantity)
	}
	for _, e := range o.Expenses {
		b.Goods += e.Price
	}
	pr := &o.Pricing
	if pr.DiscountPercentage != nil {
		b.Discount = b.Goods.Percent(*pr.DiscountPercentage)
	}
	b.Net = b.Goods - b.Discount
	if pr.TopUpAmount != nil {
		b.TopUp = *pr.TopUpAmount
	}
	b.TaxBase = b.Net + b.TopUp
	if pr.ApplyTaxToShipping {
		b.TaxBase += pr.ShippingFee
	}
	b.Tax = b.TaxBase.Percent(pr.TaxPercentage)
	b.Total = b.Net + b.TopUp + pr.ShippingFee + b.Tax
	local2, err := Convert(b.Total, pr.Currency, local)
	if err != nil {
		return b, err
	}
	b.LocalTotal = local2
	return b, nil
}

// Reprice sets taxAmount, totalPrice and totalLocalPrice from the rest of
// the order so that the formula holds.
func (o *Order) Reprice(local string) error {
	b, err := o.Breakdown(local)
	if err != nil {
		return err
	}
	o.Pricing.TaxAmount = b.Tax
	o.Pricing.TotalPrice = &b.Total
	o.Pricing.TotalLocalPrice = &b.LocalTotal
	return nil
}

// CheckPricing reports, wrapping ErrPricing, the first amount that differs
// from the formula (totals that are null are not checked).
func (o *Order) CheckPricing(local string) error {
	b, err := o.Breakdown(local)
	if err != nil {
		return err
	}
	pr := &o.Pricing
	amounts := []struct {
		name string
		got  *decimal.Decimal
		want decimal.Decimal
	}{
		{"taxAmount", &pr.TaxAmount, b.Tax},
		{"totalPrice", pr.TotalPrice, b.Total},
		{"totalLocalPrice", pr.TotalLocalPrice, b.LocalTotal},
	}
	for _, a := range amounts {
		if a.got != nil && *a.got != a.want {
			return fmt.Errorf("%w: /pricing/%s is %s, the formula gives %s", ErrPricing, a.name, a.got, a.want)
		}
	}
	return nil
}
