// Package contracts proves that a webhook receiver handles a platform's
// order webhooks correctly. It sends generated lifecycles, forged and broken
// deliveries, redeliveries and late snapshots to a receiver (a URL, or an
// http.Handler called in-process) and judges each named check as pass,
// fail, warn, skip, inconclusive or interrupted, with evidence: the
// delivery, what was expected and what came back.
//
// A verdict is only as good as its proof. A run starts with a preflight: a
// valid delivery POSTed to the target, whose answer the report shows. Each
// check that expects a rejection follows its forgery with a control (the
// same event, correctly signed, to the same target) and counts the
// rejection only when the control was accepted; otherwise it is
// inconclusive, since a receiver that rejects everything (or every order it
// has seen before, or everything after some point) also rejects forgeries. 404, 405, 408 and 429
// answers never count as rejections. After MaxNoAnswer deliveries in a row
// get no answer the run stops sending and reports the remaining checks as
// not run; WithDeadline bounds the whole run.
//
// When valid deliveries are rejected, the run sends the rejected event again
// signed the ways receivers commonly get the signature wrong
// (wire.Mistakes) and, for Standard Webhooks, stamped at other times;
// Report.Diagnosis names the root cause once (a wrong URL, a decoded key, a
// re-serialised body, a skewed clock, wrong event routing, no signature
// check …). WithRecord writes every request and response of a run.
//
// The same suite serves the verify command, users' go test suites and
// replays:
//
//	s, err := contracts.New(contracts.Phasio(secret), contracts.WithProbe("/orders/{orderKey}"))
//	report, err := s.Run(ctx, contracts.Handler(myReceiver))
//	report.WriteText(os.Stdout, false)
//
// In a go test suite, Test runs the same checks as subtests named after
// them, and Send, SendScenario, PhasioEvent and HappyColisEvent deliver
// single events (e.g. generator.PhasioOrder fixtures) or whole lifecycles:
//
//	func TestReceiverContract(t *testing.T) {
//		contracts.Test(t, myReceiver, contracts.Phasio(secret), contracts.WithProbe("/orders/{orderKey}"))
//	}
//
// Any provider described as data (package provider) is tested the same
// way: FromFile or NewProviderFromDefinition compile its definition into
// the profile that signs (and encrypts) its requests; events are told
// apart as the definition says, entity keys and the compared pointers are
// its own, payloads come from its named generator or from its events'
// schemas, and lifecycles from its lifecycle (one single-event lifecycle
// per event without one, and the check that needs an entity's second
// snapshot is skipped, saying so):
//
//	contracts.Test(t, myReceiver, contracts.FromFile("shop.yaml", secret), contracts.WithProbe("/orders/{orderKey}"))
//
// Every check sends its own orders, generated from the run seed and the
// check's name, so a check run alone (WithOnly) with the same seed sends the
// same payloads as in the full run. Reports are written as a terminal
// table, JSON (see ReportSchema) or JUnit XML.
package contracts
