package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
)

var (
	errMissingSignature = errors.New("missing x-happycolis-webhook-signature header")
	errBadSignature     = errors.New("signature mismatch")
)

// verify checks x-happycolis-webhook-signature: standard base64 of
// HMAC-SHA256 over the exact body bytes, keyed with the client secret.
func verify(clientSecret []byte, signature string, body []byte) error {
	if signature == "" {
		return errMissingSignature
	}
	got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(signature))
	if err != nil {
		return errBadSignature
	}
	mac := hmac.New(sha256.New, clientSecret)
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return errBadSignature
	}
	return nil
}
