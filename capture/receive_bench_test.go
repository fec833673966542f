package capture

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/receiver"
	"github.com/orderhooks/orderhooks/wire"
)

// BenchmarkReceiveStore measures what `orderhooks receive --store` does
// end to end, with the sender in the same run sharing the two cores: 32
// HTTP/1.1 clients (keep-alive) POST Phasio deliveries of generated
// lifecycles, sealed and signed beforehand (as vegeta sends prepared
// targets); the receiver verifies, decrypts, validates and stores each one
// before answering. "no-store" is the same receiver without a store, the
// peer of the ratio; "redact" stores with personal data redacted at write
// time (payload redacted, violations checked again, body rebuilt and
// signed). It reports deliveries/s, the CPU time of the run per delivery
// (sender and receiver together) and, with a store, the file's bytes per
// delivery.
//
//	go test ./capture -run '^$' -bench BenchmarkReceiveStore -benchtime 20000x -cpu 2
func BenchmarkReceiveStore(b *testing.B) {
	secret, err := wire.NewSecret(generator.ProviderPhasio, strings.NewReader(strings.Repeat("b", 64)))
	if err != nil {
		b.Fatal(err)
	}
	// Phasio sends no message id: every delivery is applied, none is a
	// duplicate, however often the pool comes round.
	p, err := wire.NewPhasio(secret, wire.WithDeliveryHeader(false))
	if err != nil {
		b.Fatal(err)
	}
	evs, err := phasioEvents(2000)
	if err != nil {
		b.Fatal(err)
	}
	reqs := make([]*wire.Request, len(evs))
	for i, ev := range evs {
		if reqs[i], err = p.Build(&wire.Message{Event: ev, Time: ev.At}, wire.FaultNone); err != nil {
			b.Fatal(err)
		}
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
			client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 32, MaxConnsPerHost: 32}}
			var next atomic.Int64
			var failed atomic.Int64
			b.ResetTimer()
			start, cpu := time.Now(), testkit.CPUTime()
			var wg sync.WaitGroup
			for range 32 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := next.Add(1) - 1
						if i >= int64(b.N) {
							return
						}
						r := reqs[i%int64(len(reqs))]
						req, _ := http.NewRequest(http.MethodPost, srv.URL+"/hooks", bytes.NewReader(r.Body))
						req.Header = r.Header.Clone()
						resp, err := client.Do(req)
						if err != nil {
							failed.Add(1)
							continue
						}
						_, _ = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != http.StatusOK {
							failed.Add(1)
						}
					}
				}()
			}
			wg.Wait()
			el, used := time.Since(start), testkit.CPUTime()-cpu
			b.StopTimer()
			if failed.Load() > 0 {
				b.Fatalf("%d of %d deliveries not answered 200", failed.Load(), b.N)
			}
			b.ReportMetric(float64(b.N)/el.Seconds(), "deliveries/s")
			b.ReportMetric(float64(used.Microseconds())/float64(b.N), "cpu-µs/delivery")
			if s != nil {
				b.ReportMetric(float64(s.committed.Load())/float64(max(1, s.commits.Load())), "deliveries/commit")
				b.ReportMetric(float64(s.logPages.Load())/float64(b.N), "log-pages/delivery")
				b.ReportMetric(float64(s.checkpoints.Load()), "checkpoints")
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
	s, err := generator.LoadScenario("phasio/quote-to-paid")
	if err != nil {
		return nil, err
	}
	g, err := generator.New(generator.ProviderPhasio, generator.WithScenario(s), generator.WithOrders(n/6+1))
	if err != nil {
		return nil, err
	}
	var evs []*generator.Event
	err = g.Run(func(ev *generator.Event) error { evs = append(evs, ev); return nil })
	return evs, err
}
