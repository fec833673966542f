package contracts

import (
	"time"

	"github.com/orderhooks/orderhooks/wire"
)

// Sent is one request a run sent (or did not send because it had
// stopped): what the HTML report draws its per-order timelines and its
// latency histogram from. It is not part of the JSON report, whose shape
// report.schema.json fixes; the record (WithRecord) has every byte.
type Sent struct {
	// Check is the check that sent it; "" for the preflight and the
	// diagnosis.
	Check string
	// Role is what it was for (see RecordLine.Role).
	Role string
	// Event and OrderKey are the event sent and its order.
	Event, OrderKey string
	// DeliveryID is the message id.
	DeliveryID string
	// Fault is the request-level fault applied, if any; Note what makes a
	// form or a diagnostic variant special.
	Fault wire.Fault
	Note  string
	// Time is when it was sent.
	Time time.Time
	// Status is the HTTP status answered, 0 when none came.
	Status int
	// Latency is the time to the answer (or to the error).
	Latency time.Duration
	// Error says why no answer came (secrets redacted).
	Error string
}

// sent lists the session's deliveries for the report.
func (se *Session) sent() []Sent {
	out := make([]Sent, 0, len(se.log))
	for _, d := range se.log {
		s := Sent{Check: d.check, Role: d.role, DeliveryID: d.msg.ID, Fault: d.fault, Note: d.note, Time: d.sent,
			Status: d.status, Latency: d.latency}
		if ev := d.msg.Event; ev != nil {
			s.Event, s.OrderKey = ev.Event, ev.OrderKey
		}
		if d.err != nil && !d.answered() {
			s.Error = se.redact(d.err.Error())
		}
		out = append(out, s)
	}
	return out
}
