package emitter

import (
	"context"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit/testwire"
)

// countingObserver counts the observer's calls and the deliveries of
// each order in flight.
type countingObserver struct {
	mu                 sync.Mutex
	sending, delivered int
	ok                 int
	inflight           map[string]int
	overlap            bool
}

func (o *countingObserver) Sending(ev *generator.Event) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sending++
	o.inflight[ev.OrderKey]++
	o.overlap = o.overlap || o.inflight[ev.OrderKey] > 1
}

func (o *countingObserver) Delivered(d Delivered) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.delivered++
	if d.OK() {
		o.ok++
	}
	if o.inflight[d.Event.OrderKey]--; o.inflight[d.Event.OrderKey] == 0 {
		delete(o.inflight, d.Event.OrderKey)
	}
}

// An endless source ends with the duration: no error, not interrupted,
// not before the duration, paced at the rate (never more than it allows,
// however many the source had), the observer told of every delivery
// (start and end, one at a time per order), and the progress written as
// plain lines. How many deliveries a busy machine manages in the time, and
// how soon the run ends after it, are not what is tested: the bounds
// below them are loose.
func TestDurationEndsAnEndlessRun(t *testing.T) {
	srv := hookServer(t, func(http.ResponseWriter, *http.Request, []byte) {})
	g, err := generator.New(generator.ProviderPhasio, generator.WithOrders(math.MaxInt32), generator.WithScenario(mustScenario(t, "phasio/quote-to-paid")))
	if err != nil {
		t.Fatal(err)
	}
	obs := &countingObserver{inflight: map[string]int{}}
	var lines strings.Builder
	var linesMu sync.Mutex
	e := newTestEmitter(t, OneTarget(testwire.Profile(t, generator.ProviderPhasio), srv.URL),
		WithDuration(600*time.Millisecond), WithRate(500), WithObserver(obs),
		WithProgressLines(writerFunc(func(p []byte) (int, error) {
			linesMu.Lock()
			defer linesMu.Unlock()
			return lines.Write(p)
		}), 100*time.Millisecond))
	start := time.Now()
	sum, err := e.Run(context.Background(), g.Source())
	el := time.Since(start)
	if err != nil || sum.Interrupted {
		t.Fatalf("err %v, interrupted %v", err, sum.Interrupted)
	}
	// 500/s for 0.6 s: at most 300 deliveries (330 with some
	// slack), however many the source had; some (10) even on 2 busy cores.
	if sum.Deliveries < 10 || sum.Deliveries > 330 || sum.OK != sum.Deliveries || el < 600*time.Millisecond || el > 10*time.Second {
		t.Fatalf("%d deliveries (%d ok) in %s at 500/s for 600ms", sum.Deliveries, sum.OK, el)
	}
	t.Logf("%d deliveries in %v", sum.Deliveries, el.Round(time.Millisecond))
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if obs.delivered != sum.Deliveries || obs.sending != obs.delivered || obs.ok != sum.OK || len(obs.inflight) != 0 || obs.overlap {
		t.Errorf("observer: %d sending, %d delivered (%d ok), %d orders in flight, overlap %v; summary %d deliveries",
			obs.sending, obs.delivered, obs.ok, len(obs.inflight), obs.overlap, sum.Deliveries)
	}
	linesMu.Lock()
	defer linesMu.Unlock()
	if n := strings.Count(lines.String(), "\n"); n < 3 || strings.Contains(lines.String(), "\r") || !strings.Contains(lines.String(), "left") {
		t.Errorf("%d progress lines:\n%s", n, lines.String())
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func mustScenario(t *testing.T, name string) *generator.Scenario {
	t.Helper()
	s, err := generator.LoadScenario(name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
