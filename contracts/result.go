package contracts

import (
	"fmt"
	"time"
)

// Status is the outcome of one check.
type Status string

// Statuses. StatusFail and StatusInconclusive make a run fail. StatusWarn
// flags something the receiver cannot do better because of the platform
// (e.g. Phasio payloads carry no version); StatusSkip says why a check did
// not run (not applicable, skipped on request, or not run because the run
// stopped early).
const (
	StatusPass Status = "pass"
	StatusFail Status = "fail"
	StatusWarn Status = "warn"
	StatusSkip Status = "skip"
	// StatusInconclusive: the check's control delivery (the same event,
	// correctly signed, to the same target) was not accepted, so a
	// rejection proves nothing; the message says what the control got.
	StatusInconclusive Status = "inconclusive"
	// StatusInterrupted: the run was cancelled or reached its deadline
	// while the check ran; nothing was judged.
	StatusInterrupted Status = "interrupted"
)

// Evidence is one delivery or probe that shows why a check failed or warned.
type Evidence struct {
	// DeliveryID is the message id sent (X-Orderhooks-Delivery, messageId or
	// webhook-id), or "" for probes.
	DeliveryID string `json:"deliveryId,omitempty"`
	// Request summarises what was sent: method, event, order key and fault.
	Request string `json:"request"`
	// Status is the HTTP status answered, 0 when no response arrived.
	Status int `json:"status"`
	// Response is the beginning of the response body, or the transport error.
	Response string `json:"response,omitempty"`
	// Expected and Got say what the check wanted and what it saw.
	Expected string `json:"expected"`
	Got      string `json:"got"`
}

// Result is the outcome of one check.
type Result struct {
	// Name is the check's stable name, e.g. "rejects-bad-signature".
	Name string `json:"name"`
	// Status is pass, fail, warn, skip, inconclusive or interrupted.
	Status Status `json:"status"`
	// Message says in one line what was checked or what went wrong.
	Message string `json:"message,omitempty"`
	// Evidence lists the deliveries behind a fail or warn (bounded, see MaxEvidence).
	Evidence []Evidence `json:"evidence"`
	// Deliveries counts the requests the check sent.
	Deliveries int `json:"deliveries"`
	// Duration is how long the check took.
	Duration time.Duration `json:"-"`
	// Reproduce is the command that reruns this check alone (failures only),
	// as built by the WithReproduce option.
	Reproduce string `json:"reproduce,omitempty"`
	// Saved lists the scenario files written for shrunk failures.
	Saved []string `json:"saved,omitempty"`
}

// MaxEvidence bounds the evidence kept per check: the first failures say
// enough and a report stays readable.
const MaxEvidence = 5

// Summary counts the results of a run.
type Summary struct {
	Total        int `json:"total"`
	Passed       int `json:"passed"`
	Failed       int `json:"failed"`
	Warned       int `json:"warned"`
	Skipped      int `json:"skipped"`
	Inconclusive int `json:"inconclusive"`
	Interrupted  int `json:"interrupted"`
	// Duration is the wall time of the whole run.
	Duration time.Duration `json:"-"`
}

// Report is the outcome of one verification run.
type Report struct {
	// Provider is the profile the deliveries used: phasio, happycolis or standard.
	Provider string `json:"provider"`
	// Target is the receiver URL, or "http.Handler" for an in-process handler.
	Target string `json:"target"`
	// Seed reproduces every generated payload and id of the run.
	Seed int64 `json:"seed"`
	// Error says why the run ended before any check ran (a configuration
	// error, an unreachable receiver); the checks are then empty. Set by
	// callers that write a report for such runs, like the verify command.
	Error string `json:"error,omitempty"`
	// Preflight are the valid deliveries sent before the checks to see that
	// the receiver answers (one per target), and what each got.
	Preflight []Evidence `json:"preflight,omitempty"`
	// Stopped says why the run ended before its last check, if it did.
	Stopped *Stop `json:"stopped,omitempty"`
	// Diagnosis lists the root causes found behind the failures, each said
	// once, before the checks' own details.
	Diagnosis []Diagnosis `json:"diagnosis,omitempty"`
	// Checks are the results in run order.
	Checks []Result `json:"checks"`
	// Summary counts the results.
	Summary Summary `json:"summary"`
	// Sent lists every request of the run in the order sent, for the HTML
	// report (WriteHTML); not part of the JSON report.
	Sent []Sent `json:"-"`
}

// Stop reasons.
const (
	// StopNoAnswer: MaxNoAnswer deliveries in a row got no answer.
	StopNoAnswer = "receiver-stopped-answering"
	// StopDeadline: the run's deadline (WithDeadline) was reached.
	StopDeadline = "deadline"
	// StopInterrupted: the caller cancelled the run (Ctrl-C).
	StopInterrupted = "interrupted"
)

// Stop says why a run ended early. The check running then is interrupted
// (or failed, when its deliveries got no answer) and the rest are skipped
// with "not run: …".
type Stop struct {
	// Reason is StopNoAnswer, StopDeadline or StopInterrupted.
	Reason string `json:"reason"`
	// Message says it in one line.
	Message string `json:"message"`
}

// Failed reports whether the run failed: a check failed or was
// inconclusive, or the run stopped because the receiver stopped answering
// or the deadline was reached (an interruption by the caller is not a
// verdict on the receiver).
func (r *Report) Failed() bool {
	return r.Summary.Failed > 0 || r.Summary.Inconclusive > 0 || r.Error != "" ||
		r.Stopped != nil && r.Stopped.Reason != StopInterrupted
}

// Result returns the result of the check called name, or nil.
func (r *Report) Result(name string) *Result {
	for i := range r.Checks {
		if r.Checks[i].Name == name {
			return &r.Checks[i]
		}
	}
	return nil
}

// summarize recounts Summary from Checks, keeping its Duration.
func (r *Report) summarize() {
	s := Summary{Duration: r.Summary.Duration, Total: len(r.Checks)}
	for _, c := range r.Checks {
		switch c.Status {
		case StatusPass:
			s.Passed++
		case StatusFail:
			s.Failed++
		case StatusWarn:
			s.Warned++
		case StatusSkip:
			s.Skipped++
		case StatusInconclusive:
			s.Inconclusive++
		case StatusInterrupted:
			s.Interrupted++
		}
	}
	r.Summary = s
}

// MarshalJSON adds the duration in milliseconds, which encoding/json would
// otherwise print as nanoseconds.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result
	if r.Evidence == nil {
		r.Evidence = []Evidence{}
	}
	return encodeJSON(struct {
		plain
		DurationMS float64 `json:"durationMs"`
	}{plain(r), millis(r.Duration)})
}

// MarshalJSON adds the duration in milliseconds.
func (s Summary) MarshalJSON() ([]byte, error) {
	type plain Summary
	return encodeJSON(struct {
		plain
		DurationMS float64 `json:"durationMs"`
	}{plain(s), millis(s.Duration)})
}

func millis(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}

// String is the one-line form used in logs and test failures.
func (e Evidence) String() string {
	s := e.Request
	if e.DeliveryID != "" {
		s += " [" + e.DeliveryID + "]"
	}
	s += fmt.Sprintf(": expected %s, got %s", e.Expected, e.Got)
	if e.Response != "" {
		s += "; response: " + e.Response
	}
	return s
}
