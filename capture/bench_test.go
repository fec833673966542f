package capture

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/corpus"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/schemas"
)

// phasioDeliveries are realistic Phasio deliveries: generated lifecycles,
// encrypted and signed by the emitter's profile.
func phasioDeliveries(b *testing.B, n int) []*Delivery {
	b.Helper()
	evs, err := corpus.Generate(generator.ProviderPhasio, n, 5)
	if err != nil {
		b.Fatal(err)
	}
	w := newWire(b)
	out := make([]*Delivery, len(evs))
	for i, ev := range evs {
		out[i] = w.delivery(b, ev, i)
	}
	return out
}

// BenchmarkPut stores Phasio deliveries from concurrent goroutines (16
// per core), as a receiver does under load; it reports deliveries/s and
// the file's bytes per delivery. Run with -cpu 2 for the 2-core target
// (>= 5,000 deliveries/s); -sync full measures SyncFull.
func BenchmarkPut(b *testing.B) {
	for _, mode := range []struct {
		name string
		sync Sync
	}{{"normal", SyncNormal}, {"full", SyncFull}} {
		b.Run(mode.name, func(b *testing.B) {
			ds := phasioDeliveries(b, 500)
			path := filepath.Join(b.TempDir(), "bench.db")
			s, err := Open(path, WithSync(mode.sync))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			b.SetParallelism(16)
			b.ReportAllocs()
			b.ResetTimer()
			cpu := testkit.CPUTime()
			var next int64
			b.RunParallel(func(pb *testing.PB) {
				for i := 0; pb.Next(); i++ {
					d := *ds[(int(next)+i)%len(ds)]
					if _, err := s.Put(context.Background(), &d); err != nil {
						b.Error(err)
						return
					}
				}
			})
			used := testkit.CPUTime() - cpu
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
			b.ReportMetric(float64(used.Microseconds())/float64(b.N), "cpu-µs/delivery")
			b.ReportMetric(float64(s.committed.Load())/float64(max(1, s.commits.Load())), "deliveries/commit")
			b.ReportMetric(float64(s.logPages.Load())/float64(b.N), "log-pages/delivery")
			b.ReportMetric(float64(s.checkpoints.Load()), "checkpoints")
			s.Close()
			var size int64
			for _, p := range []string{path, path + "-wal"} {
				if st, err := os.Stat(p); err == nil {
					size += st.Size()
				}
			}
			b.ReportMetric(float64(size)/float64(b.N), "B/delivery")
		})
	}
}

// bigStore builds a store of n deliveries: Phasio lifecycles of 7
// deliveries per order on average, 1 % with schema violations, 0.5 % with
// a bad signature, 0.2 % answered 5xx by the forwarded app. It writes in
// one transaction (the setup of the query benchmarks, not a measurement).
func bigStore(b *testing.B, n int) (*Store, []string) {
	b.Helper()
	ds := phasioDeliveries(b, 300)
	s, err := Open(filepath.Join(b.TempDir(), "big.db"))
	if err != nil {
		b.Fatal(err)
	}
	tx, err := s.wdb.Begin()
	if err != nil {
		b.Fatal(err)
	}
	stmt, err := tx.Prepare(insertSQL)
	if err != nil {
		b.Fatal(err)
	}
	var keys []string
	for i := 0; i < n; i++ {
		d := *ds[i%len(ds)]
		d.Key = strconv.Itoa(100000 + i/7)
		d.Event = []string{generator.PhasioOrderCreated, generator.PhasioOrderUpdated, generator.PhasioOrderUpdated,
			generator.PhasioOrderUpdated, generator.PhasioOrderUpdated, generator.PhasioOrderUpdated, generator.PhasioQuoteConverted}[i%7]
		d.DeliveryID = fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		switch {
		case i%100 == 42:
			d.Violations = []schemas.Violation{{Pointer: "/parts/0/quantity", Message: "must be >= 1, got 0"}}
			d.Status = 400
		case i%200 == 7:
			d.Signature, d.Status, d.Payload = SignatureBad, 401, nil
		case i%500 == 3:
			d.Forward = &Forward{URL: "http://127.0.0.1:3000", Status: 500}
		case i%1000 == 11:
			d.Status = 503
		}
		if i%7 == 0 {
			keys = append(keys, d.Key)
		}
		row, err := s.row(&d)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := stmt.Exec(row...); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if _, err := s.wdb.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		b.Fatal(err)
	}
	return s, keys
}

// BenchmarkQuery100k: the queries of a delivery inspector over a store of
// 100,000 deliveries (BIG_STORE overrides the size); each must answer in
// < 100 ms: the first page of the list (unfiltered and filtered), an
// order's timeline with payloads, a count, the page after a cursor.
func BenchmarkQuery100k(b *testing.B) {
	n := 100000
	if v := os.Getenv("BIG_STORE"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	s, keys := bigStore(b, n)
	defer s.Close()
	last, _ := s.LastID(ctx)
	for _, q := range []struct {
		name string
		run  func(i int) error
	}{
		{"first-page", func(int) error { _, err := s.List(ctx, Filter{}, ListOptions{}); return err }},
		{"first-page-event", func(int) error {
			_, err := s.List(ctx, Filter{Event: generator.PhasioOrderUpdated}, ListOptions{})
			return err
		}},
		{"first-page-schema-invalid", func(int) error {
			_, err := s.List(ctx, Filter{Verdict: VerdictSchemaInvalid}, ListOptions{})
			return err
		}},
		{"first-page-event-and-verdict", func(int) error {
			_, err := s.List(ctx, Filter{Event: generator.PhasioQuoteConverted, Verdict: VerdictSignatureBad}, ListOptions{})
			return err
		}},
		{"first-page-app-error", func(int) error { _, err := s.List(ctx, Filter{AppError: true}, ListOptions{}); return err }},
		{"first-page-5xx", func(int) error { _, err := s.List(ctx, Filter{StatusClass: 5}, ListOptions{}); return err }},
		{"page-in-the-middle", func(int) error { _, err := s.List(ctx, Filter{}, ListOptions{Before: last / 2}); return err }},
		{"timeline", func(i int) error { _, err := s.Timeline(ctx, "", keys[(i*7919)%len(keys)]); return err }},
		{"count-signature", func(int) error { _, err := s.Count(ctx, Filter{Verdict: VerdictSignature}); return err }},
		{"get", func(i int) error { _, err := s.Get(ctx, int64(1+(i*7919)%n)); return err }},
	} {
		b.Run(q.name, func(b *testing.B) {
			for i := range b.N {
				if err := q.run(i); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/query")
		})
	}
}
