package emitter

import (
	"bufio"
	"bytes"
	"net/http"
	"strings"
	"testing"
)

// FuzzCheckHeader is the -H flag: a header CheckHeader accepts goes on the
// wire and comes back as it was.
func FuzzCheckHeader(f *testing.F) {
	for _, s := range [][2]string{{"X-Api-Key", "abc"}, {"X-A", "b\r\nInjected: 1"}, {"X-Café", "1"}, {"Host", "x"}, {"X-Obs", "caf\u00e9\tend"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, name, value string) {
		if CheckHeader(name, value) != nil {
			return
		}
		req, _ := http.NewRequest(http.MethodPost, "http://h/", nil)
		req.Header.Set(name, value)
		var wire bytes.Buffer
		if err := req.Write(&wire); err != nil {
			t.Fatalf("an accepted header does not go on the wire: %v", err)
		}
		back, err := http.ReadRequest(bufio.NewReader(&wire))
		if err != nil {
			t.Fatalf("an accepted header breaks the request: %v\n%q", err, wire.String())
		}
		if got := back.Header.Get(name); got != strings.Trim(value, " \t") {
			t.Fatalf("header %q: sent %q, received %q", name, value, got)
		}
	})
}
