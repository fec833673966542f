package emitter

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/wire"
)

// scriptedServer answers the n-th request (from 0, over all connections)
// with answer(n), written raw, and counts connections. After an answer
// that ends with "CLOSE" (not sent) it closes the connection.
func scriptedServer(t *testing.T, answer func(n int) string) (*h1Target, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	var conns atomic.Int64
	var n atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					req, err := http.ReadRequest(r)
					if err != nil {
						return
					}
					_, _ = io.Copy(io.Discard, req.Body)
					a := answer(int(n.Add(1) - 1))
					closing := strings.HasSuffix(a, "CLOSE")
					if _, err := c.Write([]byte(strings.TrimSuffix(a, "CLOSE"))); err != nil || closing {
						return
					}
				}
			}()
		}
	}()
	return &h1Target{addr: ln.Addr().String(), host: ln.Addr().String(), uri: "/hooks?x=1"}, &conns
}

var h1Request = &wire.Request{Header: http.Header{"X-Phasio-Signature": {"abc"}}, Body: []byte(`{"payload":"x"}`)}

// TestDirectAnswers: the direct path reads every kind of answer as Deliver
// does, and keeps the connection only when the receiver does.
func TestDirectAnswers(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", DefaultMaxResponseBody+10)
	tests := []struct {
		name, answer string
		status       int
		body         string
		truncated    bool
		bodyError    bool
		conns        int64 // for three requests
		header       string
	}{
		{name: "204", answer: "HTTP/1.1 204 No Content\r\n\r\n", status: 204, conns: 1},
		{name: "content-length", answer: "HTTP/1.1 200 OK\r\nContent-Length: 11\r\nRetry-After: 3\r\n\r\n{\"ok\":true}", status: 200, body: `{"ok":true}`, conns: 1, header: "3"},
		{name: "chunked with trailer", answer: "HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n3\r\nefg\r\n0\r\nX-T: 1\r\n\r\n", status: 202, body: "abcdefg", conns: 1},
		{name: "100 continue first", answer: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", status: 200, body: "ok", conns: 1},
		{name: "connection close", answer: "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nokCLOSE", status: 200, body: "ok", conns: 3},
		{name: "HTTP/1.0 until close", answer: "HTTP/1.0 500 Internal Server Error\r\n\r\nboomCLOSE", status: 500, body: "boom", conns: 3},
		{name: "long body", answer: "HTTP/1.1 413 Too Large\r\nContent-Length: " + strconv.Itoa(len(long)) + "\r\n\r\n" + long, status: 413, body: long[:DefaultMaxResponseBody], truncated: true, conns: 1},
		{name: "body cut short", answer: "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{\"okCLOSE", status: 200, body: `{"ok`, bodyError: true, conns: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg, conns := scriptedServer(t, func(int) string { return tt.answer })
			h := newH1Client(5 * time.Second)
			defer h.close()
			for i := range 3 {
				resp, err := h.deliver(context.Background(), tg, h1Request)
				if err != nil {
					t.Fatalf("request %d: %v", i, err)
				}
				if resp.Status != tt.status || string(resp.Body) != tt.body || resp.Truncated != tt.truncated || (resp.BodyError != nil) != tt.bodyError {
					t.Fatalf("request %d: status %d body %.40q truncated %v body error %v", i, resp.Status, resp.Body, resp.Truncated, resp.BodyError)
				}
				if tt.header != "" && resp.Header.Get("Retry-After") != tt.header {
					t.Fatalf("headers %v", resp.Header)
				}
			}
			if got := conns.Load(); got != tt.conns {
				t.Errorf("%d connections for 3 requests, want %d", got, tt.conns)
			}
		})
	}
}

// TestDirectRequest: the request on the wire is the one Deliver sends:
// request line, Host, the headers, Content-Type and User-Agent defaults,
// Content-Length, the body; a header value with a line break is refused
// before anything is sent.
func TestDirectRequest(t *testing.T) {
	t.Parallel()
	got := make(chan *http.Request, 1)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		req, err := http.ReadRequest(bufio.NewReader(c))
		if err != nil {
			return
		}
		body, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(strings.NewReader(string(body)))
		got <- req
		_, _ = c.Write([]byte("HTTP/1.1 204 No Content\r\n\r\n"))
	}()
	tg := directTarget(&Target{URL: "http://" + ln.Addr().String() + "/hooks/phasio?tenant=7"})
	if tg == nil {
		t.Fatal("a plain http:// target takes the direct path")
	}
	h := newH1Client(5 * time.Second)
	defer h.close()
	if _, err := h.deliver(context.Background(), tg, h1Request); err != nil {
		t.Fatal(err)
	}
	req := <-got
	body, _ := io.ReadAll(req.Body)
	if req.Method != "POST" || req.RequestURI != "/hooks/phasio?tenant=7" || req.Host != ln.Addr().String() ||
		req.Header.Get("X-Phasio-Signature") != "abc" || req.Header.Get("Content-Type") != "application/json" ||
		req.Header.Get("User-Agent") != "orderhooks" || req.ContentLength != int64(len(h1Request.Body)) || string(body) != string(h1Request.Body) {
		t.Fatalf("request %s %s host %s header %v body %q", req.Method, req.RequestURI, req.Host, req.Header, body)
	}
	bad := &wire.Request{Header: http.Header{"X-Bad": {"a\r\nInjected: 1"}}, Body: []byte("{}")}
	if _, err := h.deliver(context.Background(), tg, bad); err == nil || failureCause(err) != "invalid request header" {
		t.Fatalf("header with a line break: %v", err)
	}
	for _, u := range []string{"https://127.0.0.1/", "http://user:pw@127.0.0.1/"} {
		if directTarget(&Target{URL: u}) != nil {
			t.Errorf("%s takes the direct path", u)
		}
	}
}

// TestDirectFramingHeaders: the framing headers a request carries are
// dropped, and its Content-Type and User-Agent kept without the defaults,
// whatever the case of their names.
func TestDirectFramingHeaders(t *testing.T) {
	t.Parallel()
	tg := &h1Target{addr: "127.0.0.1:1", host: "127.0.0.1:1", uri: "/h"}
	h := newH1Client(time.Second)
	for _, names := range [][]string{
		{"Content-Length", "Host", "Transfer-Encoding", "Connection", "Content-Type", "User-Agent"},
		{"content-length", "host", "transfer-encoding", "connection", "content-type", "user-agent"},
		{"CONTENT-LENGTH", "HOST", "TRANSFER-ENCODING", "CONNECTION", "CONTENT-TYPE", "USER-AGENT"},
		{"conTent-lenGth", "hOst", "Transfer-encoding", "connectioN", "Content-type", "user-Agent"},
	} {
		hdr := http.Header{"X-Keep": {"1"}, "Content_Length": {"7"}}
		for i, v := range []string{"999", "evil", "chunked", "close", "text/plain", "sender/1"} {
			hdr[names[i]] = []string{v}
		}
		b, err := h.appendRequest(nil, tg, &wire.Request{Header: hdr, Body: []byte("{}")})
		if err != nil {
			t.Fatal(err)
		}
		req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(string(b))))
		if err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if req.Host != "127.0.0.1:1" || req.ContentLength != 2 || len(req.TransferEncoding) > 0 || req.Close ||
			strings.Join(req.Header["Content-Type"], "|") != "text/plain" || strings.Join(req.Header["User-Agent"], "|") != "sender/1" ||
			req.Header.Get("X-Keep") != "1" || req.Header.Get("Content_Length") != "7" {
			t.Errorf("names %v: request\n%s", names, b)
		}
	}
}

// TestDirectTimeoutsAndInterrupts: an attempt ends at its timeout, or as
// soon as the run is interrupted, with the error the summary names.
func TestDirectTimeoutsAndInterrupts(t *testing.T) {
	t.Parallel()
	tg, _ := scriptedServer(t, func(int) string { time.Sleep(2 * time.Second); return "HTTP/1.1 204 No Content\r\n\r\n" })
	h := newH1Client(200 * time.Millisecond)
	defer h.close()
	start := time.Now()
	_, err := h.deliver(context.Background(), tg, h1Request)
	if failureCause(err) != "timeout" || time.Since(start) > time.Second {
		t.Fatalf("after %s: %v (%s), want a timeout", time.Since(start), err, failureCause(err))
	}
	h = newH1Client(10 * time.Second)
	defer h.close()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start = time.Now()
	_, err = h.deliver(ctx, tg, h1Request)
	if !errors.Is(err, context.Canceled) || failureCause(err) != "interrupted" || time.Since(start) > time.Second {
		t.Fatalf("after %s: %v, want interrupted at once", time.Since(start), err)
	}
}

// TestDirectStaleConnection: a connection the receiver closed while it was
// idle is replaced before it is used; endless headers end the attempt.
func TestDirectStaleConnection(t *testing.T) {
	defer func(d time.Duration) { h1IdleProbe = d }(h1IdleProbe)
	h1IdleProbe = 0                                                                                    // probe before every reuse
	tg, conns := scriptedServer(t, func(int) string { return "HTTP/1.1 204 No Content\r\n\r\nCLOSE" }) // closes without saying so
	h := newH1Client(5 * time.Second)
	defer h.close()
	for i := range 3 {
		time.Sleep(20 * time.Millisecond) // let the close arrive
		if resp, err := h.deliver(context.Background(), tg, h1Request); err != nil || resp.Status != 204 {
			t.Fatalf("request %d: %+v %v", i, resp, err)
		}
	}
	if got := conns.Load(); got != 3 {
		t.Errorf("%d connections, want 3", got)
	}
	endless := "HTTP/1.1 200 OK\r\n" + strings.Repeat("X-Filler: "+strings.Repeat("y", 1000)+"\r\n", 2000)
	tg, _ = scriptedServer(t, func(int) string { return endless })
	_, err := h.deliver(context.Background(), tg, h1Request)
	if err == nil || failureCause(err) != "malformed HTTP response" {
		t.Fatalf("endless headers: %v (%s)", err, failureCause(err))
	}
}
