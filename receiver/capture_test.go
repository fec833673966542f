package receiver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/internal/testkit/testwire"
	"github.com/orderhooks/orderhooks/wire"
)

// kept records what a CaptureFunc was handed, failing while fail is set.
type kept struct {
	mu   sync.Mutex
	caps []Capture
	fail error
}

func (k *kept) capture(_ context.Context, c *Capture) (int64, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fail != nil {
		return 0, k.fail
	}
	cp := *c
	cp.Body = append([]byte(nil), c.Body...)
	k.caps = append(k.caps, cp)
	return int64(len(k.caps)), nil
}

func (k *kept) all() []Capture {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]Capture(nil), k.caps...)
}

// TestCaptureVerdicts: every delivery, rejected ones included, reaches
// the capture function with the verdicts verification found, the request
// as sent and the answer as sent; with validation off an invalid payload
// is accepted and its violations are captured all the same.
func TestCaptureVerdicts(t *testing.T) {
	t.Parallel()
	p := testwire.Profile(t, generator.ProviderPhasio)
	evs := testkit.Events(t, generator.ProviderPhasio, 3)
	var k kept
	srv := startReceiver(t, p, WithCapture(k.capture), WithValidation(false))
	build := func(ev *generator.Event, id string, f wire.Fault) *wire.Request {
		req, err := p.Build(&wire.Message{Event: ev, ID: id, Time: testkit.Time}, f)
		if err != nil {
			t.Fatal(err)
		}
		return req
	}
	invalid := *evs[2]
	invalid.Payload = bytes.Replace(invalid.Payload, []byte(`"quoteNumber":"`), []byte(`"quoteNumber":42,"x":"`), 1)
	reqs := []struct {
		req        *wire.Request
		status     int
		sig, dec   string
		violations bool
		outcome    Outcome
	}{
		{build(evs[0], "m-1", wire.FaultNone), 200, "ok", "ok", false, Applied},
		{build(evs[0], "m-1", wire.FaultNone), 200, "ok", "ok", false, Duplicate},
		{build(evs[1], "m-2", wire.FaultBadSignature), 401, "bad", "", false, Rejected},
		{build(evs[1], "m-3", wire.FaultMissingSignature), 401, "missing", "", false, Rejected},
		{build(evs[1], "m-4", wire.FaultWrongKey), 401, "bad", "", false, Rejected},
		{build(&invalid, "m-5", wire.FaultNone), 200, "ok", "ok", true, Applied},
	}
	for i, r := range reqs {
		if st, _ := post(t, srv.URL+"/hooks/phasio", r.req); st != r.status {
			t.Fatalf("request %d: status %d, want %d", i, st, r.status)
		}
	}
	caps := k.all()
	if len(caps) != len(reqs) {
		t.Fatalf("%d captures, want %d", len(caps), len(reqs))
	}
	for i, c := range caps {
		r := reqs[i]
		if c.Signature != r.sig || c.Decryption != r.dec || (len(c.Violations) > 0) != r.violations || c.Outcome != r.outcome || c.Status != r.status {
			t.Errorf("capture %d: sig %q dec %q violations %d outcome %s status %d; want %q %q %v %s %d",
				i, c.Signature, c.Decryption, len(c.Violations), c.Outcome, c.Status, r.sig, r.dec, r.violations, r.outcome, r.status)
		}
		if c.Path != "/hooks/phasio" || c.Method != http.MethodPost || c.Header.Get(wire.PhasioSignatureHeader) != r.req.Header.Get(wire.PhasioSignatureHeader) {
			t.Errorf("capture %d: request %s %s, signature header %q", i, c.Method, c.Path, c.Header.Get(wire.PhasioSignatureHeader))
		}
		if r.sig != "missing" && !bytes.Equal(c.Body, r.req.Body) {
			t.Errorf("capture %d: body differs from the one sent", i)
		}
		var a answer
		if err := json.Unmarshal(c.Answer, &a); err != nil || (a.OK != (r.status == 200)) {
			t.Errorf("capture %d: answer %q", i, c.Answer)
		}
	}
	if caps[0].Key == "" || caps[0].Event != generator.PhasioOrderCreated || caps[0].ID != "m-1" || !caps[0].SchemaChecked || caps[0].Payload == nil {
		t.Errorf("capture 0: %+v", caps[0])
	}
	if v := caps[5].Violations; len(v) == 0 || v[0].Pointer != "/quoteNumber" {
		t.Errorf("violations of the invalid payload: %+v", v)
	}
}

// TestCaptureFailureAnswers503: a delivery the capture function cannot
// keep is answered 503 with Retry-After, counted, leaves the order's
// state as it was (no snapshot, so no order counted), and its redelivery
// is applied (not taken for a duplicate) once keeping works again.
func TestCaptureFailureAnswers503(t *testing.T) {
	t.Parallel()
	p := testwire.Profile(t, generator.ProviderHappyColis)
	ev := testkit.Events(t, generator.ProviderHappyColis, 1)[0]
	k := &kept{fail: errors.New("disk full")}
	var receipts []Receipt
	var mu sync.Mutex
	srv := startReceiver(t, p, WithCapture(k.capture), WithReceiptFunc(func(rc Receipt) {
		mu.Lock()
		receipts = append(receipts, rc)
		mu.Unlock()
	}))
	req, err := p.Build(&wire.Message{Event: ev, ID: msgID(1), Time: testkit.Time}, wire.FaultNone)
	if err != nil {
		t.Fatal(err)
	}
	hreq, _ := http.NewRequest(http.MethodPost, srv.URL+"/", bytes.NewReader(req.Body))
	hreq.Header = req.Header.Clone()
	resp, err := testClient.Do(hreq)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(body), "disk full") {
		t.Fatalf("answer %d (Retry-After %q): %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if n := srv.Stats().Orders; n != 0 {
		t.Errorf("after the delivery answered 503: %d orders hold a snapshot, want 0", n)
	}
	k.mu.Lock()
	k.fail = nil
	k.mu.Unlock()
	if st, a := post(t, srv.URL+"/", req); st != 200 || a.Outcome != string(Applied) {
		t.Fatalf("redelivery: %d %+v, want 200 applied", st, a)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	st := srv.Stats()
	if st.NotStored != 1 || st.Applied != 1 || st.StoreError != "disk full" || st.Busy != 0 || st.Orders != 1 {
		t.Errorf("stats %+v", st)
	}
	if len(receipts) != 2 || receipts[0].StoreError != "disk full" || receipts[0].Stored != 0 || receipts[1].Stored != 1 {
		t.Errorf("receipts %+v", receipts)
	}
}

// app is a test app that verifies what it is forwarded with its own
// profile (nil: no check) and keeps the requests.
type app struct {
	mu      sync.Mutex
	reqs    []*http.Request
	bodies  [][]byte
	profile wire.Profile
	status  int
}

func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	a.mu.Lock()
	a.reqs, a.bodies = append(a.reqs, r), append(a.bodies, body)
	a.mu.Unlock()
	if a.profile != nil {
		if _, err := a.profile.Verify(r.Header, body); err != nil {
			http.Error(w, "app: "+err.Error(), http.StatusUnauthorized)
			return
		}
	}
	w.WriteHeader(a.status)
	fmt.Fprintf(w, `{"app":"got it"}`)
}

// TestForwardExact: the app receives byte-identical bodies and the
// message's headers; its answers come back with each receipt and in the
// Done callback; rejected deliveries are not forwarded.
func TestForwardExact(t *testing.T) {
	t.Parallel()
	for _, provider := range []string{generator.ProviderPhasio, generator.ProviderHappyColis, wire.ProviderStandard} {
		t.Run(provider, func(t *testing.T) {
			p := testwire.Profile(t, provider)
			a := &app{status: http.StatusAccepted}
			appSrv := httptest.NewServer(a)
			defer appSrv.Close()
			var done []Forwarded
			var mu sync.Mutex
			var receipts []Receipt
			srv := startReceiver(t, p, WithForward(ForwardTo{URL: appSrv.URL + "/webhooks", Done: func(_ context.Context, id int64, f Forwarded) {
				mu.Lock()
				done = append(done, f)
				mu.Unlock()
			}}), WithReceiptFunc(func(rc Receipt) { receipts = append(receipts, rc) }))
			evs := testkit.Events(t, generator.ProviderPhasio, 2)
			if provider == generator.ProviderHappyColis {
				evs = testkit.Events(t, provider, 2)
			}
			var sent []*wire.Request
			for i, ev := range evs {
				req, err := p.Build(&wire.Message{Event: ev, ID: msgID(i), Time: testkit.Time}, wire.FaultNone)
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("X-Forwarded-For", "203.0.113.9")
				sent = append(sent, req)
				post(t, srv.URL+"/in", req)
			}
			bad, _ := p.Build(&wire.Message{Event: evs[0], ID: msgID(99), Time: testkit.Time}, wire.FaultBadSignature)
			post(t, srv.URL+"/in", bad)
			if err := srv.Close(); err != nil {
				t.Fatal(err)
			}
			if len(a.reqs) != len(sent) {
				t.Fatalf("the app got %d requests, want %d (the forged one not forwarded)", len(a.reqs), len(sent))
			}
			for i, req := range sent {
				// Orders are forwarded in parallel: find the delivery's request.
				j := slices.IndexFunc(a.bodies, func(b []byte) bool { return bytes.Equal(b, req.Body) })
				if j < 0 {
					t.Errorf("delivery %d: the app got no body identical to the platform's", i)
					continue
				}
				got := a.reqs[j]
				for k := range req.Header {
					if k == "X-Forwarded-For" {
						if got.Header.Get(k) != "" {
							t.Errorf("delivery %d: the hop header %s was forwarded", i, k)
						}
						continue
					}
					if strings.Join(got.Header.Values(k), ",") != strings.Join(req.Header.Values(k), ",") {
						t.Errorf("delivery %d: header %s = %q, sent %q", i, k, got.Header.Values(k), req.Header.Values(k))
					}
				}
				if got.URL.Path != "/webhooks" {
					t.Errorf("delivery %d: path %s", i, got.URL.Path)
				}
				if _, err := p.Verify(got.Header, a.bodies[j]); err != nil {
					t.Errorf("delivery %d: what the app got does not verify with the platform's secret: %v", i, err)
				}
			}
			if len(done) != len(sent) {
				t.Fatalf("%d results, want %d", len(done), len(sent))
			}
			for _, f := range done {
				if f.Status != http.StatusAccepted || f.Error != "" || string(f.Answer) != `{"app":"got it"}` || f.Latency <= 0 {
					t.Errorf("result %+v", f)
				}
			}
			if st := srv.Stats(); st.Forwarded != 2 || st.ForwardOK != 2 || st.ForwardFailed != 0 {
				t.Errorf("stats %+v", st)
			}
			// Reported when the forward ends: not always in arrival order.
			if len(receipts) != 3 {
				t.Fatalf("receipts %+v", receipts)
			}
			for _, rc := range receipts {
				if (rc.Forward != nil) != (rc.Status == 200) || rc.Forward != nil && !rc.Forward.OK() {
					t.Errorf("receipt %s: forward %+v", rc, rc.Forward)
				}
			}
		})
	}
}

// TestForwardResigned: with Resign the app gets a request it verifies
// with its own secret (and, for Phasio, decrypts), carrying the payload
// the platform sent; with the platform's secret it would fail.
func TestForwardResigned(t *testing.T) {
	t.Parallel()
	for _, provider := range []string{generator.ProviderPhasio, generator.ProviderHappyColis, wire.ProviderStandard} {
		t.Run(provider, func(t *testing.T) {
			p := testwire.Profile(t, provider)
			local, err := wire.NewSecret(provider, strings.NewReader(strings.Repeat("l", 64)))
			if err != nil {
				t.Fatal(err)
			}
			appProfile, err := wire.New(provider, []string{local})
			if err != nil {
				t.Fatal(err)
			}
			a := &app{status: 200, profile: appProfile}
			appSrv := httptest.NewServer(a)
			defer appSrv.Close()
			srv := startReceiver(t, p, WithForward(ForwardTo{URL: appSrv.URL, Resign: appProfile}))
			evs := testkit.Events(t, generator.ProviderPhasio, 3)
			if provider == generator.ProviderHappyColis {
				evs = testkit.Events(t, provider, 3)
			}
			var payloads [][]byte
			for i, ev := range evs {
				req, err := p.Build(&wire.Message{Event: ev, ID: msgID(i), Time: testkit.Time}, wire.FaultNone)
				if err != nil {
					t.Fatal(err)
				}
				got, err := p.Verify(req.Header, req.Body)
				if err != nil {
					t.Fatal(err)
				}
				payloads = append(payloads, got.Payload)
				post(t, srv.URL, req)
			}
			if err := srv.Close(); err != nil {
				t.Fatal(err)
			}
			if st := srv.Stats(); st.ForwardOK != int64(len(evs)) {
				t.Fatalf("the app accepted %d of %d: %+v", st.ForwardOK, len(evs), st)
			}
			// Orders are forwarded in parallel: each request is matched to
			// the delivery of its payload.
			matched := map[int]bool{}
			for j := range a.reqs {
				if _, err := p.Verify(a.reqs[j].Header, a.bodies[j]); err == nil {
					t.Errorf("request %d: the re-signed request verifies with the platform's secret too", j)
				}
				got, err := appProfile.Verify(a.reqs[j].Header, a.bodies[j])
				if err != nil {
					t.Fatal(err)
				}
				i := slices.IndexFunc(payloads, func(pl []byte) bool { return jsonEqual(t, got.Payload, pl) })
				if i < 0 || matched[i] {
					t.Errorf("request %d: its payload is none of the platform's (or one already forwarded)", j)
					continue
				}
				matched[i] = true
				if got.ID != "" && got.ID != msgID(i) {
					t.Errorf("delivery %d: message id %q", i, got.ID)
				}
			}
		})
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		t.Fatalf("not JSON: %s / %s", a, b)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}

// TestForwardAppDown: an app that refuses connections or hangs is an
// error in the result, and the platform's answer does not wait for it.
// Not parallel: that answer is timed against the app's 300 ms timeout.
func TestForwardAppDown(t *testing.T) {
	p := testwire.Profile(t, generator.ProviderHappyColis)
	hang := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-hang }))
	defer slow.Close()
	defer close(hang)
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL
	down.Close()
	// cut promises 100 bytes of answer, sends 3 and hangs up.
	cut := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc")
		_ = buf.Flush()
	}))
	defer cut.Close()
	for _, tt := range []struct {
		name, url, want string
		status          int // the app's status, when one came
	}{
		{"refused", downURL, "refused", 0},
		{"timeout", slow.URL, "Timeout", 0},
		{"cut short", cut.URL, "answered 200, then the answer was cut short: unexpected EOF", 200},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []Forwarded
			ended := make(chan struct{}, 1)
			srv := startReceiver(t, p, WithForward(ForwardTo{URL: tt.url, Client: &http.Client{Timeout: 300 * time.Millisecond},
				Done: func(_ context.Context, _ int64, f Forwarded) {
					got = append(got, f)
					ended <- struct{}{}
				}}))
			ev := testkit.Events(t, generator.ProviderHappyColis, 1)[0]
			req, _ := p.Build(&wire.Message{Event: ev, ID: msgID(1), Time: testkit.Time}, wire.FaultNone)
			start := time.Now()
			if st, _ := post(t, srv.URL, req); st != 200 {
				t.Fatalf("status %d", st)
			}
			if el := time.Since(start); el > 250*time.Millisecond {
				t.Errorf("the platform's answer took %s: it waited for the app", el)
			}
			// The forward ends by itself (closing first would cancel it).
			select {
			case <-ended:
			case <-time.After(10 * time.Second):
				t.Fatal("no result within 10s")
			}
			if err := srv.Close(); err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Status != tt.status || !strings.Contains(got[0].Error, tt.want) || got[0].OK() {
				t.Errorf("results %+v, want an error with %q", got, tt.want)
			}
			if st := srv.Stats(); st.ForwardFailed != 1 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

// TestForwardBadURL: New refuses a forward target that is not an http(s)
// URL.
func TestForwardBadURL(t *testing.T) {
	t.Parallel()
	p := testwire.Profile(t, generator.ProviderPhasio)
	for _, u := range []string{"", "localhost:3000", "ftp://x/y", "http://"} {
		if _, err := New(p, WithForward(ForwardTo{URL: u})); !errors.Is(err, ErrOptions) {
			t.Errorf("%q: %v, want ErrOptions", u, err)
		}
	}
}

// msgID is a message id as the platforms make them (a UUID).
func msgID(i int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", i) }
