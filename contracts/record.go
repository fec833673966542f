package contracts

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/internal/redact"
	"github.com/orderhooks/orderhooks/wire"
)

// RecordLine is one line of a run's record (WithRecord): the delivery as
// an emitter.Record, so `orderhooks replay` can send it again, with the
// check that sent it and what it was for. Deliveries the run did not send
// because it had stopped have Attempt 0.
type RecordLine struct {
	emitter.Record
	// Check is the check that sent the delivery; "" for the preflight and
	// the diagnosis.
	Check string `json:"check,omitempty"`
	// Role is what the delivery was for: preflight, valid, control,
	// forgery, redelivery, form (verifies-raw-body), variant (diagnosis)
	// or shrink.
	Role string `json:"role"`
	// Note says what makes a form or a diagnostic variant special.
	Note string `json:"note,omitempty"`
}

// record writes d as one line when WithRecord is set; the first write
// error stops recording and is reported by Report's caller through
// RecordErr.
func (se *Session) record(d *delivery) {
	w := se.suite.cfg.record
	if w == nil || se.recordErr != nil || d.req == nil {
		return
	}
	line := RecordLine{Check: d.check, Role: d.role, Note: d.note}
	line.Time, line.Delivery, line.ID, line.URL = d.sent, int64(len(se.log)), d.msg.ID, redact.URL(d.url)
	line.Event = d.msg.Event
	if d.fault != wire.FaultNone {
		line.Faults = []wire.Fault{d.fault}
	}
	line.Request = &emitter.RecordedRequest{Header: d.req.Header, Body: d.req.Body}
	if d.err != errNotSent {
		line.Attempt = 1
	}
	line.Latency = d.latency
	if d.answered() {
		line.Response = &emitter.RecordedResponse{Status: d.status, Header: d.resp.Header, Body: emitter.Bytes(se.redact(string(d.body))), Truncated: d.resp.Truncated}
	}
	if d.err != nil {
		line.Error = se.redact(d.err.Error())
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(line)
	if err == nil {
		_, err = w.Write(b.Bytes())
	}
	if err != nil {
		se.recordErr = fmt.Errorf("record: %w", err)
	}
}

// RecordErr returns the first error writing the record (WithRecord), if any.
func (se *Session) RecordErr() error { return se.recordErr }
