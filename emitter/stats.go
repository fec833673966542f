package emitter

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/orderhooks/orderhooks/wire"
)

// Summary is what a Run did. Every delivery counts once, whatever its
// attempts. A delivery with a signature or payload fault (tamper,
// bad-signature, wrong-key) is a forgery the receiver must reject; every
// other delivery is valid and must be accepted. Valid deliveries ended 2xx
// (OK) or not (Failed, which includes Blocked and Invalid deliveries that
// were never sent); forgeries were Rejected (4xx other than 404 and 405,
// which name a wrong URL or method rather than a verdict), Accepted (2xx)
// or neither. Durations are nanoseconds in JSON.
type Summary struct {
	// Deliveries counts deliveries, duplicates included: OK + Failed + Forged.
	Deliveries int `json:"deliveries"`
	// Attempts counts requests sent (retries included).
	Attempts int `json:"attempts"`
	// OK and Failed count the valid deliveries.
	OK     int `json:"ok"`
	Failed int `json:"failed"`
	// Forged counts the deliveries sent with a signature or payload fault,
	// Rejected and Accepted those of them answered 4xx and 2xx; ByFault
	// breaks them down by fault.
	Forged   int                          `json:"forged"`
	Rejected int                          `json:"rejected"`
	Accepted int                          `json:"accepted"`
	ByFault  map[wire.Fault]*FaultOutcome `json:"byFault,omitempty"`
	// Retries counts attempts after the first of a delivery.
	Retries int `json:"retries"`
	// Blocked counts deliveries not sent because their strict FIFO queue
	// (HappyColis) was blocked by an earlier failed valid delivery.
	Blocked int `json:"blocked"`
	// Invalid counts deliveries not sent because WithValidate found the
	// payload invalid.
	Invalid int `json:"invalid"`
	// Renumbered counts source events whose seq was missing or not higher
	// than an earlier one's (concatenated files), given the next free seq.
	Renumbered int `json:"renumbered,omitempty"`
	// Faults counts the deliveries sent with each injected fault (a
	// delivery that was never sent has none).
	Faults map[wire.Fault]int `json:"faults"`
	// Statuses counts the final HTTP status of each delivery; 0 means no
	// response (connection error, timeout, not sent).
	Statuses map[int]int `json:"statuses"`
	// NoAnswer counts the deliveries sent that got no HTTP answer, by
	// cause: "connection refused", "timeout", "TLS: …", ….
	NoAnswer map[string]int `json:"noAnswer,omitempty"`
	// P50, P99 and Max are the latencies of the attempts that got a
	// response, from Latency.
	P50 time.Duration `json:"p50Ns"`
	P99 time.Duration `json:"p99Ns"`
	Max time.Duration `json:"maxNs"`
	// Latency is their distribution, which merges exactly with other
	// runs' (MergeSummaries).
	Latency *Latency `json:"latency,omitempty"`
	// Elapsed is the run's duration (merged: the longest run's).
	Elapsed time.Duration `json:"elapsedNs"`
	// Rate is deliveries per second over Elapsed.
	Rate float64 `json:"rate"`
	// Interrupted says the run's context ended before every event was delivered.
	Interrupted bool `json:"interrupted"`
	// Shard is the part of a run the summary covers ("1/4", as
	// generator.Shard prints it), set by whoever sharded the source;
	// Shards lists those a merged summary covers (MergeSummaries).
	Shard  string   `json:"shard,omitempty"`
	Shards []string `json:"shards,omitempty"`
}

// FaultOutcome is how the receiver answered the forgeries of one fault.
type FaultOutcome struct {
	Deliveries int `json:"deliveries"`
	Rejected   int `json:"rejected"`
	Accepted   int `json:"accepted"`
	// Statuses counts their final statuses (0: no answer).
	Statuses map[int]int `json:"statuses"`
}

// Passed reports whether the receiver did what it must: every valid
// delivery answered 2xx, every forgery rejected with 4xx, and the run not
// interrupted.
func (s *Summary) Passed() bool {
	return s.Failed == 0 && s.Rejected == s.Forged && !s.Interrupted
}

// rejection reports whether a status rejects a forgery: a 4xx that is
// not 404 or 405 (those say the URL or method is wrong, whatever was sent).
func rejection(status int) bool {
	return status >= 400 && status < 500 && status != http.StatusNotFound && status != http.StatusMethodNotAllowed
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
	if s.Forged > 0 {
		fmt.Fprintf(&b, ", %d forged (%d rejected, %d accepted)", s.Forged, s.Rejected, s.Accepted)
	}
	fmt.Fprintf(&b, "; %d attempts, %d retries\n", s.Attempts, s.Retries)
	for _, f := range slices.Sorted(maps.Keys(s.ByFault)) {
		o := s.ByFault[f]
		fmt.Fprintf(&b, "%s %d:", f, o.Deliveries)
		sep := " "
		var other []string
		for _, st := range slices.Sorted(maps.Keys(o.Statuses)) {
			switch {
			case rejection(st):
				fmt.Fprintf(&b, "%s%d rejected %d", sep, o.Statuses[st], st)
				sep = ", "
			case !ok2xx(st):
				other = append(other, fmt.Sprintf("%s %d", statusName(st), o.Statuses[st]))
			}
		}
		if sep == " " {
			b.WriteString(" 0 rejected")
			sep = ", "
		}
		fmt.Fprintf(&b, "%s%d accepted", sep, o.Accepted)
		if len(other) > 0 {
			fmt.Fprintf(&b, ", %d neither (%s)", o.Deliveries-o.Rejected-o.Accepted, strings.Join(other, ", "))
		}
		b.WriteByte('\n')
	}
	if s.Renumbered > 0 {
		fmt.Fprintf(&b, "renumbered %d events whose seq repeated an earlier one's or was missing\n", s.Renumbered)
	}
	writeCounts(&b, "statuses", s.Statuses, statusName)
	writeCounts(&b, "no answer", s.NoAnswer, func(c string) string { return c })
	writeCounts(&b, "faults", s.Faults, func(f wire.Fault) string { return string(f) })
	fmt.Fprintf(&b, "latency p50 %s, p99 %s, max %s; elapsed %s, %.0f deliveries/s\n",
		roundDuration(s.P50), roundDuration(s.P99), roundDuration(s.Max), roundDuration(s.Elapsed), s.Rate)
	if s.Interrupted {
		b.WriteString("interrupted: the remaining events were not sent\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// statusName is a final status as the summary shows it.
func statusName(status int) string {
	if status == 0 {
		return "none"
	}
	return strconv.Itoa(status)
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

// stats are a run's live counters: workers add to them, the progress line
// and the summary read them.
type stats struct {
	start time.Time
	end   time.Time // WithDuration's end of the run; zero without
	total int64     // source events expected, 0 when unknown
	// number hands out delivery numbers as deliveries are sent (or found
	// unsendable), so the record has no gaps whatever is interrupted.
	number                                   atomic.Int64
	deliveries, attempts, ok, failed, forged atomic.Int64
	retries, blocked, invalid, renumbered    atomic.Int64
	// done counts source events finished (duplicates not included).
	done atomic.Int64

	mu       sync.Mutex
	lat      *Latency
	faults   map[wire.Fault]int
	statuses map[int]int
	byFault  map[wire.Fault]*FaultOutcome
	noAnswer map[string]int
}

func newStats(total int64) *stats {
	return &stats{start: time.Now(), total: total, lat: NewLatency(), faults: map[wire.Fault]int{}, statuses: map[int]int{},
		byFault: map[wire.Fault]*FaultOutcome{}, noAnswer: map[string]int{}}
}

func (s *stats) latency(d time.Duration) {
	s.mu.Lock()
	s.lat.Record(d)
	s.mu.Unlock()
}

// over reports whether the run's duration (WithDuration) is over.
func (s *stats) over() bool { return !s.end.IsZero() && !time.Now().Before(s.end) }

// finished counts one delivery by its final status, its faults (none for
// a delivery never sent) and, without an answer, the cause.
func (s *stats) finished(status int, faults faultSet, cause string) {
	s.deliveries.Add(1)
	if !faults.has(wire.FaultDuplicate) {
		s.done.Add(1)
	}
	forgery := faults.request()
	switch {
	case forgery != wire.FaultNone:
		s.forged.Add(1)
	case ok2xx(status):
		s.ok.Add(1)
	default:
		s.failed.Add(1)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.statuses[status]++
	for _, f := range faults.list() {
		s.faults[f]++
	}
	if status == 0 && cause != "" {
		s.noAnswer[cause]++
	}
	if forgery != wire.FaultNone {
		o := s.byFault[forgery]
		if o == nil {
			o = &FaultOutcome{Statuses: map[int]int{}}
			s.byFault[forgery] = o
		}
		o.Deliveries++
		o.Statuses[status]++
		if rejection(status) {
			o.Rejected++
		} else if ok2xx(status) {
			o.Accepted++
		}
	}
}

// summary snapshots the counters, with the latency histogram.
func (s *stats) summary() *Summary { return s.snapshot(true) }

// snapshot snapshots the counters; the latency histogram is copied only
// when withLatency (not for the progress line, drawn five times a second).
func (s *stats) snapshot(withLatency bool) *Summary {
	sum := &Summary{
		Deliveries: int(s.deliveries.Load()),
		Attempts:   int(s.attempts.Load()),
		OK:         int(s.ok.Load()),
		Failed:     int(s.failed.Load()),
		Forged:     int(s.forged.Load()),
		Retries:    int(s.retries.Load()),
		Blocked:    int(s.blocked.Load()),
		Invalid:    int(s.invalid.Load()),
		Renumbered: int(s.renumbered.Load()),
		Faults:     map[wire.Fault]int{},
		Statuses:   map[int]int{},
		Elapsed:    time.Since(s.start),
	}
	s.mu.Lock()
	sum.P50, sum.P99, sum.Max = s.lat.Quantile(0.5), s.lat.Quantile(0.99), s.lat.Max()
	if withLatency {
		sum.Latency = s.lat.clone()
	}
	maps.Copy(sum.Faults, s.faults)
	maps.Copy(sum.Statuses, s.statuses)
	if len(s.noAnswer) > 0 {
		sum.NoAnswer = maps.Clone(s.noAnswer)
	}
	for f, o := range s.byFault {
		if sum.ByFault == nil {
			sum.ByFault = map[wire.Fault]*FaultOutcome{}
		}
		c := *o
		c.Statuses = maps.Clone(o.Statuses)
		sum.ByFault[f] = &c
		sum.Rejected += o.Rejected
		sum.Accepted += o.Accepted
	}
	s.mu.Unlock()
	if sec := sum.Elapsed.Seconds(); sec > 0 {
		sum.Rate = float64(sum.Deliveries) / sec
	}
	return sum
}

// progressLine is the live line: sent (of the total, when known), 2xx,
// failed, forgeries accepted, retries, rate, p50/p99 and the ETA.
func (s *stats) progressLine() string {
	sum := s.snapshot(false)
	var b strings.Builder
	fmt.Fprintf(&b, "sent %d", sum.Deliveries)
	done := s.done.Load()
	eta := ""
	if s.total > 0 {
		fmt.Fprintf(&b, " of %d events (%.0f%%)", s.total, 100*float64(done)/float64(s.total))
		if done > 0 && done < s.total {
			left := time.Duration(float64(sum.Elapsed) * float64(s.total-done) / float64(done))
			eta = "  ETA " + left.Round(time.Second).String()
		}
	}
	fmt.Fprintf(&b, "  2xx %d  failed %d", sum.OK, sum.Failed)
	if sum.Forged > 0 {
		fmt.Fprintf(&b, "  forged %d (accepted %d)", sum.Forged, sum.Accepted)
	}
	if !s.end.IsZero() {
		eta = "  " + max(time.Until(s.end), 0).Round(time.Second).String() + " left"
	}
	fmt.Fprintf(&b, "  retries %d  %.0f/s  p50 %s  p99 %s%s",
		sum.Retries, sum.Rate, roundDuration(sum.P50), roundDuration(sum.P99), eta)
	return b.String()
}
