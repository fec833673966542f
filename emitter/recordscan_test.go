package emitter

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/internal/testkit/testwire"
)

// recordedLines records a run with faults, duplicates, retries and answers
// with bodies and headers, to both platforms' profiles.
func recordedLines(t testing.TB) [][]byte {
	var rec bytes.Buffer
	for provider, scenario := range map[string]string{generator.ProviderPhasio: "phasio/quote-to-paid", generator.ProviderHappyColis: "happycolis/fulfilment"} {
		var n atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("X-Request-Note", "café \"quoted\"\t<tab>")
			switch n.Add(1) % 4 {
			case 0:
				w.WriteHeader(http.StatusServiceUnavailable)
			case 1:
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"ok":true,"note":"line\nbreak \u00e9"}`))
			default:
				w.WriteHeader(http.StatusNoContent)
			}
		}))
		t.Cleanup(srv.Close)
		e, err := New(OneTarget(testwire.Profile(t, provider), srv.URL), WithRecord(&rec), WithRetries(1),
			WithFaults(Faults{Duplicate: 0.2, Tamper: 0.1, BadSignature: 0.1}), WithBackoff(time.Millisecond),
			WithClock(func() time.Time { return testkit.Time }))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Run(context.Background(), testkit.Source(testkit.Lifecycles(t, provider, scenario, 6))); err != nil {
			t.Fatal(err)
		}
	}
	return bytes.Split(bytes.TrimSpace(rec.Bytes()), []byte("\n"))
}

// decodeRecord is the reference reading of a line.
func decodeRecord(line []byte) (*Record, error) {
	rec := &Record{}
	return rec, json.Unmarshal(line, rec)
}

// TestScanRecord: every line a recording holds takes the one-pass reading,
// which gives exactly what encoding/json gives; lines it does not handle
// are left to encoding/json.
func TestScanRecord(t *testing.T) {
	t.Parallel()
	lines := recordedLines(t)
	if len(lines) < 40 {
		t.Fatalf("only %d records", len(lines))
	}
	for i, line := range lines {
		got, ok := scanRecord(line)
		if !ok {
			t.Fatalf("line %d: not read in one pass:\n%s", i+1, line)
		}
		want, err := decodeRecord(line)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("line %d:\n got %+v\nwant %+v", i+1, got, want)
		}
	}
	first := string(lines[0])
	for _, tt := range []struct {
		name, line string
		fast       bool
	}{
		{"unknown key", strings.Replace(first, `{"time"`, `{"note":[1,{"a":null}],"time"`, 1), true},
		{"key in another case", strings.Replace(first, `"delivery"`, `"Delivery"`, 1), false},
		{"lower-case spelling of a camel-case key", strings.Replace(first, `"latencyNs"`, `"latencyns"`, 1), false},
		{"escaped key", strings.Replace(first, `"delivery"`, `"deliver\u0079"`, 1), false},
		{"base64 body", strings.Replace(first, `"body":"`, `"body":{"base64":"AAE="},"x":"`, 1), false},
		{"null event", `{"time":"2025-06-15T08:00:00Z","delivery":1,"event":null}`, false},
		{"repeated event key", `{"delivery":1,"event":{"seq":1},"event":{"provider":"phasio"}}`, true},
		{"fraction", strings.Replace(first, `"delivery":`, `"delivery":1.5,"x":`, 1), false},
		{"trailing data", first + ` {}`, false},
	} {
		got, ok := scanRecord([]byte(tt.line))
		if ok != tt.fast {
			t.Errorf("%s: one pass %v, want %v", tt.name, ok, tt.fast)
			continue
		}
		if want, err := decodeRecord([]byte(tt.line)); ok && (err != nil || !reflect.DeepEqual(got, want)) {
			t.Errorf("%s: got %+v, want %+v (%v)", tt.name, got, want, err)
		}
	}
}

// FuzzScanRecord: whenever the one-pass reading accepts a line, it gives
// what encoding/json gives.
func FuzzScanRecord(f *testing.F) {
	f.Add([]byte(`{"time":"2025-06-15T08:00:00Z","delivery":1,"id":"x","attempt":1,"event":{"seq":1,"provider":"phasio","event":"ORDER","orderKey":"1","at":"2025-06-15T08:00:00Z","payload":{"a":[1,"\u00e9"]}},"request":{"header":{"A":["b"]},"body":"{\"p\":1}"},"response":{"status":204,"body":"","truncated":true},"latencyNs":5,"faults":["duplicate"],"error":"e"}`))
	f.Add([]byte(`{"delivery":1,"event":{"seq":1},"event":{"label":"x"},"request":{"header":{"A":["1"]}},"request":{"header":{"B":[]}}}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		got, ok := scanRecord(line)
		if !ok {
			return
		}
		want, err := decodeRecord(line)
		if err != nil {
			t.Fatalf("one pass accepted what encoding/json refuses (%v):\n%s", err, line)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s\n got %+v\nwant %+v", line, got, want)
		}
	})
}

// BenchmarkParseRecord reads the lines of a recording: the one-pass
// reading replay uses, and encoding/json's.
//
//	go test ./emitter -run '^$' -bench BenchmarkParseRecord -benchtime 2s
func BenchmarkParseRecord(b *testing.B) {
	lines := recordedLines(b)
	size := 0
	for _, l := range lines {
		size += len(l)
	}
	for _, bc := range []struct {
		name  string
		parse func([]byte) (*Record, error)
	}{
		{"one-pass", parseRecord},
		{"encoding-json", decodeRecord},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(size / len(lines)))
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := bc.parse(lines[i%len(lines)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestScanRecordAllocations: a record's keys cost no allocation (the
// line with ten more members of unknown keys, skipped, allocates as much
// as without them), and the values of a header's names share one array
// without one name's append reaching the next.
func TestScanRecordAllocations(t *testing.T) {
	line := recordedLines(t)[0]
	more := bytes.Replace(line, []byte(`{"time"`), []byte(`{"note01":1,"note02":2,"note03":3,"note04":4,"note05":5,"note06":6,"note07":7,"note08":8,"note09":9,"note10":10,"time"`), 1)
	allocs := func(l []byte) float64 {
		return testing.AllocsPerRun(20, func() {
			if _, ok := scanRecord(l); !ok {
				t.Fatalf("not read in one pass:\n%s", l)
			}
		})
	}
	if a, b := allocs(line), allocs(more); a != b {
		t.Errorf("%v allocations, %v with ten more keys: want as many", a, b)
	}
	rec, ok := scanRecord([]byte(`{"delivery":1,"request":{"header":{"A":["1"],"B":["2","3"],"C":[]}}}`))
	if !ok {
		t.Fatal("not read in one pass")
	}
	h := rec.Request.Header
	h["A"] = append(h["A"], "x")
	h["B"] = append(h["B"], "y")
	if want := (http.Header{"A": {"1", "x"}, "B": {"2", "3", "y"}, "C": {}}); !reflect.DeepEqual(h, want) {
		t.Errorf("after appends: %q, want %q", h, want)
	}
}
