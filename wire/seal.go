package wire

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/provider"
)

// sealer is a definition's encryption envelope: AES-256-GCM with a
// random nonce before or after the ciphertext and tag, the sealed bytes
// written as a string in one body member.
type sealer struct {
	keyUTF8   bool // the secret string's bytes are the AES key (else the decoded secret)
	nonceSize int
	atEnd     bool
	encoding  string // base64url, base64 or hex
	padded    bool
	field     string // the body member, e.g. /payload
	fieldPtr  jsonptr.Pointer
	scratch   sync.Pool // *[]byte for the sealed bytes
}

// sealTagSize is GCM's tag; the standard library only pairs custom nonce
// sizes with the full 16-byte tag.
const sealTagSize = 16

func newSealer(e *provider.Encryption) (*sealer, error) {
	s := &sealer{keyUTF8: e.Key == provider.KeyUTF8, nonceSize: e.Nonce.Size, atEnd: e.Nonce.At == provider.NonceEnd,
		encoding: e.Encoding, padded: e.Padded, field: e.Field}
	switch {
	case e.Algorithm != "aes-256-gcm":
		return nil, fmt.Errorf("encryption algorithm %q", e.Algorithm)
	case e.Tag != sealTagSize:
		return nil, fmt.Errorf("encryption tag of %d bytes: only 16 is supported", e.Tag)
	}
	p, err := jsonptr.Parse(e.Field)
	if err != nil || len(p) == 0 {
		return nil, fmt.Errorf("encryption field %q", e.Field)
	}
	s.fieldPtr = p
	return s, nil
}

// aead makes the cipher of key k.
func (s *sealer) aead(k *key) (cipher.AEAD, error) {
	raw := k.decoded
	if s.keyUTF8 {
		raw = k.text
	}
	if len(raw) != 32 {
		return nil, badSecret("the encryption key is %d bytes, AES-256 needs 32", len(raw))
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, badSecret("%v", err)
	}
	if s.nonceSize == 12 {
		return cipher.NewGCM(block)
	}
	return cipher.NewGCMWithNonceSize(block, s.nonceSize)
}

// encodedLen is the length of n sealed bytes once written.
func (s *sealer) encodedLen(n int) int {
	switch {
	case s.encoding == provider.EncodingHex:
		return hex.EncodedLen(n)
	case s.encoding == provider.EncodingBase64 && s.padded:
		return base64.StdEncoding.EncodedLen(n)
	case s.encoding == provider.EncodingBase64:
		return base64.RawStdEncoding.EncodedLen(n)
	case s.padded:
		return base64.URLEncoding.EncodedLen(n)
	}
	return base64.RawURLEncoding.EncodedLen(n)
}

func (s *sealer) encode(dst, src []byte) {
	switch {
	case s.encoding == provider.EncodingHex:
		hex.Encode(dst, src)
	case s.encoding == provider.EncodingBase64 && s.padded:
		b64Std().encode(dst, src)
	case s.encoding == provider.EncodingBase64:
		b64RawStd().encode(dst, src)
	case s.padded:
		b64URL().encode(dst, src)
	default:
		b64RawURL().encode(dst, src)
	}
}

// seal seals plaintext under aead with a nonce from rand and writes the
// encoded string into out between before and after, in buf when it has
// room, else in one allocation: the result and the string's offsets in it.
func (s *sealer) seal(aead cipher.AEAD, rand randSource, plaintext, before, after, buf []byte) (out []byte, from, to int, err error) {
	ns := s.nonceSize
	n := ns + len(plaintext) + sealTagSize
	bp, _ := s.scratch.Get().(*[]byte)
	if bp == nil || cap(*bp) < n {
		b := make([]byte, 0, n)
		bp = &b
	}
	defer s.scratch.Put(bp)
	sealed := (*bp)[:ns]
	if err := rand.fill(sealed); err != nil {
		return nil, 0, 0, err
	}
	if !s.atEnd {
		sealed = aead.Seal(sealed, sealed, plaintext, nil)
	} else {
		var nonce [64]byte
		nb := append(nonce[:0], sealed...)
		sealed = append(aead.Seal((*bp)[:0], nb, plaintext, nil), nb...)
	}
	enc := s.encodedLen(n)
	out = room(buf, len(before)+enc+len(after))[:len(before)+enc+len(after)]
	copy(out, before)
	s.encode(out[len(before):], sealed)
	copy(out[len(before)+enc:], after)
	return out, len(before), len(before) + enc, nil
}

// open decodes and decrypts a sealed string, checking the plaintext is
// JSON.
func (s *sealer) open(aead cipher.AEAD, sealed []byte) ([]byte, error) {
	var raw []byte
	var err error
	if s.encoding == provider.EncodingHex {
		raw = make([]byte, hex.DecodedLen(len(sealed)))
		_, err = hex.Decode(raw, sealed)
	} else {
		enc := base64.RawURLEncoding
		if s.encoding == provider.EncodingBase64 {
			enc = base64.RawStdEncoding
		}
		sealed = bytes.TrimRight(sealed, "=")
		raw = make([]byte, enc.DecodedLen(len(sealed)))
		var n int
		n, err = enc.Decode(raw, sealed)
		raw = raw[:n]
	}
	if err != nil {
		return nil, fmt.Errorf("%w: payload is not %s", ErrMalformedBody, s.encoding)
	}
	ns := s.nonceSize
	if len(raw) < ns+sealTagSize {
		return nil, ErrPayloadTooShort
	}
	nonce, box := raw[:ns], raw[ns:]
	if s.atEnd {
		nonce, box = raw[len(raw)-ns:], raw[:len(raw)-ns]
	}
	plain, err := aead.Open(box[:0], nonce, box, nil)
	if err != nil {
		return nil, ErrDecrypt
	}
	if !json.Valid(plain) {
		return nil, fmt.Errorf("%w: decrypted payload is not JSON", ErrMalformedBody)
	}
	return plain, nil
}

// tamperString changes the middle character of a string to another
// character valid in base64, base64url and hex alike (the last one may
// only carry padding bits).
func tamperString(s []byte) {
	if len(s) == 0 {
		return
	}
	i := len(s) / 2
	if s[i] == 'A' {
		s[i] = 'B'
	} else {
		s[i] = 'A'
	}
}
