package emitter

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/textproto"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/orderhooks/orderhooks/wire"
)

// The direct path: a worker of an Emitter that built its own client sends
// to a plain http:// target (no proxy, no userinfo) over its own HTTP/1.1
// connection, with the request line, headers and body written in one
// write from a buffer it reuses, and the answer read on the same
// goroutine. net/http's client hands each request to a writer goroutine
// and each answer back from a reader goroutine, copies the headers and
// writes a larger body in two writes; for many small POSTs to one
// receiver that is about half the sender's CPU (docs/benchmarks.md). What
// is sent and what is judged are the same as through Deliver: the same
// headers (Content-Type and User-Agent defaults included), one timeout
// per attempt, at most DefaultMaxResponseBody bytes of the answer kept,
// 1xx answers skipped, chunked and close-delimited bodies read, keep-alive
// unless the receiver says otherwise. TLS, proxies, userinfo and clients
// given with WithClient go through net/http.

// h1IdleProbe: a connection idle this long is checked for a close by the
// receiver before it is used again (its keep-alive may have ended).
var h1IdleProbe = time.Second

const (
	// h1MaxHeader bounds a response's status line and headers.
	h1MaxHeader = 1 << 20
	// h1Drain is how much more of a long response body is read so that
	// the connection can be used again (as Deliver drains).
	h1Drain = 256 << 10
)

// h1Target is a target's URL parsed once for the direct path.
type h1Target struct {
	addr string // host:port to dial
	host string // Host header
	uri  string // request target
}

// directTarget returns the direct path's view of t, or nil when t goes
// through net/http.
func directTarget(t *Target) *h1Target {
	u, err := url.Parse(t.URL)
	if err != nil || u.Scheme != "http" || u.User != nil || u.Host == "" {
		return nil
	}
	if p, err := http.ProxyFromEnvironment(&http.Request{URL: u}); err != nil || p != nil {
		return nil
	}
	return &h1Target{addr: hostPort(u), host: u.Host, uri: u.RequestURI()}
}

// h1Client is one worker's direct connections, one per address.
type h1Client struct {
	timeout time.Duration
	dialer  net.Dialer
	conns   map[string]*h1Conn
	buf     []byte   // the request being written
	keys    []string // its header names, sorted
}

func newH1Client(timeout time.Duration) *h1Client {
	return &h1Client{timeout: timeout, dialer: net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second},
		conns: map[string]*h1Conn{}}
}

type h1Conn struct {
	c    net.Conn
	lr   budgetReader
	r    *bufio.Reader
	used time.Time // when its last answer was read
}

// h1Budget bounds what one answer may make the sender read: headers, the
// kept body, the drained rest, and chunk framing.
const h1Budget = h1MaxHeader + DefaultMaxResponseBody + h1Drain + 64<<10

// budgetReader fails a read past its budget, which each answer resets: a
// receiver sending endless headers or chunks cannot make the sender read
// for ever.
type budgetReader struct {
	r    io.Reader
	left int64
}

var errTooLong = errors.New("net/http: malformed HTTP response: headers or body beyond the limit")

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errTooLong
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}

// close closes every connection (the worker is done).
func (h *h1Client) close() {
	for k, c := range h.conns {
		_ = c.c.Close()
		delete(h.conns, k)
	}
}

func (h *h1Client) drop(addr string) {
	if c := h.conns[addr]; c != nil {
		_ = c.c.Close()
		delete(h.conns, addr)
	}
}

// conn returns the connection to addr, dialling when there is none and
// replacing one the receiver closed while it was idle.
func (h *h1Client) conn(ctx context.Context, addr string) (*h1Conn, bool, error) {
	if c := h.conns[addr]; c != nil {
		if time.Since(c.used) < h1IdleProbe || alive(c) {
			return c, true, nil
		}
		h.drop(addr)
	}
	nc, err := h.dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, false, err
	}
	c := &h1Conn{c: nc}
	c.lr.r = nc
	c.r = bufio.NewReaderSize(&c.lr, 4<<10)
	h.conns[addr] = c
	return c, false, nil
}

// alive reports whether an idle connection is still open: nothing is to
// be read on it, not even an end of file.
func alive(c *h1Conn) bool {
	if c.r.Buffered() > 0 {
		return false // an answer nobody asked for
	}
	c.lr.left = h1Budget
	// A deadline already passed would fail the read before it looks.
	_ = c.c.SetReadDeadline(time.Now().Add(time.Millisecond))
	_, err := c.r.Peek(1)
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// deliver sends r to t and reads the answer, like Deliver.
func (h *h1Client) deliver(ctx context.Context, t *h1Target, r *wire.Request) (*Response, error) {
	buf, err := h.appendRequest(h.buf[:0], t, r)
	if err != nil {
		return nil, err
	}
	h.buf = buf
	start := time.Now()
	c, reused, err := h.conn(ctx, t.addr)
	if err != nil {
		return &Response{Latency: time.Since(start)}, err
	}
	_ = c.c.SetDeadline(start.Add(h.timeout))
	stop := context.AfterFunc(ctx, func() { _ = c.c.SetDeadline(time.Unix(1, 0)) })
	resp, keep, err := h.roundTrip(c, buf)
	if err != nil && reused && resp == nil && errors.Is(err, errNothingWritten) && ctx.Err() == nil {
		// The receiver closed the connection as it went idle, before
		// any of the request went out: send it on a new one.
		h.drop(t.addr)
		stop()
		if c, _, err = h.conn(ctx, t.addr); err != nil {
			return &Response{Latency: time.Since(start)}, err
		}
		_ = c.c.SetDeadline(start.Add(h.timeout))
		stop = context.AfterFunc(ctx, func() { _ = c.c.SetDeadline(time.Unix(1, 0)) })
		resp, keep, err = h.roundTrip(c, buf)
	}
	interrupted := !stop() // the AfterFunc ran: ctx ended
	if resp == nil {
		resp = &Response{}
	}
	resp.Latency = time.Since(start)
	if err != nil && interrupted {
		err = fmt.Errorf("%w (%w)", context.Cause(ctx), err)
	}
	if !keep || err != nil || interrupted {
		h.drop(t.addr)
	} else {
		c.used = time.Now()
	}
	if err != nil && resp.Status == 0 {
		return resp, err
	}
	return resp, nil
}

var errNothingWritten = errors.New("emitter: the connection was closed before the request was written")

// roundTrip writes req and reads one answer; keep says the connection can
// carry the next request. An answer whose body broke off is a Response
// with BodyError, as Deliver returns it.
func (h *h1Client) roundTrip(c *h1Conn, req []byte) (*Response, bool, error) {
	if n, err := c.c.Write(req); err != nil {
		if n == 0 {
			return nil, false, fmt.Errorf("%w: %w", errNothingWritten, err)
		}
		return nil, false, err
	}
	for {
		c.lr.left = h1Budget
		resp, keep, err := readResponse(c.r)
		if err != nil || resp.Status >= 200 || resp.Status == http.StatusSwitchingProtocols {
			return resp, keep, err
		}
		// 1xx (100 Continue, 103 Early Hints): the answer follows.
	}
}

// appendRequest appends the request as net/http writes it for Deliver:
// request line, Host, the request's headers (Content-Type and User-Agent
// defaulted), Content-Length, then the body.
func (h *h1Client) appendRequest(b []byte, t *h1Target, r *wire.Request) ([]byte, error) {
	b = append(b, "POST "...)
	b = append(b, t.uri...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, t.host...)
	b = append(b, "\r\n"...)
	keys := h.keys[:0]
	for k := range r.Header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	h.keys = keys
	var ct, ua bool
	for _, k := range keys {
		if !validHeaderName(k) {
			return nil, fmt.Errorf("net/http: invalid header field name %q", k)
		}
		switch headerName(k) {
		case "Content-Length", "Host", "Transfer-Encoding", "Connection":
			continue // the request's framing is this function's
		case "Content-Type":
			ct = ct || len(r.Header[k]) > 0 && r.Header[k][0] != ""
		case "User-Agent":
			ua = ua || len(r.Header[k]) > 0 && r.Header[k][0] != ""
		}
		for _, v := range r.Header[k] {
			if !validHeaderValue(v) {
				return nil, fmt.Errorf("net/http: invalid header field value for %q", k)
			}
			b = append(b, k...)
			b = append(b, ": "...)
			b = append(b, v...)
			b = append(b, "\r\n"...)
		}
	}
	if !ct {
		b = append(b, "Content-Type: application/json\r\n"...)
	}
	if !ua {
		b = append(b, "User-Agent: orderhooks\r\n"...)
	}
	b = append(b, "Content-Length: "...)
	b = strconv.AppendInt(b, int64(len(r.Body)), 10)
	b = append(b, "\r\n\r\n"...)
	return append(b, r.Body...), nil
}

// framing are the header names appendRequest looks for, in canonical
// form.
var framing = [...]string{"Content-Length", "Host", "Transfer-Encoding", "Connection", "Content-Type", "User-Agent"}

// headerName is the name of framing that k is in any case, or "": what
// textproto.CanonicalMIMEHeaderKey would make of a valid name for these,
// without building the canonical form of every name of every request.
func headerName(k string) string {
	for _, f := range framing {
		if len(k) == len(f) && strings.EqualFold(k, f) {
			return f
		}
	}
	return ""
}

func validHeaderName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c <= ' ' || c >= 0x7f || c == ':' {
			return false
		}
	}
	return true
}

func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// readResponse reads one answer: status line, headers, and at most
// DefaultMaxResponseBody bytes of the body (draining a little more so the
// connection can be used again).
func readResponse(r *bufio.Reader) (*Response, bool, error) {
	tp := textproto.NewReader(r)
	line, err := tp.ReadLine()
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, false, err
	}
	proto, status, ok := parseStatusLine(line)
	if !ok {
		return nil, false, fmt.Errorf("net/http: malformed HTTP response %q", line)
	}
	mh, err := tp.ReadMIMEHeader()
	if err != nil {
		return nil, false, fmt.Errorf("net/http: malformed HTTP response headers: %w", err)
	}
	resp := &Response{Status: status, Header: http.Header(mh)}
	if status < 200 && status != http.StatusSwitchingProtocols {
		return resp, true, nil
	}
	keep := proto == "HTTP/1.1" && !hasToken(mh["Connection"], "close") ||
		proto == "HTTP/1.0" && hasToken(mh["Connection"], "keep-alive")
	var body io.Reader
	switch {
	case status == http.StatusNoContent || status == http.StatusNotModified || status == http.StatusSwitchingProtocols:
		return resp, keep && status != http.StatusSwitchingProtocols, nil
	case len(mh["Transfer-Encoding"]) > 0:
		if !hasToken(mh["Transfer-Encoding"], "chunked") {
			return resp, false, fmt.Errorf("net/http: unsupported transfer encoding %q", mh["Transfer-Encoding"])
		}
		body = httputil.NewChunkedReader(r)
	case len(mh["Content-Length"]) > 0:
		n, err := strconv.ParseInt(mh["Content-Length"][0], 10, 64)
		if err != nil || n < 0 {
			return resp, false, fmt.Errorf("net/http: bad Content-Length %q", mh["Content-Length"][0])
		}
		body = &lengthReader{r: r, left: n}
	default:
		body, keep = r, false // until the receiver closes the connection
	}
	b, err := io.ReadAll(io.LimitReader(body, DefaultMaxResponseBody+1))
	if len(b) > DefaultMaxResponseBody {
		b, resp.Truncated = b[:DefaultMaxResponseBody], true
		if err == nil {
			var n int64
			n, err = io.CopyN(io.Discard, body, h1Drain)
			if n == h1Drain {
				keep = false // too long to drain: close instead
			}
			if errors.Is(err, io.EOF) {
				err = nil
			}
		}
	}
	if len(b) > 0 {
		resp.Body = b
	}
	if err == nil && len(mh["Transfer-Encoding"]) > 0 {
		err = skipTrailer(tp)
	}
	if err != nil {
		resp.BodyError = fmt.Errorf("emitter: reading the response body: %w", err)
		keep = false
	}
	return resp, keep, nil
}

// lengthReader reads a Content-Length body: an end of file before its
// length is io.ErrUnexpectedEOF, as net/http reports it.
type lengthReader struct {
	r    io.Reader
	left int64
}

func (l *lengthReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if errors.Is(err, io.EOF) && l.left > 0 {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// skipTrailer reads the trailer section after a chunked body.
func skipTrailer(tp *textproto.Reader) error {
	_, err := tp.ReadMIMEHeader()
	return err
}

// parseStatusLine splits "HTTP/1.1 204 No Content".
func parseStatusLine(line string) (proto string, status int, ok bool) {
	proto, rest, ok := strings.Cut(line, " ")
	if !ok || (proto != "HTTP/1.1" && proto != "HTTP/1.0") || len(rest) < 3 {
		return "", 0, false
	}
	code := rest[:3]
	if len(rest) > 3 && rest[3] != ' ' {
		return "", 0, false
	}
	status, err := strconv.Atoi(code)
	if err != nil || status < 100 || status > 999 {
		return "", 0, false
	}
	return proto, status, true
}

// hasToken reports whether a comma-separated header holds token (any case).
func hasToken(values []string, token string) bool {
	for _, v := range values {
		for len(v) > 0 {
			var t string
			t, v, _ = strings.Cut(v, ",")
			if equalFoldTrim(t, token) {
				return true
			}
		}
	}
	return false
}

func equalFoldTrim(s, t string) bool { return strings.EqualFold(strings.TrimSpace(s), t) }
