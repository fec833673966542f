package capture

import (
	"net/http"
	"time"

	"github.com/orderhooks/orderhooks/internal/redact"
	"github.com/orderhooks/orderhooks/schemas"
)

// Delivery is one request a receiver got, what it made of it and what it
// answered: what Put stores and Get returns.
type Delivery struct {
	// ID numbers the store's deliveries from 1 in the order they were
	// stored; Put assigns it.
	ID int64 `json:"id"`
	// ReceivedAt is when the request arrived.
	ReceivedAt time.Time `json:"receivedAt"`
	// RemoteAddr, Method, Host and Path are the request's.
	RemoteAddr string `json:"remoteAddr"`
	Method     string `json:"method"`
	Host       string `json:"host"`
	Path       string `json:"path"`
	// Header holds the request's headers but Authorization,
	// Proxy-Authorization, Cookie and those of WithDropHeaders, which are
	// removed before storing. Signature headers are kept: they are no
	// secret (an HMAC of the body) and re-verify the body later.
	Header http.Header `json:"header"`
	// Body is the request body, byte for byte (encrypted for Phasio);
	// for a redacted delivery, the body rebuilt from the redacted payload.
	Body []byte `json:"body"`

	// Provider is the receiving profile (phasio, happycolis, standard);
	// Event, Key and DeliveryID what verification found: the event name,
	// the order key and the message id ("" when unknown).
	Provider   string `json:"provider"`
	Event      string `json:"event,omitempty"`
	Key        string `json:"key,omitempty"`
	DeliveryID string `json:"deliveryId,omitempty"`

	// Signature and Decryption are the verdicts of verification.
	Signature  Signature  `json:"signature,omitempty"`
	Decryption Decryption `json:"decryption,omitempty"`
	// SchemaChecked says whether the payload was validated; Violations
	// are what validation found (empty: valid).
	SchemaChecked bool                `json:"schemaChecked,omitempty"`
	Violations    []schemas.Violation `json:"violations,omitempty"`
	// Malformed says the body was not the documented shape (no payload
	// could be read).
	Malformed bool `json:"malformed,omitempty"`
	// Reason is why the receiver rejected the delivery, as it answered.
	Reason string `json:"reason,omitempty"`
	// Payload is the verified plaintext payload (the generator's
	// Event.Payload form); nil when there is none.
	Payload []byte `json:"payload,omitempty"`
	// Redacted says Payload and Body hold pseudonyms, not the values sent.
	Redacted bool `json:"redacted,omitempty"`

	// Status, Outcome and Answer are the receiver's answer: the HTTP
	// status, what it did (applied, duplicate, stale, rejected) and the
	// body (at most WithExcerpt bytes). Handled is how long it took.
	Status  int           `json:"status"`
	Outcome string        `json:"outcome,omitempty"`
	Answer  []byte        `json:"answer,omitempty"`
	Handled time.Duration `json:"handledNs,omitempty"`

	// Forward is the outcome of passing the delivery on to the user's
	// app; nil when it was not forwarded.
	Forward *Forward `json:"forward,omitempty"`
}

// Signature is the signature verdict of a delivery.
type Signature string

// Signature verdicts; "" when the signature was not checked.
const (
	SignatureOK      Signature = "ok"
	SignatureBad     Signature = "bad"
	SignatureMissing Signature = "missing"
	// SignatureStale: signed, but the timestamp is outside the tolerance.
	SignatureStale Signature = "stale"
)

// Decryption is the decryption verdict of a delivery ("" when the
// provider does not encrypt).
type Decryption string

// Decryption verdicts.
const (
	DecryptionOK     Decryption = "ok"
	DecryptionFailed Decryption = "failed"
)

// Forward is what the user's app answered a forwarded delivery.
type Forward struct {
	URL     string        `json:"url"`
	Status  int           `json:"status,omitempty"`
	Latency time.Duration `json:"latencyNs"`
	// Answer is the app's response body (at most WithExcerpt bytes).
	Answer []byte `json:"answer,omitempty"`
	// Error says why no answer came (refused, timed out).
	Error string `json:"error,omitempty"`
}

// Verdict sums a delivery up in one word, the first problem found.
type Verdict string

// Verdicts, in the order they are decided.
const (
	VerdictOK               Verdict = "ok"
	VerdictSignatureMissing Verdict = "signature-missing"
	VerdictSignatureBad     Verdict = "signature-bad"
	VerdictSignatureStale   Verdict = "signature-stale"
	VerdictDecryptionFailed Verdict = "decryption-failed"
	VerdictMalformed        Verdict = "malformed"
	VerdictSchemaInvalid    Verdict = "schema-invalid"
	// VerdictRejected: answered 4xx or 5xx for another reason (an event
	// the provider does not send, a body too large, a bug).
	VerdictRejected Verdict = "rejected"
)

// Verdict returns the delivery's verdict.
func (d *Delivery) Verdict() Verdict {
	switch {
	case d.Signature == SignatureMissing:
		return VerdictSignatureMissing
	case d.Signature == SignatureBad:
		return VerdictSignatureBad
	case d.Signature == SignatureStale:
		return VerdictSignatureStale
	case d.Decryption == DecryptionFailed:
		return VerdictDecryptionFailed
	case d.Malformed:
		return VerdictMalformed
	case len(d.Violations) > 0:
		return VerdictSchemaInvalid
	case d.Status >= 400:
		return VerdictRejected
	}
	return VerdictOK
}

// Summary is a delivery without its bodies: a line of a list.
type Summary struct {
	ID         int64      `json:"id"`
	ReceivedAt time.Time  `json:"receivedAt"`
	RemoteAddr string     `json:"remoteAddr"`
	Path       string     `json:"path"`
	Provider   string     `json:"provider"`
	Event      string     `json:"event,omitempty"`
	Key        string     `json:"key,omitempty"`
	DeliveryID string     `json:"deliveryId,omitempty"`
	Verdict    Verdict    `json:"verdict"`
	Signature  Signature  `json:"signature,omitempty"`
	Decryption Decryption `json:"decryption,omitempty"`
	// SchemaChecked says whether the payload was validated; Violations
	// counts the schema violations found.
	SchemaChecked bool          `json:"schemaChecked,omitempty"`
	Violations    int           `json:"violations"`
	Redacted      bool          `json:"redacted,omitempty"`
	Status        int           `json:"status"`
	Outcome       string        `json:"outcome,omitempty"`
	Handled       time.Duration `json:"handledNs,omitempty"`
	// Size is the body's size in bytes.
	Size int `json:"size"`
	// AppStatus, AppLatency and AppError are the forwarded app's answer
	// (zero when not forwarded).
	AppStatus  int           `json:"appStatus,omitempty"`
	AppLatency time.Duration `json:"appLatencyNs,omitempty"`
	AppError   string        `json:"appError,omitempty"`
}

// storedHeader is h without the credential headers and those dropped by
// option.
func (s *Store) storedHeader(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		ck := http.CanonicalHeaderKey(k)
		if redact.CredentialHeader(ck) || containsFold(s.cfg.drop, ck) {
			continue
		}
		out[ck] = append([]string(nil), vs...)
	}
	return out
}

func containsFold(names []string, ck string) bool {
	for _, n := range names {
		if http.CanonicalHeaderKey(n) == ck {
			return true
		}
	}
	return false
}

func excerpt(b []byte, n int) []byte {
	if len(b) > n {
		b = b[:n]
	}
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}
