package generator

import (
	"io"
	"testing"
)

// Run with: go test -run '^$' -bench . -cpu 1 -benchtime 2s -count 3 ./generator
// (-cpu 1 is GOMAXPROCS=1, the one-core target).

func benchmarkRun(b *testing.B, provider string, write bool, opts ...Option) {
	g, err := New(provider, append(opts, WithOrders(b.N))...)
	if err != nil {
		b.Fatal(err)
	}
	w := NewEventWriter(io.Discard)
	b.ReportAllocs()
	b.ResetTimer()
	events := 0
	err = g.Run(func(ev *Event) error {
		events++
		if write {
			return w.Write(ev)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "orders/s")
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkPhasioOrder: single-event Phasio orders (Order Created, 1–5
// parts), payload JSON included.
func BenchmarkPhasioOrder(b *testing.B) { benchmarkRun(b, ProviderPhasio, false) }

// BenchmarkPhasioOrderJSONL adds writing the JSONL lines, as generate does.
func BenchmarkPhasioOrderJSONL(b *testing.B) { benchmarkRun(b, ProviderPhasio, true) }

func BenchmarkHappyColisOrder(b *testing.B) { benchmarkRun(b, ProviderHappyColis, false) }

// BenchmarkLifecycle: phasio/quote-to-paid, nine events per order.
func BenchmarkLifecycle(b *testing.B) {
	s, _ := LoadScenario("phasio/quote-to-paid")
	benchmarkRun(b, ProviderPhasio, false, WithScenario(s))
}
