package receiver

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
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

// slowApp is a test app that keeps what it is forwarded: each request's
// body and message id (the Standard Webhooks webhook-id header), in the
// order they arrive. While held, it answers nothing until released;
// with jitter, it answers after a random pause of up to 2 ms.
type slowApp struct {
	mu      sync.Mutex
	bodies  [][]byte
	ids     []string
	arrived chan string
	held    chan struct{}
	once    sync.Once
	jitter  bool
}

func (a *slowApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	id := r.Header.Get("webhook-id")
	a.mu.Lock()
	a.bodies, a.ids = append(a.bodies, body), append(a.ids, id)
	a.mu.Unlock()
	select {
	case a.arrived <- id:
	default:
	}
	if a.held != nil {
		<-a.held
	}
	if a.jitter {
		time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond)
	}
	w.WriteHeader(http.StatusOK)
}

func (a *slowApp) release() { a.once.Do(func() { close(a.held) }) }

func (a *slowApp) got() ([][]byte, []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.bodies), slices.Clone(a.ids)
}

// waitArrived waits for the app to be sent a request (bounded).
func (a *slowApp) waitArrived(t *testing.T) string {
	t.Helper()
	select {
	case id := <-a.arrived:
		return id
	case <-time.After(10 * time.Second):
		t.Fatal("the app was sent nothing within 10s")
		return ""
	}
}

// forwardRun is a receiver forwarding to a slowApp, with what it
// reported: the receipts and the results passed to Done.
type forwardRun struct {
	srv      *Server
	app      *slowApp
	mu       sync.Mutex
	receipts []Receipt
	done     []Forwarded
}

// startForward starts a slowApp (held unless jitter) and a Standard
// Webhooks receiver forwarding to it with client. The app is released
// before either server closes, so that neither waits for it.
func startForward(t *testing.T, jitter bool, client *http.Client, opts ...Option) (*forwardRun, wire.Profile) {
	t.Helper()
	p := testwire.Profile(t, wire.ProviderStandard)
	a := &slowApp{arrived: make(chan string, 1), jitter: jitter}
	if !jitter {
		a.held = make(chan struct{})
	}
	appSrv := httptest.NewServer(a)
	t.Cleanup(appSrv.Close)
	run := &forwardRun{app: a}
	to := ForwardTo{URL: appSrv.URL, Client: client, Done: func(_ context.Context, _ int64, f Forwarded) {
		run.mu.Lock()
		run.done = append(run.done, f)
		run.mu.Unlock()
	}}
	opts = append(opts, WithForward(to), WithReceiptFunc(func(rc Receipt) { run.receipts = append(run.receipts, rc) }))
	run.srv = startReceiver(t, p, opts...)
	if !jitter {
		t.Cleanup(a.release) // first: cleanups run last in, first out
	}
	return run, p
}

// sender is a platform that waits for each answer (5 s at most) before
// its next delivery.
func sender(t *testing.T, tr *http.Transport) *http.Client {
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Timeout: 5 * time.Second, Transport: tr}
}

// deliver sends ev to url as message id, returning its status and whether
// it went on a connection used before.
func deliver(t *testing.T, c *http.Client, p wire.Profile, url string, ev *generator.Event, id string) (int, bool) {
	t.Helper()
	req, err := p.Build(&wire.Message{Event: ev, ID: id, Time: testkit.Time}, wire.FaultNone)
	if err != nil {
		t.Fatal(err)
	}
	var reused bool
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) { reused = i.Reused }})
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(req.Body))
	if err != nil {
		t.Fatal(err)
	}
	hreq.Header = req.Header.Clone()
	resp, err := c.Do(hreq)
	if err != nil {
		t.Fatalf("delivery %s: %v", id, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, reused
}

// TestForwardKeepAlive: the platform's keep-alive connection is not held
// by the forward: three deliveries on one connection are all answered
// while the app has not answered the first; once released, the app gets
// the three, byte for byte.
func TestForwardKeepAlive(t *testing.T) {
	t.Parallel()
	run, p := startForward(t, false, nil)
	c := sender(t, &http.Transport{MaxConnsPerHost: 1})
	evs := testkit.Events(t, generator.ProviderPhasio, 3)
	var sent [][]byte
	for i, ev := range evs {
		status, reused := deliver(t, c, p, run.srv.URL, ev, msgID(i))
		if status != http.StatusOK || (i > 0 && !reused) {
			t.Fatalf("delivery %d: %d, on the first connection: %t", i, status, reused)
		}
		req, _ := p.Build(&wire.Message{Event: ev, ID: msgID(i), Time: testkit.Time}, wire.FaultNone)
		sent = append(sent, req.Body)
	}
	run.app.waitArrived(t)
	run.app.release()
	if err := run.srv.Close(); err != nil {
		t.Fatal(err)
	}
	bodies, _ := run.app.got()
	if len(bodies) != len(sent) {
		t.Fatalf("the app got %d deliveries, want %d", len(bodies), len(sent))
	}
	for i, b := range sent {
		if !slices.ContainsFunc(bodies, func(got []byte) bool { return bytes.Equal(got, b) }) {
			t.Errorf("delivery %d: the app got no body identical to the platform's", i)
		}
	}
	if st := run.srv.Stats(); st.Forwarded != 3 || st.ForwardOK != 3 {
		t.Errorf("stats %+v", st)
	}
}

// TestForwardOrderPerOrder: the deliveries of one order reach the app in
// the order they were answered, although each comes on a connection of
// its own and the app answers after a random pause; several orders are
// sent at once.
func TestForwardOrderPerOrder(t *testing.T) {
	t.Parallel()
	run, p := startForward(t, true, nil)
	c := sender(t, &http.Transport{DisableKeepAlives: true})
	const orders, each = 4, 12
	evs := testkit.Events(t, generator.ProviderPhasio, orders)
	var wg sync.WaitGroup
	errs := make(chan string, orders*each)
	for k, ev := range evs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				// One order's snapshot again, as message after message.
				if status, _ := deliver(t, c, p, run.srv.URL, ev, msgID(k*100+i)); status != http.StatusOK {
					errs <- msgID(k*100+i) + ": " + http.StatusText(status)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if err := run.srv.Close(); err != nil {
		t.Fatal(err)
	}
	_, ids := run.app.got()
	if len(ids) != orders*each {
		t.Fatalf("the app got %d deliveries, want %d", len(ids), orders*each)
	}
	for k := range orders {
		var want, got []string
		for i := range each {
			want = append(want, msgID(k*100+i))
		}
		for _, id := range ids {
			if slices.Contains(want, id) {
				got = append(got, id)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("order %d: the app got\n%s\nwant\n%s", k, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// TestForwardQueueFull: while the app holds one forward, one order's
// queue takes ForwardQueueLen more (or the in-flight budget fewer); the
// deliveries beyond are still answered 200, and their forwards recorded
// at once as failed, each passed to Done and reported; released, the app
// gets the others.
func TestForwardQueueFull(t *testing.T) {
	t.Parallel()
	p := testwire.Profile(t, wire.ProviderStandard)
	ev := testkit.Events(t, generator.ProviderPhasio, 1)[0]
	req, err := p.Build(&wire.Message{Event: ev, ID: msgID(0), Time: testkit.Time}, wire.FaultNone)
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Verify(req.Header, req.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, held := int64(len(req.Body)), int64(len(req.Body)+len(got.Payload))
	for _, tt := range []struct {
		name   string
		opts   []Option
		extra  int // sent once the app holds the first
		failed int // the last ones
	}{
		{"queue", nil, ForwardQueueLen + 20, 20},
		// Room for the body being read, not for a second queued one.
		{"budget", []Option{WithBodyLimit(body), WithInflight(held + body)}, 3, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			run, _ := startForward(t, false, nil, tt.opts...)
			c := sender(t, &http.Transport{})
			if status, _ := deliver(t, c, p, run.srv.URL, ev, msgID(0)); status != http.StatusOK {
				t.Fatalf("first delivery: %d", status)
			}
			run.app.waitArrived(t)
			for i := 1; i <= tt.extra; i++ {
				// One order: one queue.
				if status, _ := deliver(t, c, p, run.srv.URL, ev, msgID(i)); status != http.StatusOK {
					t.Fatalf("delivery %d: %d", i, status)
				}
			}
			run.app.release()
			if err := run.srv.Close(); err != nil {
				t.Fatal(err)
			}
			ok := 1 + tt.extra - tt.failed
			if st := run.srv.Stats(); st.Forwarded != int64(1+tt.extra) || st.ForwardOK != int64(ok) || st.ForwardFailed != int64(tt.failed) {
				t.Errorf("stats %+v, want %d forwarded, %d failed", st, 1+tt.extra, tt.failed)
			}
			if _, ids := run.app.got(); len(ids) != ok {
				t.Errorf("the app got %d, want %d", len(ids), ok)
			}
			full := 0
			for _, f := range run.done {
				if f.Error == ErrForwardQueueFull.Error() && f.Status == 0 {
					full++
				}
			}
			if full != tt.failed || len(run.done) != 1+tt.extra {
				t.Errorf("%d results, %d of them queue full; want %d, %d", len(run.done), full, 1+tt.extra, tt.failed)
			}
			if len(run.receipts) != 1+tt.extra {
				t.Fatalf("%d receipts, want %d", len(run.receipts), 1+tt.extra)
			}
			for _, rc := range run.receipts {
				last := rc.ID > msgID(tt.extra-tt.failed)
				if rc.Forward == nil || rc.Status != http.StatusOK || (rc.Forward.Error == ErrForwardQueueFull.Error()) != last {
					t.Errorf("receipt %s: forward %+v (one of the last %d: %t)", rc, rc.Forward, tt.failed, last)
				}
			}
		})
	}
}

// TestForwardShutdown: stopping while the app holds one forward and
// others are queued returns within the forward timeout (and slack); every
// delivery answered 200 has its result, passed to Done and reported: the
// app's answer, its timeout, or not forwarded because the receiver
// stopped.
func TestForwardShutdown(t *testing.T) {
	t.Parallel()
	const timeout = 300 * time.Millisecond
	run, p := startForward(t, false, &http.Client{Timeout: timeout})
	c := sender(t, &http.Transport{})
	ev := testkit.Events(t, generator.ProviderPhasio, 1)[0]
	const n = 11
	for i := range n {
		if status, _ := deliver(t, c, p, run.srv.URL, ev, msgID(i)); status != http.StatusOK {
			t.Fatalf("delivery %d: %d", i, status)
		}
		if i == 0 {
			run.app.waitArrived(t)
		}
	}
	start := time.Now()
	if err := run.srv.Close(); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > timeout+5*time.Second {
		t.Errorf("Close took %s, want at most the forward timeout %s and slack", el, timeout)
	}
	st := run.srv.Stats()
	if st.Forwarded != n || st.ForwardOK+st.ForwardFailed != n || st.Applied+st.Stale+st.Duplicates != n {
		t.Errorf("stats %+v, want %d forwarded", st, n)
	}
	if len(run.done) != n || len(run.receipts) != n {
		t.Fatalf("%d results, %d receipts; want %d", len(run.done), len(run.receipts), n)
	}
	stopped := 0
	for _, rc := range run.receipts {
		f := rc.Forward
		switch {
		case f == nil:
			t.Errorf("receipt %s: no forward", rc)
		case f.Error == ErrNotForwarded.Error():
			stopped++
		case f.Status == 0 && !strings.Contains(f.Error, "Timeout") && f.Error != errStoppedInFlight:
			t.Errorf("receipt %s: forward %+v", rc, f)
		}
	}
	if stopped == 0 {
		t.Errorf("no forward recorded as %q", ErrNotForwarded)
	}
}

// panicBuild is a re-signing profile with a bug: its Build panics.
type panicBuild struct{ wire.Profile }

func (panicBuild) Build(*wire.Message, wire.Fault) (*wire.Request, error) { panic("re-signing bug") }

// abortWriter is what a handler wrapping the Receiver may hand it: its
// Write aborts the handler, as http.ErrAbortHandler does.
type abortWriter struct{ http.ResponseWriter }

func (abortWriter) Write([]byte) (int, error) { panic(http.ErrAbortHandler) }

// TestForwardPanics: a panic in a forward's worker (a bug in re-signing)
// or in writing a forwarded delivery's answer is that delivery's failure,
// not the receiver's: the forward is recorded (failed, or sent with the
// answer marked unsent), FinishForwards returns and the in-flight budget
// is given back. (Old code: the worker's panic stopped the test binary;
// the aborted answer left its worker, and FinishForwards, waiting for ever.)
func TestForwardPanics(t *testing.T) {
	t.Parallel()
	p := testwire.Profile(t, wire.ProviderStandard)
	ev := testkit.Events(t, generator.ProviderPhasio, 1)[0]
	req, err := p.Build(&wire.Message{Event: ev, ID: msgID(1), Time: testkit.Time}, wire.FaultNone)
	if err != nil {
		t.Fatal(err)
	}
	app := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(app.Close)
	for _, tt := range []struct {
		name           string
		resign         wire.Profile
		writer         func(http.ResponseWriter) http.ResponseWriter
		ok             bool
		error          string // in the forward's error
		responseError  string // in the receipt's
		wantUnanswered int64
	}{
		{name: "resign", resign: panicBuild{p}, writer: func(w http.ResponseWriter) http.ResponseWriter { return w },
			error: "internal error (a bug in orderhooks; please report it): re-signing bug"},
		{name: "answer", writer: func(w http.ResponseWriter) http.ResponseWriter { return abortWriter{w} },
			ok: true, responseError: "the answer was not sent: " + http.ErrAbortHandler.Error(), wantUnanswered: 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var receipts []Receipt
			r := mustNew(t, p, WithForward(ForwardTo{URL: app.URL, Resign: tt.resign}),
				WithReceiptFunc(func(rc Receipt) { receipts = append(receipts, rc) }))
			hreq := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(req.Body))
			hreq.Header = req.Header.Clone()
			func() {
				defer func() { _ = recover() }() // net/http's part
				r.ServeHTTP(tt.writer(httptest.NewRecorder()), hreq)
			}()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			finished := make(chan struct{})
			go func() {
				r.FinishForwards(ctx)
				close(finished)
			}()
			select {
			case <-finished:
			case <-time.After(30 * time.Second):
				t.Fatal("FinishForwards did not return within 30s")
			}
			st := r.Stats()
			if st.Forwarded != 1 || (st.ForwardOK == 1) != tt.ok || st.Unanswered != tt.wantUnanswered {
				t.Errorf("stats %+v", st)
			}
			if n := r.inflight.Load(); n != 0 {
				t.Errorf("%d bytes left in the in-flight budget", n)
			}
			if len(receipts) != 1 || receipts[0].Forward == nil {
				t.Fatalf("receipts %v", receipts)
			}
			if rc := receipts[0]; rc.Forward.Error != tt.error || rc.ResponseError != tt.responseError {
				t.Errorf("forward error %q, receipt's %q; want %q, %q", rc.Forward.Error, rc.ResponseError, tt.error, tt.responseError)
			}
		})
	}
}

// TestForwardBacklogBusy: as documented, queued forwards keep their bytes
// in the in-flight budget, so a backlog that fills it has the next
// deliveries answered 503 with Retry-After (not taken, not forwarded);
// once the app catches up, a delivery is taken and forwarded again. A
// duplicate is forwarded too.
func TestForwardBacklogBusy(t *testing.T) {
	t.Parallel()
	run, p := startForward(t, false, nil, WithBodyLimit(64<<10), WithInflight(128<<10))
	c := sender(t, &http.Transport{})
	evs := testkit.Events(t, generator.ProviderPhasio, 100)
	taken := 0
	for i, ev := range evs {
		status, _ := deliver(t, c, p, run.srv.URL, ev, msgID(i))
		if i == 0 {
			run.app.waitArrived(t)
		}
		if status == http.StatusServiceUnavailable {
			break
		} else if status != http.StatusOK {
			t.Fatalf("delivery %d: %d", i, status)
		}
		taken++
	}
	if st := run.srv.Stats(); taken == len(evs) || st.Busy != 1 || st.ForwardFailed != 0 {
		t.Fatalf("%d of %d taken while the app held the first; stats %+v", taken, len(evs), st)
	}
	run.app.release()
	deadline := time.Now().Add(30 * time.Second)
	for run.srv.Stats().Forwarded < int64(taken) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	for i, id := range []string{msgID(1000), msgID(1000)} { // the second a duplicate
		if status, _ := deliver(t, c, p, run.srv.URL, evs[0], id); status != http.StatusOK {
			t.Fatalf("after the backlog, delivery %d: %d", i, status)
		}
	}
	if err := run.srv.Close(); err != nil {
		t.Fatal(err)
	}
	if st := run.srv.Stats(); st.Forwarded != int64(taken+2) || st.ForwardOK != st.Forwarded || st.Duplicates != 1 {
		t.Errorf("stats %+v, want %d forwarded, all 2xx, one duplicate", st, taken+2)
	}
}

// TestForwardFinishBounded: a Done function that never returns does not
// hold FinishForwards (and so Serve and the store's closing) for ever: it
// returns, saying so, once the grace and its own bound are over. (Old
// code: it waited for the workers without end.) Not parallel: it sets
// finishWait.
func TestForwardFinishBounded(t *testing.T) {
	defer func(d time.Duration) { finishWait = d }(finishWait)
	finishWait = 100 * time.Millisecond
	p := testwire.Profile(t, wire.ProviderStandard)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }))
	t.Cleanup(app.Close)
	blocked := make(chan struct{})
	entered := make(chan struct{}, 1)
	to := ForwardTo{URL: app.URL, Done: func(context.Context, int64, Forwarded) {
		select {
		case entered <- struct{}{}:
		default:
		}
		<-blocked
	}}
	t.Cleanup(func() { close(blocked) })
	r, err := New(p, WithForward(to))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	c := sender(t, &http.Transport{})
	ev := testkit.Events(t, generator.ProviderPhasio, 1)[0]
	if status, _ := deliver(t, c, p, srv.URL, ev, msgID(0)); status != http.StatusOK {
		t.Fatalf("delivery: %d", status)
	}
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("Done was not called within 10s")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	ended := make(chan error, 1)
	go func() { ended <- r.FinishForwards(ctx) }()
	select {
	case err := <-ended:
		if err == nil || !strings.Contains(err.Error(), "Done function") {
			t.Errorf("FinishForwards = %v, want an error naming the Done function", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("FinishForwards did not return within 10s")
	}
}

// TestForwardServeAgain: a Receiver served again after an earlier Serve
// ended forwards again. (Old code: every delivery of the second Serve
// was recorded "not forwarded: receive stopped".)
func TestForwardServeAgain(t *testing.T) {
	t.Parallel()
	p := testwire.Profile(t, wire.ProviderStandard)
	app := &slowApp{arrived: make(chan string, 4)}
	appSrv := httptest.NewServer(app)
	t.Cleanup(appSrv.Close)
	var mu sync.Mutex
	var results []Forwarded
	r, err := New(p, WithForward(ForwardTo{URL: appSrv.URL, Done: func(_ context.Context, _ int64, f Forwarded) {
		mu.Lock()
		results = append(results, f)
		mu.Unlock()
	}}))
	if err != nil {
		t.Fatal(err)
	}
	ev := testkit.Events(t, generator.ProviderPhasio, 1)[0]
	for round := range 2 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		served := make(chan error, 1)
		go func() { served <- r.Serve(ctx, ln) }()
		c := sender(t, &http.Transport{})
		if status, _ := deliver(t, c, p, "http://"+ln.Addr().String(), ev, msgID(round)); status != http.StatusOK {
			t.Fatalf("round %d: delivery answered %d", round, status)
		}
		cancel()
		select {
		case err := <-served:
			if err != nil {
				t.Fatalf("round %d: Serve: %v", round, err)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("round %d: Serve did not return within 20s", round)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(results) != 2 {
		t.Fatalf("%d forwards recorded, want 2", len(results))
	}
	for i, f := range results {
		if !f.OK() {
			t.Errorf("round %d: forward %+v, want the app's 200", i, f)
		}
	}
	if _, ids := app.got(); len(ids) != 2 {
		t.Errorf("the app got %d deliveries, want 2", len(ids))
	}
}
