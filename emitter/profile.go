package emitter

import (
	"net/http"
	"time"

	"github.com/orderhooks/orderhooks/generator"
)

// Profile turns one event into the exact HTTP request a platform sends, and
// checks such a request on the receiving side. Implementations are
// immutable after construction and safe for concurrent use.
type Profile interface {
	// Name is "phasio", "happycolis" or "standard".
	Name() string
	// Build returns the request for one delivery of msg. fault, when not
	// FaultNone, is a request-level fault (see Fault) applied exactly as a
	// broken or hostile sender would. Build is deterministic given msg and
	// the profile's random source.
	Build(msg *Message, fault Fault) (*Request, error)
	// Verify checks a received request (signature first, in constant time,
	// then decryption / decoding) and returns the plaintext payload in the
	// generator's Event.Payload form. Errors wrap one of the Err* sentinels.
	Verify(h http.Header, body []byte) (*Received, error)
}

// Message is one webhook message. Its identity (ID, Time) is fixed once and
// kept on every redelivery, as the platforms do.
type Message struct {
	Event *generator.Event
	// ID is the message id: HappyColis header.messageId, Standard Webhooks
	// webhook-id, and the X-Orderhooks-Delivery header.
	ID string
	// Time is the send time signed into the message (webhook-timestamp).
	Time time.Time
}

// Request is what goes on the wire for one delivery.
type Request struct {
	Header http.Header
	Body   []byte
	// Plaintext is the payload before encryption/enveloping, for records.
	Plaintext []byte
	// Fault is the request-level fault that was applied, if any.
	Fault Fault
}

// Received is a verified, decoded delivery.
type Received struct {
	// Event is the event name: Phasio trigger (from X-Orderhooks-Trigger or
	// the receiver's configured trigger), HappyColis header.type, or the
	// Standard Webhooks body's "type".
	Event string
	// ID is the message id if the wire carries one ("" for Phasio without X-Orderhooks-Delivery).
	ID string
	// Time orders snapshots when the wire carries one (HappyColis header.date,
	// Standard webhook-timestamp); zero for Phasio.
	Time time.Time
	// Payload is the decrypted / decoded snapshot in generator.Event.Payload form.
	Payload []byte
}

// Fault names an injected fault. Request-level faults are applied by
// Profile.Build; delivery-level faults (duplicate, reorder, delay) by the
// delivery engine.
type Fault string

// Faults.
const (
	FaultNone             Fault = ""
	FaultDuplicate        Fault = "duplicate"         // the same delivery again, same ids
	FaultReorder          Fault = "reorder"           // swapped with the next event of the same order
	FaultDelay            Fault = "delay"             // held back before sending
	FaultTamper           Fault = "tamper"            // payload changed after signing
	FaultBadSignature     Fault = "bad-signature"     // signature header present but wrong
	FaultWrongKey         Fault = "wrong-key"         // correctly formed, signed (and encrypted) with another key
	FaultMissingSignature Fault = "missing-signature" // no signature header
	FaultStaleTimestamp   Fault = "stale-timestamp"   // timestamp outside the tolerance (standard)
	FaultMalformedBody    Fault = "malformed-body"    // body is not the documented JSON shape
)
