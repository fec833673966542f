package contracts

import (
	"fmt"
	"time"
)

// Status is the outcome of one check.
type Status string

// Statuses. Only StatusFail makes a run fail; StatusWarn flags something the
// receiver cannot do better because of the platform (e.g. Phasio payloads
// carry no version), and StatusSkip says why a check could not run.
const (
	StatusPass Status = "pass"
	StatusFail Status = "fail"
	StatusWarn Status = "warn"
	StatusSkip Status = "skip"
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
	// Status is pass, fail, warn or skip.
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
	Total   int `json:"total"`
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Warned  int `json:"warned"`
	Skipped int `json:"skipped"`
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
	// Checks are the results in run order.
	Checks []Result `json:"checks"`
	// Summary counts the results.
	Summary Summary `json:"summary"`
}

// Failed reports whether any check failed.
func (r *Report) Failed() bool { return r.Summary.Failed > 0 }

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
