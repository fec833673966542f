package emitter

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/internal/testkit/testwire"
)

// discard answers 204 and reads nothing itself (the server drains the body
// so the connection is reused).
var discard = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })

// startRawDiscard is the cheapest HTTP/1.1 receiver: it skips each
// request's headers and Content-Length body and answers 204, so the
// benchmark measures the sender rather than net/http's server.
func startRawDiscard(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serveRawDiscard(c)
		}
	}()
	return "http://" + ln.Addr().String()
}

func serveRawDiscard(c net.Conn) {
	defer c.Close()
	r := bufio.NewReaderSize(c, 64<<10)
	for {
		n := 0
		for {
			line, err := r.ReadSlice('\n')
			if err != nil {
				return
			}
			if len(line) <= 2 {
				break
			}
			if k, v, ok := bytes.Cut(line, []byte(":")); ok && bytes.EqualFold(k, []byte("Content-Length")) {
				n, _ = strconv.Atoi(string(bytes.TrimSpace(v)))
			}
		}
		if _, err := r.Discard(n); err != nil {
			return
		}
		if _, err := c.Write([]byte("HTTP/1.1 204 No Content\r\n\r\n")); err != nil {
			return
		}
	}
}

// cycleSource yields n events cycling through evs, each with its own seq
// (so its own message id), without holding n events.
func cycleSource(evs []*generator.Event, n int) generator.Source {
	return func(yield func(*generator.Event) error) error {
		for i := range n {
			ev := *evs[i%len(evs)]
			ev.Seq = int64(i + 1)
			if err := yield(&ev); err != nil {
				return err
			}
		}
		return nil
	}
}

// BenchmarkEmit measures end-to-end deliveries per second (Phasio: seal,
// sign, POST, read the answer) to a discard receiver, with and without
// schema validation of every payload: a net/http server over loopback TCP
// (loopback), a minimal HTTP/1.1 sink over loopback TCP (raw; raw-nethttp
// through a net/http client instead of the workers' own connections), and
// an http.Handler in-process (handler); -c32 runs 32 workers instead of
// DefaultConcurrency. Receiver and sender share the CPUs.
//
//	go test ./emitter -run '^$' -bench BenchmarkEmit/ -benchtime 100000x -count 3
func BenchmarkEmit(b *testing.B) {
	evs := testkit.Events(b, generator.ProviderPhasio, 500)
	p := testwire.Profile(b, generator.ProviderPhasio)
	srv := httptest.NewServer(discard)
	defer srv.Close()
	raw := startRawDiscard(b)
	for _, bc := range []struct {
		name     string
		url      string
		client   *http.Client
		conc     int
		validate bool
	}{
		{"loopback", srv.URL, nil, DefaultConcurrency, false},
		{"loopback-c32", srv.URL, nil, 32, false},
		{"loopback-validate", srv.URL, nil, DefaultConcurrency, true},
		{"raw", raw, nil, DefaultConcurrency, false},
		// The same through net/http: a client NewClient did not make.
		{"raw-nethttp", raw, &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: DefaultConcurrency}, Timeout: DefaultTimeout}, DefaultConcurrency, false},
		{"raw-c32", raw, nil, 32, false},
		{"raw-validate", raw, nil, DefaultConcurrency, true},
		{"handler", "http://discard.test/", HandlerClient(discard), DefaultConcurrency, false},
		{"handler-validate", "http://discard.test/", HandlerClient(discard), DefaultConcurrency, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			opts := []Option{WithValidate(bc.validate), WithConcurrency(bc.conc)}
			if bc.client != nil {
				opts = append(opts, WithClient(bc.client))
			}
			e, err := New(OneTarget(p, bc.url), opts...)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			start, cpu := time.Now(), testkit.CPUTime()
			sum, err := e.Run(context.Background(), cycleSource(evs, b.N))
			el := time.Since(start)
			if err != nil || sum.OK != b.N {
				b.Fatalf("%v: %+v", err, sum)
			}
			b.ReportMetric(float64(b.N)/el.Seconds(), "deliveries/s")
			// CPU time per delivery (sender and, over loopback, the
			// discard server too): steadier than the rate on a shared machine.
			b.ReportMetric(float64((testkit.CPUTime()-cpu).Nanoseconds())/1e3/float64(b.N), "cpu-µs/delivery")
		})
	}
}

// BenchmarkEmitMemory delivers generated orders (the generator streaming,
// as `orderhooks emit --orders N` does) to a discard receiver and reports
// the live heap after 100,000 deliveries and at the end: flat memory means
// the two stay close however many deliveries follow.
//
//	go test ./emitter -run '^$' -bench BenchmarkEmitMemory -benchtime 1000000x
func BenchmarkEmitMemory(b *testing.B) {
	g, err := generator.New(generator.ProviderPhasio, generator.WithOrders(b.N))
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(discard)
	defer srv.Close()
	e, err := New(OneTarget(testwire.Profile(b, generator.ProviderPhasio), srv.URL), WithRecord(io.Discard))
	if err != nil {
		b.Fatal(err)
	}
	var at100k, peak uint64
	n := 0
	src := func(yield func(*generator.Event) error) error {
		return g.Run(func(ev *generator.Event) error {
			if n++; n%100_000 == 0 {
				h := liveHeap()
				peak = max(peak, h)
				if n == 100_000 {
					at100k = h
				}
			}
			return yield(ev)
		})
	}
	b.ResetTimer()
	sum, err := e.Run(context.Background(), src)
	if err != nil || sum.OK != sum.Deliveries {
		b.Fatalf("%v: %+v", err, sum)
	}
	b.ReportMetric(float64(at100k)/(1<<20), "MiB-heap@100k")
	b.ReportMetric(float64(liveHeap())/(1<<20), "MiB-heap@end")
	b.ReportMetric(float64(peak)/(1<<20), "MiB-heap-peak")
	b.ReportMetric(sum.Rate, "deliveries/s")
}

// liveHeap is the heap in use after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}
