package emitter

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/orderhooks/orderhooks/internal/redact"
)

// failureCause names why an attempt got no HTTP answer, in a few words
// the summary can count: "connection refused", "timeout", "TLS:
// certificate signed by unknown authority", ….
func failureCause(err error) string {
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalidCert x509.CertificateInvalidError
	var recordErr tls.RecordHeaderError
	var netErr net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return "interrupted"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return "timeout"
	case errors.As(err, &dnsErr):
		return "DNS: " + dnsErr.Err
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "host unreachable"
	case errors.As(err, &unknownCA):
		return "TLS: certificate signed by unknown authority"
	case errors.As(err, &hostErr):
		return "TLS: certificate not valid for the host"
	case errors.As(err, &invalidCert):
		return "TLS: certificate invalid (expired or not yet valid, or not for a server)"
	case errors.As(err, &certErr):
		return "TLS: certificate not trusted"
	case errors.As(err, &recordErr):
		return "TLS: the server does not speak TLS (an http:// URL?)"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, net.ErrClosed):
		return "connection closed without an answer"
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "invalid header field"):
		return "invalid request header"
	case strings.Contains(msg, "malformed HTTP"):
		return "malformed HTTP response"
	case strings.Contains(msg, "server gave HTTP response to HTTPS client"):
		return "TLS: the server does not speak TLS (an http:// URL?)"
	case strings.Contains(msg, "tls:"):
		return "TLS handshake failed"
	}
	// The innermost error, which names the cause rather than the request.
	for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(u) {
		err = u
	}
	msg = redact.Text(err.Error())
	if len(msg) > 80 {
		msg = msg[:80] + "…"
	}
	return msg
}
