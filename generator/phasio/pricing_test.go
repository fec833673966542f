package phasio_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/orderhooks/orderhooks/generator/decimal"
	"github.com/orderhooks/orderhooks/generator/phasio"
)

func dec(v decimal.Decimal) *decimal.Decimal { return &v }

// order is the seed's example shape with amounts worked by hand:
// goods 100 × (12.50 + 2.00) + 50.00 = 1500.00; discount 5% = 75.00;
// net 1425.00; tax base 1425.00 + 25.00 shipping = 1450.00; tax 10% =
// 145.00; total 1425.00 + 25.00 + 145.00 = 1595.00; in GBP at 0.925/1.17
// = 1261.00 (1261.004…).
func order() *phasio.Order {
	return &phasio.Order{
		OrderID: 12345, QuoteNumber: "Q-001", CreatedDate: "2025-06-15T10:30:00",
		Parts: []phasio.Part{{
			ID: 1, Quantity: 100, PricePerPart: 1250,
			PostProcessings: []phasio.PostProcessing{{Name: "Anodizing", Price: 200}},
		}},
		Expenses: []phasio.Expense{{ID: 1, Name: "Setup Fee", Price: decimal.Units(50)}},
		Pricing: phasio.Pricing{
			Currency: "USD", ShippingFee: decimal.Units(25), TaxPercentage: 1000,
			ApplyTaxToShipping: true, DiscountPercentage: dec(500), PaymentDueDate: "2025-07-15",
		},
	}
}

func TestBreakdown(t *testing.T) {
	o := order()
	b, err := o.Breakdown("GBP")
	if err != nil {
		t.Fatal(err)
	}
	want := phasio.Breakdown{Goods: 150000, Discount: 7500, Net: 142500, TaxBase: 145000, Tax: 14500, Total: 159500, LocalTotal: 126100}
	if b != want {
		t.Fatalf("%+v, want %+v", b, want)
	}
	o.Pricing.ApplyTaxToShipping = false
	o.Pricing.TopUpAmount = dec(1000)
	o.Pricing.DiscountPercentage = nil
	b, _ = o.Breakdown("USD")
	if b.TaxBase != 151000 || b.Tax != 15100 || b.Total != 150000+1000+2500+15100 || b.LocalTotal != b.Total {
		t.Fatalf("without tax on shipping, with top-up: %+v", b)
	}
}

func TestCheckPricing(t *testing.T) {
	o := order()
	if err := o.Reprice("EUR"); err != nil {
		t.Fatal(err)
	}
	if err := o.CheckPricing("EUR"); err != nil {
		t.Fatal(err)
	}
	*o.Pricing.TotalLocalPrice += 1
	err := o.CheckPricing("EUR")
	if !errors.Is(err, phasio.ErrPricing) || err.Error() != "phasio: pricing does not add up: /pricing/totalLocalPrice is 1475.39, the formula gives 1475.38" {
		t.Fatalf("got %v", err)
	}
	o.Pricing.TotalPrice, o.Pricing.TotalLocalPrice = nil, nil // nullable totals are not checked
	if err := o.CheckPricing("EUR"); err != nil {
		t.Fatal(err)
	}
	o.Pricing.Currency = "XXX"
	if err := o.CheckPricing("EUR"); !errors.Is(err, phasio.ErrCurrency) {
		t.Fatalf("unknown currency: %v", err)
	}
}

// TestSeedExampleRoundTrip: the documentation's example (seed 001, copied
// into testdata) decodes into Order and marshals back byte for byte,
// field order and number text included.
func TestSeedExampleRoundTrip(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "seed-order-created.json"))
	if err != nil {
		t.Fatal(err)
	}
	var o phasio.Order
	if err := json.Unmarshal(raw, &o); err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := json.Compact(&want, raw); err != nil {
		t.Fatal(err)
	}
	if got := o.JSON(); !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("round trip changed the example:\n%s\n%s", got, want.Bytes())
	}
	if b, _ := json.Marshal(o); !bytes.Equal(b, want.Bytes()) {
		t.Fatal("json.Marshal of an Order value does not use its field order")
	}
}

// The pricing formula on an order: Reprice fills the totals, CheckPricing
// confirms them to the cent.
func ExampleOrder_Reprice() {
	o := order()
	if err := o.Reprice("EUR"); err != nil {
		panic(err)
	}
	fmt.Println(o.Pricing.TaxAmount, *o.Pricing.TotalPrice, *o.Pricing.TotalLocalPrice)
	fmt.Println(o.CheckPricing("EUR"))
	// Output:
	// 145.00 1595.00 1475.38
	// <nil>
}

// The currencies whose prices the generator converts from euros.
func ExampleCurrencies() {
	fmt.Println(phasio.Currencies())
	// Output:
	// [AUD CAD CHF DKK EUR GBP NOK PLN SEK USD]
}
