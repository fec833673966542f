package wire

import (
	"crypto/ed25519"
	"fmt"
	"io"
	"strings"

	"github.com/orderhooks/orderhooks/internal/input"
	"github.com/orderhooks/orderhooks/provider"
)

// Secret spec prefixes understood by ResolveSecret.
const (
	SecretEnvPrefix  = "env:"
	SecretFilePrefix = "file:"
)

// ResolveSecret turns a secret spec into the secret: "env:NAME" reads the
// environment variable NAME through getenv, "file:PATH" reads the file
// (at most 64 KiB, without its trailing newline), anything else is the
// secret itself.
// Errors are *OptionError values for option "secret" (wrapping
// ErrBadSecret) that name the variable or file, never the value.
func ResolveSecret(spec string, getenv func(string) string) (string, error) {
	if name, ok := strings.CutPrefix(spec, SecretEnvPrefix); ok {
		v := getenv(name)
		if v == "" {
			return "", badSecret("environment variable %s is empty or unset", name)
		}
		return v, nil
	}
	if path, ok := strings.CutPrefix(spec, SecretFilePrefix); ok {
		b, err := input.ReadFile(path, input.SecretFile)
		if err != nil {
			// The error names the file and the cause, never the content.
			return "", badSecret("%v", err)
		}
		v := strings.TrimRight(string(b), "\r\n")
		if v == "" {
			return "", badSecret("file %s is empty", path)
		}
		return v, nil
	}
	if spec == "" {
		return "", badSecret("none given")
	}
	return spec, nil
}

// NewSecret returns a fresh secret for the built-in provider, read from
// rand: for phasio a base64url (unpadded) 32-byte AES key, for happycolis
// a 64-character hex client secret, for standard "whsec_" and the
// standard base64 of 24 key bytes (see NewDefinitionSecret).
func NewSecret(provider string, rand io.Reader) (string, error) {
	def, err := builtin(provider)
	if err != nil {
		return "", err
	}
	return NewDefinitionSecret(def, "", rand)
}

// NewDefinitionSecret returns a fresh secret of def's scheme called
// scheme ("" for the first), as its generate section says: that many
// random bytes from rand, written in the secret's form (prefix and
// encoding; a text secret writes them as generate.as says).
func NewDefinitionSecret(def *provider.Definition, scheme string, rand io.Reader) (string, error) {
	s := def.Signing()
	if s == nil {
		return "", badSecret("%s requests are not signed: there is no secret to make", def.Name())
	}
	var sc *provider.Scheme
	var names []string
	for i := range s.Schemes {
		names = append(names, s.Schemes[i].Name)
		if scheme == "" || s.Schemes[i].Name == scheme {
			sc = &s.Schemes[i]
			break
		}
	}
	if sc == nil {
		return "", &OptionError{Package: "wire", Option: "scheme", Value: scheme,
			Want: fmt.Sprintf("one of %s's signing schemes: %s", def.Name(), strings.Join(names, ", ")), Known: names, Err: ErrOptions}
	}
	n := 32
	if sc.Generate != nil && sc.Generate.Bytes > 0 {
		n = sc.Generate.Bytes
	}
	key := make([]byte, n)
	if _, err := io.ReadFull(rand, key); err != nil {
		return "", fmt.Errorf("wire: reading randomness: %w", err)
	}
	enc := sc.Secret.Encoding
	if enc == provider.EncodingText {
		enc = provider.EncodingHex
		if sc.Generate != nil && sc.Generate.As != "" {
			enc = sc.Generate.As
		}
	}
	return sc.Secret.Prefix + encodeSecret(enc, key), nil
}

// NewKeyPair returns a fresh Ed25519 key pair for the built-in provider's
// asymmetric scheme (Standard Webhooks v1a), read from rand: the secret
// key that signs ("whsk_" and the standard base64 of the 32-byte seed) and
// the public key a receiver verifies with ("whpk_…").
func NewKeyPair(provider string, rand io.Reader) (secret, public string, err error) {
	def, err := builtin(provider)
	if err != nil {
		return "", "", err
	}
	return NewDefinitionKeyPair(def, "", rand)
}

// NewDefinitionKeyPair returns a fresh key pair of def's Ed25519 scheme
// called scheme ("" for the first Ed25519 scheme), each key written in
// its form (prefix and encoding).
func NewDefinitionKeyPair(def *provider.Definition, scheme string, rand io.Reader) (secret, public string, err error) {
	sc, err := ed25519Scheme(def, scheme)
	if err != nil {
		return "", "", err
	}
	seed := make([]byte, ed25519.SeedSize)
	if _, err := io.ReadFull(rand, seed); err != nil {
		return "", "", fmt.Errorf("wire: reading randomness: %w", err)
	}
	pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	return sc.Secret.Prefix + encodeSecret(sc.Secret.Encoding, seed), sc.Public.Prefix + encodeSecret(sc.Public.Encoding, pub), nil
}

// PublicKey returns the public key of an Ed25519 secret key of def
// (whsk_… for Standard Webhooks), written as its scheme's public form
// (whpk_…): what a receiver is given to verify.
func PublicKey(def *provider.Definition, secret string) (string, error) {
	sc, err := ed25519Scheme(def, "")
	if err != nil {
		return "", err
	}
	cs, err := compileScheme(0, *sc, nil)
	if err != nil {
		return "", err
	}
	k, err := makeKey(def.Name(), cs, sc.Secret, secret, false)
	if err != nil {
		return "", err
	}
	return sc.Public.Prefix + encodeSecret(sc.Public.Encoding, k.pub), nil
}

// ed25519Scheme finds def's Ed25519 scheme called name, or the first.
func ed25519Scheme(def *provider.Definition, name string) (*provider.Scheme, error) {
	s := def.Signing()
	if s != nil {
		for i := range s.Schemes {
			if sc := &s.Schemes[i]; sc.Algorithm == provider.AlgorithmEd25519 && (name == "" || sc.Name == name) && sc.Public != nil {
				return sc, nil
			}
		}
	}
	return nil, &OptionError{Package: "wire", Option: "asymmetric", Value: name,
		Want: fmt.Sprintf("%s has no Ed25519 signing scheme", def.Name()), Err: ErrOptions}
}
