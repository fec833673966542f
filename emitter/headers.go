package emitter

import (
	"errors"
	"net/http"
	"slices"

	"github.com/orderhooks/orderhooks/internal/input"
)

// ErrHeader is wrapped by CheckHeader's errors: *OptionError values of
// option WithHeader, whose Value is the header's name.
var ErrHeader = errors.New("emitter: bad header")

// badHeader is the error of a header CheckHeader refuses.
func badHeader(name, want string) error {
	return &OptionError{Package: "emitter", Option: "WithHeader", Value: name, Want: want, Err: ErrHeader}
}

// framingHeaders are set by the HTTP client from the request itself; a
// value given for them would be ignored or would corrupt the request.
var framingHeaders = []string{"Host", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive",
	"Proxy-Connection", "Te", "Trailer", "Upgrade"}

// CheckHeader accepts an extra request header (WithHeader) as RFC 9110
// defines fields: the name a token (letters, digits and !#$%&'*+-.^_`|~),
// the value visible ASCII, spaces, tabs and bytes from 0x80 (no CR, LF or
// other control character), and neither one of the headers the HTTP
// client sets itself (Host, Content-Length, Transfer-Encoding, …).
// Without this check a bad header fails every delivery, after retries,
// with the reason only in the record.
func CheckHeader(name, value string) error {
	if name == "" {
		return badHeader("", "a header needs a name")
	}
	for i := 0; i < len(name); i++ {
		if !isTokenChar(name[i]) {
			return badHeader(name, input.Quote(name[i:i+1])+" is not allowed in a header name (RFC 9110 token characters only)")
		}
	}
	if slices.Contains(framingHeaders, http.CanonicalHeaderKey(name)) {
		return badHeader(http.CanonicalHeaderKey(name), "set by the HTTP client from the request itself")
	}
	for i := 0; i < len(value); i++ {
		if c := value[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return badHeader(http.CanonicalHeaderKey(name), "the value holds the control character "+input.Quote(value[i:i+1]))
		}
	}
	return nil
}

// isTokenChar reports whether c may appear in an RFC 9110 token.
func isTokenChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}
