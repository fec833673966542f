package emitter

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/internal/testkit/testwire"
	"github.com/orderhooks/orderhooks/receiver"
	"github.com/orderhooks/orderhooks/wire"
)

// verifyingServer starts a verifying Receiver of provider's test profile
// on 127.0.0.1, closed when the test ends.
func verifyingServer(t *testing.T, provider string) (wire.Profile, *receiver.Receiver, *httptest.Server) {
	t.Helper()
	p := testwire.Profile(t, provider)
	rcv, err := receiver.New(p)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(rcv)
	t.Cleanup(srv.Close)
	return p, rcv, srv
}

// checkRecord checks what every record of a run must satisfy: delivery
// numbers 1..N without gaps, one record per attempt, and agreement with
// the summary on deliveries, attempts and faults.
func checkRecord(t *testing.T, recs []*Record, sum *Summary) {
	t.Helper()
	seen := map[int64]bool{}
	attempts := 0
	faults := map[wire.Fault]int{}
	for _, r := range recs {
		if r.Attempt > 0 {
			attempts++
		}
		if r.Attempt == 0 && len(r.Faults) > 0 {
			t.Errorf("delivery %d was not sent but records faults %v", r.Delivery, r.Faults)
		}
		if !seen[r.Delivery] {
			for _, f := range r.Faults {
				faults[f]++
			}
		}
		seen[r.Delivery] = true
	}
	for n := int64(1); n <= int64(len(seen)); n++ {
		if !seen[n] {
			t.Fatalf("delivery numbers have a gap at %d (%d deliveries)", n, len(seen))
		}
	}
	if len(seen) != sum.Deliveries || attempts != sum.Attempts {
		t.Fatalf("record has %d deliveries and %d attempts, summary %d and %d", len(seen), attempts, sum.Deliveries, sum.Attempts)
	}
	if fmt.Sprint(faults) != fmt.Sprint(sum.Faults) {
		t.Fatalf("record faults %v, summary faults %v", faults, sum.Faults)
	}
}

// TestConcatenatedSources sends two generated runs with the same seqs one
// after the other, as `cat a.jsonl b.jsonl | orderhooks emit --in -` does:
// every delivery gets its own message id, so a deduplicating receiver
// applies them all, and the repeated seqs are renumbered and counted.
func TestConcatenatedSources(t *testing.T) {
	t.Parallel()
	p, rcv, srv := verifyingServer(t, generator.ProviderHappyColis)
	a := testkit.Lifecycles(t, generator.ProviderHappyColis, "happycolis/fulfilment", 3)
	s, _ := generator.LoadScenario("happycolis/cancellation")
	g, _ := generator.New(generator.ProviderHappyColis, generator.WithScenario(s), generator.WithOrders(3), generator.WithSeed(4))
	var b []*generator.Event
	_ = g.Run(func(ev *generator.Event) error { b = append(b, ev); return nil })
	var rec bytes.Buffer
	e := newTestEmitter(t, OneTarget(p, srv.URL), WithRecord(&rec))
	sum, err := e.Run(context.Background(), testkit.Source(append(slices.Clone(a), b...)))
	if err != nil {
		t.Fatal(err)
	}
	st := rcv.Stats()
	if st.Duplicates != 0 || st.Applied != int64(len(a)+len(b)) || !sum.Passed() {
		t.Fatalf("receiver %+v, summary %+v: want %d applied, no duplicate", st, sum, len(a)+len(b))
	}
	if sum.Renumbered != len(b) {
		t.Fatalf("renumbered %d, want %d", sum.Renumbered, len(b))
	}
	recs := readRecords(t, rec.Bytes())
	seqs, ids := map[int64]bool{}, map[string]bool{}
	for _, r := range recs {
		if seqs[r.Event.Seq] || ids[r.ID] {
			t.Fatalf("seq %d or id %s repeats in the record", r.Event.Seq, r.ID)
		}
		seqs[r.Event.Seq], ids[r.ID] = true, true
	}
	if b[0].Seq != 1 {
		t.Fatal("renumbering changed the source's own event")
	}
	checkRecord(t, recs, sum)
}

// TestRunIDs: with the default clock, two runs in the same nanosecond
// still get different ids; a pinned clock reproduces them.
func TestRunIDs(t *testing.T) {
	t.Parallel()
	tg := OneTarget(testwire.Profile(t, generator.ProviderPhasio), "http://127.0.0.1:1")
	free, _ := New(tg)
	if a, b := free.runID(), free.runID(); a == b {
		t.Fatal("two runs of the default clock share an id")
	}
	pinned, _ := New(tg, WithClock(func() time.Time { return testkit.Time }))
	if a, b := pinned.runID(), pinned.runID(); a != b {
		t.Fatal("a pinned clock does not reproduce the run id")
	}
}

// TestHappyColisFaults sends HappyColis lifecycles with every fault
// against a correct receiver: the rejected forgeries do not block the
// FIFO queue, every delivery is sent, every forgery is rejected, every
// valid delivery accepted, and record and summary agree.
func TestHappyColisFaults(t *testing.T) {
	t.Parallel()
	p, _, srv := verifyingServer(t, generator.ProviderHappyColis)
	evs := testkit.Lifecycles(t, generator.ProviderHappyColis, "happycolis/fulfilment", 60)
	var rec bytes.Buffer
	e := newTestEmitter(t, OneTarget(p, srv.URL), WithRecord(&rec), WithSeed(9), WithTotal(int64(len(evs))),
		WithFaults(Faults{Duplicate: 0.1, Reorder: 0.2, Tamper: 0.05, BadSignature: 0.05, WrongKey: 0.05}))
	sum, err := e.Run(context.Background(), testkit.Source(evs))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Blocked != 0 || sum.Failed != 0 || sum.Forged == 0 || sum.Rejected != sum.Forged || !sum.Passed() {
		t.Fatalf("summary %+v: want no blocked or failed delivery, every forgery rejected", sum)
	}
	if sent := sum.Deliveries - sum.Faults[wire.FaultDuplicate]; sent != len(evs) {
		t.Fatalf("%d events sent, want all %d", sent, len(evs))
	}
	for _, f := range []wire.Fault{wire.FaultTamper, wire.FaultBadSignature, wire.FaultWrongKey} {
		if o := sum.ByFault[f]; o == nil || o.Rejected != o.Deliveries || o.Statuses[http.StatusUnauthorized] != o.Deliveries {
			t.Fatalf("%s: %+v, want every one rejected 401", f, o)
		}
	}
	recs := readRecords(t, rec.Bytes())
	checkRecord(t, recs, sum)
	// One queue, one worker: record order is send order. An event sent
	// after an event that came later in the source carries the reorder
	// fault, whether it was swapped or held to the end of its window.
	maxSeq := int64(0)
	for _, r := range recs {
		if r.Attempt != 1 {
			continue
		}
		if r.Event.Seq < maxSeq && !slices.Contains(r.Faults, wire.FaultReorder) && !slices.Contains(r.Faults, wire.FaultDuplicate) {
			t.Fatalf("delivery %d (seq %d) went after seq %d without the reorder label", r.Delivery, r.Event.Seq, maxSeq)
		}
		maxSeq = max(maxSeq, r.Event.Seq)
	}
}

// TestBlockedFIFONoGaps: a failing valid HappyColis delivery blocks the
// queue; what is behind it, duplicates included, is recorded unsent with
// no fault, numbered without gaps.
func TestBlockedFIFONoGaps(t *testing.T) {
	t.Parallel()
	p := testwire.Profile(t, generator.ProviderHappyColis)
	valid := 0
	srv := hookServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		if _, err := p.Verify(r.Header, body); err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if valid++; valid == 3 {
			w.WriteHeader(http.StatusBadRequest)
		}
	})
	evs := testkit.Lifecycles(t, generator.ProviderHappyColis, "happycolis/fulfilment", 10)
	var rec bytes.Buffer
	e := newTestEmitter(t, OneTarget(p, srv.URL), WithRecord(&rec), WithSeed(2), WithFaults(Faults{Duplicate: 0.5, Tamper: 0.2}))
	sum, _ := e.Run(context.Background(), testkit.Source(evs))
	if sum.Blocked == 0 {
		t.Fatalf("summary %+v: nothing blocked", sum)
	}
	checkRecord(t, readRecords(t, rec.Bytes()), sum)
	if sum.Faults[wire.FaultTamper] > 2 {
		t.Fatalf("faults %v counted on deliveries never sent", sum.Faults)
	}
}

// TestLimitsOfOptions: numeric options out of range (NaN, infinities,
// overflowing rates, concurrency beyond the cap) and headers RFC 9110
// forbids are refused by New.
func TestLimitsOfOptions(t *testing.T) {
	t.Parallel()
	tg := OneTarget(testwire.Profile(t, generator.ProviderPhasio), "http://127.0.0.1:1")
	for _, tt := range []struct {
		name string
		opt  Option
		want string
	}{
		{"concurrency", WithConcurrency(MaxConcurrency + 1), "between 1 and 10000"},
		{"rate NaN", WithRate(math.NaN()), "WithRate NaN"},
		{"rate tiny", WithRate(1e-10), "WithRate 1e-10"},
		{"rate Inf", WithRate(math.Inf(1)), "WithRate +Inf"},
		{"retries", WithRetries(1000), "between 0 and 100"},
		{"header CRLF", WithHeader(http.Header{"X-A": {"v\r\nInjected: 1"}}), "control character"},
		{"header name", WithHeader(http.Header{"Bad Name": {"v"}}), "not allowed in a header name"},
		{"header non-ASCII name", WithHeader(http.Header{"X-Caf\u00e9": {"v"}}), "not allowed in a header name"},
		{"framing header", WithHeader(http.Header{"Content-Length": {"1"}}), "set by the HTTP client"},
		{"delay fault NaN", WithFaults(Faults{Tamper: math.NaN()}), "WithFaults.Tamper NaN"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tg, tt.opt)
			if !errors.Is(err, ErrOptions) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want ErrOptions with %q", err, tt.want)
			}
		})
	}
	if _, err := New(tg, WithRate(MinRate), WithConcurrency(MaxConcurrency), WithHeader(http.Header{"X-Ok": {"a\tb é"}})); err != nil {
		t.Fatalf("limits themselves refused: %v", err)
	}
	e := newTestEmitter(t, tg)
	for _, speed := range []float64{math.NaN(), math.Inf(1), 1e-9, -1} {
		if _, err := e.Replay(context.Background(), strings.NewReader(""), ReplayOptions{Speed: speed}); !errors.Is(err, ErrOptions) {
			t.Errorf("speed %v: %v, want ErrOptions", speed, err)
		}
	}
}

// TestMaxConcurrencyIsCheap: workers start on demand, so the largest
// concurrency costs little for a small run (it used to cost gigabytes).
func TestMaxConcurrencyIsCheap(t *testing.T) {
	srv := hookServer(t, func(http.ResponseWriter, *http.Request, []byte) {})
	e := newTestEmitter(t, OneTarget(testwire.Profile(t, generator.ProviderPhasio), srv.URL), WithConcurrency(MaxConcurrency))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	sum, err := e.Run(context.Background(), testkit.Source(testkit.Events(t, generator.ProviderPhasio, 3)))
	runtime.ReadMemStats(&after)
	if err != nil || !sum.Passed() {
		t.Fatalf("%+v %v", sum, err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 20<<20 {
		t.Fatalf("a 3-event run at concurrency %d allocated %d MiB", MaxConcurrency, alloc>>20)
	}
}

// TestNoAnswerCauses: deliveries that get no HTTP answer are counted by
// cause in the summary, not only in the record.
func TestNoAnswerCauses(t *testing.T) {
	t.Parallel()
	p := testwire.Profile(t, generator.ProviderPhasio)
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(tlsSrv.Close)
	plain := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(plain.Close)
	hangup := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		c, _, _ := w.(http.Hijacker).Hijack()
		c.Close()
	}))
	t.Cleanup(hangup.Close)
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(release) })
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := "http://" + ln.Addr().String()
	ln.Close()
	for _, tt := range []struct{ name, url, want string }{
		{"refused", closed, "connection refused"},
		{"unknown CA", tlsSrv.URL, "TLS: certificate signed by unknown authority"},
		{"https to http", strings.Replace(plain.URL, "http:", "https:", 1), "TLS: the server does not speak TLS (an http:// URL?)"},
		{"hang-up", hangup.URL, "connection closed without an answer"},
		{"timeout", slow.URL, "timeout"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// The other causes end the attempt at once; a timeout that a
			// busy machine's TLS handshakes never reach keeps them apart
			// from it.
			timeout := 10 * time.Second
			if tt.want == "timeout" {
				timeout = 300 * time.Millisecond
			}
			e := newTestEmitter(t, OneTarget(p, tt.url), WithRetries(0), WithTimeout(timeout))
			sum, err := e.Run(context.Background(), testkit.Source(testkit.Events(t, generator.ProviderPhasio, 2)))
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			_ = sum.WriteText(&b)
			if sum.NoAnswer[tt.want] != 2 || !strings.Contains(b.String(), "no answer: "+tt.want) {
				t.Fatalf("no-answer causes %v, want %q 2:\n%s", sum.NoAnswer, tt.want, b.String())
			}
		})
	}
}

// TestBodyErrorAfter2xx: an answer whose status came but whose body broke
// off counts by its status (as the contract checks count it), with the
// body error in the record.
func TestBodyErrorAfter2xx(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		c, buf, _ := w.(http.Hijacker).Hijack()
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"ok\":")
		buf.Flush()
		c.Close()
	}))
	t.Cleanup(srv.Close)
	var rec bytes.Buffer
	e := newTestEmitter(t, OneTarget(testwire.Profile(t, generator.ProviderPhasio), srv.URL), WithRecord(&rec))
	sum, err := e.Run(context.Background(), testkit.Source(testkit.Events(t, generator.ProviderPhasio, 1)))
	if err != nil || sum.OK != 1 || !sum.Passed() {
		t.Fatalf("%+v %v: want the 2xx counted ok", sum, err)
	}
	r := readRecords(t, rec.Bytes())[0]
	if r.Response == nil || r.Response.Status != 200 || !strings.Contains(r.Error, "reading the response body") {
		t.Fatalf("record: %+v", r)
	}
	resp, err := Deliver(context.Background(), http.DefaultClient, srv.URL, &wire.Request{Body: []byte("{}")})
	if err != nil || resp.Status != 200 || resp.BodyError == nil {
		t.Fatalf("Deliver: %+v %v", resp, err)
	}
}

// TestUserinfoRedacted: a password in the target URL appears in no record
// and no error.
func TestUserinfoRedacted(t *testing.T) {
	t.Parallel()
	srv := hookServer(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) { w.WriteHeader(http.StatusBadRequest) })
	url := strings.Replace(srv.URL, "http://", "http://alice:hunter2@", 1)
	var rec bytes.Buffer
	p := testwire.Profile(t, generator.ProviderHappyColis)
	e := newTestEmitter(t, OneTarget(p, url), WithRecord(&rec), WithRetries(0))
	if _, err := e.Run(context.Background(), testkit.Source(testkit.Lifecycles(t, generator.ProviderHappyColis, "happycolis/fulfilment", 2))); err != nil {
		t.Fatal(err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := "http://bob:s3cret@" + ln.Addr().String() + "/x"
	ln.Close()
	err := OneTarget(p, closed).Preflight(context.Background(), time.Second)
	bad := OneTarget(p, "ftp://carol:pw@x/").Preflight(context.Background(), time.Second)
	all := rec.String() + err.Error() + bad.Error()
	for _, secret := range []string{"hunter2", "alice", "s3cret", "bob", "carol"} {
		if strings.Contains(all, secret) {
			t.Fatalf("%q appears:\n%s", secret, all)
		}
	}
	if !strings.Contains(rec.String(), "blocked by message") || !strings.Contains(rec.String(), "redacted@") {
		t.Fatalf("record lacks the redacted URL or the blocked deliveries:\n%.500s", rec.String())
	}
}

// TestPreflightInterrupted: a preflight whose context ends is no verdict
// on the target: the error wraps ErrInterrupted and the context's cause,
// not ErrUnreachable.
func TestPreflightInterrupted(t *testing.T) {
	t.Parallel()
	p := testwire.Profile(t, generator.ProviderPhasio)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := "http://" + ln.Addr().String() + "/x"
	ln.Close()
	if err := OneTarget(p, closed).Preflight(context.Background(), time.Second); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("closed port: %v, want ErrUnreachable", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := OneTarget(p, closed).Preflight(ctx, time.Second)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrInterrupted) || errors.Is(err, ErrUnreachable) {
		t.Fatalf("cancelled: %v, want ErrInterrupted, context.Canceled and not ErrUnreachable", err)
	}
}

// TestReplaySniffBounded: blank lines before the first line are not held,
// and line numbers after them stay right.
func TestReplaySniffBounded(t *testing.T) {
	t.Parallel()
	in := strings.Repeat("\n", 100_000) + `{"seq":1,"provider":"phasio","event":"ORDER","payload":{`
	e := newTestEmitter(t, OneTarget(testwire.Profile(t, generator.ProviderPhasio), "http://127.0.0.1:1"))
	_, err := e.Replay(context.Background(), strings.NewReader(in), ReplayOptions{})
	if !errors.Is(err, ErrRecordFormat) || !strings.Contains(err.Error(), "line 100001: neither a recording nor an events file") {
		t.Fatalf("got %v", err)
	}
	all, err := io2string(strings.NewReader("\n\n{\"seq\":1}\nnext\n"))
	if err != nil || all != "\n\n{\"seq\":1}\nnext\n" {
		t.Fatalf("sniff changed the input: %q %v", all, err)
	}
}

func io2string(r *strings.Reader) (string, error) {
	_, rest, err := sniff(r)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	sc := bufio.NewScanner(rest)
	for sc.Scan() {
		b.WriteString(sc.Text() + "\n")
	}
	return b.String(), sc.Err()
}

// TestCheckHeader covers RFC 9110's field syntax.
func TestCheckHeader(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, value string
		ok          bool
	}{
		{"X-Api-Key", "abc", true}, {"x!#$%&'*+-.^_`|~0", "v", true}, {"X-Obs", "caf\u00e9 \tend", true}, {"X-Empty", "", true},
		{"", "v", false}, {"X Y", "v", false}, {"X:Y", "v", false}, {"X\u00e9", "v", false}, {"X(", "v", false},
		{"X-A", "a\rb", false}, {"X-A", "a\nb", false}, {"X-A", "a\x00", false}, {"X-A", "a\x7f", false},
		{"host", "x", false}, {"Transfer-Encoding", "chunked", false},
	} {
		err := CheckHeader(tt.name, tt.value)
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrHeader)) {
			t.Errorf("CheckHeader(%q, %q) = %v", tt.name, tt.value, err)
		}
	}
}

// TestProgressLineETA: with a known total, the live line shows the share
// done and an ETA; without, neither.
func TestProgressLineETA(t *testing.T) {
	t.Parallel()
	st := newStats(10)
	st.start = time.Now().Add(-4 * time.Second)
	for range 4 {
		st.finished(200, 0, "")
	}
	st.finished(200, bit(wire.FaultDuplicate), "") // a duplicate is not an event done
	line := st.progressLine()
	if !strings.Contains(line, "sent 5 of 10 events (40%)") || !strings.Contains(line, "ETA 6s") {
		t.Fatalf("%q", line)
	}
	if line := newStats(0).progressLine(); strings.Contains(line, " of ") || strings.Contains(line, "ETA") {
		t.Fatalf("unknown total: %q", line)
	}
}
