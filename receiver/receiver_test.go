package receiver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/internal/testkit/testwire"
	"github.com/orderhooks/orderhooks/wire"
)

// answer is a Receiver's JSON reply.
type answer struct {
	OK      bool   `json:"ok"`
	Outcome string `json:"outcome"`
	Error   string `json:"error"`
}

var testClient = &http.Client{Timeout: 10 * time.Second}

// post sends req to url and decodes the answer.
func post(t *testing.T, url string, req *wire.Request) (int, answer) {
	t.Helper()
	hreq, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(req.Body))
	if err != nil {
		t.Fatal(err)
	}
	hreq.Header = req.Header.Clone()
	resp, err := testClient.Do(hreq)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a answer
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&a); err != nil {
		t.Fatalf("answer %d is not JSON: %v", resp.StatusCode, err)
	}
	return resp.StatusCode, a
}

// getOrder reads GET /orders/{key}.
func getOrder(t *testing.T, base, key string) (int, []byte) {
	t.Helper()
	resp, err := testClient.Get(base + "/orders/" + key)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// mustNew is New, failing the test on an error.
func mustNew(t testing.TB, p wire.Profile, opts ...Option) *Receiver {
	t.Helper()
	r, err := New(p, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func startReceiver(t *testing.T, p wire.Profile, opts ...Option) *Server {
	t.Helper()
	srv, err := Start(p, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	})
	return srv
}

// delivery is one request of a receiver case, and what it must get.
type delivery struct {
	msg     *wire.Message
	fault   wire.Fault
	status  int
	outcome Outcome
	reason  string // contained in the JSON error
}

// TestReceiverBehaviour delivers request sequences to a receiver on
// 127.0.0.1 and checks every answer, the counters and the stored order.
func TestReceiverBehaviour(t *testing.T) {
	t.Parallel()
	phasio := testkit.Events(t, generator.ProviderPhasio, 2)
	hc := testkit.Events(t, generator.ProviderHappyColis, 1)[0]
	older := testkit.SetHeaderField(t, hc.Payload, "date", "2020-01-01T00:00:00.000Z")
	oldHC := &generator.Event{Provider: hc.Provider, Event: generator.HappyColisCreated, OrderKey: hc.OrderKey, Payload: older}
	msg := func(ev *generator.Event, id string, at time.Time) *wire.Message {
		return &wire.Message{Event: ev, ID: id, Time: at}
	}
	ev := func(provider, event, payload string) *generator.Event {
		return &generator.Event{Provider: provider, Event: event, Payload: []byte(payload)}
	}
	badPhasio := ev(generator.ProviderPhasio, generator.PhasioOrderUpdated, `{"orderId":"x"}`)
	tests := []struct {
		name       string
		profile    string
		opts       []Option
		deliveries []delivery
		order      string // key whose stored snapshot must be want
		want       []byte
		stats      Stats
	}{
		{"phasio applied, then duplicate", generator.ProviderPhasio, nil, []delivery{
			{msg: msg(phasio[0], "d1", testkit.Time), status: 200, outcome: Applied},
			{msg: msg(phasio[0], "d1", testkit.Time), status: 200, outcome: Duplicate},
		}, phasio[0].OrderKey, phasio[0].Payload, Stats{Received: 2, Applied: 1, Duplicates: 1, Orders: 1}},
		{"phasio faults", generator.ProviderPhasio, nil, []delivery{
			{msg: msg(phasio[0], "d1", testkit.Time), fault: wire.FaultBadSignature, status: 401, reason: "signature mismatch"},
			{msg: msg(phasio[0], "d2", testkit.Time), fault: wire.FaultWrongKey, status: 401, reason: "signature mismatch"},
			{msg: msg(phasio[0], "d3", testkit.Time), fault: wire.FaultTamper, status: 401, reason: "signature mismatch"},
			{msg: msg(phasio[0], "d4", testkit.Time), fault: wire.FaultMissingSignature, status: 401, reason: "missing signature"},
			{msg: msg(phasio[0], "d5", testkit.Time), fault: wire.FaultMalformedBody, status: 400, reason: "malformed body"},
			{msg: msg(badPhasio, "d6", testkit.Time), status: 400, reason: "/orderId: expected integer"},
		}, phasio[0].OrderKey, nil, Stats{Received: 6, Unauthorized: 4, BadRequest: 2}},
		{"phasio without validation", generator.ProviderPhasio, []Option{WithValidation(false)}, []delivery{
			{msg: msg(badPhasio, "d1", testkit.Time), status: 200, outcome: Applied},
		}, "x", badPhasio.Payload, Stats{Received: 1, Applied: 1, Orders: 1}},
		{"phasio unknown events", generator.ProviderPhasio, nil, []delivery{
			{msg: msg(ev(generator.ProviderPhasio, "CART_CREATED", `{"cartId":5}`), "d1", testkit.Time), status: 400,
				reason: `unknown event "CART_CREATED" (phasio: ORDER, ORDER_UPDATED, QUOTE_CONVERTED)`},
			{msg: msg(ev(generator.ProviderPhasio, generator.HappyColisCreated, string(phasio[0].Payload)), "d2", testkit.Time), status: 400,
				reason: `unknown event "order/created" (phasio: ORDER, ORDER_UPDATED, QUOTE_CONVERTED)`},
		}, phasio[0].OrderKey, nil, Stats{Received: 2, BadRequest: 2}},
		{"phasio unknown event without validation", generator.ProviderPhasio, []Option{WithValidation(false)}, []delivery{
			{msg: msg(ev(generator.ProviderPhasio, "CART_CREATED", `{"cartId":5}`), "d1", testkit.Time), status: 200, outcome: Applied},
		}, "", nil, Stats{Received: 1, Applied: 1}},
		{"happycolis unknown event", generator.ProviderHappyColis, nil, []delivery{
			{msg: msg(ev(generator.ProviderHappyColis, "order/deleted", `{"header":{"type":"order/deleted"},"body":{"id":"k"}}`), uuid(1), testkit.Time), status: 400,
				reason: `unknown event "order/deleted" (happycolis: order/created, order/opened, order/updated, order/completed, order/cancelled)`},
		}, "k", nil, Stats{Received: 1, BadRequest: 1}},
		{"standard unknown event", wire.ProviderStandard, nil, []delivery{
			{msg: msg(ev(generator.ProviderPhasio, "CART_CREATED", `{"cartId":5}`), "w1", testkit.Time), status: 400,
				reason: `unknown event "cart.created" (standard: order, order.updated, quote.converted)`},
		}, "", nil, Stats{Received: 1, BadRequest: 1}},
		{"body limit", generator.ProviderPhasio, []Option{WithBodyLimit(256)}, []delivery{
			{msg: msg(phasio[1], "d1", testkit.Time), status: 413, reason: "larger than 256 bytes"},
		}, phasio[1].OrderKey, nil, Stats{Received: 1, TooLarge: 1}},
		{"happycolis stale snapshot", generator.ProviderHappyColis, nil, []delivery{
			{msg: msg(hc, uuid(1), testkit.Time), status: 200, outcome: Applied},
			{msg: msg(oldHC, uuid(2), testkit.Time), status: 200, outcome: Stale},
			{msg: msg(oldHC, uuid(2), testkit.Time), status: 200, outcome: Duplicate},
			{msg: msg(hc, uuid(3), testkit.Time), fault: wire.FaultTamper, status: 401, reason: "signature mismatch"},
		}, hc.OrderKey, stamped(t, hc.Payload, uuid(1)), Stats{Received: 4, Applied: 1, Stale: 1, Duplicates: 1, Unauthorized: 1, Orders: 1}},
		{"happycolis schema", generator.ProviderHappyColis, nil, []delivery{
			{msg: msg(ev(generator.ProviderHappyColis, generator.HappyColisUpdated, `{"header":{"type":"order/updated"},"body":{"id":"k"}}`), uuid(1), testkit.Time),
				status: 400, reason: "happycolis/order-event"},
		}, "k", nil, Stats{Received: 1, BadRequest: 1}},
		{"standard stale snapshot and timestamp", wire.ProviderStandard, nil, []delivery{
			{msg: msg(phasio[0], "w1", testkit.Time), status: 200, outcome: Applied},
			{msg: msg(phasio[0], "w2", testkit.Time.Add(-time.Minute)), status: 200, outcome: Stale},
			{msg: msg(phasio[0], "w3", testkit.Time), fault: wire.FaultStaleTimestamp, status: 401, reason: "timestamp outside the tolerance"},
			{msg: msg(hc, "w4", testkit.Time), status: 200, outcome: Applied},
		}, phasio[0].OrderKey, phasio[0].Payload, Stats{Received: 4, Applied: 2, Stale: 1, Unauthorized: 1, Orders: 2}},
		{"standard carrying happycolis is validated as happycolis", wire.ProviderStandard, nil, []delivery{
			{msg: msg(ev(generator.ProviderHappyColis, generator.HappyColisUpdated, `{"header":{"type":"order/updated"},"body":{"id":"k"}}`), "w1", testkit.Time),
				status: 400, reason: "happycolis/order-event"},
		}, "k", nil, Stats{Received: 1, BadRequest: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testwire.Profile(t, tt.profile)
			srv := startReceiver(t, p, tt.opts...)
			for i, d := range tt.deliveries {
				req, err := p.Build(d.msg, d.fault)
				if err != nil {
					t.Fatal(err)
				}
				status, a := post(t, srv.URL+"/hooks/"+strconv.Itoa(i), req)
				if status != d.status || a.OK != (status == 200) || a.Outcome != string(d.outcome) || !strings.Contains(a.Error, d.reason) {
					t.Fatalf("delivery %d (%s): %d %+v; want %d %q %q", i, d.fault, status, a, d.status, d.outcome, d.reason)
				}
			}
			if got := srv.Stats(); got != tt.stats {
				t.Errorf("stats %+v\nwant  %+v", got, tt.stats)
			}
			if tt.order == "" {
				return
			}
			status, body := getOrder(t, srv.URL, tt.order)
			switch {
			case tt.want == nil && status != http.StatusNotFound:
				t.Errorf("GET /orders/%s: %d, want 404", tt.order, status)
			case tt.want != nil && (status != 200 || !bytes.Equal(body, tt.want)):
				t.Errorf("GET /orders/%s: %d %.80s…\nwant %.80s…", tt.order, status, body, tt.want)
			}
		})
	}
}

// uuid makes the n-th test message id in the form HappyColis requires.
func uuid(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

func stamped(t *testing.T, payload []byte, id string) []byte {
	t.Helper()
	return testkit.SetHeaderField(t, payload, "messageId", id)
}

// TestReceiverVectors: every invalid vector with a request is answered
// 401 with its named reason.
func TestReceiverVectors(t *testing.T) {
	t.Parallel()
	for profile, f := range testkit.Vectors(t) {
		for _, v := range f.Invalid {
			if v.EncryptedPayload == "" && v.Body == "" {
				continue // a bad secret: no receiver can be configured (see the CLI tests)
			}
			t.Run(profile+"/"+v.Name, func(t *testing.T) {
				p, h, body := testwire.Vector(t, profile, v)
				srv := startReceiver(t, p)
				status, a := post(t, srv.URL, &wire.Request{Header: h, Body: body})
				if status != http.StatusUnauthorized || a.OK || a.Error != v.Reason() {
					t.Fatalf("%d %+v; want 401 with reason %q", status, a, v.Reason())
				}
			})
		}
	}
}

// TestReceiverRoutes covers other methods and paths.
func TestReceiverRoutes(t *testing.T) {
	t.Parallel()
	r := mustNew(t, testwire.Profile(t, generator.ProviderPhasio))
	for _, tt := range []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/orders/unknown", http.StatusNotFound},
		{http.MethodPut, "/", http.StatusMethodNotAllowed},
		{http.MethodGet, "/", http.StatusMethodNotAllowed},
	} {
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest(tt.method, tt.path, strings.NewReader("{}")))
		if w.Code != tt.status {
			t.Errorf("%s %s: %d, want %d", tt.method, tt.path, w.Code, tt.status)
		}
	}
}

// TestReceiverRecord writes one JSON line per delivery, with the receipt
// callback seeing the same, and never a payload.
func TestReceiverRecord(t *testing.T) {
	t.Parallel()
	evs := testkit.Events(t, generator.ProviderPhasio, 3)
	var rec bytes.Buffer
	var lines []string
	now := func() time.Time { return testkit.Time }
	p := testwire.Profile(t, generator.ProviderPhasio)
	srv := startReceiver(t, p, WithRecord(&rec), WithClock(now),
		WithReceiptFunc(func(rc Receipt) { lines = append(lines, rc.String()) }))
	faults := []wire.Fault{wire.FaultNone, wire.FaultBadSignature, wire.FaultNone}
	for i, ev := range evs {
		req, err := p.Build(&wire.Message{Event: ev, ID: fmt.Sprint("d", i)}, faults[i])
		if err != nil {
			t.Fatal(err)
		}
		post(t, srv.URL, req)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	records := strings.Split(strings.TrimSpace(rec.String()), "\n")
	if len(records) != len(evs) || len(lines) != len(evs) {
		t.Fatalf("%d records, %d lines, want %d", len(records), len(lines), len(evs))
	}
	want := fmt.Sprintf(`{"time":"2025-06-15T08:00:00Z","id":"d0","event":"ORDER","orderKey":%q,"status":200,"outcome":"applied"}`, evs[0].OrderKey)
	if records[0] != want {
		t.Errorf("record\n got %s\nwant %s", records[0], want)
	}
	if want := `2025-06-15T08:00:00.000Z 401 rejected reason="signature mismatch"`; lines[1] != want {
		t.Errorf("line\n got %s\nwant %s", lines[1], want)
	}
	if strings.Contains(rec.String(), "payload") || strings.Contains(rec.String(), "customerOrganisationName") {
		t.Error("the record holds a payload")
	}
}

// failWriter fails every write.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, io.ErrShortWrite }

// TestReceiverRecordError keeps the first record error for Close.
func TestReceiverRecordError(t *testing.T) {
	t.Parallel()
	p := testwire.Profile(t, generator.ProviderPhasio)
	srv, err := Start(p, WithRecord(failWriter{}))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := p.Build(&wire.Message{Event: testkit.Events(t, generator.ProviderPhasio, 1)[0]}, wire.FaultNone)
	if status, _ := post(t, srv.URL, req); status != 200 {
		t.Fatalf("status %d", status)
	}
	if err := srv.Close(); err == nil || !strings.Contains(err.Error(), "record") {
		t.Fatalf("Close: %v, want the record error", err)
	}
}

// TestReceiverConcurrent: the same message from many clients at once is
// applied exactly once; different orders are all kept.
func TestReceiverConcurrent(t *testing.T) {
	t.Parallel()
	evs := testkit.Events(t, generator.ProviderHappyColis, 8)
	p := testwire.Profile(t, generator.ProviderHappyColis)
	srv := startReceiver(t, p)
	dup, err := p.Build(&wire.Message{Event: evs[0], ID: uuid(100)}, wire.FaultNone)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 24; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := dup
			if i%3 == 0 {
				req, _ = p.Build(&wire.Message{Event: evs[i/3], ID: uuid(i)}, wire.FaultNone)
			}
			if status, _ := post(t, srv.URL, req); status != 200 {
				t.Errorf("status %d", status)
			}
		}()
	}
	wg.Wait()
	st := srv.Stats()
	if st.Received != 24 || st.Applied+st.Stale != 9 || st.Duplicates != 15 || st.Orders != 8 {
		t.Fatalf("stats %+v", st)
	}
}

// TestDedupWindow forgets the oldest ids beyond the window.
func TestDedupWindow(t *testing.T) {
	t.Parallel()
	s := newStore(2)
	apply := func(id string) Outcome { o, _ := s.apply(&wire.Received{ID: id}, ""); return o }
	got := []Outcome{apply("a"), apply("b"), apply("a"), apply("c"), apply("a"), apply("c")}
	want := []Outcome{Applied, Applied, Duplicate, Applied, Applied, Duplicate}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("outcomes %v, want %v", got, want)
		}
	}
	if len(s.ids.set) != 2 {
		t.Fatalf("%d ids remembered, want 2", len(s.ids.set))
	}
}

// FuzzReceiverBody posts arbitrary bodies, correctly signed where the
// signature covers the body, to a receiver of each profile: it must never
// panic and must answer 200, 400 or 401 with a JSON reason.
//
// The seeds are small on purpose (a whole generated order as a seed keeps
// the engine minimising instead of fuzzing).
func FuzzReceiverBody(f *testing.F) {
	f.Add([]byte(`{"header":{"messageId":"m","type":"order/created","date":"2025-06-15T08:00:00Z"},"body":{"id":"1","total":1e1000001}}`))
	f.Add([]byte(`{"type":"order.updated","data":{"orderId":1}}`))
	f.Add([]byte(`{"payload":"AAAA"}`))
	f.Add([]byte(`{"header":{"type":"order/created","date":"x"},"body":{}}`))
	f.Add([]byte(`{"type":"order","data":null}`))
	f.Add([]byte("\x00\xff"))
	receivers := []*Receiver{mustNew(f, testwire.Profile(f, generator.ProviderPhasio)),
		mustNew(f, testwire.Profile(f, generator.ProviderHappyColis)), mustNew(f, testwire.Profile(f, wire.ProviderStandard))}
	ts := strconv.FormatInt(testkit.Time.Unix(), 10)
	f.Fuzz(func(t *testing.T, body []byte) {
		encoded, _ := json.Marshal(string(body))
		phasioBody := append(append([]byte(`{"payload":`), encoded...), '}')
		stdHeader := http.Header{wire.StandardIDHeader: {"id"}, wire.StandardTimestampHeader: {ts}}
		stdHeader.Set(wire.StandardSignatureHeader, testkit.SignStandard(testkit.StandardSecret, "id", ts, body))
		cases := []struct {
			r    *Receiver
			h    http.Header
			body []byte
		}{
			{receivers[0], http.Header{wire.PhasioSignatureHeader: {string(body)}}, body},
			{receivers[0], http.Header{wire.PhasioSignatureHeader: {testkit.SignPhasio(testkit.PhasioSecret, body)}}, phasioBody},
			{receivers[1], http.Header{wire.HappyColisSignatureHeader: {testkit.SignHappyColis(testkit.HappyColisSecret, body)}}, body},
			{receivers[2], stdHeader, body},
		}
		for _, c := range cases {
			req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(c.body))
			req.Header = c.h
			w := httptest.NewRecorder()
			c.r.ServeHTTP(w, req)
			var a answer
			if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil || (w.Code != 200 && w.Code != 400 && w.Code != 401 && w.Code != 413) || a.OK != (w.Code == 200) {
				t.Fatalf("%s: %d %s", c.r.profile.Name(), w.Code, w.Body)
			}
		}
	})
}

// TestReceiverGracefulClose: Close waits for a delivery in flight, which is
// answered and counted, and refuses new connections.
func TestReceiverGracefulClose(t *testing.T) {
	t.Parallel()
	p := testwire.Profile(t, generator.ProviderHappyColis)
	srv, err := Start(p)
	if err != nil {
		t.Fatal(err)
	}
	req, err := p.Build(&wire.Message{Event: testkit.Events(t, generator.ProviderHappyColis, 1)[0], ID: uuid(1)}, wire.FaultNone)
	if err != nil {
		t.Fatal(err)
	}
	half := len(req.Body) / 2
	pw, status := postHalf(t, srv, req, half)
	closed := make(chan error, 1)
	go func() { closed <- srv.Close() }()
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) with a delivery in flight", err)
	case <-time.After(50 * time.Millisecond):
	}
	if _, err := pw.Write(req.Body[half:]); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if got := <-status; got != http.StatusOK {
		t.Fatalf("in-flight delivery answered %d", got)
	}
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if st := srv.Stats(); st.Applied != 1 {
		t.Fatalf("stats %+v", st)
	}
	if _, err := testClient.Get(srv.URL + "/orders/x"); err == nil {
		t.Fatal("a closed receiver answered")
	}
}

// postHalf starts a delivery of req whose body stops after its first n
// bytes, and waits (bounded) until the receiver is reading it; the caller
// writes the rest to pw and reads the answer's status (-1: none) from
// status.
func postHalf(t *testing.T, srv *Server, req *wire.Request, n int) (pw *io.PipeWriter, status chan int) {
	t.Helper()
	pr, pw := io.Pipe()
	hreq, _ := http.NewRequest(http.MethodPost, srv.URL, pr)
	hreq.Header, hreq.ContentLength = req.Header, int64(len(req.Body))
	status = make(chan int, 1)
	go func() {
		resp, err := testClient.Do(hreq)
		if err != nil {
			status <- -1
			return
		}
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	if _, err := pw.Write(req.Body[:n]); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); srv.Stats().Received == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the delivery never reached the handler")
		}
	}
	return pw, status
}

// TestStoreUndo: undo takes back what one apply stored (the earlier
// snapshot again, or none), and leaves a snapshot a later apply stored.
func TestStoreUndo(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s *store) time.Time { return s.orders["k"].at }
	s := newStore(8)
	s.apply(&wire.Received{ID: "a", Time: t0}, "k")
	_, c := s.apply(&wire.Received{ID: "b", Time: t0.Add(time.Hour)}, "k")
	s.undo(c)
	if !at(s).Equal(t0) {
		t.Errorf("after undo the snapshot is of %v, want the earlier one of %v", at(s), t0)
	}
	if o, _ := s.apply(&wire.Received{ID: "c", Time: t0.Add(time.Minute)}, "k"); o != Applied {
		t.Errorf("a snapshot newer than the one left: %s, want applied (the undone one must not make it stale)", o)
	}
	_, c = s.apply(&wire.Received{ID: "d", Time: t0.Add(2 * time.Minute)}, "k")
	s.apply(&wire.Received{ID: "e", Time: t0.Add(3 * time.Minute)}, "k")
	s.undo(c)
	if want := t0.Add(3 * time.Minute); !at(s).Equal(want) {
		t.Errorf("undo replaced a later apply's snapshot: %v, want %v", at(s), want)
	}
	_, c = s.apply(&wire.Received{ID: "f", Time: t0}, "new")
	s.undo(c)
	if s.len() != 1 {
		t.Errorf("undo of an order's first snapshot left %d orders, want 1", s.len())
	}
}
