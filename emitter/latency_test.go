package emitter

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/wire"
)

// within reports whether got is within the histogram's precision (0.1 %,
// and at least its 1 µs unit) of want.
func within(got, want time.Duration) bool {
	tol := max(want/1000, time.Microsecond)
	return got >= want-tol && got <= want+tol
}

// exactQuantile is the quantile of sorted samples, as HdrHistogram ranks them.
func exactQuantile(sorted []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func TestLatencyQuantiles(t *testing.T) {
	t.Parallel()
	l := NewLatency()
	for i := 1; i <= 1000; i++ {
		l.Record(time.Duration(i) * time.Microsecond)
	}
	for _, tt := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500 * time.Microsecond}, {0.99, 990 * time.Microsecond}, {1, time.Millisecond}} {
		if got := l.Quantile(tt.q); !within(got, tt.want) {
			t.Errorf("Quantile(%v) = %s, want %s ±0.1%%", tt.q, got, tt.want)
		}
	}
	if l.Count() != 1000 || !within(l.Max(), time.Millisecond) {
		t.Errorf("count %d, max %s", l.Count(), l.Max())
	}
	l.Record(2 * time.Hour) // beyond the range: counted as an hour
	if !within(l.Max(), time.Hour) {
		t.Errorf("max %s after a 2h latency, want 1h", l.Max())
	}
	if NewLatency().Max() != 0 || NewLatency().Quantile(0.5) != 0 {
		t.Error("an empty histogram has latencies")
	}
}

// Histograms of parts of the attempts merge into the histogram of all of
// them: the same quantiles, each within 0.1 % of the exact one.
func TestLatencyMerge(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	all := NewLatency()
	parts := []*Latency{NewLatency(), NewLatency(), NewLatency(), NewLatency()}
	var samples []time.Duration
	for range 200_000 {
		d := time.Duration(r.ExpFloat64()*float64(3*time.Millisecond)) + 200*time.Microsecond
		samples = append(samples, d.Truncate(time.Microsecond))
		all.Record(d)
		parts[r.IntN(len(parts))].Record(d)
	}
	merged := NewLatency()
	for _, p := range parts {
		merged.Merge(roundTrip(t, p))
	}
	slices.Sort(samples)
	if merged.Count() != all.Count() {
		t.Fatalf("merged %d latencies, recorded %d", merged.Count(), all.Count())
	}
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999} {
		exact := exactQuantile(samples, q)
		if m, a := merged.Quantile(q), all.Quantile(q); m != a || !within(m, exact) {
			t.Errorf("q%v: merged %s, single histogram %s, exact %s", q, m, a, exact)
		}
	}
}

// roundTrip writes l as JSON and reads it back.
func roundTrip(t *testing.T, l *Latency) *Latency {
	t.Helper()
	b, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	var back Latency
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	return &back
}

// A histogram read back is checked before it is decoded: other bounds,
// a count that does not add up, truncated or inflating input are errors
// naming the problem, never a panic or a huge allocation.
func TestLatencyUnmarshalRefuses(t *testing.T) {
	t.Parallel()
	l := NewLatency()
	l.Record(time.Millisecond)
	good, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	var j latencyJSON
	if err := json.Unmarshal(good, &j); err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(j.HDR)
	encode := func(cookie uint32, inflated []byte) string {
		var z bytes.Buffer
		w := zlib.NewWriter(&z)
		_, _ = w.Write(inflated)
		_ = w.Close()
		b := binary.BigEndian.AppendUint32(nil, cookie)
		b = binary.BigEndian.AppendUint32(b, uint32(z.Len()))
		return base64.StdEncoding.EncodeToString(append(b, z.Bytes()...))
	}
	header := func(digits int32, lowest, highest int64) []byte {
		b := binary.BigEndian.AppendUint32(nil, 0x1c849303|0x10)
		b = binary.BigEndian.AppendUint32(b, 0)
		b = binary.BigEndian.AppendUint32(b, 0)
		b = binary.BigEndian.AppendUint32(b, uint32(digits))
		b = binary.BigEndian.AppendUint64(b, uint64(lowest))
		b = binary.BigEndian.AppendUint64(b, uint64(highest))
		return binary.BigEndian.AppendUint64(b, 0)
	}
	cookie := binary.BigEndian.Uint32(raw)
	for _, tc := range []struct{ name, json, want string }{
		{"unit", `{"unit":"ms","count":1,"hdr":` + quote(j.HDR) + `}`, `unit "ms"`},
		{"count", `{"unit":"us","count":2,"hdr":` + quote(j.HDR) + `}`, "holds 1 latencies, but count says 2"},
		{"base64", `{"unit":"us","count":1,"hdr":"!!"}`, "not base64"},
		{"short", `{"unit":"us","count":1,"hdr":"AAAA"}`, "too short"},
		{"cookie", `{"unit":"us","count":1,"hdr":` + quote(encode(1, header(3, 1, latencyHighest))) + `}`, "not an HdrHistogram"},
		{"bounds", `{"unit":"us","count":1,"hdr":` + quote(encode(cookie, header(5, 1, 1<<62))) + `}`, "5 significant digits from 1 to"},
		{"header", `{"unit":"us","count":1,"hdr":` + quote(encode(cookie, []byte("short"))) + `}`, "header too short"},
		{"bomb", `{"unit":"us","count":1,"hdr":` + quote(encode(cookie, make([]byte, maxLatencyEncoded+10))) + `}`, "inflates to more than"},
		{"length", `{"unit":"us","count":1,"hdr":` + quote(base64.StdEncoding.EncodeToString(append(raw[:4:4], 0, 0, 1, 0))) + `}`, "its length says 256 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var back Latency
			err := json.Unmarshal([]byte(tc.json), &back)
			if err == nil || !errors.Is(err, ErrLatency) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an ErrLatency saying %q", err, tc.want)
			}
		})
	}
}

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }

func TestMergeSummaries(t *testing.T) {
	t.Parallel()
	mk := func(shard string, ok, failed int, lat ...time.Duration) *Summary {
		l := NewLatency()
		for _, d := range lat {
			l.Record(d)
		}
		return &Summary{Deliveries: ok + failed + 1, Attempts: ok + failed + 3, OK: ok, Failed: failed, Forged: 1, Rejected: 1, Retries: 2,
			ByFault: map[wire.Fault]*FaultOutcome{wire.FaultTamper: {Deliveries: 1, Rejected: 1, Statuses: map[int]int{401: 1}}},
			Faults:  map[wire.Fault]int{wire.FaultTamper: 1}, Statuses: map[int]int{200: ok, 500: failed, 401: 1},
			NoAnswer: map[string]int{}, Latency: l, Elapsed: time.Duration(ok) * time.Second, Shard: shard}
	}
	a := mk("0/3", 10, 1, time.Millisecond, 3*time.Millisecond)
	b := mk("2/3", 20, 0, 2*time.Millisecond)
	m, err := MergeSummaries(roundTripSummary(t, a), roundTripSummary(t, b))
	if err != nil {
		t.Fatal(err)
	}
	if m.Deliveries != 33 || m.Attempts != 37 || m.OK != 30 || m.Failed != 1 || m.Forged != 2 || m.Rejected != 2 || m.Retries != 4 ||
		m.Statuses[200] != 30 || m.Statuses[401] != 2 || m.Faults[wire.FaultTamper] != 2 || m.ByFault[wire.FaultTamper].Statuses[401] != 2 {
		t.Fatalf("merged counts: %+v", m)
	}
	if m.Latency.Count() != 3 || !within(m.P50, 2*time.Millisecond) || !within(m.Max, 3*time.Millisecond) {
		t.Errorf("merged latency: %d, p50 %s, max %s", m.Latency.Count(), m.P50, m.Max)
	}
	if m.Elapsed != 20*time.Second || m.Rate != 33.0/20 {
		t.Errorf("elapsed %s, rate %v", m.Elapsed, m.Rate)
	}
	if got := m.Missing(); !slices.Equal(got, []string{"1/3"}) || !slices.Equal(m.Shards, []string{"0/3", "2/3"}) {
		t.Errorf("shards %v, missing %v", m.Shards, got)
	}
	for _, tc := range []struct {
		sums []*Summary
		want string
	}{
		{[]*Summary{a, mk("0/3", 1, 0)}, "shard 0/3 is given twice"},
		{[]*Summary{a, mk("1/4", 1, 0)}, "is shard 1/4, another is of 3 shards"},
		{[]*Summary{a, {Deliveries: 1}}, "summary 2 has no latency histogram"},
		{nil, "none given"},
	} {
		if _, err := MergeSummaries(tc.sums...); err == nil || !errors.Is(err, ErrMerge) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want %q", err, tc.want)
		}
	}
}

func roundTripSummary(t *testing.T, s *Summary) *Summary {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back Summary
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	return &back
}
