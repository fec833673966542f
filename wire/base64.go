package wire

import (
	"encoding/base64"
	"encoding/binary"
	"sync"
)

// b64 writes base64 six bytes at a time, through a table of the two
// characters of every 12-bit value: one 8-byte load, four lookups and one
// 8-byte store where encoding/base64 loads, shifts and stores byte by
// byte. A sealed Phasio payload is kilobytes of base64, and writing it was
// a quarter of the instructions emit spent on an order outside SHA-256.
type b64 struct {
	enc   *base64.Encoding // for the last bytes, and padding
	pairs [4096]uint16     // the two characters of a 12-bit value, first in the low byte
}

const (
	stdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	urlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
)

var (
	b64Std    = sync.OnceValue(func() *b64 { return newB64(base64.StdEncoding, stdAlphabet) })
	b64RawStd = sync.OnceValue(func() *b64 { return newB64(base64.RawStdEncoding, stdAlphabet) })
	b64URL    = sync.OnceValue(func() *b64 { return newB64(base64.URLEncoding, urlAlphabet) })
	b64RawURL = sync.OnceValue(func() *b64 { return newB64(base64.RawURLEncoding, urlAlphabet) })
)

func newB64(enc *base64.Encoding, alphabet string) *b64 {
	t := &b64{enc: enc}
	for v := range t.pairs {
		t.pairs[v] = uint16(alphabet[v>>6]) | uint16(alphabet[v&63])<<8
	}
	return t
}

// encode writes src in base64 to dst, which must hold enc.EncodedLen
// bytes, as enc.Encode does.
func (t *b64) encode(dst, src []byte) {
	p := &t.pairs
	// Six bytes at a time, while eight can be loaded; base64 works in
	// groups of three bytes, so the rest is the end of the same encoding.
	for len(src) >= 8 && len(dst) >= 8 {
		x := binary.BigEndian.Uint64(src)
		binary.LittleEndian.PutUint64(dst, uint64(p[x>>52])|uint64(p[x>>40&0xfff])<<16|
			uint64(p[x>>28&0xfff])<<32|uint64(p[x>>16&0xfff])<<48)
		src, dst = src[6:], dst[8:]
	}
	t.enc.Encode(dst, src)
}
