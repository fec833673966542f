package wire

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"net/http"
	"strings"
	"sync"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/redact"
)

// Phasio wire constants and the defaults of its assumptions (see the
// wire-protocol spec: everything Phasio does not document is an option).
const (
	// PhasioSignatureHeader carries the lowercase hex HMAC-SHA256 of the encrypted payload string.
	PhasioSignatureHeader = "X-Phasio-Signature"
	// TriggerHeader names the Phasio trigger, so one receiver can serve several webhooks.
	TriggerHeader = "X-Orderhooks-Trigger"
	// DeliveryHeader carries Message.ID, so a receiver can spot Phasio redeliveries.
	DeliveryHeader = "X-Orderhooks-Delivery"

	// DefaultPhasioNonceSize is the AES-GCM nonce length in bytes.
	DefaultPhasioNonceSize = 12
	// DefaultPhasioBodyField is the JSON field of the body holding the encrypted payload string.
	DefaultPhasioBodyField = "payload"
	// DefaultPhasioTrigger is what Verify reports when a request has no TriggerHeader.
	DefaultPhasioTrigger = generator.PhasioOrderUpdated
)

// phasioTagSize is GCM's tag; the standard library only pairs custom nonce
// sizes with the full 16-byte tag, which is also the spec's assumption.
const phasioTagSize = 16

// Layout orders the parts of the sealed payload before base64url encoding.
type Layout int

// Layouts of the sealed payload.
const (
	// LayoutNonceFirst is nonce || ciphertext || tag (the spec's assumption).
	LayoutNonceFirst Layout = iota
	// LayoutNonceLast is ciphertext || tag || nonce.
	LayoutNonceLast
)

// HMACKeyForm says which bytes key the Phasio signature.
type HMACKeyForm int

// HMAC key forms.
const (
	// HMACKeySecretString keys the HMAC with the UTF-8 bytes of the secret
	// string as shown to the user (documented by Phasio; the default).
	HMACKeySecretString HMACKeyForm = iota
	// HMACKeyDecoded keys the HMAC with the 32 decoded key bytes.
	HMACKeyDecoded
)

// Phasio is the profile of Phasio's encrypted webhooks: the order is sealed
// with AES-256-GCM under the webhook's secret, sent as
// {"payload":"<base64url(nonce||ciphertext||tag)>"}, and the encrypted
// payload string is signed with HMAC-SHA256 in X-Phasio-Signature.
type Phasio struct {
	shown  // the secret [redacted] under fmt, JSON and slog
	cfg    *config
	keys   *phasioKeys
	rand   randSource
	enc    *base64.Encoding
	prefix []byte    // `{"payload":"`
	seals  sync.Pool // *[]byte scratch for the sealed bytes
}

// phasioKeys is one secret in usable form: the cipher and the signing key.
type phasioKeys struct {
	aead cipher.AEAD
	macs sync.Pool // hash.Hash keyed HMACs, reset before use
}

// NewPhasio checks secret (a base64url-encoded 32-byte key, padded or not)
// and the options once, so a bad secret is a configuration error before
// anything is sent. Errors wrap ErrBadSecret and never contain the secret.
func NewPhasio(secret string, opts ...Option) (*Phasio, error) {
	cfg, err := newConfig(ProviderPhasio, opts)
	if err == nil {
		err = cfg.check()
	}
	if err != nil {
		return nil, err
	}
	key, err := decodePhasioSecret(secret)
	if err != nil {
		return nil, err
	}
	keys, err := newPhasioKeys(cfg, secret, key)
	if err != nil {
		return nil, err
	}
	field, _ := json.Marshal(cfg.field)
	p := &Phasio{
		shown:  redact.Show("wire.Phasio", "secret"),
		cfg:    cfg,
		keys:   keys,
		rand:   cfg.source(),
		enc:    base64.RawURLEncoding,
		prefix: append(append([]byte("{"), field...), `:"`...),
	}
	if cfg.padded {
		p.enc = base64.URLEncoding
	}
	return p, nil
}

// decodePhasioSecret decodes a Phasio secret into its 32 key bytes.
func decodePhasioSecret(secret string) ([]byte, error) {
	key, err := decodeBase64URL(secret)
	if err != nil {
		return nil, badSecret("not base64url (Phasio secrets are the base64url key shown in the dashboard)")
	}
	if len(key) != 32 {
		return nil, badSecret("secret is not a 32-byte key (it decodes to %d bytes; Phasio secrets are the base64url key shown in the dashboard)", len(key))
	}
	return key, nil
}

// decodeBase64URL accepts base64url with or without padding.
func decodeBase64URL(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

func newPhasioKeys(cfg *config, secret string, key []byte) (*phasioKeys, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, badSecret("%v", err)
	}
	var aead cipher.AEAD
	if cfg.nonceSize == 12 {
		aead, err = cipher.NewGCM(block)
	} else {
		aead, err = cipher.NewGCMWithNonceSize(block, cfg.nonceSize)
	}
	if err != nil {
		return nil, fmt.Errorf("wire: phasio cipher: %w", err)
	}
	macKey := []byte(secret)
	if cfg.hmacKey == HMACKeyDecoded {
		macKey = key
	}
	k := &phasioKeys{aead: aead}
	k.macs.New = func() any { return hmac.New(sha256.New, macKey) }
	return k, nil
}

// sign returns the HMAC-SHA256 of the encrypted payload string.
func (k *phasioKeys) sign(payload []byte) []byte {
	mac := k.macs.Get().(hash.Hash)
	mac.Reset()
	mac.Write(payload)
	sum := mac.Sum(make([]byte, 0, sha256.Size))
	k.macs.Put(mac)
	return sum
}

// Name returns "phasio".
func (p *Phasio) Name() string { return ProviderPhasio }

// Build seals msg's payload with a fresh nonce from the profile's random
// source and signs it. Request.Plaintext is msg.Event.Payload itself (not
// a copy). Faults: tamper changes one character of the encrypted payload
// string after signing; bad-signature sends random hex; wrong-key seals and
// signs under a random key; missing-signature drops the header;
// malformed-body cuts the body in half. stale-timestamp does not apply.
func (p *Phasio) Build(msg *Message, fault Fault) (*Request, error) {
	if err := checkMessage(msg, false); err != nil {
		return nil, err
	}
	if err := checkFault(generator.ProviderPhasio, fault); err != nil {
		return nil, err
	}
	keys := p.keys
	if fault == FaultWrongKey {
		var err error
		if keys, err = p.randomKeys(); err != nil {
			return nil, err
		}
	}
	body, err := p.seal(keys, msg.Event.Payload)
	if err != nil {
		return nil, err
	}
	payload := body[len(p.prefix) : len(body)-2]
	sig := keys.sign(payload)
	switch fault {
	case FaultTamper:
		tamperBase64(payload)
	case FaultBadSignature:
		if err := p.rand.fill(sig); err != nil {
			return nil, err
		}
	case FaultMalformedBody:
		body = body[:len(body)/2]
	}
	// One backing array for the header values: Build is the hot path.
	vals := make([]string, 0, 4)
	h := make(http.Header, 4)
	set := func(k, v string) {
		vals = append(vals, v)
		h[k] = vals[len(vals)-1:]
	}
	set("Content-Type", "application/json")
	if fault != FaultMissingSignature {
		var buf [2 * sha256.Size]byte
		set(PhasioSignatureHeader, string(buf[:hex.Encode(buf[:], sig)]))
	}
	if p.cfg.triggerHeader {
		set(TriggerHeader, msg.Event.Event)
	}
	if p.cfg.deliveryHeader && msg.ID != "" {
		set(DeliveryHeader, msg.ID)
	}
	return &Request{Header: h, Body: body, Plaintext: msg.Event.Payload, Fault: fault}, nil
}

// randomKeys makes the keys of another webhook, for the wrong-key fault.
func (p *Phasio) randomKeys() (*phasioKeys, error) {
	key := make([]byte, 32)
	if err := p.rand.fill(key); err != nil {
		return nil, err
	}
	return newPhasioKeys(p.cfg, base64.RawURLEncoding.EncodeToString(key), key)
}

// seal returns the whole body: prefix, the encoded sealed payload, `"}`.
// The sealed bytes live in pooled scratch, so one allocation is the body.
func (p *Phasio) seal(keys *phasioKeys, plaintext []byte) ([]byte, error) {
	ns := p.cfg.nonceSize
	n := ns + len(plaintext) + phasioTagSize
	bp, _ := p.seals.Get().(*[]byte)
	if bp == nil || cap(*bp) < n {
		b := make([]byte, 0, n)
		bp = &b
	}
	defer p.seals.Put(bp)
	sealed := (*bp)[:ns]
	if err := p.rand.fill(sealed); err != nil {
		return nil, err
	}
	if p.cfg.layout == LayoutNonceFirst {
		sealed = keys.aead.Seal(sealed, sealed, plaintext, nil)
	} else {
		var nonce [64]byte
		nb := append(nonce[:0], sealed...)
		sealed = append(keys.aead.Seal((*bp)[:0], nb, plaintext, nil), nb...)
	}
	body := make([]byte, len(p.prefix)+p.enc.EncodedLen(n)+2)
	copy(body, p.prefix)
	p.enc.Encode(body[len(p.prefix):], sealed)
	copy(body[len(body)-2:], `"}`)
	return body, nil
}

// tamperBase64 changes the middle character of an encoded payload to
// another base64url character (the last one may only carry padding bits).
func tamperBase64(s []byte) {
	i := len(s) / 2
	if s[i] == 'A' {
		s[i] = 'B'
	} else {
		s[i] = 'A'
	}
}

// Verify checks X-Phasio-Signature over the encrypted payload string in
// constant time, then decrypts it. Received.Event is the TriggerHeader or
// the configured default trigger, Received.ID the DeliveryHeader; Phasio
// sends no event time, so Received.Time is zero.
func (p *Phasio) Verify(h http.Header, body []byte) (*Received, error) {
	if err := p.VerifyHeader(h); err != nil {
		return nil, err
	}
	sig := h.Get(PhasioSignatureHeader)
	payload, err := p.field(body)
	if err != nil {
		return nil, err
	}
	plain, err := p.open(payload, sig)
	if err != nil {
		return nil, err
	}
	event := h.Get(TriggerHeader)
	if event == "" {
		event = p.cfg.trigger
	}
	return &Received{Event: event, ID: h.Get(DeliveryHeader), Payload: plain}, nil
}

// VerifyHeader checks that X-Phasio-Signature is there (see HeaderVerifier).
func (p *Phasio) VerifyHeader(h http.Header) error {
	if h.Get(PhasioSignatureHeader) == "" {
		return fmt.Errorf("%w: no %s header", ErrMissingSignature, PhasioSignatureHeader)
	}
	return nil
}

// Open decrypts a captured Phasio body ({"payload":"…"}) or a bare encrypted
// payload string (optionally JSON-quoted), checking signature first when it
// is not "". It is the library side of `orderhooks decrypt`.
func (p *Phasio) Open(data []byte, signature string) ([]byte, error) {
	data = bytes.TrimSpace(data)
	var payload []byte
	switch {
	case len(data) > 0 && data[0] == '{':
		var err error
		if payload, err = p.field(data); err != nil {
			return nil, err
		}
	case len(data) > 0 && data[0] == '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return nil, fmt.Errorf("%w: not a JSON string: %v", ErrMalformedBody, err)
		}
		payload = []byte(s)
	default:
		payload = data
	}
	return p.open(payload, signature)
}

// field returns the encrypted payload string of a body. The common
// compact form is sliced out directly; anything else goes through
// encoding/json.
func (p *Phasio) field(body []byte) ([]byte, error) {
	if rest, ok := bytes.CutPrefix(body, p.prefix); ok {
		if s, ok := bytes.CutSuffix(rest, []byte(`"}`)); ok && !bytes.ContainsAny(s, `"\`) {
			return s, nil
		}
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil, fmt.Errorf("%w: not a JSON object", ErrMalformedBody)
	}
	var s string
	if raw, ok := fields[p.cfg.field]; !ok || json.Unmarshal(raw, &s) != nil {
		return nil, fmt.Errorf("%w: no %q string field", ErrMalformedBody, p.cfg.field)
	}
	return []byte(s), nil
}

// open checks the signature (when given), decodes and decrypts payload.
func (p *Phasio) open(payload []byte, signature string) ([]byte, error) {
	if signature != "" {
		got, err := hex.DecodeString(strings.TrimSpace(signature))
		if err != nil || !hmac.Equal(got, p.keys.sign(payload)) {
			return nil, ErrSignatureMismatch
		}
	}
	payload = bytes.TrimRight(payload, "=")
	raw := make([]byte, base64.RawURLEncoding.DecodedLen(len(payload)))
	n, err := base64.RawURLEncoding.Decode(raw, payload)
	if err != nil {
		return nil, fmt.Errorf("%w: payload is not base64url", ErrMalformedBody)
	}
	raw = raw[:n]
	ns := p.cfg.nonceSize
	if len(raw) < ns+phasioTagSize {
		return nil, ErrPayloadTooShort
	}
	nonce, sealed := raw[:ns], raw[ns:]
	if p.cfg.layout == LayoutNonceLast {
		nonce, sealed = raw[len(raw)-ns:], raw[:len(raw)-ns]
	}
	plain, err := p.keys.aead.Open(sealed[:0], nonce, sealed, nil)
	if err != nil {
		return nil, ErrDecrypt
	}
	if !json.Valid(plain) {
		return nil, fmt.Errorf("%w: decrypted payload is not JSON", ErrMalformedBody)
	}
	return plain, nil
}
