package emitter

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
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

// hookServer starts a 127.0.0.1 server calling fn with each request's body.
func hookServer(t *testing.T, fn func(w http.ResponseWriter, r *http.Request, body []byte)) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fn(w, r, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// newTestEmitter is New with the test clock and short backoffs.
func newTestEmitter(t *testing.T, tg Targets, opts ...Option) *Emitter {
	t.Helper()
	base := []Option{WithClock(func() time.Time { return testkit.Time }), WithBackoff(time.Millisecond), WithTimeout(5 * time.Second)}
	e, err := New(tg, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// readRecords parses a recording, failing the test on any bad line.
func readRecords(t *testing.T, b []byte) []*Record {
	t.Helper()
	var recs []*Record
	if err := ReadRecords(bytes.NewReader(b), func(r *Record) error { recs = append(recs, r); return nil }); err != nil {
		t.Fatalf("record: %v", err)
	}
	return recs
}

// TestRunProfiles delivers lifecycles with each profile to a real server
// that verifies every request with the profile and checks its payload.
func TestRunProfiles(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		profile, provider, scenario string
	}{
		{generator.ProviderPhasio, generator.ProviderPhasio, "phasio/quote-to-paid"},
		{generator.ProviderHappyColis, generator.ProviderHappyColis, "happycolis/fulfilment"},
		{wire.ProviderStandard, generator.ProviderPhasio, "phasio/po-invoice"},
	} {
		t.Run(tc.profile, func(t *testing.T) {
			evs := testkit.Lifecycles(t, tc.provider, tc.scenario, 5)
			byID := map[string]*generator.Event{}
			for _, ev := range evs {
				byID[messageID(DefaultSeed, uint64(testkit.Time.UnixNano()), ev.Seq)] = ev
			}
			p := testwire.Profile(t, tc.profile)
			var mu sync.Mutex
			seen := map[string]int{}
			srv := hookServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
				rc, err := p.Verify(r.Header, body)
				if err != nil {
					t.Errorf("verify: %v", err)
					http.Error(w, err.Error(), http.StatusUnauthorized)
					return
				}
				id := rc.ID
				if id == "" {
					id = r.Header.Get(wire.DeliveryHeader)
				}
				ev := byID[id]
				if ev == nil {
					t.Errorf("unknown message id %q", id)
				} else if tc.profile != generator.ProviderHappyColis && !bytes.Equal(rc.Payload, ev.Payload) {
					t.Errorf("message %s: payload differs from event %d", id, ev.Seq)
				}
				mu.Lock()
				seen[id]++
				mu.Unlock()
				w.WriteHeader(http.StatusNoContent)
			})
			sum, err := newTestEmitter(t, OneTarget(p, srv.URL)).Run(context.Background(), testkit.Source(evs))
			if err != nil {
				t.Fatal(err)
			}
			if sum.Deliveries != len(evs) || sum.OK != len(evs) || sum.Attempts != len(evs) || len(seen) != len(evs) {
				t.Fatalf("summary %+v, server saw %d ids, want %d deliveries", sum, len(seen), len(evs))
			}
			if !sum.Passed() || sum.Statuses[http.StatusNoContent] != len(evs) {
				t.Fatalf("summary %+v not all 204", sum)
			}
		})
	}
}

// TestRetries checks which answers are retried, and that Retry-After
// (seconds or HTTP date) is obeyed.
func TestRetries(t *testing.T) {
	t.Parallel() // two cases wait out a Retry-After of a second or two
	tests := []struct {
		name        string
		answers     []int  // statuses of successive attempts; 0: hang past the timeout
		retryAfter  string // sent with each failing answer; "date" for an HTTP date 0.5 to 1.5s ahead
		wantTries   int
		wantOK      bool
		minInterval time.Duration
		maxInterval time.Duration // 0: unbounded
	}{
		{"500 then ok", []int{500, 500, 200}, "", 3, true, 0, 0},
		{"503 retry-after seconds", []int{503, 200}, "1", 2, true, 900 * time.Millisecond, 3 * time.Second},
		// The retry comes no sooner than the date (checked below); the
		// backoff alone would retry after a millisecond.
		{"429 retry-after date", []int{429, 200}, "date", 2, true, 0, 3 * time.Second},
		{"timeout then ok", []int{0, 200}, "", 2, true, 0, 0},
		{"408 then ok", []int{408, 204}, "", 2, true, 0, 0},
		{"400 is final", []int{400, 200}, "", 1, false, 0, 0},
		{"401 is final", []int{401, 200}, "", 1, false, 0, 0},
		{"retries exhausted", []int{500, 502, 503, 504, 200}, "", 4, false, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var tries atomic.Int32
			var mu sync.Mutex
			var times []time.Time
			var date time.Time // the Retry-After date sent
			srv := hookServer(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
				n := int(tries.Add(1))
				mu.Lock()
				times = append(times, time.Now())
				mu.Unlock()
				status := tt.answers[min(n, len(tt.answers))-1]
				if status == 0 {
					// Past the attempt's timeout: the emitter gives up
					// first, and its request's end ends this.
					select {
					case <-r.Context().Done():
					case <-time.After(10 * time.Second):
					}
					return
				}
				switch tt.retryAfter {
				case "":
				case "date":
					// HTTP dates have 1 s resolution: the first whole
					// second at least half a second ahead.
					d := time.Now().Add(1500 * time.Millisecond).Truncate(time.Second)
					if n == 1 {
						mu.Lock()
						date = d
						mu.Unlock()
					}
					w.Header().Set("Retry-After", d.UTC().Format(http.TimeFormat))
				default:
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.WriteHeader(status)
			})
			var rec bytes.Buffer
			e := newTestEmitter(t, OneTarget(testwire.Profile(t, generator.ProviderPhasio), srv.URL),
				// An attempt's timeout that a busy machine's answers
				// never reach: a 400 that timed out would be retried.
				WithRetries(3), WithTimeout(time.Second), WithRecord(&rec))
			sum, err := e.Run(context.Background(), testkit.Source(testkit.Events(t, generator.ProviderPhasio, 1)[:1]))
			if err != nil {
				t.Fatal(err)
			}
			if int(tries.Load()) != tt.wantTries || sum.Attempts != tt.wantTries || sum.Retries != tt.wantTries-1 {
				t.Fatalf("server saw %d tries, summary %d attempts %d retries; want %d tries", tries.Load(), sum.Attempts, sum.Retries, tt.wantTries)
			}
			if sum.Passed() != tt.wantOK || sum.Deliveries != 1 {
				t.Fatalf("summary %+v, want ok %v", sum, tt.wantOK)
			}
			if gap := times[len(times)-1].Sub(times[0]); tt.minInterval > 0 && gap < tt.minInterval || tt.maxInterval > 0 && gap > tt.maxInterval {
				t.Fatalf("retry after %s, want %s to %s (Retry-After)", gap, tt.minInterval, tt.maxInterval)
			}
			// Wall clocks both (the date has no monotonic reading): 10ms
			// for a slewing clock; a retry that ignored the date would come
			// half a second early at least.
			if !date.IsZero() && times[len(times)-1].Before(date.Add(-10*time.Millisecond)) {
				t.Fatalf("retry at %s, before the Retry-After date %s", times[len(times)-1].Format(time.StampMilli), date.Format(time.StampMilli))
			}
			recs := readRecords(t, rec.Bytes())
			if len(recs) != tt.wantTries {
				t.Fatalf("%d records, want one per attempt (%d)", len(recs), tt.wantTries)
			}
			for i, r := range recs {
				if r.Attempt != i+1 || r.Delivery != 1 {
					t.Fatalf("record %d: attempt %d delivery %d", i, r.Attempt, r.Delivery)
				}
				if tt.answers[i] == 0 && (r.Error == "" || r.Response != nil) {
					t.Fatalf("record %d of a timeout: error %q, response %+v", i, r.Error, r.Response)
				}
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 6, 15, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"3", 3 * time.Second, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{"99999999", MaxRetryAfter, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
	}
	for _, tt := range tests {
		got, ok := retryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%q) = %s, %v; want %s, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// TestPerOrderOrdering runs 16 workers against a server with random
// latency that asserts, per order, that sequence numbers only grow and
// that no two requests of one order overlap.
func TestPerOrderOrdering(t *testing.T) {
	t.Parallel()
	evs := testkit.Lifecycles(t, generator.ProviderPhasio, "phasio/quote-to-paid", 60)
	byID := map[string]*generator.Event{}
	for _, ev := range evs {
		byID[messageID(DefaultSeed, uint64(testkit.Time.UnixNano()), ev.Seq)] = ev
	}
	var mu sync.Mutex
	last := map[string]int64{}
	busy := map[string]bool{}
	var inflight, peak atomic.Int32
	rnd := rand.New(rand.NewPCG(1, 2))
	srv := hookServer(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		ev := byID[r.Header.Get(wire.DeliveryHeader)]
		if ev == nil {
			t.Errorf("unknown delivery %q", r.Header.Get(wire.DeliveryHeader))
			return
		}
		mu.Lock()
		if busy[ev.OrderKey] {
			t.Errorf("order %s: two requests at once", ev.OrderKey)
		}
		if ev.Seq <= last[ev.OrderKey] {
			t.Errorf("order %s: seq %d after %d", ev.OrderKey, ev.Seq, last[ev.OrderKey])
		}
		busy[ev.OrderKey], last[ev.OrderKey] = true, ev.Seq
		d := time.Duration(rnd.IntN(2000)) * time.Microsecond
		mu.Unlock()
		for n := inflight.Add(1); n > peak.Load(); {
			if peak.CompareAndSwap(peak.Load(), n) {
				break
			}
		}
		time.Sleep(d)
		inflight.Add(-1)
		mu.Lock()
		busy[ev.OrderKey] = false
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	})
	e := newTestEmitter(t, OneTarget(testwire.Profile(t, generator.ProviderPhasio), srv.URL), WithConcurrency(16))
	sum, err := e.Run(context.Background(), testkit.Source(evs))
	if err != nil {
		t.Fatal(err)
	}
	if sum.OK != len(evs) || len(last) != 60 {
		t.Fatalf("summary %+v, %d orders seen; want %d deliveries of 60 orders", sum, len(last), len(evs))
	}
	if peak.Load() < 2 {
		t.Fatalf("at most %d requests at once: orders did not run in parallel", peak.Load())
	}
}

// TestHappyColisFIFO fails the first attempts of one message: nothing
// behind it is delivered before it succeeds, or, once its retries are
// exhausted, ever (unless WithUnblock).
func TestHappyColisFIFO(t *testing.T) {
	t.Parallel()
	evs := testkit.Lifecycles(t, generator.ProviderHappyColis, "happycolis/fulfilment", 4)
	const failing = 5 // index of the message whose first attempts fail
	tests := []struct {
		name      string
		retries   int
		unblock   bool
		wantOK    int
		wantBlock int
	}{
		{"recovers", 3, false, len(evs), 0},
		{"exhausted blocks", 1, false, failing, len(evs) - failing - 1},
		{"exhausted unblocked", 1, true, len(evs) - 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testwire.Profile(t, generator.ProviderHappyColis)
			failID := messageID(DefaultSeed, uint64(testkit.Time.UnixNano()), evs[failing].Seq)
			var mu sync.Mutex
			var order []string
			fails := 0
			srv := hookServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
				rc, err := p.Verify(r.Header, body)
				if err != nil {
					t.Errorf("verify: %v", err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				if rc.ID == failID && fails < 2 {
					fails++
					w.WriteHeader(http.StatusServiceUnavailable)
					return
				}
				order = append(order, rc.ID)
				w.WriteHeader(http.StatusOK)
			})
			e := newTestEmitter(t, OneTarget(p, srv.URL), WithConcurrency(8), WithRetries(tt.retries), WithUnblock(tt.unblock))
			sum, _ := e.Run(context.Background(), testkit.Source(evs))
			var want []string
			for i, ev := range evs {
				if i == failing && tt.retries < 2 {
					continue
				}
				if i > failing && tt.wantBlock > 0 {
					break
				}
				want = append(want, messageID(DefaultSeed, uint64(testkit.Time.UnixNano()), ev.Seq))
			}
			if strings.Join(order, ",") != strings.Join(want, ",") {
				t.Fatalf("delivered in order\n%v\nwant source order\n%v", order, want)
			}
			if sum.OK != tt.wantOK || sum.Blocked != tt.wantBlock || sum.Deliveries != len(evs) {
				t.Fatalf("summary %+v; want ok %d, blocked %d", sum, tt.wantOK, tt.wantBlock)
			}
		})
	}
}

// TestFaults injects each fault into every delivery and finds it in the
// record and on the wire.
func TestFaults(t *testing.T) {
	t.Parallel()
	evs := testkit.Lifecycles(t, generator.ProviderPhasio, "phasio/quote-to-paid", 2)
	tests := []struct {
		fault  wire.Fault
		faults Faults
		// wire checks what the server saw, in arrival order.
		wire func(t *testing.T, got []wireHit)
	}{
		{wire.FaultDuplicate, Faults{Duplicate: 1}, func(t *testing.T, got []wireHit) {
			if len(got) != 2*len(evs) {
				t.Fatalf("%d requests, want %d", len(got), 2*len(evs))
			}
			for i := 0; i < len(got); i += 2 {
				if got[i].id != got[i+1].id || !bytes.Equal(got[i].body, got[i+1].body) || got[i].err != nil {
					t.Fatalf("request %d and %d differ: a duplicate has the same id and bytes", i, i+1)
				}
			}
		}},
		{wire.FaultReorder, Faults{Reorder: 1}, func(t *testing.T, got []wireHit) {
			swapped := 0
			last := map[string]int64{}
			for _, h := range got {
				if h.seq < last[h.order] {
					swapped++
				}
				last[h.order] = max(last[h.order], h.seq)
			}
			if swapped == 0 {
				t.Fatal("no event arrived after a later event of its order")
			}
		}},
		{wire.FaultDelay, Faults{Delay: 5 * time.Millisecond}, func(t *testing.T, got []wireHit) {
			if len(got) != len(evs) {
				t.Fatalf("%d requests, want %d", len(got), len(evs))
			}
		}},
		{wire.FaultTamper, Faults{Tamper: 1}, rejected(wire.ErrSignatureMismatch)},
		{wire.FaultBadSignature, Faults{BadSignature: 1}, rejected(wire.ErrSignatureMismatch)},
		{wire.FaultWrongKey, Faults{WrongKey: 1}, rejected(wire.ErrSignatureMismatch)},
	}
	for _, tt := range tests {
		t.Run(string(tt.fault), func(t *testing.T) {
			p := testwire.Profile(t, generator.ProviderPhasio)
			seqOf := map[string]*generator.Event{}
			for _, ev := range evs {
				seqOf[messageID(DefaultSeed, uint64(testkit.Time.UnixNano()), ev.Seq)] = ev
			}
			var mu sync.Mutex
			var got []wireHit
			srv := hookServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
				id := r.Header.Get(wire.DeliveryHeader)
				_, err := p.Verify(r.Header, body)
				mu.Lock()
				got = append(got, wireHit{id: id, seq: seqOf[id].Seq, order: seqOf[id].OrderKey, body: body, err: err})
				mu.Unlock()
				if err != nil {
					w.WriteHeader(http.StatusUnauthorized)
				}
			})
			var rec bytes.Buffer
			e := newTestEmitter(t, OneTarget(p, srv.URL), WithConcurrency(1), WithFaults(tt.faults), WithRecord(&rec))
			sum, err := e.Run(context.Background(), testkit.Source(evs))
			if err != nil {
				t.Fatal(err)
			}
			tt.wire(t, got)
			recs := readRecords(t, rec.Bytes())
			n := 0
			for _, r := range recs {
				for _, f := range r.Faults {
					if f == tt.fault {
						n++
					}
				}
				if tt.fault == wire.FaultDelay && r.Delay <= 0 {
					t.Fatalf("delivery %d: delay fault without delayNs", r.Delivery)
				}
			}
			if n == 0 || sum.Faults[tt.fault] != n {
				t.Fatalf("%d records carry %s, summary counts %d", n, tt.fault, sum.Faults[tt.fault])
			}
		})
	}
}

// wireHit is one request a test server saw.
type wireHit struct {
	id, order string
	seq       int64
	body      []byte
	err       error
}

// rejected checks that every request failed verification with want.
func rejected(want error) func(*testing.T, []wireHit) {
	return func(t *testing.T, got []wireHit) {
		if len(got) == 0 {
			t.Fatal("nothing arrived")
		}
		for i, h := range got {
			if !errors.Is(h.err, want) {
				t.Fatalf("request %d: verify error %v, want %v", i, h.err, want)
			}
		}
	}
}

// TestFaultsReproducible checks that the same seed faults the same
// deliveries and gives the same ids, whatever the scheduling.
func TestFaultsReproducible(t *testing.T) {
	t.Parallel()
	evs := testkit.Lifecycles(t, generator.ProviderPhasio, "phasio/quote-to-paid", 10)
	srv := hookServer(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {})
	run := func(seed int64) string {
		var rec bytes.Buffer
		e := newTestEmitter(t, OneTarget(testwire.Profile(t, generator.ProviderPhasio), srv.URL), WithSeed(seed), WithConcurrency(4),
			WithFaults(Faults{Duplicate: 0.2, Reorder: 0.2, Tamper: 0.1, WrongKey: 0.1}), WithRecord(&rec))
		if _, err := e.Run(context.Background(), testkit.Source(evs)); err != nil {
			t.Fatal(err)
		}
		// Delivery numbers follow the order deliveries start in, which
		// depends on scheduling; what each message got does not.
		var lines []string
		for _, r := range readRecords(t, rec.Bytes()) {
			lines = append(lines, r.ID+" "+strconv.FormatInt(r.Event.Seq, 10)+" "+faultNames(r.Faults))
		}
		slices.Sort(lines)
		return strings.Join(lines, "\n")
	}
	a, b, c := run(5), run(5), run(6)
	if a != b {
		t.Fatalf("same seed, different deliveries:\n%s\n---\n%s", a, b)
	}
	if a == c {
		t.Fatal("different seeds gave the same deliveries and faults")
	}
}

func faultNames(fs []wire.Fault) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = string(f)
	}
	return strings.Join(s, ",")
}

// TestInterrupt cancels the run from the server after some requests: the
// record stays complete JSONL covering every attempt, and the partial
// summary comes back with ErrInterrupted.
func TestInterrupt(t *testing.T) {
	t.Parallel()
	evs := testkit.Lifecycles(t, generator.ProviderPhasio, "phasio/quote-to-paid", 40)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var n atomic.Int32
	srv := hookServer(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		if n.Add(1) == 25 {
			cancel()
			<-r.Context().Done() // this request is in flight when the run stops
		}
	})
	var rec bytes.Buffer
	e := newTestEmitter(t, OneTarget(testwire.Profile(t, generator.ProviderPhasio), srv.URL), WithConcurrency(4), WithRecord(&rec))
	sum, err := e.Run(ctx, testkit.Source(evs))
	if !errors.Is(err, ErrInterrupted) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want ErrInterrupted wrapping context.Canceled", err)
	}
	if sum == nil || !sum.Interrupted || sum.Deliveries >= len(evs) || sum.Deliveries == 0 {
		t.Fatalf("summary %+v, want a partial interrupted run", sum)
	}
	if !bytes.HasSuffix(rec.Bytes(), []byte("\n")) {
		t.Fatal("record does not end with a complete line")
	}
	recs := readRecords(t, rec.Bytes())
	cancelled := 0
	for _, r := range recs {
		if strings.Contains(r.Error, "context canceled") {
			cancelled++
		}
	}
	if len(recs) != sum.Attempts || cancelled == 0 {
		t.Fatalf("%d records (%d cancelled in flight), %d attempts; want one per attempt, the one in flight cancelled", len(recs), cancelled, sum.Attempts)
	}
}

// TestRunErrors covers bad options and routing errors.
func TestRunErrors(t *testing.T) {
	t.Parallel()
	p := testwire.Profile(t, generator.ProviderPhasio)
	for _, tt := range []struct {
		name string
		t    Targets
		opts []Option
		want error
	}{
		{"no targets", Targets{}, nil, ErrTargets},
		{"bad url", OneTarget(p, "ftp://x"), nil, ErrTargets},
		{"concurrency", OneTarget(p, "http://127.0.0.1:1"), []Option{WithConcurrency(0)}, ErrOptions},
		{"timeout", OneTarget(p, "http://127.0.0.1:1"), []Option{WithTimeout(0)}, ErrOptions},
		{"retries", OneTarget(p, "http://127.0.0.1:1"), []Option{WithRetries(-1)}, ErrOptions},
		{"probability", OneTarget(p, "http://127.0.0.1:1"), []Option{WithFaults(Faults{Tamper: 1.5})}, ErrOptions},
		{"request faults add up", OneTarget(p, "http://127.0.0.1:1"), []Option{WithFaults(Faults{Tamper: 0.6, WrongKey: 0.6})}, ErrOptions},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.t, tt.opts...); !errors.Is(err, tt.want) {
				t.Fatalf("New: %v, want %v", err, tt.want)
			}
		})
	}
	t.Run("event without target", func(t *testing.T) {
		srv := hookServer(t, func(http.ResponseWriter, *http.Request, []byte) {})
		e := newTestEmitter(t, Targets{ByEvent: map[string]*Target{"QUOTE_CONVERTED": {URL: srv.URL, Profile: p}}})
		_, err := e.Run(context.Background(), testkit.Source(testkit.Events(t, generator.ProviderPhasio, 1)))
		if !errors.Is(err, ErrTargets) {
			t.Fatalf("Run: %v, want ErrTargets", err)
		}
	})
}

// TestValidate sends valid payloads and holds back drifted ones.
func TestValidate(t *testing.T) {
	t.Parallel()
	g, err := generator.New(generator.ProviderPhasio, generator.WithOrders(4), generator.WithDrift())
	if err != nil {
		t.Fatal(err)
	}
	var hits atomic.Int32
	srv := hookServer(t, func(http.ResponseWriter, *http.Request, []byte) { hits.Add(1) })
	var rec bytes.Buffer
	e := newTestEmitter(t, OneTarget(testwire.Profile(t, generator.ProviderPhasio), srv.URL), WithValidate(true), WithRecord(&rec))
	sum, err := e.Run(context.Background(), g.Source())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Invalid == 0 || sum.Invalid+int(hits.Load()) != sum.Deliveries || sum.Failed != sum.Invalid {
		t.Fatalf("summary %+v, server hits %d: want drifted payloads held back", sum, hits.Load())
	}
	for _, r := range readRecords(t, rec.Bytes()) {
		if r.Attempt == 0 && !strings.Contains(r.Error, "invalid payload") {
			t.Fatalf("unsent record without the reason: %q", r.Error)
		}
	}
}

// TestRate checks that the rate limit spaces attempts.
func TestRate(t *testing.T) {
	t.Parallel()
	srv := hookServer(t, func(http.ResponseWriter, *http.Request, []byte) {})
	e := newTestEmitter(t, OneTarget(testwire.Profile(t, generator.ProviderPhasio), srv.URL), WithRate(100), WithConcurrency(4))
	start := time.Now()
	sum, err := e.Run(context.Background(), testkit.Source(testkit.Events(t, generator.ProviderPhasio, 11)))
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); sum.OK < 11 || el < 90*time.Millisecond {
		t.Fatalf("%d deliveries in %s; want at least 100ms at 100/s", sum.OK, el)
	}
}

func TestMessageID(t *testing.T) {
	t.Parallel()
	a, b := messageID(1, 7, 1), messageID(1, 7, 2)
	if a == b || a != messageID(1, 7, 1) || a == messageID(2, 7, 1) || a == messageID(1, 8, 1) {
		t.Fatalf("ids not derived from seed, epoch and seq: %s %s", a, b)
	}
	if len(a) != 36 || a[14] != '4' || !strings.ContainsRune("89ab", rune(a[19])) {
		t.Fatalf("%s is not a version 4 UUID", a)
	}
}

func TestSummaryText(t *testing.T) {
	t.Parallel()
	sum := &Summary{Deliveries: 17, Attempts: 20, OK: 9, Failed: 3, Forged: 5, Rejected: 3, Accepted: 1, Retries: 3, Blocked: 1, Invalid: 1,
		Renumbered: 4,
		ByFault: map[wire.Fault]*FaultOutcome{
			wire.FaultTamper:       {Deliveries: 3, Rejected: 2, Accepted: 0, Statuses: map[int]int{401: 1, 400: 1, 500: 1}},
			wire.FaultBadSignature: {Deliveries: 2, Rejected: 1, Accepted: 1, Statuses: map[int]int{401: 1, 200: 1}},
		},
		NoAnswer: map[string]int{"connection refused": 1, "timeout": 1},
		Faults:   map[wire.Fault]int{wire.FaultTamper: 3, wire.FaultBadSignature: 2, wire.FaultDuplicate: 2},
		Statuses: map[int]int{200: 10, 401: 3, 400: 1, 500: 1, 0: 2},
		P50:      456789, P99: 23456789, Max: 123456789, Elapsed: 2500 * time.Millisecond, Rate: 4.8, Interrupted: true}
	var b bytes.Buffer
	if err := sum.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	js, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b.Write(append(js, '\n'))
	testkit.Golden(t, t.Name()+".golden.txt", b.Bytes())
	if sum.Passed() || !(&Summary{Deliveries: 2, OK: 2}).Passed() {
		t.Fatal("Passed wrong")
	}
}

// TestRunsSendFreshIDs runs two scenarios one after the other, same seed,
// against one receiver: the second run's events are new messages, not
// duplicates, because each run's ids mix in the clock's start time;
// a pinned clock reproduces the ids.
func TestRunsSendFreshIDs(t *testing.T) {
	t.Parallel()
	p, rcv, srv := verifyingServer(t, generator.ProviderHappyColis)
	run := func(scenario string, start time.Time) []string {
		var rec bytes.Buffer
		e := newTestEmitter(t, OneTarget(p, srv.URL), WithClock(func() time.Time { return start }), WithRecord(&rec))
		if _, err := e.Run(context.Background(), testkit.Source(testkit.Lifecycles(t, generator.ProviderHappyColis, scenario, 3))); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range readRecords(t, rec.Bytes()) {
			ids = append(ids, r.ID)
		}
		return ids
	}
	first := run("happycolis/fulfilment", testkit.Time)
	second := run("happycolis/cancellation", testkit.Time.Add(time.Second))
	if st := rcv.Stats(); st.Duplicates != 0 || st.Received != int64(len(first)+len(second)) {
		t.Fatalf("two runs: %+v, want %d received and no duplicate", st, len(first)+len(second))
	}
	if again := run("happycolis/fulfilment", testkit.Time); strings.Join(again, " ") != strings.Join(first, " ") {
		t.Fatalf("pinned clock, different ids:\n%v\n%v", first, again)
	}
}
