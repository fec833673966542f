package contracts_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/provider"
	"github.com/orderhooks/orderhooks/receiver"
	"github.com/orderhooks/orderhooks/wire"
)

// Secrets of the examples (a Phasio AES key, a HappyColis client secret).
const (
	phasioSecret     = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
	happyColisSecret = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
)

// printT stands in for the *testing.T a real test passes, printing each
// subtest's outcome as go test -v would.
type printT struct{ name string }

func (p printT) Helper()                        {}
func (p printT) Name() string                   { return p.name }
func (p printT) Errorf(format string, a ...any) { fmt.Printf("--- FAIL: %s\n", p.name) }
func (p printT) Fatalf(format string, a ...any) {
	fmt.Printf("FATAL %s: "+format+"\n", append([]any{p.name}, a...)...)
}
func (p printT) Logf(string, ...any) {}
func (p printT) Skip(...any)         { fmt.Printf("--- SKIP: %s\n", p.name) }
func (p printT) Run(name string, f func(printT)) bool {
	sub := printT{p.name + "/" + name}
	f(sub)
	return true
}

// In a test file, Test runs the contract suite as subtests of t:
//
//	func TestReceiverContract(t *testing.T) {
//		contracts.Test(t, newReceiver(secret), contracts.Phasio(secret), contracts.WithProbe("/orders/{orderKey}"))
//	}
//
// Here the handler is the project's own verifying receiver, and a printing
// stand-in for t shows the subtests that fail or skip.
func ExampleTest() {
	profile, err := wire.NewPhasio(phasioSecret)
	if err != nil {
		fmt.Println(err)
		return
	}
	handler, _ := receiver.New(profile)
	report := contracts.Test(printT{"TestReceiverContract"}, handler, contracts.Phasio(phasioSecret),
		contracts.WithProbe("/orders/{orderKey}"))
	fmt.Printf("%d passed, %d failed, %d warned, %d skipped\n",
		report.Summary.Passed, report.Summary.Failed, report.Summary.Warned, report.Summary.Skipped)
	// Output:
	// --- SKIP: TestReceiverContract/rejects-stale-timestamp
	// --- SKIP: TestReceiverContract/response-contract
	// 12 passed, 0 failed, 1 warned, 2 skipped
}

// Send delivers one event, e.g. built from a generator fixture, signed and
// encrypted as Phasio does; the same event again is a redelivery.
func ExampleSend() {
	profile, err := wire.NewPhasio(phasioSecret)
	if err != nil {
		fmt.Println(err)
		return
	}
	handler, _ := receiver.New(profile)
	order := generator.PhasioOrder(7, generator.Paid(), generator.Parts(3, "CNC Machining"))
	ev := contracts.PhasioEvent(generator.PhasioQuoteConverted, order)
	for range 2 {
		resp, err := contracts.Send(context.Background(), handler, contracts.Phasio(phasioSecret), ev)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(resp.Status, strings.TrimSpace(string(resp.Body)))
	}
	// Output:
	// 200 {"ok":true,"outcome":"applied"}
	// 200 {"ok":true,"outcome":"duplicate"}
}

// SendScenario delivers a whole generated lifecycle, in order.
func ExampleSendScenario() {
	profile, err := wire.NewHappyColis(happyColisSecret)
	if err != nil {
		fmt.Println(err)
		return
	}
	handler, _ := receiver.New(profile)
	resps, err := contracts.SendScenario(context.Background(), handler, contracts.HappyColis(happyColisSecret), "happycolis/cancellation", 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range resps {
		fmt.Println(r.Status, strings.TrimSpace(string(r.Body)))
	}
	st := handler.Stats()
	fmt.Println("applied", st.Applied, "orders", st.Orders)
	// Output:
	// 200 {"ok":true,"outcome":"applied"}
	// 200 {"ok":true,"outcome":"applied"}
	// 200 {"ok":true,"outcome":"applied"}
	// 200 {"ok":true,"outcome":"applied"}
	// applied 4 orders 1
}

// Verify runs the suite once and writes the report, e.g. as a terminal
// table; WriteJSON and WriteJUnit give the machine-readable forms. The
// probe reads the receiver's state: without it, idempotent-duplicates
// would be skipped, since a 2xx to a redelivery does not show it was
// applied once.
func ExampleVerify() {
	profile, err := wire.NewHappyColis(happyColisSecret)
	if err != nil {
		fmt.Println(err)
		return
	}
	handler, _ := receiver.New(profile)
	report, err := contracts.Verify(context.Background(), contracts.Handler(handler),
		contracts.HappyColis(happyColisSecret), contracts.WithOnly(contracts.CheckBadSignature, contracts.CheckDuplicates),
		contracts.WithProbe("/orders/{orderKey}"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range report.Checks {
		fmt.Println(c.Status, c.Name, "-", c.Message)
	}
	// Output:
	// pass rejects-bad-signature - answered 401 to a delivery with a wrong signature; its valid control got 200; the probe finds no order 084abf3b-abbe-4153-983d-91836e76efbe (not applied)
	// pass idempotent-duplicates - redelivery answered 2xx and left the probed state unchanged
}

// HappyColisEvent wraps a generator fixture (here a dispatched order) as
// the event Send delivers; the envelope's header.type names the event.
func ExampleHappyColisEvent() {
	profile, err := wire.NewHappyColis(happyColisSecret)
	if err != nil {
		fmt.Println(err)
		return
	}
	handler, _ := receiver.New(profile)
	ev := contracts.HappyColisEvent(generator.HappyColisOrder(3, generator.Dispatched()))
	resp, err := contracts.Send(context.Background(), handler, contracts.HappyColis(happyColisSecret), ev)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ev.Provider, ev.Event, resp.Status)
	// Output:
	// happycolis order/updated 200
}

// FromSpec tests a receiver against the events a vendor publishes in an
// OpenAPI 3.1 or AsyncAPI 3 document, here the OpenAPI Initiative's
// webhook example, signed as Standard Webhooks signs (a nil signer). The
// receiver is the project's own, built from the same imported definition.
// The document names no entity key, so the checks that probe an entity's
// state are skipped (provider.WithKey or a definition file's
// events.import.key names one).
func ExampleFromSpec() {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	const spec = "../testdata/specs/oai-webhook-example.yaml"
	def, err := provider.FromSpec(spec, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	profile, _ := wire.Compile(def, secret)
	handler, _ := receiver.New(profile)
	report := contracts.Test(printT{"TestPetWebhooks"}, handler, contracts.FromSpec(spec, secret, nil, nil),
		contracts.WithProbe("/orders/{orderKey}"))
	fmt.Printf("%s: %d passed, %d failed, %d skipped\n", def.Title(),
		report.Summary.Passed, report.Summary.Failed, report.Summary.Skipped)
	// Output:
	// --- SKIP: TestPetWebhooks/idempotent-duplicates
	// --- SKIP: TestPetWebhooks/ignores-stale-snapshot
	// --- SKIP: TestPetWebhooks/state-matches-snapshot
	// --- SKIP: TestPetWebhooks/response-contract
	// Webhook Example: 11 passed, 0 failed, 4 skipped
}

// provider.WithKey names the entity key the document does not (the pet's
// id) and provider.WithCompare the fields the state checks compare, so
// the receiver's state of each pet is probed and compared with the last
// snapshot sent.
func ExampleFromSpec_key() {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	const spec = "../testdata/specs/oai-webhook-example.yaml"
	opts := []provider.Option{provider.WithKey("/id"), provider.WithCompare("/name", "/tag")}
	def, err := provider.FromSpec(spec, nil, opts...)
	if err != nil {
		fmt.Println(err)
		return
	}
	profile, _ := wire.Compile(def, secret)
	handler, _ := receiver.New(profile)
	report := contracts.Test(printT{"TestPetWebhooks"}, handler, contracts.FromSpec(spec, secret, nil, opts),
		contracts.WithProbe("/orders/{orderKey}"))
	fmt.Println(report.Result(contracts.CheckStateMatches).Status)
	fmt.Printf("%d passed, %d failed, %d skipped\n", report.Summary.Passed, report.Summary.Failed, report.Summary.Skipped)
	// Output:
	// --- SKIP: TestPetWebhooks/ignores-stale-snapshot
	// --- SKIP: TestPetWebhooks/response-contract
	// pass
	// 13 passed, 0 failed, 2 skipped
}
