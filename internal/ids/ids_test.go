package ids

import (
	"regexp"
	"testing"
)

var layout = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestUUID checks the layout and known answers (Python's uuid module
// formats the same bytes, version and variant set, the same way).
func TestUUID(t *testing.T) {
	var b [16]byte
	for i := range b {
		b[i] = byte(i * 17)
	}
	if got, want := UUID(b), "00112233-4455-4677-8899-aabbccddeeff"; got != want {
		t.Errorf("UUID = %s, want %s", got, want)
	}
	for i := range b {
		b[i] = 0xff
	}
	if got, want := UUID(b), "ffffffff-ffff-4fff-bfff-ffffffffffff"; got != want {
		t.Errorf("UUID = %s, want %s", got, want)
	}
	a, c := New(), New()
	if a == c || !layout.MatchString(a) || !layout.MatchString(c) {
		t.Errorf("New: %s, %s", a, c)
	}
}
