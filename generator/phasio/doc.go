// Package phasio is the Phasio order webhook payload as Go types, with the
// pricing formula the generator uses and a checker for it.
//
// Order is the decrypted payload shared by Order Created (ORDER), Order
// Updated (ORDER_UPDATED) and Quote Converted (QUOTE_CONVERTED). Fields
// follow Phasio's documentation in its order; nullable fields are pointers;
// money, percentages and measurements are decimal.Decimal so they stay exact.
// Marshalling writes the documented field order with money as "12.50".
//
// # Pricing formula
//
// All amounts are in the order's currency, in cents; "round" is half away
// from zero to the cent.
//
//	unit(p)   = p.pricePerPart + Σ p.postProcessings[].price   (post-processing prices are per unit)
//	goods     = Σ p.quantity × unit(p) + Σ expenses[].price
//	discount  = round(goods × (discountPercentage ?? 0) / 100)
//	net       = goods − discount
//	topUp     = topUpAmount ?? 0                                (raises net to the manufacturer's minimum order value)
//	taxBase   = net + topUp + (applyTaxToShipping ? shippingFee : 0)
//	taxAmount = round(taxBase × taxPercentage / 100)
//	totalPrice      = net + topUp + shippingFee + taxAmount
//	totalLocalPrice = round(totalPrice × fx[currency] / fx[local])
//
// fx is the fixed table in FX (value of one unit in euros, six decimals),
// local the manufacturer's currency. totalPrice and totalLocalPrice may be
// null (Phasio documents them as nullable); the formula applies when they
// are not.
package phasio
