// Package ids formats message and order ids: version 4 UUIDs. Callers
// derive the 16 bytes their own way (seeded for reproducible runs, or
// random); the text layout is one implementation.
package ids

import (
	"crypto/rand"
	"encoding/hex"
)

// UUID formats b as a version 4 (random) UUID in lower case, setting its
// version and variant bits: xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx.
func UUID(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// New returns a random version 4 UUID from crypto/rand.
func New() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return UUID(b)
}
