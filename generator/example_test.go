package generator_test

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/orderhooks/orderhooks/generator"
)

// Generate a Phasio lifecycle and print what each webhook announces.
func ExampleNew() {
	s, err := generator.LoadScenario("phasio/precommitted")
	if err != nil {
		panic(err)
	}
	g, err := generator.New(generator.ProviderPhasio, generator.WithScenario(s), generator.WithSeed(7))
	if err != nil {
		panic(err)
	}
	err = g.Run(func(ev *generator.Event) error {
		fmt.Println(ev.Seq, ev.Event, ev.Step)
		return nil
	})
	if err != nil {
		panic(err)
	}
	// Output:
	// 1 ORDER committed
	// 2 QUOTE_CONVERTED converted
	// 3 ORDER_UPDATED committed-update
	// 4 ORDER_UPDATED in-progress
	// 5 ORDER_UPDATED quality-check
}

// A scenario file: steps name the webhook and the transition behind it, may
// set fields by JSON pointer and refer to earlier steps' payloads.
func ExampleParseScenario() {
	s, err := generator.ParseScenario([]byte(`
version: 1
name: mine/quote-paid-by-card
provider: phasio
seed: 3
steps:
  - name: quote
    event: ORDER
    action: create-quote
  - name: paid
    event: QUOTE_CONVERTED
    action: pay
    after: 2h
    set:
      /customReference: "card payment for ${quote:/quoteNumber}"
`), "quote-paid-by-card.yaml")
	if err != nil {
		panic(err)
	}
	g, _ := generator.New(s.Provider, generator.WithScenario(s))
	_ = g.Run(func(ev *generator.Event) error {
		fmt.Println(ev.Event, ev.At.Format("15:04:05.000"))
		return nil
	})
	// Output:
	// ORDER 08:00:02.332
	// QUOTE_CONVERTED 10:00:02.332
}

// Fixtures for unit tests: a paid Phasio order with three CNC parts.
func ExamplePhasioOrder() {
	o := generator.PhasioOrder(7, generator.Paid(), generator.Parts(3, "CNC Machining"), generator.Country("DE"))
	fmt.Println(*o.PaymentStatus, *o.KanbanColumnName, len(o.Parts), o.Parts[0].Technology, o.Pricing.Currency)
	fmt.Println("pricing adds up:", o.CheckPricing(generator.DefaultLocalCurrency) == nil)
	// Output:
	// PAID New Orders 3 CNC Machining EUR
	// pricing adds up: true
}

// Fixtures for unit tests: a completed HappyColis order.
func ExampleHappyColisOrder() {
	e := generator.HappyColisOrder(7, generator.Completed(), generator.Parts(2, ""))
	fmt.Println(e.Header.Type, e.Body.State, len(e.Body.Lines), e.Body.Lines[0].Status, e.Body.Locked)
	fmt.Println("totals add up:", e.Body.CheckTotals() == nil)
	// Output:
	// order/completed COMPLETED 2 FULFILLED false
	// totals add up: true
}

// Events stream as JSONL, the format generate writes and emit reads.
func ExampleGenerator_Source() {
	g, _ := generator.New(generator.ProviderHappyColis, generator.WithOrders(2), generator.WithSeed(5))
	w := generator.NewEventWriter(os.Stdout)
	_ = g.Source()(func(ev *generator.Event) error {
		ev.Payload = []byte(`{}`) // shortened for the example
		return w.Write(ev)
	})
	_ = w.Flush()
	// Output:
	// {"seq":1,"provider":"happycolis","event":"order/created","orderKey":"e927233f-10dd-4fe2-964e-585f64806454","at":"2025-06-15T08:00:00.948Z","payload":{}}
	// {"seq":2,"provider":"happycolis","event":"order/created","orderKey":"483cb050-0bf4-4b41-865c-b76d8bcf0688","at":"2025-06-15T08:01:05.1Z","payload":{}}
}

// The JSON Schema of scenario files, for editors and other validators.
func ExampleScenarioSchema() {
	var s struct {
		ID    string `json:"$id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal(generator.ScenarioSchema(), &s); err != nil {
		panic(err)
	}
	fmt.Println(s.ID)
	fmt.Println(s.Title)
	// Output:
	// https://orderhooks.dev/schemas/scenario.json
	// orderhooks scenario, version 1
}
