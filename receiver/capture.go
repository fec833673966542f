package receiver

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/orderhooks/orderhooks/schemas"
	"github.com/orderhooks/orderhooks/wire"
)

// Capture is one delivery as a Receiver judged it: the request, what
// verification and validation found, and the answer decided. A Receiver
// hands it to the WithCapture function before the answer is sent, and to
// a Forwarder after; package capture stores it (capture.FromReceiver).
// Its slices belong to the Receiver: copy what outlives the call.
type Capture struct {
	// Time is when the request arrived.
	Time time.Time
	// RemoteAddr, Method, Host, Path and Header are the request's.
	RemoteAddr string
	Method     string
	Host       string
	Path       string
	Header     http.Header
	// Body is the request body as read; nil when the request was
	// refused before its body was read (no signature header, too large,
	// busy).
	Body []byte

	// Provider is the receiving profile's name.
	Provider string
	// Event, ID and Key are what verification found: the event name, the
	// message id and the order key ("" when unknown).
	Event, ID, Key string
	// Signature is the signature verdict: "ok", "bad", "missing",
	// "stale", or "" when it was not checked (the request was refused
	// first). Decryption is "ok" or "failed" for an encrypting profile
	// (Phasio), "" otherwise.
	Signature, Decryption string
	// Malformed says the body (or the payload it held) was not the
	// documented shape.
	Malformed bool
	// SchemaChecked says the payload was validated; Violations are what
	// validation found (empty: valid). With a WithCapture function the
	// payload of a verified delivery is always validated, so that the
	// capture says whether it was valid, whether or not WithValidation
	// refuses invalid ones.
	SchemaChecked bool
	Violations    []schemas.Violation
	// Payload is the verified plaintext payload (the generator's
	// Event.Payload form); nil when verification failed.
	Payload []byte
	// Received is what the profile verified, nil when it did not.
	Received *wire.Received

	// Status, Outcome, Reason and Answer are the answer decided: the HTTP
	// status, what the receiver did, why it refused (4xx, 5xx) and the
	// body. Handled is how long deciding took.
	Status  int
	Outcome Outcome
	Reason  string
	Answer  []byte
	Handled time.Duration
}

// Verified reports whether the delivery's signature was good and its
// payload could be read: what a Forwarder passes on.
func (c *Capture) Verified() bool { return c.Received != nil && c.Payload != nil }

// CaptureFunc keeps a delivery before it is answered and returns its id
// in the place it is kept (a capture store's delivery id). An error means
// it was not kept: the delivery is answered 503 with Retry-After, so that
// the platform sends it again rather than have it acknowledged and lost.
type CaptureFunc func(ctx context.Context, c *Capture) (id int64, err error)

// WithCapture calls fn with every delivery, rejected ones included, after
// its answer is decided and before it is sent (see CaptureFunc). The
// payload of every verified delivery is validated for the capture, also
// when WithValidation(false) accepts invalid ones.
func WithCapture(fn CaptureFunc) Option {
	return func(c *config) { c.capture = fn }
}

// verdicts fills the signature, decryption and shape verdicts of c from a
// verification error (nil: verified).
func (r *Receiver) verdicts(c *Capture, err error) {
	encrypts := r.profile.Name() == wire.ProviderPhasio
	switch {
	case err == nil:
		c.Signature = "ok"
		if encrypts {
			c.Decryption = "ok"
		}
	case errors.Is(err, wire.ErrMissingSignature):
		c.Signature = "missing"
	case errors.Is(err, wire.ErrSignatureMismatch):
		c.Signature = "bad"
	case errors.Is(err, wire.ErrStaleTimestamp):
		c.Signature = "stale"
	case errors.Is(err, wire.ErrDecrypt), errors.Is(err, wire.ErrPayloadTooShort):
		c.Signature, c.Decryption = "ok", "failed"
	case errors.Is(err, wire.ErrMalformedBody):
		c.Signature, c.Malformed = "ok", true
	}
}
