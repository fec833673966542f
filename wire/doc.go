// Package wire is what goes on the wire: each platform's webhook format as
// a Profile that builds the exact HTTP request the platform sends for an
// event, and checks such a request on the receiving side.
//
// A Profile is one platform's wire format: NewPhasio (AES-256-GCM
// encrypt-then-sign, X-Phasio-Signature), NewHappyColis (the {header, body}
// envelope, x-happycolis-webhook-signature) and NewStandard (Standard
// Webhooks, whsec_ secrets, several signatures while keys rotate), or
// New. Profile.Build makes the request for one Message, with an
// optional request-level Fault (tamper, bad-signature, wrong-key,
// missing-signature, stale-timestamp, malformed-body); Profile.Verify is the
// receiving side. Randomness comes from WithRand, so the known-answer
// vectors (testdata/vectors at the module root) reproduce byte for byte.
//
// Everything the Phasio documentation leaves open is a Option whose
// default is the project's wire-protocol assumption: 12-byte nonce laid out
// nonce||ciphertext||tag (WithNonceSize, WithLayout), unpadded base64url
// (WithPadding; decoding accepts both), body field "payload"
// (WithBodyField), HMAC keyed with the secret string's bytes (WithHMACKey),
// and the X-Orderhooks-Trigger / X-Orderhooks-Delivery headers
// (WithTriggerHeader, WithDeliveryHeader, WithDefaultTrigger).
//
// Secrets are given as a literal, env:NAME or file:PATH (ResolveSecret) and
// made with NewSecret. No error of this package contains a secret.
//
// Sign builds one request from a payload and explains each step (the key
// derivation, the signed input, the digest and its encoding) without the
// secret; Resign signs another JSON form of the same message; MisSign
// signs it the ways receivers commonly get a signature wrong.
package wire
