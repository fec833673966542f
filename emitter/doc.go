// Package emitter turns generator events into the exact HTTP requests the
// order platforms send, delivers them, and receives them.
//
// A Profile is one platform's wire format: NewPhasio (AES-256-GCM
// encrypt-then-sign, X-Phasio-Signature), NewHappyColis (the {header, body}
// envelope, x-happycolis-webhook-signature) and NewStandard (Standard
// Webhooks, whsec_ secrets, several signatures while keys rotate), or
// ProfileByName. Profile.Build makes the request for one Message, with an
// optional request-level Fault (tamper, bad-signature, wrong-key,
// missing-signature, stale-timestamp, malformed-body); Profile.Verify is the
// receiving side. Randomness comes from WithRand, so the known-answer
// vectors in testdata/vectors reproduce byte for byte.
//
// Everything the Phasio documentation leaves open is a PhasioOption whose
// default is the project's wire-protocol assumption: 12-byte nonce laid out
// nonce||ciphertext||tag (WithNonceSize, WithLayout), unpadded base64url
// (WithPadding; decoding accepts both), body field "payload"
// (WithBodyField), HMAC keyed with the secret string's bytes (WithHMACKey),
// and the X-Orderhooks-Trigger / X-Orderhooks-Delivery headers
// (WithTriggerHeader, WithDeliveryHeader, WithDefaultTrigger).
//
// Secrets are given as a literal, env:NAME or file:PATH (ResolveSecret) and
// made with NewSecret. No error, record or log line of this package
// contains a secret.
//
// Receiver is the verifying receiver behind `orderhooks receive`, the demo
// and the contract tests: it verifies, decrypts and validates deliveries,
// keeps the newest snapshot per order at GET /orders/{key}, ignores stale
// snapshots and counts duplicates. StartReceiver runs one on a loopback
// port, like httptest.NewServer.
package emitter
