package main

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Reasons a delivery is refused. Signature problems are 401, the rest 400.
var (
	errMissingSignature = errors.New("missing X-Phasio-Signature header")
	errBadSignature     = errors.New("signature mismatch")
	errDecrypt          = errors.New("payload does not decrypt with this webhook's secret")
	errMalformed        = errors.New("body is not {\"payload\": \"<encrypted payload>\"}")
)

// Webhook verifies and decrypts deliveries of one Phasio webhook. Each Phasio
// webhook has its own secret: a base64url-encoded 32-byte AES-256 key.
type Webhook struct {
	hmacKey []byte // the secret string's UTF-8 bytes, as Phasio signs with them
	aead    cipher.AEAD
}

// NewWebhook checks the secret once, so a bad one fails at start-up.
func NewWebhook(secret string) (*Webhook, error) {
	key, err := decodeBase64URL(secret)
	if err != nil || len(key) != 32 {
		return nil, errors.New("webhook secret is not a base64url-encoded 32-byte key")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Webhook{hmacKey: []byte(secret), aead: aead}, nil
}

// Open checks the signature over the encrypted payload string in constant
// time, then decrypts it (AES-256-GCM, nonce || ciphertext || tag).
func (w *Webhook) Open(signature string, body []byte) ([]byte, error) {
	if signature == "" {
		return nil, errMissingSignature
	}
	var env struct {
		Payload *string `json:"payload"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Payload == nil {
		return nil, errMalformed
	}
	mac := hmac.New(sha256.New, w.hmacKey)
	mac.Write([]byte(*env.Payload))
	got, err := hex.DecodeString(strings.TrimSpace(signature))
	if err != nil || !hmac.Equal(got, mac.Sum(nil)) {
		return nil, errBadSignature
	}
	raw, err := decodeBase64URL(*env.Payload)
	if err != nil {
		return nil, fmt.Errorf("%w: not base64url", errMalformed)
	}
	ns := w.aead.NonceSize()
	if len(raw) < ns+w.aead.Overhead() {
		return nil, fmt.Errorf("%w: shorter than nonce and tag", errMalformed)
	}
	plain, err := w.aead.Open(nil, raw[:ns], raw[ns:], nil)
	if err != nil {
		return nil, errDecrypt
	}
	return plain, nil
}

// decodeBase64URL accepts base64url with or without padding.
func decodeBase64URL(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}
