package contracts

// Diagnosis is one root cause behind a run's failures, said once: what
// the answers show about the receiver and what to change.
type Diagnosis struct {
	// Cause is a stable identifier, e.g. "wrong-url" or "decoded-key"
	// (see the Cause constants).
	Cause string `json:"cause"`
	// Message says it in one or two sentences.
	Message string `json:"message"`
}
