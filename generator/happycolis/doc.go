// Package happycolis is the HappyColis order webhook message as Go types:
// the {header, body} envelope of order/created, order/opened,
// order/updated, order/completed and order/cancelled, with the totals
// formula the generator uses and a checker for it.
//
// Fields follow the HappyColis documentation in its order, with the
// nullability of the project's schema (happycolis/order-event): nullable
// fields are pointers, JSON objects the documentation only shows as null
// (meta, metadata) are raw JSON; amounts are decimal.Decimal and VAT rates decimal.Rate so totals stay
// exact. Dates are written as "2024-03-15T11:05:00.000Z".
//
// # Totals formula
//
// Amounts in the order's currency, in cents; "round" is half away from zero.
//
//	line.total             = line.price × line.quantity           (VAT exclusive)
//	line.totalTaxInclusive = line.total + round(line.total × line.vatRate)
//	totalVat               = Σ (line.totalTaxInclusive − line.total)
//	total                  = Σ line.total + totalShipping + (totalInsurance ?? 0) − totalDiscount
//	totalTaxInclusive      = total + totalVat
//
// Shipping, insurance and discount are taken as VAT-free amounts, an
// assumption: the documentation's sample does not say how they are taxed.
// Cancelled lines keep their amounts: the totals are what was ordered.
package happycolis
