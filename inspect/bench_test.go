//go:build unix

package inspect_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/capture"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/inspect"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/internal/testkit/capturekit"
	"github.com/orderhooks/orderhooks/wire"
)

// BenchmarkInspect100k measures the server time of the inspector's pages
// over a store of 100,000 deliveries (INSPECT_STORE=N changes the size):
// each request is served by the handler into a recorder, so the time is
// the store's queries and the page's rendering, without the network. The
// first page of the list and an order's timeline must each take under
// 100 ms. cpu-ms/page is the processor time the process spent per page
// (all goroutines, the garbage collector's included): on a machine busy
// with other work it stays put where ms/page grows. The orders of the store have capturekit.FillOrderSize
// deliveries whose payloads differ in most fields; hot-order-timeline is
// an order of MaxTimeline deliveries, the most a timeline shows.
//
//	go test ./inspect -run '^$' -bench Inspect100k -benchtime 200x
func BenchmarkInspect100k(b *testing.B) {
	n := 100000
	if v := os.Getenv("INSPECT_STORE"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	s, err := capture.Open(filepath.Join(b.TempDir(), "big.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	keys := capturekit.Fill(b, s, n)
	// An order delivered MaxTimeline times, its Kanban column moving at
	// each step (a real order's snapshots differ in a few fields).
	hot := capturekit.New(b)
	ev := testkit.Events(b, generator.ProviderPhasio, 1)[0]
	columns := []string{"Quote", "In Production", "Quality Check", "Shipped"}
	for i := range inspect.MaxTimeline {
		step := capturekit.With(b, ev, "kanbanColumnName", columns[i%len(columns)])
		step = capturekit.With(b, step, "kanbanColumnSequence", i)
		d := hot.Delivery(b, "", step, wire.FaultNone)
		d.Key = "hot-order"
		capturekit.Put(b, s, d)
	}
	last, err := s.LastID(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	in, err := inspect.New(s, "127.0.0.1:8790")
	if err != nil {
		b.Fatal(err)
	}
	for _, q := range []struct {
		name string
		path func(i int) string
		want string
	}{
		{"list-first-page", func(int) string { return "/" }, `<tr data-id="` + strconv.FormatInt(last, 10) + `"`},
		{"list-provider-and-verdict", func(int) string { return "/?provider=phasio&verdict=schema-invalid" }, `<tr data-id=`},
		{"list-bad-signatures", func(int) string { return "/?verdict=signature" }, `signature-bad`},
		{"list-order-key", func(i int) string { return "/?key=" + keys[(i*7919)%len(keys)] }, `<tr data-id=`},
		{"list-5xx", func(int) string { return "/?status=5xx" }, `<tr data-id=`},
		{"list-app-errors", func(int) string { return "/?app=error" }, `app 500`},
		{"list-page-in-the-middle", func(int) string { return "/?before=" + strconv.FormatInt(last/2, 10) }, `<tr data-id=`},
		{"order-timeline", func(i int) string { return "/orders/" + keys[(i*7919)%len(keys)] }, `<li class="snap`},
		{"hot-order-timeline", func(int) string { return "/orders/hot-order" }, `<li class="snap`},
		{"delivery", func(i int) string { return "/deliveries/" + strconv.Itoa(1+(i*7919)%n) }, `id="n0"`},
	} {
		b.Run(q.name, func(b *testing.B) {
			serve := func(i int) *httptest.ResponseRecorder {
				rec := httptest.NewRecorder()
				in.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8790"+q.path(i), nil))
				return rec
			}
			if rec := serve(0); rec.Code != 200 || !strings.Contains(rec.Body.String(), q.want) {
				b.Fatalf("%s: %d, or the page lacks %q", q.path(0), rec.Code, q.want)
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu := testkit.CPUTime()
			for i := range b.N {
				if rec := serve(i); rec.Code != 200 {
					b.Fatalf("%s: %d", q.path(i), rec.Code)
				}
			}
			b.ReportMetric(float64((testkit.CPUTime()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/page")
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/page")
		})
	}
}
