package emitter

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit/testwire"
)

// settledObserver counts the deliveries that ended.
type settledObserver struct{ done atomic.Int64 }

func (o *settledObserver) Sending(*generator.Event) {}
func (o *settledObserver) Delivered(Delivered)      { o.done.Add(1) }

// TestSoakMemoryFlat runs 1,000,000 fresh Phasio orders (generated,
// encrypted and signed) to a discarding 127.0.0.1 server and checks that
// the live heap after them is within 10 % of the live heap after the
// first 100,000: the engine keeps no state per order. The heap is read
// when every delivery so far has ended (the source waits), after two
// collections. It takes minutes: set ORDERHOOKS_SOAK=1 (.ci/run does).
func TestSoakMemoryFlat(t *testing.T) {
	if os.Getenv("ORDERHOOKS_SOAK") == "" {
		t.Skip("set ORDERHOOKS_SOAK=1 to send 1,000,000 deliveries and compare the live heap")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	defer srv.Close()
	g, err := generator.New(generator.ProviderPhasio, generator.WithOrders(math.MaxInt))
	if err != nil {
		t.Fatal(err)
	}
	obs := &settledObserver{}
	e, err := New(OneTarget(testwire.Profile(t, generator.ProviderPhasio), srv.URL), WithObserver(obs), WithTimeout(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	const first, last = 100_000, 1_000_000
	heap := map[int64]uint64{}
	var sent int64
	stop := errors.New("done")
	start := time.Now()
	src := func(yield func(*generator.Event) error) error {
		return g.Run(func(ev *generator.Event) error {
			if sent == first || sent == last {
				for obs.done.Load() < sent {
					time.Sleep(time.Millisecond)
				}
				runtime.GC()
				runtime.GC()
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				heap[sent] = m.HeapAlloc
				t.Logf("after %d deliveries (%s): live heap %.2f MB", sent, time.Since(start).Round(time.Second), float64(m.HeapAlloc)/1e6)
				if sent == last {
					return stop
				}
			}
			sent++
			return yield(ev)
		})
	}
	sum, err := e.Run(context.Background(), func(yield func(*generator.Event) error) error {
		if err := src(yield); err != stop {
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum.OK != last {
		t.Fatalf("%d of %d deliveries ok", sum.OK, sum.Deliveries)
	}
	a, b := float64(heap[first]), float64(heap[last])
	t.Logf("live heap after %d: %.2f MB, after %d: %.2f MB (%+.1f%%); %.0f deliveries/s", first, a/1e6, last, b/1e6, 100*(b-a)/a, sum.Rate)
	if b > a*1.10 || b < a*0.90 {
		t.Fatalf("live heap %.2f MB after %d deliveries, %.2f MB after %d: more than 10%% apart", b/1e6, last, a/1e6, first)
	}
}
