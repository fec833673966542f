// Package receiver is the verifying receiver behind `orderhooks receive`,
// the demo and the contract tests: it verifies, decrypts and validates
// deliveries with a wire.Profile, keeps the newest snapshot per order at
// GET /orders/{key}, ignores stale snapshots, counts duplicates and
// rejects event names its platform does not send (ErrUnknownEvent).
// Start runs one on a loopback port, like httptest.NewServer.
//
// It is built for senders it does not trust: a request without a
// signature header is refused before its body is read
// (wire.HeaderVerifier), bodies are read within an in-flight budget,
// connections and headers are bounded, a panic is a recorded 500, and a
// receipt never claims an answer the sender did not get.
package receiver
