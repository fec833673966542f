package wire

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/input"
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

// NewSecret returns a fresh secret for provider, read from rand: for
// phasio a base64url (unpadded) 32-byte AES key, for happycolis a
// 64-character hex client secret, for standard "whsec_" and the standard
// base64 of 24 key bytes.
func NewSecret(provider string, rand io.Reader) (string, error) {
	var key []byte
	switch provider {
	case generator.ProviderPhasio, generator.ProviderHappyColis:
		key = make([]byte, 32)
	case ProviderStandard:
		key = make([]byte, 24)
	default:
		return "", unknownProvider(provider)
	}
	if _, err := io.ReadFull(rand, key); err != nil {
		return "", fmt.Errorf("wire: reading randomness: %w", err)
	}
	switch provider {
	case generator.ProviderPhasio:
		return base64.RawURLEncoding.EncodeToString(key), nil
	case generator.ProviderHappyColis:
		return hex.EncodeToString(key), nil
	}
	return standardSecretPrefix + base64.StdEncoding.EncodeToString(key), nil
}
