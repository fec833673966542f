package emitter

import (
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/orderhooks/orderhooks/internal/input"
)

// ErrHeader is wrapped by CheckHeader.
var ErrHeader = errors.New("emitter: bad header")

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
		return fmt.Errorf("%w: empty name", ErrHeader)
	}
	for i := 0; i < len(name); i++ {
		if !isTokenChar(name[i]) {
			return fmt.Errorf("%w: name %s: %s is not allowed in a header name", ErrHeader, input.Quote(name), input.Quote(name[i:i+1]))
		}
	}
	if slices.Contains(framingHeaders, http.CanonicalHeaderKey(name)) {
		return fmt.Errorf("%w: %s is set by the HTTP client from the request itself", ErrHeader, http.CanonicalHeaderKey(name))
	}
	for i := 0; i < len(value); i++ {
		if c := value[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return fmt.Errorf("%w: %s: the value holds the control character %s", ErrHeader, http.CanonicalHeaderKey(name), input.Quote(value[i:i+1]))
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
