package wire

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"testing"
)

// TestB64: the sealed payload's base64 is encoding/base64's, for each
// alphabet with and without padding, at every length around the six bytes
// written at a time and the eight loaded, and for every byte value.
func TestB64(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var srcs [][]byte
	for n := range 70 {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		srcs = append(srcs, b)
	}
	all := make([]byte, 3*256)
	for i := range all {
		all[i] = byte(i / 3)
	}
	srcs = append(srcs, all, bytes.Repeat([]byte{0xff}, 4099))
	for _, c := range []struct {
		t   *b64
		std *base64.Encoding
	}{{b64Std(), base64.StdEncoding}, {b64RawStd(), base64.RawStdEncoding}, {b64URL(), base64.URLEncoding}, {b64RawURL(), base64.RawURLEncoding}} {
		for _, src := range srcs {
			want := c.std.EncodeToString(src)
			got := make([]byte, c.std.EncodedLen(len(src)))
			c.t.encode(got, src)
			if string(got) != want {
				t.Fatalf("%d bytes: %s, want %s", len(src), got, want)
			}
		}
	}
}
