package capturekit

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/capture"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/corpus"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/schemas"
	"github.com/orderhooks/orderhooks/wire"
)

// FillOrderSize is the deliveries of each order Fill stores.
const FillOrderSize = 7

// Fill stores n deliveries as a busy receiver would have them, for the
// benchmarks and the memory test of a large store: realistic Phasio and
// HappyColis deliveries (two in three Phasio) received one second apart,
// FillOrderSize per order (keys "100000", "100001", …, returned), 1 % with
// a schema violation, 0.5 % with a bad signature, 0.2 % that the
// forwarded app answered 500 and 0.1 % answered 503 by the receiver. The
// payloads repeat those of 300 generated deliveries, so successive
// snapshots of an order differ in many fields (more work for a timeline
// than a real order). It stores from 16 goroutines, as concurrent
// requests do: about 10,000 deliveries a second on two cores.
func Fill(tb testing.TB, s *capture.Store, n int) []string {
	tb.Helper()
	b := New(tb)
	var base []*capture.Delivery
	for _, p := range []struct {
		provider string
		n        int
	}{{generator.ProviderPhasio, 200}, {generator.ProviderHappyColis, 100}} {
		evs, err := corpus.Generate(p.provider, p.n, 5)
		if err != nil {
			tb.Fatal(err)
		}
		for _, ev := range evs {
			base = append(base, b.Delivery(tb, "", ev, wire.FaultNone))
		}
	}
	keys := make([]string, 0, n/FillOrderSize+1)
	for i := 0; i < n; i += FillOrderSize {
		keys = append(keys, strconv.Itoa(100000+i/FillOrderSize))
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if _, err := s.Put(context.Background(), fillDelivery(base, i)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		tb.Fatal(err)
	}
	return keys
}

// fillDelivery is the i-th delivery of Fill.
func fillDelivery(base []*capture.Delivery, i int) *capture.Delivery {
	d := *base[(i*7919)%len(base)]
	d.ReceivedAt = testkit.Time.Add(time.Duration(i) * time.Second)
	d.Key = strconv.Itoa(100000 + i/FillOrderSize)
	d.DeliveryID = fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
	switch {
	case i%100 == 42:
		d.Violations = []schemas.Violation{{Pointer: "/parts/0/quantity", Message: "must be >= 1, got 0"}}
		d.Status, d.Outcome = 400, "rejected"
	case i%200 == 7:
		d.Signature, d.Status, d.Outcome, d.Payload, d.Key, d.Event = capture.SignatureBad, 401, "rejected", nil, "", ""
	case i%500 == 3:
		d.Forward = &capture.Forward{URL: "http://127.0.0.1:3000/webhooks", Status: 500, Latency: 12 * time.Millisecond,
			Answer: []byte(`{"error":"database is locked"}`)}
	case i%1000 == 11:
		d.Status, d.Outcome = 503, "busy"
	}
	return &d
}
