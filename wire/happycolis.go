package wire

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/orderhooks/orderhooks/internal/jsontree"
	"github.com/orderhooks/orderhooks/internal/jsonw"
	"github.com/orderhooks/orderhooks/internal/redact"
)

// HappyColisSignatureHeader carries the standard base64 (padded)
// HMAC-SHA256 of the exact body bytes, keyed with the client secret.
const HappyColisSignatureHeader = "X-Happycolis-Webhook-Signature"

// HappyColis is the profile of HappyColis webhooks: the generator's
// {header, body} envelope with header.messageId set to Message.ID, signed
// over its exact bytes.
type HappyColis struct {
	shown  // the secret [redacted] under fmt, JSON and slog
	key    []byte
	stamps []headerField
	rand   randSource
}

// headerField is one envelope header field Build overwrites.
type headerField struct{ name, value string }

// NewHappyColis returns the profile for one application's client secret
// (any non-empty string; its UTF-8 bytes key the HMAC).
func NewHappyColis(secret string, opts ...Option) (*HappyColis, error) {
	cfg, err := newConfig(ProviderHappyColis, opts)
	if err != nil {
		return nil, err
	}
	if secret == "" {
		return nil, badSecret("empty (HappyColis secrets are the application's client secret)")
	}
	p := &HappyColis{shown: redact.Show("wire.HappyColis", "secret"), key: []byte(secret), rand: cfg.source()}
	if cfg.organizationID != "" {
		p.stamps = append(p.stamps, headerField{"organizationId", cfg.organizationID})
	}
	if cfg.webhookID != "" {
		p.stamps = append(p.stamps, headerField{"webhookId", cfg.webhookID})
	}
	return p, nil
}

// Name returns "happycolis".
func (p *HappyColis) Name() string { return ProviderHappyColis }

func (p *HappyColis) sign(key, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Build stamps header.messageId (and the configured header fields) into
// msg's envelope, keeping every other byte, and signs the result. A
// redelivery reuses msg, so it keeps its messageId. Faults: tamper changes
// a digit after signing; bad-signature sends a random signature; wrong-key
// signs with a random secret; missing-signature drops the header;
// malformed-body sends (and signs) the first half of the body.
// stale-timestamp does not apply.
func (p *HappyColis) Build(msg *Message, fault Fault) (*Request, error) {
	if err := checkMessage(msg, true); err != nil {
		return nil, err
	}
	if err := checkFault(p.Name(), fault); err != nil {
		return nil, err
	}
	body, err := stampEnvelope(msg.Event.Payload, append([]headerField{{"messageId", msg.ID}}, p.stamps...))
	if err != nil {
		return nil, fmt.Errorf("%w: event %d: %w", ErrBadMessage, msg.Event.Seq, err)
	}
	if fault == FaultMalformedBody {
		body = body[:len(body)/2]
	}
	key := p.key
	if fault == FaultWrongKey || fault == FaultBadSignature {
		key = make([]byte, 32)
		if err := p.rand.fill(key); err != nil {
			return nil, err
		}
	}
	sig := p.sign(key, body)
	if fault == FaultBadSignature {
		// Random bytes, not a signature under any key.
		sig = base64.StdEncoding.EncodeToString(key)
	}
	if fault == FaultTamper {
		body = tamperJSON(body)
	}
	h := http.Header{"Content-Type": {"application/json"}}
	if fault != FaultMissingSignature {
		h[HappyColisSignatureHeader] = []string{sig}
	}
	return &Request{Header: h, Body: body, Plaintext: msg.Event.Payload, Fault: fault}, nil
}

// envelope is what Verify needs of a HappyColis body.
type envelope struct {
	Header *struct {
		MessageID string `json:"messageId"`
		Type      string `json:"type"`
		Date      string `json:"date"`
	} `json:"header"`
	Body json.RawMessage `json:"body"`
}

// Verify checks the signature over the exact body bytes in constant time,
// then decodes the envelope. Received.Payload is the whole envelope (the
// generator's Event.Payload form), Event header.type, ID header.messageId
// and Time header.date.
func (p *HappyColis) Verify(h http.Header, body []byte) (*Received, error) {
	if err := p.VerifyHeader(h); err != nil {
		return nil, err
	}
	sig := h.Get(HappyColisSignatureHeader)
	got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(sig))
	mac := hmac.New(sha256.New, p.key)
	mac.Write(body)
	if err != nil || !hmac.Equal(got, mac.Sum(nil)) {
		return nil, ErrSignatureMismatch
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("%w: not a {header, body} envelope", ErrMalformedBody)
	}
	switch {
	case env.Header == nil || env.Header.Type == "":
		return nil, fmt.Errorf("%w: no header.type", ErrMalformedBody)
	case len(env.Body) == 0 || env.Body[0] != '{':
		return nil, fmt.Errorf("%w: body is not an object", ErrMalformedBody)
	}
	rc := &Received{Event: env.Header.Type, ID: env.Header.MessageID, Payload: body}
	if env.Header.Date != "" {
		if rc.Time, err = time.Parse(time.RFC3339Nano, env.Header.Date); err != nil {
			return nil, fmt.Errorf("%w: header.date is not an RFC 3339 time", ErrMalformedBody)
		}
	}
	return rc, nil
}

// VerifyHeader checks that the signature header is there (see HeaderVerifier).
func (p *HappyColis) VerifyHeader(h http.Header) error {
	if h.Get(HappyColisSignatureHeader) == "" {
		return fmt.Errorf("%w: no %s header", ErrMissingSignature, strings.ToLower(HappyColisSignatureHeader))
	}
	return nil
}

// stampEnvelope rewrites the given header fields of a {header, body}
// envelope, keeping every other member and its bytes (number formats and
// escapes included) in order; a field the header lacks is appended to it.
func stampEnvelope(payload []byte, fields []headerField) ([]byte, error) {
	top, err := jsontree.DecodeMembers(payload)
	if err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	raw, ok := top.Get("header")
	if !ok {
		return nil, fmt.Errorf("payload: no header object")
	}
	header, err := jsontree.DecodeMembers(raw.(json.RawMessage))
	if err != nil {
		return nil, fmt.Errorf("payload header: %w", err)
	}
	for _, f := range fields {
		header.Set(f.name, json.RawMessage(jsonw.String(nil, f.value)))
	}
	top.Set("header", json.RawMessage(jsontree.Append(nil, header)))
	var out bytes.Buffer
	out.Grow(len(payload) + 64)
	// The generator's payloads are compact already; others may not be.
	if err := json.Compact(&out, jsontree.Append(nil, top)); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
