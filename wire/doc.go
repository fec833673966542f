// Package wire is what goes on the wire: each platform's webhook format as
// a Profile that builds the exact HTTP request the platform sends for an
// event, and checks such a request on the receiving side.
//
// A Profile is one provider's wire format. Compile compiles a provider
// definition (package provider: a provider described as data) into one:
// the signing templates and schemes (HMAC-SHA256, HMAC-SHA512, Ed25519),
// key derivations, digest encodings and signature prefixes, timestamp and
// id, the optional AES-256-GCM envelope, the body's envelope and stamps
// are all the definition's, and one implementation builds and verifies
// every provider. The built-in profiles are the built-in definitions
// compiled: NewPhasio (AES-256-GCM encrypt-then-sign, X-Phasio-Signature),
// NewHappyColis (the {header, body} envelope,
// x-happycolis-webhook-signature) and NewStandard (Standard Webhooks,
// whsec_ secrets, several signatures while keys rotate), or New by name.
// Profile.Build makes the request for one Message, with an
// optional request-level Fault (tamper, bad-signature, wrong-key,
// missing-signature, stale-timestamp, malformed-body); Profile.Verify is the
// receiving side. Randomness comes from WithRand, so the known-answer
// vectors (testdata/vectors at the module root) reproduce byte for byte.
//
// Everything the Phasio documentation leaves open is an Option whose
// default is the definition's assumption: 12-byte nonce laid out
// nonce||ciphertext||tag (WithNonceSize, WithLayout), unpadded base64url
// (WithPadding; decoding accepts both), body field "payload"
// (WithBodyField), HMAC keyed with the secret string's bytes (WithHMACKey),
// and the X-Orderhooks-Trigger / X-Orderhooks-Delivery headers
// (WithTriggerHeader, WithDeliveryHeader, WithDefaultTrigger).
//
// Secrets are given as a literal, env:NAME or file:PATH (ResolveSecret) and
// made with NewSecret (NewDefinitionSecret for any definition). No error
// of this package contains a secret.
//
// Sign (SignDefinition) builds one request from a payload and explains
// each step (the key derivation, the signed input, the digest and its
// encoding) without the secret; Resign signs another JSON form of the
// same message; MisSign signs it the ways receivers commonly get a
// signature wrong (Mistakes, derived from the definition's facts).
package wire
