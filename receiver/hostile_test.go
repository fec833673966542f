package receiver

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/internal/testkit/testwire"
	"github.com/orderhooks/orderhooks/wire"
)

// countingBody counts what the handler reads of a body.
type countingBody struct {
	r    io.Reader
	read atomic.Int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read.Add(int64(n))
	return n, err
}
func (c *countingBody) Close() error { return nil }

// TestReceiverRefusesUnsignedUnread: a request without the signature
// header is answered 401 without a byte of its body read, for every
// profile, and still recorded.
func TestReceiverRefusesUnsignedUnread(t *testing.T) {
	t.Parallel()
	for _, name := range []string{generator.ProviderPhasio, generator.ProviderHappyColis, wire.ProviderStandard} {
		var rec bytes.Buffer
		r := mustNew(t, testwire.Profile(t, name), WithRecord(&rec))
		body := &countingBody{r: bytes.NewReader(bytes.Repeat([]byte("x"), 4<<20))}
		req := httptest.NewRequest(http.MethodPost, "/", nil)
		req.Body, req.ContentLength = body, 4<<20
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		if w.Code != http.StatusUnauthorized || body.read.Load() != 0 {
			t.Fatalf("%s: %d after reading %d bytes, want 401 before reading", name, w.Code, body.read.Load())
		}
		if !strings.Contains(rec.String(), `"status":401`) || !strings.Contains(rec.String(), "missing signature") {
			t.Fatalf("%s: record %q", name, rec.String())
		}
	}
}

// TestReceiverInflight: bodies being read hold their size of the in-flight
// budget; a delivery over it is answered 503 with Retry-After at once,
// unread, and the budget comes back when the first one is done.
func TestReceiverInflight(t *testing.T) {
	t.Parallel()
	p := testwire.Profile(t, generator.ProviderHappyColis)
	evs := testkit.Events(t, generator.ProviderHappyColis, 3)
	build := func(i int) *wire.Request {
		req, err := p.Build(&wire.Message{Event: evs[i], ID: uuid(i)}, wire.FaultNone)
		if err != nil {
			t.Fatal(err)
		}
		return req
	}
	first := build(0)
	limit := int64(len(first.Body)) + 10
	srv := startReceiver(t, p, WithBodyLimit(limit), WithInflight(limit))
	pw, status := postHalf(t, srv, first, 10)
	code, a := post(t, srv.URL, build(1))
	if code != http.StatusServiceUnavailable || !strings.Contains(a.Error, "busy") {
		t.Fatalf("second delivery while the first is read: %d %+v, want 503 busy", code, a)
	}
	if _, err := pw.Write(first.Body[10:]); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if got := <-status; got != http.StatusOK {
		t.Fatalf("first delivery: %d", got)
	}
	if code, _ := post(t, srv.URL, build(2)); code != http.StatusOK {
		t.Fatalf("after the first: %d, want the budget back", code)
	}
	if st := srv.Stats(); st.Busy != 1 || st.Applied != 2 {
		t.Fatalf("stats %+v", st)
	}
}

// TestReceiverConns: beyond the connection cap a connection waits,
// unserved, until another closes.
func TestReceiverConns(t *testing.T) {
	t.Parallel()
	p := testwire.Profile(t, generator.ProviderHappyColis)
	srv := startReceiver(t, p, WithConns(2))
	addr := strings.TrimPrefix(srv.URL, "http://")
	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
		// A request, so the server has surely accepted the connection.
		fmt.Fprintf(c, "GET /orders/x HTTP/1.1\r\nHost: x\r\n\r\n")
		if _, err := http.ReadResponse(bufio.NewReader(c), nil); err != nil {
			t.Fatal(err)
		}
	}
	third, err := net.Dial("tcp", addr) // queued by the kernel
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	fmt.Fprintf(third, "GET /orders/x HTTP/1.1\r\nHost: x\r\n\r\n")
	answered := make(chan error, 1)
	go func() {
		_, err := http.ReadResponse(bufio.NewReader(third), nil)
		answered <- err
	}()
	select {
	case err := <-answered:
		t.Fatalf("a third connection was served beyond the cap of 2 (%v)", err)
	case <-time.After(200 * time.Millisecond):
	}
	held[0].Close()
	select {
	case err := <-answered:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the third connection was not served after one closed")
	}
	held[1].Close()
}

// panicProfile panics in Verify, as a bug would.
type panicProfile struct{ wire.Profile }

func (panicProfile) Verify(http.Header, []byte) (*wire.Received, error) { panic("verify bug") }

// TestReceiverRecoversPanics: a panic while handling a delivery is a 500
// with the reason, recorded and counted; the delivery is not lost.
func TestReceiverRecoversPanics(t *testing.T) {
	t.Parallel()
	var rec bytes.Buffer
	p := testwire.Profile(t, generator.ProviderHappyColis)
	srv := startReceiver(t, panicProfile{p}, WithRecord(&rec))
	req, _ := p.Build(&wire.Message{Event: testkit.Events(t, generator.ProviderHappyColis, 1)[0], ID: uuid(1)}, wire.FaultNone)
	code, a := post(t, srv.URL, req)
	if code != http.StatusInternalServerError || !strings.Contains(a.Error, "verify bug") {
		t.Fatalf("%d %+v", code, a)
	}
	srv.Close() // the receipt is written after the answer
	if st := srv.Stats(); st.Internal != 1 || st.Received != 1 {
		t.Fatalf("stats %+v", st)
	}
	if !strings.Contains(rec.String(), `"status":500`) {
		t.Fatalf("record %q", rec.String())
	}
}

// TestReceiverNumberBomb: a signed delivery whose number makes the schema
// validator panic is a 400 naming the pointer, recorded.
func TestReceiverNumberBomb(t *testing.T) {
	t.Parallel()
	var rec bytes.Buffer
	p := testwire.Profile(t, generator.ProviderHappyColis)
	srv := startReceiver(t, p, WithRecord(&rec))
	ev := *testkit.Events(t, generator.ProviderHappyColis, 1)[0]
	ev.Payload = bytes.Replace(ev.Payload, []byte(`"total":`), []byte(`"total":1e1000001,"x":`), 1)
	if !bytes.Contains(ev.Payload, []byte("1e1000001")) {
		t.Fatal("no total in the payload")
	}
	req, err := p.Build(&wire.Message{Event: &ev, ID: uuid(1)}, wire.FaultNone)
	if err != nil {
		t.Fatal(err)
	}
	code, a := post(t, srv.URL, req)
	if code != http.StatusBadRequest || !strings.Contains(a.Error, "/body/total: number out of range") {
		t.Fatalf("%d %+v", code, a)
	}
	srv.Close() // the receipt is written after the answer
	if !strings.Contains(rec.String(), "number out of range") {
		t.Fatalf("record %q", rec.String())
	}
}

// TestReceiverLimitsRefused: the largest int64 body limit used to
// overflow into rejecting every delivery; limits are brought into range.
func TestReceiverLimitsRefused(t *testing.T) {
	t.Parallel()
	p := testwire.Profile(t, generator.ProviderHappyColis)
	srv := startReceiver(t, p, WithBodyLimit(MaxBodyLimit), WithInflight(MaxBodyLimit))
	req, _ := p.Build(&wire.Message{Event: testkit.Events(t, generator.ProviderHappyColis, 1)[0], ID: uuid(1)}, wire.FaultNone)
	if code, a := post(t, srv.URL, req); code != http.StatusOK {
		t.Fatalf("%d %+v", code, a)
	}
	for _, tt := range []struct {
		opt          Option
		option, want string
	}{
		{WithBodyLimit(0), "WithBodyLimit", "receiver: WithBodyLimit 0: must be between 1 and 268435456 bytes"},
		{WithBodyLimit(math.MaxInt64), "WithBodyLimit", "receiver: WithBodyLimit 9223372036854775807: must be between 1 and 268435456 bytes"},
		{WithInflight(1), "WithInflight", "receiver: WithInflight 1: must be at least the body limit (4194304 bytes) (WithBodyLimit)"},
		{WithConns(MaxConns + 1), "WithConns", "receiver: WithConns 100001: must be between 1 and 100000"},
		{WithDedupWindow(0), "WithDedupWindow", "receiver: WithDedupWindow 0: must be positive"},
	} {
		_, err := New(p, tt.opt)
		var oe *OptionError
		if !errors.As(err, &oe) || oe.Option != tt.option || !errors.Is(err, ErrOptions) || err.Error() != tt.want {
			t.Errorf("%s: got %v, want %q", tt.option, err, tt.want)
		}
	}
}

// brokenWriter is a connection that is gone: writes fail.
type brokenWriter struct{ *httptest.ResponseRecorder }

func (brokenWriter) Write([]byte) (int, error) { return 0, net.ErrClosed }

// TestReceiverUnansweredReceipt: when the answer cannot be written the
// receipt says so instead of claiming the 200 the sender never got.
func TestReceiverUnansweredReceipt(t *testing.T) {
	t.Parallel()
	var rec bytes.Buffer
	p := testwire.Profile(t, generator.ProviderHappyColis)
	r := mustNew(t, p, WithRecord(&rec))
	req, _ := p.Build(&wire.Message{Event: testkit.Events(t, generator.ProviderHappyColis, 1)[0], ID: uuid(1)}, wire.FaultNone)
	hreq := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(req.Body))
	hreq.Header = req.Header
	r.ServeHTTP(brokenWriter{httptest.NewRecorder()}, hreq)
	var rc Receipt
	if err := json.Unmarshal(rec.Bytes(), &rc); err != nil {
		t.Fatal(err)
	}
	if rc.Status != 200 || rc.Outcome != Applied || !strings.Contains(rc.ResponseError, "not sent") || r.Stats().Unanswered != 1 {
		t.Fatalf("receipt %+v, stats %+v", rc, r.Stats())
	}
}

// TestReceiverShutdownNeverLies shuts receivers down while clients keep
// sending: every receipt recorded as answered 2xx (without a response
// error) was an answer its client got.
func TestReceiverShutdownNeverLies(t *testing.T) {
	t.Parallel()
	p := testwire.Profile(t, generator.ProviderHappyColis)
	evs := testkit.Events(t, generator.ProviderHappyColis, 4)
	for round := range 8 {
		var rec testkit.SyncBuffer
		srv, err := Start(p, WithRecord(&rec))
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		got := map[string]bool{}
		var sent atomic.Int64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for c := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
				defer client.CloseIdleConnections()
				for i := 0; i < 2000; i++ {
					select {
					case <-stop:
						return
					default:
					}
					id := fmt.Sprintf("00000000-0000-4000-8000-%04d%04d%04d", round, c, i)
					req, _ := p.Build(&wire.Message{Event: evs[i%len(evs)], ID: id}, wire.FaultNone)
					hreq, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(req.Body))
					hreq.Header = req.Header
					sent.Add(1)
					resp, err := client.Do(hreq)
					if err != nil {
						continue
					}
					_, rerr := io.ReadAll(resp.Body)
					resp.Body.Close()
					if rerr == nil && resp.StatusCode == http.StatusOK {
						mu.Lock()
						got[id] = true
						mu.Unlock()
					}
				}
			}()
		}
		for deadline := time.Now().Add(10 * time.Second); sent.Load() < 100 && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
		_ = srv.Close() // may report requests still in flight: not the point here
		close(stop)
		wg.Wait()
		lied := 0
		for _, line := range strings.Split(strings.TrimSpace(rec.String()), "\n") {
			var rc Receipt
			if err := json.Unmarshal([]byte(line), &rc); err != nil {
				t.Fatalf("round %d: record line %q: %v", round, line, err)
			}
			if rc.Status == http.StatusOK && rc.ResponseError == "" && !got[rc.ID] {
				lied++
			}
		}
		if lied > 0 {
			t.Fatalf("round %d: %d receipts say 200 for answers their client never got", round, lied)
		}
	}
}

// FuzzReceiverHTTP feeds raw HTTP requests (any method, path, headers,
// framing and body) to each profile's receiver: every request is answered
// with a status the receiver documents, never a 500 (a recovered bug),
// and every POST is counted and answered with JSON.
func FuzzReceiverHTTP(f *testing.F) {
	for _, s := range []string{
		"POST / HTTP/1.1\r\nHost: x\r\nX-Happycolis-Webhook-Signature: abc\r\nContent-Length: 2\r\n\r\n{}",
		"POST /hook HTTP/1.1\r\nHost: x\r\nX-Phasio-Signature: 00\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nWebhook-Id: a\r\nWebhook-Timestamp: 1\r\nWebhook-Signature: v1,AA==\r\nContent-Length: 99999999\r\n\r\n{",
		"GET /orders/x HTTP/1.1\r\nHost: x\r\n\r\n",
		"PUT / HTTP/1.0\r\n\r\n",
	} {
		f.Add(uint8(0), []byte(s))
	}
	var receivers []*Receiver
	for _, name := range []string{generator.ProviderPhasio, generator.ProviderHappyColis, wire.ProviderStandard} {
		receivers = append(receivers, mustNew(f, testwire.Profile(f, name), WithBodyLimit(4<<10), WithInflight(8<<10)))
	}
	f.Fuzz(func(t *testing.T, which uint8, raw []byte) {
		req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
		if err != nil {
			return // net/http refuses it before any handler
		}
		r := receivers[int(which)%len(receivers)]
		before := r.Stats().Received
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		switch w.Code {
		case 200, 400, 401, 404, 405, 413:
		case 301, 307, 308: // the router cleaning a path like //x
			return
		default:
			t.Fatalf("%s: %d %s", r.profile.Name(), w.Code, w.Body)
		}
		if req.Method == http.MethodPost && strings.HasPrefix(req.URL.Path, "/") && (r.Stats().Received != before+1 || !json.Valid(w.Body.Bytes())) {
			t.Fatalf("%s: POST not counted or not answered with JSON: %d %q", r.profile.Name(), w.Code, w.Body)
		}
	})
}

// BenchmarkReceiverFlood sends 400 concurrent 4 MB requests per op to a
// receiver on 127.0.0.1, unsigned or with a forged signature header, and
// reports the peak Go heap seen while they were served (peak-heap-MB) and
// the heap after (after-MB). cmd/orderhooks' TestLongReceiveUnderAttack
// measures the same on a real process's resident size.
func BenchmarkReceiverFlood(b *testing.B) {
	for _, bc := range []struct{ name, header string }{{"unsigned", ""}, {"forged", "X-Phasio-Signature: 00\r\n"}} {
		b.Run(bc.name, func(b *testing.B) {
			srv, err := Start(testwire.Profile(b, generator.ProviderPhasio))
			if err != nil {
				b.Fatal(err)
			}
			defer srv.Close()
			addr := strings.TrimPrefix(srv.URL, "http://")
			body := bytes.Repeat([]byte("x"), 4<<20)
			var peak atomic.Uint64
			stop := make(chan struct{})
			go func() {
				var ms runtime.MemStats
				for {
					runtime.ReadMemStats(&ms)
					if ms.HeapInuse > peak.Load() {
						peak.Store(ms.HeapInuse)
					}
					select {
					case <-stop:
						return
					case <-time.After(10 * time.Millisecond):
					}
				}
			}()
			for b.Loop() {
				var wg sync.WaitGroup
				for range 400 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						c, err := net.Dial("tcp", addr)
						if err != nil {
							return
						}
						defer c.Close()
						fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: x\r\n%sContent-Length: %d\r\n\r\n", bc.header, len(body))
						go c.Write(body)
						if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err == nil {
							io.Copy(io.Discard, resp.Body)
						}
					}()
				}
				wg.Wait()
			}
			close(stop)
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "after-MB")
		})
	}
}
