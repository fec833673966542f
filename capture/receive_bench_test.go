package capture

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/receiver"
)

// BenchmarkReceiveStore measures what `orderhooks receive --store` does
// end to end, with the sender in the same run sharing the CPUs: the
// emitter seals, signs and POSTs generated Phasio lifecycles over loopback
// (32 workers), the receiver verifies, decrypts, validates and stores each
// one before answering. "no-store" is the same receiver without a store,
// the peer of the ratio; "redact" stores with personal data redacted at
// write time (the body rebuilt and signed again). It reports deliveries/s
// and, with a store, the file's bytes per delivery.
//
//	go test ./capture -run '^$' -bench BenchmarkReceiveStore -benchtime 20000x -cpu 2
func BenchmarkReceiveStore(b *testing.B) {
	w := newWire(b)
	p := w.profiles[generator.ProviderPhasio]
	evs, err := phasioEvents(500)
	if err != nil {
		b.Fatal(err)
	}
	for _, mode := range []string{"no-store", "store", "redact"} {
		b.Run(mode, func(b *testing.B) {
			var opts []receiver.Option
			path := filepath.Join(b.TempDir(), "bench.db")
			var s *Store
			if mode != "no-store" {
				s, err = Open(path)
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				k, err := s.Keeper(KeeperOptions{Redact: mode == "redact", Profile: p})
				if err != nil {
					b.Fatal(err)
				}
				opts = append(opts, receiver.WithCapture(k.Capture))
			}
			srv, err := receiver.Start(p, opts...)
			if err != nil {
				b.Fatal(err)
			}
			defer srv.Close()
			em, err := emitter.New(emitter.OneTarget(p, srv.URL+"/hooks"), emitter.WithConcurrency(32), emitter.WithTimeout(30*time.Second))
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			start := time.Now()
			sum, err := em.Run(context.Background(), func(yield func(*generator.Event) error) error {
				for i := range b.N {
					ev := *evs[i%len(evs)]
					ev.Seq = int64(i + 1)
					if err := yield(&ev); err != nil {
						return err
					}
				}
				return nil
			})
			el := time.Since(start)
			b.StopTimer()
			if err != nil || sum.OK != b.N {
				b.Fatalf("%v: %d of %d delivered", err, sum.OK, b.N)
			}
			b.ReportMetric(float64(b.N)/el.Seconds(), "deliveries/s")
			if s != nil {
				if n, _ := s.Count(context.Background(), Filter{}); n != int64(b.N) {
					b.Fatalf("%d stored of %d", n, b.N)
				}
				srv.Close()
				s.Close()
				var size int64
				for _, f := range []string{path, path + "-wal"} {
					if st, err := os.Stat(f); err == nil {
						size += st.Size()
					}
				}
				b.ReportMetric(float64(size)/float64(b.N), "B/delivery")
			}
		})
	}
}

// phasioEvents are generated Phasio lifecycles (about n events).
func phasioEvents(n int) ([]*generator.Event, error) {
	g, err := generator.New(generator.ProviderPhasio, generator.WithScenario(mustScenario("phasio/quote-to-paid")), generator.WithOrders(n/6+1))
	if err != nil {
		return nil, err
	}
	var evs []*generator.Event
	err = g.Run(func(ev *generator.Event) error { evs = append(evs, ev); return nil })
	return evs, err
}

func mustScenario(name string) *generator.Scenario {
	s, err := generator.LoadScenario(name)
	if err != nil {
		panic(err)
	}
	return s
}
