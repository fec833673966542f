package wire

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/ids"
)

// ErrSign is wrapped by Sign and Resign for input they cannot sign.
var ErrSign = errors.New("wire: cannot sign")

// SignOptions fix what Sign would otherwise draw, so its output is
// reproducible (a receiver author compares against it byte for byte).
type SignOptions struct {
	// Nonce is Phasio's AES-GCM nonce (DefaultPhasioNonceSize bytes;
	// default random).
	Nonce []byte
	// ID is HappyColis header.messageId (default: the payload's own, or a
	// fresh UUID when it has none) or Standard webhook-id (default a fresh
	// UUID). Phasio requests carry no id.
	ID string
	// Timestamp is Standard webhook-timestamp (default now).
	Timestamp time.Time
}

// Signed is a request exactly as a platform sends it, with the steps that
// made it: the key derivation, what was signed, the digest and its
// encoding. No step ever holds the secret.
type Signed struct {
	Header http.Header
	Body   []byte
	Steps  []Step
}

// Step is one step of building a signed request.
type Step struct {
	// Name says what the step makes, e.g. "HMAC key" or "signed input".
	Name string
	// Detail says how and shows the (public) result, e.g. its first bytes
	// and length.
	Detail string
}

// Sign builds the request provider's platform sends for payload, as
// documented (see the wire-protocol notes of each profile), with no
// orderhooks header:
//
//   - phasio: payload is the order JSON; it is sealed with AES-256-GCM
//     under the base64url-decoded secret, sent as {"payload":"<base64url
//     nonce||ciphertext||tag>"}, and X-Phasio-Signature is the hex
//     HMAC-SHA256 of that encrypted payload string keyed with the secret
//     string's UTF-8 bytes.
//   - happycolis: payload is the {header, body} envelope; header.messageId
//     is stamped and x-happycolis-webhook-signature is the padded standard
//     base64 HMAC-SHA256 of the exact body bytes keyed with the client
//     secret's UTF-8 bytes.
//   - standard: payload is the body, signed as given: webhook-signature is
//     "v1," and the base64 HMAC-SHA256 of "<id>.<timestamp>.<body>" keyed
//     with the base64-decoded whsec_ secret.
//
// Errors wrap ErrBadSecret (never showing the secret), ErrSign or
// ErrUnknownProvider.
func Sign(provider, secret string, payload []byte, o SignOptions) (*Signed, error) {
	if !json.Valid(payload) {
		return nil, fmt.Errorf("%w: the payload is not JSON", ErrSign)
	}
	switch provider {
	case generator.ProviderPhasio:
		return signPhasio(secret, payload, o)
	case generator.ProviderHappyColis:
		return signHappyColis(secret, payload, o)
	case ProviderStandard:
		return signStandard(secret, payload, o)
	}
	return nil, unknownProvider(provider)
}

// head shows the first bytes of b and its length, for explanations.
func head(b []byte) string {
	const n = 48
	if len(b) <= n {
		return fmt.Sprintf("%q (%d bytes)", b, len(b))
	}
	return fmt.Sprintf("%q… (%d bytes)", b[:n], len(b))
}

func signPhasio(secret string, payload []byte, o SignOptions) (*Signed, error) {
	opts := []Option{WithTriggerHeader(false), WithDeliveryHeader(false)}
	if o.Nonce != nil {
		if len(o.Nonce) != DefaultPhasioNonceSize {
			return nil, fmt.Errorf("%w: the nonce must be %d bytes, got %d", ErrSign, DefaultPhasioNonceSize, len(o.Nonce))
		}
		opts = append(opts, WithRand(bytes.NewReader(o.Nonce)))
	}
	if o.ID != "" || !o.Timestamp.IsZero() {
		return nil, fmt.Errorf("%w: Phasio requests carry no message id or timestamp", ErrSign)
	}
	p, err := NewPhasio(secret, opts...)
	if err != nil {
		return nil, err
	}
	req, err := p.Build(&Message{Event: &generator.Event{Provider: generator.ProviderPhasio, Payload: payload}}, FaultNone)
	if err != nil {
		return nil, err
	}
	enc, err := p.field(req.Body)
	if err != nil {
		return nil, err
	}
	sealed, _ := base64.RawURLEncoding.DecodeString(string(enc))
	padding := "unpadded"
	if strings.HasSuffix(secret, "=") {
		padding = "padded"
	}
	sig := req.Header.Get(PhasioSignatureHeader)
	return &Signed{Header: req.Header, Body: req.Body, Steps: []Step{
		{"secret", fmt.Sprintf("base64url, %d characters (%s), as the webhook shows it; not printed", len(secret), padding)},
		{"AES-256 key", "the secret base64url-decoded: 32 bytes"},
		{"nonce", fmt.Sprintf("%d bytes: %x", DefaultPhasioNonceSize, sealed[:DefaultPhasioNonceSize])},
		{"plaintext", "the order JSON as given: " + head(payload)},
		{"sealed", fmt.Sprintf("AES-256-GCM(key, nonce, plaintext), no associated data: nonce || ciphertext || 16-byte tag = %d bytes", len(sealed))},
		{"encrypted payload string", "base64url without padding of the sealed bytes: " + head(enc)},
		{"body", `{"payload":"<encrypted payload string>"}, compact: ` + head(req.Body)},
		{"HMAC key", fmt.Sprintf("the UTF-8 bytes of the secret string as shown (%d bytes), not the decoded key", len(secret))},
		{"signed input", "the encrypted payload string, not the body: " + head(enc)},
		{"digest", "HMAC-SHA256: " + sig},
		{"encoding", "lowercase hex, 64 characters, in " + PhasioSignatureHeader},
	}}, nil
}

func signHappyColis(secret string, payload []byte, o SignOptions) (*Signed, error) {
	if o.Nonce != nil || !o.Timestamp.IsZero() {
		return nil, fmt.Errorf("%w: HappyColis requests carry no nonce or timestamp", ErrSign)
	}
	p, err := NewHappyColis(secret)
	if err != nil {
		return nil, err
	}
	if _, err := stampEnvelope(payload, nil); err != nil {
		return nil, fmt.Errorf("%w: not a HappyColis {header, body} envelope: %s", ErrSign, strings.TrimPrefix(err.Error(), "payload: "))
	}
	id := o.ID
	if id == "" {
		var env envelope
		if json.Unmarshal(payload, &env) == nil && env.Header != nil {
			id = env.Header.MessageID
		}
	}
	if id == "" {
		id = ids.New()
	}
	req, err := p.Build(&Message{Event: &generator.Event{Provider: generator.ProviderHappyColis, Payload: payload}, ID: id}, FaultNone)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSign, err)
	}
	sig := req.Header.Get(HappyColisSignatureHeader)
	digest, _ := base64.StdEncoding.DecodeString(sig)
	return &Signed{Header: req.Header, Body: req.Body, Steps: []Step{
		{"HMAC key", fmt.Sprintf("the client secret's UTF-8 bytes as given (%d bytes), not hex- or base64-decoded; not printed", len(secret))},
		{"body", "the {header, body} envelope, compact, with header.messageId " + id + ": " + head(req.Body)},
		{"signed input", "the exact body bytes: " + head(req.Body)},
		{"digest", "HMAC-SHA256: " + hex.EncodeToString(digest)},
		{"encoding", "standard base64 with padding, in " + strings.ToLower(HappyColisSignatureHeader) + ": " + sig},
	}}, nil
}

func signStandard(secret string, payload []byte, o SignOptions) (*Signed, error) {
	if o.Nonce != nil {
		return nil, fmt.Errorf("%w: Standard Webhooks requests carry no nonce", ErrSign)
	}
	p, err := NewStandard([]string{secret})
	if err != nil {
		return nil, err
	}
	id := o.ID
	if id == "" {
		id = ids.New()
	}
	at := o.Timestamp
	if at.IsZero() {
		at = time.Now()
	}
	ts := strconv.FormatInt(at.Unix(), 10)
	base := &Request{Header: http.Header{"Content-Type": {"application/json"}, StandardIDHeader: {id}, StandardTimestampHeader: {ts}}}
	req, err := Resign(p, base, payload)
	if err != nil {
		return nil, err
	}
	sig := req.Header.Get(StandardSignatureHeader)
	digest, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(sig, "v1,"))
	input := append([]byte(id+"."+ts+"."), payload...)
	return &Signed{Header: req.Header, Body: req.Body, Steps: []Step{
		{"HMAC key", fmt.Sprintf("the secret without its %q prefix, base64-decoded: %d bytes (not the secret string); not printed", standardSecretPrefix, len(p.keys[0]))},
		{"signed input", "<webhook-id>.<webhook-timestamp>.<body>: " + head(input)},
		{"digest", "HMAC-SHA256: " + hex.EncodeToString(digest)},
		{"encoding", `"v1," and standard base64 with padding, in ` + strings.ToLower(StandardSignatureHeader) + ": " + sig},
	}}, nil
}

// Resign returns req with body in place of its body, signed as p signs:
// HappyColis and Standard sign the exact body bytes, so their signature
// is computed again over body (Standard keeps req's webhook-id and
// webhook-timestamp); Phasio signs the encrypted payload string, so body
// must carry req's string (in any JSON form, e.g. indented or with
// escapes) and the headers are kept. It makes the same message in another
// legal JSON form.
func Resign(p Profile, req *Request, body []byte) (*Request, error) {
	out := &Request{Header: req.Header.Clone(), Body: body, Plaintext: req.Plaintext, Fault: req.Fault}
	switch p := p.(type) {
	case *Phasio:
		was, err := p.field(req.Body)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrSign, err)
		}
		now, err := p.field(body)
		if err != nil || !bytes.Equal(was, now) {
			return nil, fmt.Errorf("%w: a Phasio body must keep its encrypted payload string", ErrSign)
		}
	case *HappyColis:
		out.Header.Set(HappyColisSignatureHeader, p.sign(p.key, body))
	case *Standard:
		id, ts := req.Header.Get(StandardIDHeader), req.Header.Get(StandardTimestampHeader)
		if id == "" || ts == "" {
			return nil, fmt.Errorf("%w: no webhook-id or webhook-timestamp to sign", ErrSign)
		}
		sigs := make([]string, len(p.keys))
		for i, k := range p.keys {
			sigs[i] = "v1," + base64.StdEncoding.EncodeToString(p.sign(k, id, ts, body))
		}
		out.Header.Set(StandardSignatureHeader, strings.Join(sigs, " "))
	default:
		return nil, fmt.Errorf("%w: profile %s", ErrSign, p.Name())
	}
	return out, nil
}

// hmacSHA256 is the HMAC-SHA256 of msg under key.
func hmacSHA256(key, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)
}
