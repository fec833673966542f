// Package contracts proves that a webhook receiver handles a platform's
// order webhooks correctly. It sends generated lifecycles, forged and broken
// deliveries, redeliveries and late snapshots to a receiver (a URL, or an
// http.Handler called in-process) and judges each named check as pass,
// fail, warn or skip, with evidence: the delivery, what was expected and
// what came back.
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
// Every check sends its own orders, generated from the run seed and the
// check's name, so a check run alone (WithOnly) with the same seed sends the
// same payloads as in the full run. Reports are written as a terminal
// table, JSON (see ReportSchema) or JUnit XML.
package contracts
