package wire

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/orderhooks/orderhooks/internal/jsonw"
	"github.com/orderhooks/orderhooks/internal/platform"
	"github.com/orderhooks/orderhooks/internal/redact"
)

// Standard Webhooks headers, and the verification tolerance the
// specification recommends.
const (
	StandardIDHeader        = "Webhook-Id"
	StandardTimestampHeader = "Webhook-Timestamp"
	StandardSignatureHeader = "Webhook-Signature"
	// DefaultTolerance is how far webhook-timestamp may be from Verify's clock.
	DefaultTolerance = 5 * time.Minute
	// standardSecretPrefix marks Standard Webhooks secrets.
	standardSecretPrefix = "whsec_"
)

// Standard is the Standard Webhooks profile, for receivers of any platform:
// the body is {"type":…,"timestamp":…,"data":<event payload>} and
// webhook-signature holds "v1,<base64 HMAC-SHA256 of id.timestamp.body>",
// one per secret while keys rotate.
type Standard struct {
	shown // the secrets [redacted] under fmt, JSON and slog
	keys  [][]byte
	cfg   *config
	rand  randSource
}

// NewStandard returns the profile for one or more whsec_ secrets (the
// prefix is optional; base64 padded or not). All of them sign; Verify
// accepts a signature by any of them.
func NewStandard(secrets []string, opts ...Option) (*Standard, error) {
	cfg, err := newConfig(ProviderStandard, opts)
	if err == nil {
		err = cfg.check()
	}
	if err != nil {
		return nil, err
	}
	if len(secrets) == 0 {
		return nil, badSecret("none given (the standard profile needs at least one)")
	}
	p := &Standard{shown: redact.Show("wire.Standard", "secrets"), cfg: cfg, rand: cfg.source()}
	for i, s := range secrets {
		key, err := decodeStandardSecret(s)
		if err != nil {
			if len(secrets) > 1 {
				return nil, badSecret("secret %d: %v", i+1, err)
			}
			return nil, badSecret("%v", err)
		}
		p.keys = append(p.keys, key)
	}
	return p, nil
}

func decodeStandardSecret(s string) ([]byte, error) {
	b64 := strings.TrimRight(strings.TrimPrefix(s, standardSecretPrefix), "=")
	key, err := base64.RawStdEncoding.DecodeString(b64)
	switch {
	case err != nil:
		return nil, fmt.Errorf("not %s followed by base64 (Standard Webhooks secrets look like whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw)", standardSecretPrefix)
	case len(key) == 0:
		return nil, fmt.Errorf("empty key")
	}
	return key, nil
}

// Name returns "standard".
func (p *Standard) Name() string { return ProviderStandard }

func (p *Standard) sign(key []byte, id, ts string, body []byte) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id))
	mac.Write([]byte{'.'})
	mac.Write([]byte(ts))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return mac.Sum(nil)
}

// Build wraps msg's payload as data, with webhook-id Message.ID and
// webhook-timestamp Message.Time (which must be the send time: receivers
// reject timestamps off their clock). Faults: tamper changes a digit
// after signing; bad-signature sends random signatures; wrong-key signs
// with a random key; missing-signature drops webhook-signature;
// stale-timestamp signs a timestamp twice the tolerance in the past;
// malformed-body sends (and signs) the first half of the body.
func (p *Standard) Build(msg *Message, fault Fault) (*Request, error) {
	if err := checkMessage(msg, true); err != nil {
		return nil, err
	}
	if err := checkFault(p.Name(), fault); err != nil {
		return nil, err
	}
	at := msg.Time
	if fault == FaultStaleTimestamp {
		at = at.Add(-2 * p.cfg.tolerance)
	}
	body := jsonw.String([]byte(`{"type":`), platform.StandardType(msg.Event.Event))
	if p.cfg.timestampField {
		body = jsonw.String(append(body, `,"timestamp":`...), msg.Time.UTC().Format(time.RFC3339Nano))
	}
	body = append(append(append(body, `,"data":`...), msg.Event.Payload...), '}')
	if fault == FaultMalformedBody {
		body = body[:len(body)/2]
	}
	ts := strconv.FormatInt(at.Unix(), 10)
	keys := p.keys
	if fault == FaultWrongKey {
		key := make([]byte, 32)
		if err := p.rand.fill(key); err != nil {
			return nil, err
		}
		keys = [][]byte{key}
	}
	sigs := make([]string, len(keys))
	for i, k := range keys {
		sum := p.sign(k, msg.ID, ts, body)
		if fault == FaultBadSignature {
			if err := p.rand.fill(sum); err != nil {
				return nil, err
			}
		}
		sigs[i] = "v1," + base64.StdEncoding.EncodeToString(sum)
	}
	if fault == FaultTamper {
		body = tamperJSON(body)
	}
	h := http.Header{
		"Content-Type":          {"application/json"},
		StandardIDHeader:        {msg.ID},
		StandardTimestampHeader: {ts},
	}
	if fault != FaultMissingSignature {
		h[StandardSignatureHeader] = []string{strings.Join(sigs, " ")}
	}
	return &Request{Header: h, Body: body, Plaintext: msg.Event.Payload, Fault: fault}, nil
}

// Verify checks webhook-signature (any v1 signature by any secret, in
// constant time), then the timestamp against the clock and tolerance, then
// decodes the body. Received.Payload is the body's data, Event its type,
// ID webhook-id and Time webhook-timestamp.
func (p *Standard) Verify(h http.Header, body []byte) (*Received, error) {
	if err := p.VerifyHeader(h); err != nil {
		return nil, err
	}
	sigs := strings.Join(h.Values(StandardSignatureHeader), " ")
	id, ts := h.Get(StandardIDHeader), h.Get(StandardTimestampHeader)
	if !p.anySignature(sigs, id, ts, body) {
		return nil, ErrSignatureMismatch
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%w: webhook-timestamp is not Unix seconds", ErrStaleTimestamp)
	}
	at := time.Unix(sec, 0)
	if d := p.cfg.now().Sub(at); d > p.cfg.tolerance || d < -p.cfg.tolerance {
		return nil, fmt.Errorf("%w: webhook-timestamp is %s off", ErrStaleTimestamp, d.Round(time.Second))
	}
	var msg struct {
		Type *string         `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &msg); err != nil {
		return nil, fmt.Errorf("%w: not a JSON object", ErrMalformedBody)
	}
	if msg.Type == nil || len(msg.Data) == 0 {
		return nil, fmt.Errorf("%w: type and data are required", ErrMalformedBody)
	}
	return &Received{Event: *msg.Type, ID: id, Time: at, Payload: msg.Data}, nil
}

// VerifyHeader checks that webhook-signature, webhook-id and
// webhook-timestamp are there (see HeaderVerifier).
func (p *Standard) VerifyHeader(h http.Header) error {
	switch {
	case strings.TrimSpace(strings.Join(h.Values(StandardSignatureHeader), " ")) == "":
		return fmt.Errorf("%w: no webhook-signature header", ErrMissingSignature)
	case h.Get(StandardIDHeader) == "" || h.Get(StandardTimestampHeader) == "":
		return fmt.Errorf("%w: webhook-id and webhook-timestamp are required", ErrMissingSignature)
	}
	return nil
}

// anySignature reports whether one of the space-separated v1 signatures
// matches one of the secrets; other versions are ignored.
func (p *Standard) anySignature(sigs, id, ts string, body []byte) bool {
	want := make([][]byte, len(p.keys))
	for i, k := range p.keys {
		want[i] = p.sign(k, id, ts, body)
	}
	for _, s := range strings.Fields(sigs) {
		b64, ok := strings.CutPrefix(s, "v1,")
		if !ok {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			continue
		}
		for _, w := range want {
			if hmac.Equal(got, w) {
				return true
			}
		}
	}
	return false
}
