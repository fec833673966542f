package emitter

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Summary is what a Run did. Every delivery counts once, whatever its
// attempts: it ended 2xx (OK) or not (Failed, which includes Blocked and
// Invalid deliveries that were never sent). Durations are nanoseconds in
// JSON.
type Summary struct {
	// Deliveries counts deliveries, duplicates included.
	Deliveries int `json:"deliveries"`
	// Attempts counts requests sent (retries included).
	Attempts int `json:"attempts"`
	OK       int `json:"ok"`
	Failed   int `json:"failed"`
	// Retries counts attempts after the first of a delivery.
	Retries int `json:"retries"`
	// Blocked counts deliveries not sent because their strict FIFO queue
	// (HappyColis) was blocked by an earlier failure.
	Blocked int `json:"blocked"`
	// Invalid counts deliveries not sent because WithValidate found the
	// payload invalid.
	Invalid int `json:"invalid"`
	// Faults counts deliveries per injected fault.
	Faults map[Fault]int `json:"faults"`
	// Statuses counts the final HTTP status of each delivery; 0 means no
	// response (connection error, timeout, not sent).
	Statuses map[int]int `json:"statuses"`
	// P50, P99 and Max are the latencies of the attempts that got a response.
	P50     time.Duration `json:"p50Ns"`
	P99     time.Duration `json:"p99Ns"`
	Max     time.Duration `json:"maxNs"`
	Elapsed time.Duration `json:"elapsedNs"`
	// Rate is deliveries per second over Elapsed.
	Rate float64 `json:"rate"`
	// Interrupted says the run's context ended before every event was delivered.
	Interrupted bool `json:"interrupted"`
}

// AllOK reports whether every delivery ended 2xx and the run was not
// interrupted.
func (s *Summary) AllOK() bool {
	return s.OK == s.Deliveries && !s.Interrupted
}

// WriteText writes the summary as a few human-readable lines.
func (s *Summary) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "deliveries %d: %d ok, %d failed", s.Deliveries, s.OK, s.Failed)
	var unsent []string
	if s.Blocked > 0 {
		unsent = append(unsent, fmt.Sprintf("%d blocked behind a failed FIFO delivery", s.Blocked))
	}
	if s.Invalid > 0 {
		unsent = append(unsent, fmt.Sprintf("%d invalid", s.Invalid))
	}
	if len(unsent) > 0 {
		fmt.Fprintf(&b, " (not sent: %s)", strings.Join(unsent, ", "))
	}
	fmt.Fprintf(&b, "; %d attempts, %d retries\n", s.Attempts, s.Retries)
	writeCounts(&b, "statuses", s.Statuses, func(status int) string {
		if status == 0 {
			return "none"
		}
		return strconv.Itoa(status)
	})
	writeCounts(&b, "faults", s.Faults, func(f Fault) string { return string(f) })
	fmt.Fprintf(&b, "latency p50 %s, p99 %s, max %s; elapsed %s, %.0f deliveries/s\n",
		roundDuration(s.P50), roundDuration(s.P99), roundDuration(s.Max), roundDuration(s.Elapsed), s.Rate)
	if s.Interrupted {
		b.WriteString("interrupted: the remaining events were not sent\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeCounts writes "label: k1 n1, k2 n2" and a newline, keys in order,
// or nothing for an empty map.
func writeCounts[K cmp.Ordered](b *strings.Builder, label string, m map[K]int, name func(K) string) {
	if len(m) == 0 {
		return
	}
	b.WriteString(label + ":")
	for i, k := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(b, " %s %d", name(k), m[k])
	}
	b.WriteByte('\n')
}

// roundDuration keeps three significant digits or so, for humans.
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	case d >= time.Microsecond:
		return d.Round(time.Microsecond)
	}
	return d
}

// histogram counts latencies in log-linear buckets: 32 per power of two,
// so quantiles are within about 3% whatever the run's length, in constant
// memory.
type histogram struct {
	counts [64 * histSub]uint64
	n      uint64
	max    time.Duration
}

const (
	histSubBits = 5
	histSub     = 1 << histSubBits
)

func histIndex(d time.Duration) int {
	v := uint64(max(d, 0))
	if v < histSub {
		return int(v)
	}
	exp := bits.Len64(v) - histSubBits // >= 1
	return exp*histSub + int(v>>(exp-1)&(histSub-1))
}

// histValue is the upper bound of bucket i.
func histValue(i int) time.Duration {
	if i < histSub {
		return time.Duration(i)
	}
	exp, sub := i/histSub, uint64(i%histSub)
	return time.Duration(((histSub | sub) + 1) << (exp - 1))
}

func (h *histogram) add(d time.Duration) {
	h.counts[histIndex(d)]++
	h.n++
	h.max = max(h.max, d)
}

// quantile returns the latency below which a fraction q of the samples lie.
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q*float64(h.n-1)) + 1
	var seen uint64
	for i, c := range h.counts {
		if seen += c; seen >= rank {
			return min(histValue(i), h.max)
		}
	}
	return h.max
}

// stats are a run's live counters: workers add to them, the progress line
// and the summary read them.
type stats struct {
	start                                time.Time
	deliveries, attempts, ok, failed     atomic.Int64
	retries, blocked, invalid, responses atomic.Int64

	mu       sync.Mutex
	lat      histogram
	faults   map[Fault]int
	statuses map[int]int
}

func newStats() *stats {
	return &stats{start: time.Now(), faults: map[Fault]int{}, statuses: map[int]int{}}
}

func (s *stats) latency(d time.Duration) {
	s.mu.Lock()
	s.lat.add(d)
	s.mu.Unlock()
}

// finished counts one delivery by its final status and faults.
func (s *stats) finished(status int, faults faultSet) {
	s.deliveries.Add(1)
	if status >= 200 && status < 300 {
		s.ok.Add(1)
	} else {
		s.failed.Add(1)
	}
	s.mu.Lock()
	s.statuses[status]++
	for _, f := range faults.list() {
		s.faults[f]++
	}
	s.mu.Unlock()
}

// summary snapshots the counters.
func (s *stats) summary() *Summary {
	sum := &Summary{
		Deliveries: int(s.deliveries.Load()),
		Attempts:   int(s.attempts.Load()),
		OK:         int(s.ok.Load()),
		Failed:     int(s.failed.Load()),
		Retries:    int(s.retries.Load()),
		Blocked:    int(s.blocked.Load()),
		Invalid:    int(s.invalid.Load()),
		Faults:     map[Fault]int{},
		Statuses:   map[int]int{},
		Elapsed:    time.Since(s.start),
	}
	s.mu.Lock()
	sum.P50, sum.P99, sum.Max = s.lat.quantile(0.5), s.lat.quantile(0.99), s.lat.max
	for k, v := range s.faults {
		sum.Faults[k] = v
	}
	for k, v := range s.statuses {
		sum.Statuses[k] = v
	}
	s.mu.Unlock()
	if sec := sum.Elapsed.Seconds(); sec > 0 {
		sum.Rate = float64(sum.Deliveries) / sec
	}
	return sum
}

// progressLine is the live line: sent, 2xx, failed, retries, rate, p50/p99.
func (s *stats) progressLine() string {
	sum := s.summary()
	return fmt.Sprintf("sent %d  2xx %d  failed %d  retries %d  %.0f/s  p50 %s  p99 %s",
		sum.Deliveries, sum.OK, sum.Failed, sum.Retries, sum.Rate, roundDuration(sum.P50), roundDuration(sum.P99))
}
