package wire

import (
	"net/http"
	"slices"
	"strings"
)

// hopHeaders are the request headers that describe the hop a request came
// through or its framing, not the message: an HTTP client sets the framing
// ones itself, and the proxy ones belong to the proxy.
var hopHeaders = []string{"Host", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Proxy-Connection",
	"Te", "Trailer", "Upgrade", "Accept-Encoding", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "Forwarded",
	"X-Real-Ip"}

// MessageHeaders returns a copy of the headers of a received request that
// make the message (signature, ids, content type, user agent…), without
// those of the hop it came through (Host, Content-Length, Connection,
// X-Forwarded-*, Proxy-*…): what a request sending the same message
// somewhere else carries.
func MessageHeaders(h http.Header) http.Header {
	out := http.Header{}
	for k, vs := range h {
		ck := http.CanonicalHeaderKey(k)
		if !slices.Contains(hopHeaders, ck) && !strings.HasPrefix(ck, "Proxy-") {
			out[k] = append([]string(nil), vs...)
		}
	}
	return out
}
