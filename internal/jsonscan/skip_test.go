package jsonscan

import (
	"strings"
	"testing"
)

// skipAgrees checks skipFast against skipTokens on data: whatever the
// fast path accepts, the token methods accept too and end at the same
// offset; what it refuses is left unread.
func skipAgrees(t *testing.T, data []byte) (fast bool) {
	t.Helper()
	f := New(data)
	fast = f.skipFast()
	tok := New(data)
	slow := tok.skipTokens()
	switch {
	case fast && !slow:
		t.Fatalf("skipFast accepted %q, the token methods refuse it: %v", data, tok.Err())
	case fast && f.Pos() != tok.Pos():
		t.Fatalf("skipFast(%q) ended at %d, the token methods at %d", data, f.Pos(), tok.Pos())
	case !fast && (f.Pos() != 0 || f.Err() != nil):
		t.Fatalf("skipFast(%q) refused it but moved to %d (%v)", data, f.Pos(), f.Err())
	}
	return fast
}

// TestSkipFast: the fast path accepts the documents of TestValid that
// are JSON, and refuses every prefix and every one-byte change of a
// payload-like document that the token methods refuse.
func TestSkipFast(t *testing.T) {
	doc := ` {"orderId":57930, "name":"Ashleigh \"Ash\" Blaké","tags":["a","b\\c", "\u00e9"],` +
		`"n":[-0.5e+3, 0, 12, 1E9],"nested":{"x":[{"y":null}, [], {}]},"t":true,"f":false, "long": "` +
		strings.Repeat("plain text ", 9) + `"} `
	for _, d := range []string{doc, `{}`, `[]`, `""`, `0`, `-0.0E-0`, `"\ud83d\ude00"`, `[[[[]]]]`, `{"a":{"b":{"c":[1]}}}`,
		`{"a" : 1, "b"` + "\t" + `:"x", "\u00e9\"":"é\\"}`} {
		if !skipAgrees(t, []byte(d)) {
			t.Errorf("skipFast refused the document %q", d)
		}
	}
	for i := range len(doc) {
		skipAgrees(t, []byte(doc[:i]))
		for _, c := range []byte{'"', '\\', ',', ':', '}', ']', '{', '[', 'x', '1', '-', '.', 'e', 0x01, 0xff, ' '} {
			b := []byte(doc)
			b[i] = c
			skipAgrees(t, b)
		}
	}
	deep := strings.Repeat("[", fastDepth+1) + strings.Repeat("]", fastDepth+1)
	if skipAgrees(t, []byte(deep)) {
		t.Errorf("skipFast followed %d levels, more than fastDepth", fastDepth+1)
	}
	if s := New([]byte(deep)); !s.Skip() || !s.End() {
		t.Errorf("Skip refused a document %d deep: %v", fastDepth+1, s.Err())
	}
}

func FuzzSkipFast(f *testing.F) {
	for _, seed := range []string{`{"a":[1,2.5,"x"]}`, `[]`, `"\u00e9"`, `{"a":}`, `[1,]`, `-0.1e5`, "\"\xff\"", `nul`, `{"a":1,"b":[{},[]]}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) { skipAgrees(t, data) })
}
