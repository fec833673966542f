package wire

import (
	"fmt"
	"strings"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/provider"
)

// Header names and defaults of the built-in definitions, for Go code that
// reads requests (a test of the package checks them against the
// definitions).
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

	// HappyColisSignatureHeader carries the standard base64 (padded)
	// HMAC-SHA256 of the exact body bytes, keyed with the client secret.
	HappyColisSignatureHeader = "X-Happycolis-Webhook-Signature"

	StandardIDHeader        = "Webhook-Id"
	StandardTimestampHeader = "Webhook-Timestamp"
	StandardSignatureHeader = "Webhook-Signature"
	// DefaultTolerance is how far webhook-timestamp may be from Verify's clock.
	DefaultTolerance = 5 * time.Minute
)

// Layout orders the parts of the sealed payload before it is encoded.
type Layout int

// Layouts of the sealed payload.
const (
	// LayoutNonceFirst is nonce || ciphertext || tag (Phasio's assumption).
	LayoutNonceFirst Layout = iota
	// LayoutNonceLast is ciphertext || tag || nonce.
	LayoutNonceLast
)

// HMACKeyForm says which bytes of an encoded secret key the HMAC.
type HMACKeyForm int

// HMAC key forms.
const (
	// HMACKeySecretString keys the HMAC with the UTF-8 bytes of the secret
	// string as shown to the user (documented by Phasio).
	HMACKeySecretString HMACKeyForm = iota
	// HMACKeyDecoded keys the HMAC with the decoded key bytes.
	HMACKeyDecoded
)

// New builds the built-in profile called provider ("phasio",
// "happycolis" or "standard"): its embedded definition compiled
// (provider.Builtin), with opts; an option its definition has nothing
// for is refused. Phasio and HappyColis take exactly one secret;
// Standard Webhooks takes one or more (all of them sign, for key
// rotation).
func New(provider string, secrets []string, opts ...Option) (Profile, error) {
	def, err := builtin(provider)
	if err != nil {
		return nil, err
	}
	return NewFromDefinition(def, secrets, opts...)
}

// NewFromDefinition is New for any provider definition (a built-in's, or
// one read with provider.Load): def compiled with every secret, which all
// sign (more than one only for definitions whose signatures are joined,
// such as Standard Webhooks while keys rotate).
func NewFromDefinition(def *provider.Definition, secrets []string, opts ...Option) (Profile, error) {
	p, err := compile(def, secrets, newConfig(opts))
	if err != nil {
		return nil, err
	}
	return p, nil
}

// builtin is the built-in definition called name, or the
// ErrUnknownProvider error New gives.
func builtin(name string) (*provider.Definition, error) {
	def, err := provider.Lookup(name)
	if err != nil {
		return nil, unknownProvider(name)
	}
	return def, nil
}

// NewPhasio is the Phasio profile: the order sealed with AES-256-GCM
// under the webhook's secret (a base64url-encoded 32-byte key, padded or
// not), sent as {"payload":"<base64url(nonce||ciphertext||tag)>"}, the
// encrypted payload string signed with HMAC-SHA256 in X-Phasio-Signature.
// A bad secret is a configuration error before anything is sent; errors
// wrap ErrBadSecret and never contain the secret.
func NewPhasio(secret string, opts ...Option) (*Compiled, error) {
	return compile(provider.MustBuiltin(ProviderPhasio), []string{secret}, newConfig(opts))
}

// NewHappyColis is the HappyColis profile for one application's client
// secret (any non-empty string; its UTF-8 bytes key the HMAC): the
// generator's {header, body} envelope with header.messageId set to
// Message.ID, signed over its exact bytes.
func NewHappyColis(secret string, opts ...Option) (*Compiled, error) {
	return compile(provider.MustBuiltin(ProviderHappyColis), []string{secret}, newConfig(opts))
}

// NewStandard is the Standard Webhooks profile for one or more keys: the
// body is {"type":…,"timestamp":…,"data":<event payload>} and
// webhook-signature holds one signature of "id.timestamp.body" per key,
// space-separated: "v1,<base64 HMAC-SHA256>" for a whsec_ secret (the
// prefix is optional; base64 padded or not), "v1a,<base64 Ed25519>" for a
// whsk_ secret key (NewKeyPair). Every key signs; Verify accepts a
// signature by any of them, and a whpk_ public key verifies v1a
// signatures without being able to sign.
func NewStandard(secrets []string, opts ...Option) (*Compiled, error) {
	return compile(provider.MustBuiltin(ProviderStandard), secrets, newConfig(opts))
}

// unknownProvider is the error of a provider name that is not a profile's.
func unknownProvider(name string) error {
	return &OptionError{Package: "wire", Option: "provider", Value: name,
		Want: "not one of " + strings.Join(Providers(), ", "), Known: Providers(), Err: ErrUnknownProvider}
}

// badSecret is the error of a secret the profile cannot use: what is wrong
// and what is expected, never the secret.
func badSecret(format string, args ...any) error {
	return &OptionError{Package: "wire", Option: "secret", Want: fmt.Sprintf(format, args...), Err: ErrBadSecret}
}
