package wire

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"
	"sync"

	"github.com/orderhooks/orderhooks/provider"
)

// scheme is one signing scheme of a definition, compiled: how a secret
// is written and turned into a key, the digest, how it is encoded and
// written in the signature header.
type scheme struct {
	index   int
	name    string // the scheme's label, e.g. v1; "" when the definition gives none
	alg     string
	newHash func() hash.Hash // HMAC schemes
	secret  provider.SecretForm
	public  *provider.SecretForm
	keyUTF8 bool // HMAC: the secret string's bytes key the MAC
	enc     digestEncoding
	// before and after surround the encoded digest in one signature
	// ("v1," and "" for "v1,{sig}").
	before, after string
	generate      *provider.Generate
}

// isEd25519 reports whether the scheme signs with Ed25519.
func (s *scheme) isEd25519() bool { return s.alg == provider.AlgorithmEd25519 }

// digestName is the digest as the documentation names it.
func (s *scheme) digestName() string {
	switch s.alg {
	case provider.AlgorithmHMACSHA512:
		return "HMAC-SHA512"
	case provider.AlgorithmEd25519:
		return "Ed25519"
	}
	return "HMAC-SHA256"
}

// digestSize is the length of one raw signature.
func (s *scheme) digestSize() int {
	switch s.alg {
	case provider.AlgorithmHMACSHA512:
		return sha512.Size
	case provider.AlgorithmEd25519:
		return ed25519.SignatureSize
	}
	return sha256.Size
}

func compileScheme(i int, sc provider.Scheme, tmpl *provider.Template) (*scheme, error) {
	s := &scheme{index: i, name: sc.Name, alg: sc.Algorithm, secret: sc.Secret, public: sc.Public,
		keyUTF8: sc.Key == provider.KeyUTF8, generate: sc.Generate}
	switch sc.Algorithm {
	case provider.AlgorithmHMACSHA256:
		s.newHash = sha256.New
	case provider.AlgorithmHMACSHA512:
		s.newHash = sha512.New
	case provider.AlgorithmEd25519:
	default:
		return nil, fmt.Errorf("signing scheme %d: algorithm %q", i+1, sc.Algorithm)
	}
	enc, err := newDigestEncoding(sc.Encoding, sc.Padded)
	if err != nil {
		return nil, fmt.Errorf("signing scheme %d: %w", i+1, err)
	}
	s.enc = enc
	if tmpl == nil {
		tmpl, err = provider.ParseTemplate(sc.Signature, provider.ContextSignature)
		if err != nil {
			return nil, fmt.Errorf("signing scheme %d: %w", i+1, err)
		}
	}
	var ok bool
	if s.before, s.after, ok = tmpl.Around("sig"); !ok {
		return nil, fmt.Errorf("signing scheme %d: signature %q: only literal text may surround {sig}", i+1, sc.Signature)
	}
	return s, nil
}

// digestEncoding writes and reads a digest: hex, base64 or base64url.
type digestEncoding struct {
	name   string
	padded bool
}

func newDigestEncoding(name string, padded *bool) (digestEncoding, error) {
	e := digestEncoding{name: name}
	switch name {
	case provider.EncodingHex:
	case provider.EncodingBase64:
		e.padded = true
	case provider.EncodingBase64URL:
	default:
		return e, fmt.Errorf("digest encoding %q", name)
	}
	if padded != nil {
		e.padded = *padded
	}
	return e, nil
}

// encode appends the encoded digest to b.
func (e digestEncoding) encode(b, digest []byte) []byte {
	switch e.name {
	case provider.EncodingHex:
		return hex.AppendEncode(b, digest)
	case provider.EncodingBase64URL:
		if e.padded {
			return base64.URLEncoding.AppendEncode(b, digest)
		}
		return base64.RawURLEncoding.AppendEncode(b, digest)
	}
	if e.padded {
		return base64.StdEncoding.AppendEncode(b, digest)
	}
	return base64.RawStdEncoding.AppendEncode(b, digest)
}

// decode reads an encoded digest, accepting either case of hex and
// base64 with or without padding.
func (e digestEncoding) decode(s string) ([]byte, error) {
	return decodeBytes(e.name, s)
}

// describe says how the digest is written, e.g. "lowercase hex".
func (e digestEncoding) describe() string {
	switch {
	case e.name == provider.EncodingHex:
		return "lowercase hex"
	case e.name == provider.EncodingBase64 && e.padded:
		return "standard base64 with padding"
	case e.name == provider.EncodingBase64:
		return "standard base64 without padding"
	case e.padded:
		return "base64url with padding"
	}
	return "base64url without padding"
}

// decodeBytes decodes s written in encoding (hex, base64 or base64url;
// padding optional); text is s itself.
func decodeBytes(encoding, s string) ([]byte, error) {
	switch encoding {
	case provider.EncodingText:
		return []byte(s), nil
	case provider.EncodingHex:
		return hex.DecodeString(s)
	case provider.EncodingBase64URL:
		return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	case provider.EncodingBase64:
		return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
	}
	return nil, fmt.Errorf("encoding %q", encoding)
}

// encodingName is an encoding as messages name it.
func encodingName(encoding string) string {
	if encoding == provider.EncodingText {
		return "text"
	}
	return encoding
}

// key is one secret in usable form: its scheme and the key bytes.
type key struct {
	scheme *scheme
	// decoded are the secret's bytes after its prefix, decoded; the
	// encryption key when the definition says decoded.
	decoded []byte
	// text is the secret string's bytes, the encryption key when the
	// definition says utf8.
	text []byte
	macs sync.Pool // HMAC schemes: keyed hash.Hash, reset before use

	priv ed25519.PrivateKey // nil for a verify-only key
	pub  ed25519.PublicKey
}

// parseSecret finds the scheme of a secret (the first whose prefix it
// carries, else the first whose form reads it) and makes its key. Errors
// wrap ErrBadSecret and never contain the secret.
func parseSecret(provName string, schemes []*scheme, secret string) (*key, error) {
	if secret == "" && len(schemes) > 0 {
		return nil, badSecret("empty%s", hint(schemes[0].secret, "("))
	}
	for _, s := range schemes {
		if s.secret.Prefix != "" && strings.HasPrefix(secret, s.secret.Prefix) {
			return makeKey(provName, s, s.secret, secret, false)
		}
		if s.public != nil && s.public.Prefix != "" && strings.HasPrefix(secret, s.public.Prefix) {
			return makeKey(provName, s, *s.public, secret, true)
		}
	}
	var first error
	for _, s := range schemes {
		k, err := makeKey(provName, s, s.secret, secret, false)
		if err == nil {
			return k, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, first
}

// makeKey reads secret in form for scheme s; public marks an Ed25519
// verify-only key.
func makeKey(provName string, s *scheme, form provider.SecretForm, secret string, public bool) (*key, error) {
	body := strings.TrimPrefix(secret, form.Prefix)
	raw, err := decodeBytes(form.Encoding, body)
	if err != nil {
		if form.Prefix != "" {
			return nil, badSecret("not %s followed by %s%s", form.Prefix, encodingName(form.Encoding), hint(form, "("))
		}
		return nil, badSecret("not %s%s", encodingName(form.Encoding), hint(form, "("))
	}
	switch {
	case len(raw) == 0 && form.Encoding == provider.EncodingText:
		return nil, badSecret("empty%s", hint(form, "("))
	case len(raw) == 0:
		return nil, badSecret("empty key")
	case !form.Bytes.Allows(len(raw)) && form.Encoding == provider.EncodingText:
		return nil, badSecret("%d bytes long, not %s%s", len(raw), form.Bytes, hint(form, "("))
	case !form.Bytes.Allows(len(raw)) && len(form.Bytes.Exact) == 1:
		return nil, badSecret("secret is not a %d-byte key (it decodes to %d bytes%s)", form.Bytes.Exact[0], len(raw), hint(form, ";"))
	case !form.Bytes.Allows(len(raw)):
		return nil, badSecret("secret decodes to %d bytes, not %s%s", len(raw), form.Bytes, hint(form, "("))
	}
	k := &key{scheme: s, decoded: raw, text: []byte(secret)}
	if s.isEd25519() {
		if err := k.ed25519(raw, public); err != nil {
			return nil, err
		}
		return k, nil
	}
	mac := raw
	if s.keyUTF8 {
		mac = k.text
	}
	k.macs.New = func() any { return hmac.New(s.newHash, mac) }
	return k, nil
}

// ed25519 sets an Ed25519 key from a seed, a seed followed by its
// public key, or (public) a public key.
func (k *key) ed25519(raw []byte, public bool) error {
	switch {
	case public && len(raw) == ed25519.PublicKeySize:
		k.pub = ed25519.PublicKey(raw)
	case !public && len(raw) == ed25519.SeedSize:
		k.priv = ed25519.NewKeyFromSeed(raw)
		k.pub = k.priv.Public().(ed25519.PublicKey)
	case !public && len(raw) == ed25519.PrivateKeySize:
		k.priv = ed25519.NewKeyFromSeed(raw[:ed25519.SeedSize])
		k.pub = k.priv.Public().(ed25519.PublicKey)
		if !hmac.Equal(k.pub, raw[ed25519.SeedSize:]) {
			return badSecret("the Ed25519 private key's second half is not its public key")
		}
	default:
		return badSecret("an Ed25519 key of %d bytes", len(raw))
	}
	return nil
}

// hint is the form's hint for a message: " (HINT)" after open "(", or
// "; HINT" after open ";" (inside a parenthesis already); "" without one.
func hint(form provider.SecretForm, open string) string {
	switch {
	case form.Hint == "":
		return ""
	case open == ";":
		return "; " + form.Hint
	}
	return " (" + form.Hint + ")"
}

// canSign reports whether the key signs (a public key only verifies).
func (k *key) canSign() bool { return !k.scheme.isEd25519() || k.priv != nil }

// sign appends the raw signature of msg to b.
func (k *key) sign(b []byte, msg ...[]byte) []byte {
	if k.scheme.isEd25519() {
		var all []byte
		if len(msg) == 1 {
			all = msg[0]
		} else {
			for _, m := range msg {
				all = append(all, m...)
			}
		}
		return append(b, ed25519.Sign(k.priv, all)...)
	}
	mac := k.macs.Get().(hash.Hash)
	mac.Reset()
	for _, m := range msg {
		mac.Write(m)
	}
	b = mac.Sum(b)
	k.macs.Put(mac)
	return b
}

// verify reports whether sig is the key's signature of msg, in constant
// time for HMAC.
func (k *key) verify(sig []byte, msg []byte) bool {
	if k.scheme.isEd25519() {
		return len(sig) == ed25519.SignatureSize && ed25519.Verify(k.pub, msg, sig)
	}
	return hmac.Equal(sig, k.sign(make([]byte, 0, 64), msg))
}

// randomKey makes a key of scheme s from random bytes (the wrong-key
// fault): the bytes are the decoded key and, written in the secret's
// form, the secret string.
func randomKey(s *scheme, raw []byte) *key {
	k := &key{scheme: s, decoded: raw}
	switch s.secret.Encoding {
	case provider.EncodingText:
		k.text = raw
	default:
		k.text = []byte(s.secret.Prefix + encodeSecret(s.secret.Encoding, raw))
	}
	if s.isEd25519() {
		k.priv = ed25519.NewKeyFromSeed(raw[:ed25519.SeedSize])
		k.pub = k.priv.Public().(ed25519.PublicKey)
		return k
	}
	mac := raw
	if s.keyUTF8 {
		mac = k.text
	}
	k.macs.New = func() any { return hmac.New(s.newHash, mac) }
	return k
}

// encodeSecret writes key bytes as a new secret is written: hex
// lowercase, standard base64 padded, base64url unpadded.
func encodeSecret(encoding string, raw []byte) string {
	switch encoding {
	case provider.EncodingHex:
		return hex.EncodeToString(raw)
	case provider.EncodingBase64URL:
		return base64.RawURLEncoding.EncodeToString(raw)
	}
	return base64.StdEncoding.EncodeToString(raw)
}
