package wire

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/platform"
	"github.com/orderhooks/orderhooks/internal/redact"
	"github.com/orderhooks/orderhooks/provider"
)

// shown is how a profile prints itself: its secret never (see
// redact.Shown).
type shown = redact.Shown

// Profile turns one event into the exact HTTP request a platform sends, and
// checks such a request on the receiving side. Implementations are
// immutable after construction and safe for concurrent use.
type Profile interface {
	// Name is the definition's name: "phasio", "happycolis", "standard"
	// or a provider definition's.
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

// HeaderVerifier is implemented by profiles that can refuse a request on
// its headers alone: the checks of Verify that need no body (a signature
// header present). A Receiver calls it before reading the body, so a flood
// of unsigned requests costs it no memory. All three built-in profiles
// implement it, as does every compiled definition.
type HeaderVerifier interface {
	// VerifyHeader returns the error Verify would return for these
	// headers whatever the body, or nil.
	VerifyHeader(h http.Header) error
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
	// Buf, when it has room, is where Build writes a body it makes (a
	// sealed payload, an envelope), so that a sender building one request
	// at a time reuses one buffer instead of allocating a body each time:
	// the Request's Body then shares Buf's memory and lasts only until Buf
	// is used again. Without room (nil), Build allocates the body.
	Buf []byte
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

// Errors of Verify, Build and the constructors. Verify errors wrap exactly
// one of the first seven; Reason turns them into the short phrase a
// receiver answers with. No error ever contains a secret.
var (
	ErrMissingSignature  = errors.New("wire: missing signature")
	ErrSignatureMismatch = errors.New("wire: signature mismatch")
	ErrDecrypt           = errors.New("wire: decryption fails (authentication tag)")
	ErrPayloadTooShort   = errors.New("wire: payload shorter than nonce+tag")
	ErrStaleTimestamp    = errors.New("wire: timestamp outside the tolerance")
	ErrMalformedBody     = errors.New("wire: malformed body")
	ErrBadSecret         = errors.New("wire: bad secret")
	// ErrBadMessage is returned by Build for a message it cannot send (no event, no id).
	ErrBadMessage = errors.New("wire: bad message")
	// ErrFaultNotApplicable is returned by Build for a fault the profile has
	// no equivalent of (stale-timestamp outside the standard profile) or an
	// unknown fault.
	ErrFaultNotApplicable = errors.New("wire: fault does not apply")
	// ErrUnknownProvider is wrapped by New, NewSecret and Sign for a
	// provider that is not a profile's (an *OptionError).
	ErrUnknownProvider = errors.New("wire: unknown provider")
)

// Reason returns err's message without the package prefix, e.g.
// "signature mismatch": the phrase receivers put in their JSON answers and
// the CLI prints.
func Reason(err error) string {
	return strings.TrimPrefix(err.Error(), "wire: ")
}

// Providers: the names of the three profiles.
const (
	ProviderPhasio     = platform.Phasio
	ProviderHappyColis = platform.HappyColis
	ProviderStandard   = platform.Standard
)

// Providers lists the profiles' names, in documentation order.
func Providers() []string { return platform.Providers() }

// checkMessage rejects messages Build cannot send; needID is set by the
// profiles that put Message.ID on the wire as the message's identity.
func checkMessage(msg *Message, needID bool) error {
	switch {
	case msg == nil || msg.Event == nil:
		return fmt.Errorf("%w: no event", ErrBadMessage)
	case len(msg.Event.Payload) == 0:
		return fmt.Errorf("%w: event %d has no payload", ErrBadMessage, msg.Event.Seq)
	case needID && msg.ID == "":
		return fmt.Errorf("%w: event %d has no message id", ErrBadMessage, msg.Event.Seq)
	}
	return nil
}

// tamperJSON changes a JSON body after signing while keeping it JSON: the
// last digit (of a number or inside a string) becomes another digit, or,
// without digits, a space goes after the opening brace.
func tamperJSON(body []byte) []byte {
	for i := len(body) - 1; i >= 0; i-- {
		if c := body[i]; c >= '0' && c <= '9' {
			body[i] = '0' + (c-'0'+1)%10
			return body
		}
	}
	if len(body) == 0 {
		return []byte(" ")
	}
	return append(append(body[:1:1], ' '), body[1:]...)
}

// MessageID is the message id p's provider sends for a generated UUID:
// its definition's id prefix (id.prefix, e.g. "evt_" or "msg_") and the
// UUID, or the UUID alone. The emitter and the contract suite name every
// message they generate with it.
func MessageID(p Profile, uuid string) string {
	d, ok := p.(interface{ Definition() *provider.Definition })
	if !ok || d.Definition() == nil {
		return uuid
	}
	return d.Definition().ID().Prefix + uuid
}
