package emitter

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Latency histogram bounds: microseconds from 1 µs to one hour (longer
// latencies count as an hour), three significant digits, so that every
// quantile is within 0.1 % of the exact one, in some 190 KB however many
// attempts are recorded.
const (
	latencyLowest  = 1
	latencyHighest = int64(time.Hour / time.Microsecond)
	latencyDigits  = 3
	// maxLatencyEncoded bounds an encoded histogram read back (base64
	// text) and what it inflates to.
	maxLatencyEncoded = 4 << 20
)

// ErrLatency is wrapped by the errors of reading a Latency back.
var ErrLatency = errors.New("emitter: bad latency histogram")

// Latency is a latency distribution that merges exactly: an HdrHistogram
// of microseconds (1 µs to 1 hour, 3 significant digits: quantiles within
// 0.1 %). The histograms of several runs (the shards of a run on several
// machines) merge into the histogram one run recording every attempt
// would have, so merged percentiles are as precise as a single run's;
// kept samples could not be merged without keeping them all.
//
// In JSON it is {"unit": "us", "count": N, "hdr": "…"}, hdr being the
// standard HdrHistogram V2 compressed encoding in base64, which
// HdrHistogram's tools in other languages read too.
type Latency struct {
	h *hdrhistogram.Histogram
}

// NewLatency returns an empty Latency.
func NewLatency() *Latency {
	return &Latency{h: hdrhistogram.New(latencyLowest, latencyHighest, latencyDigits)}
}

// Record adds one latency. Values beyond an hour count as an hour.
func (l *Latency) Record(d time.Duration) {
	us := min(max(int64(d/time.Microsecond), latencyLowest), latencyHighest)
	_ = l.h.RecordValue(us) // in range by construction
}

// Count is how many latencies were recorded.
func (l *Latency) Count() int64 { return l.h.TotalCount() }

// Quantile returns the latency below which a fraction q (0 to 1) of the
// recorded ones lie, within 0.1 %; 0 when none was recorded.
func (l *Latency) Quantile(q float64) time.Duration {
	return time.Duration(l.h.ValueAtQuantile(q*100)) * time.Microsecond
}

// Max returns the largest latency recorded, within 0.1 %.
func (l *Latency) Max() time.Duration {
	if l.h.TotalCount() == 0 {
		return 0
	}
	return time.Duration(l.h.Max()) * time.Microsecond
}

// Merge adds other's latencies to l.
func (l *Latency) Merge(other *Latency) {
	if other != nil {
		l.h.Merge(other.h)
	}
}

// clone returns a copy of l.
func (l *Latency) clone() *Latency {
	return &Latency{h: hdrhistogram.Import(l.h.Export())}
}

type latencyJSON struct {
	Unit  string `json:"unit"`
	Count int64  `json:"count"`
	HDR   string `json:"hdr"`
}

// MarshalJSON writes {"unit": "us", "count": N, "hdr": BASE64}.
func (l *Latency) MarshalJSON() ([]byte, error) {
	enc, err := l.h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		return nil, err
	}
	return json.Marshal(latencyJSON{Unit: "us", Count: l.h.TotalCount(), HDR: string(enc)})
}

// UnmarshalJSON reads what MarshalJSON wrote, checking that the histogram
// is one of ours (unit, bounds, digits, count) before decoding it.
func (l *Latency) UnmarshalJSON(b []byte) error {
	var j latencyJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("%w: %w", ErrLatency, err)
	}
	if j.Unit != "us" {
		return fmt.Errorf("%w: unit %q, want \"us\"", ErrLatency, j.Unit)
	}
	if err := checkLatencyHeader(j.HDR); err != nil {
		return err
	}
	h, err := decodeLatency(j.HDR)
	if err != nil {
		return err
	}
	if h.TotalCount() != j.Count {
		return fmt.Errorf("%w: it holds %d latencies, but count says %d", ErrLatency, h.TotalCount(), j.Count)
	}
	l.h = h
	return nil
}

// decodeLatency decodes a checked encoding; the decoder's panics on
// malformed input become errors.
func decodeLatency(s string) (h *hdrhistogram.Histogram, err error) {
	defer func() {
		if r := recover(); r != nil {
			h, err = nil, fmt.Errorf("%w: %v", ErrLatency, r)
		}
	}()
	h, err = hdrhistogram.Decode([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrLatency, err)
	}
	return h, nil
}

// checkLatencyHeader reads the V2 compressed encoding's header (cookie and
// length, then the zlib-compressed 40-byte header and counts) within
// bounds, and refuses histograms with other bounds or digits than ours,
// before the decoder allocates anything they ask for.
func checkLatencyHeader(s string) error {
	bad := func(why string, args ...any) error {
		return fmt.Errorf("%w: "+why, append([]any{ErrLatency}, args...)...)
	}
	if len(s) > maxLatencyEncoded {
		return bad("more than %d bytes", maxLatencyEncoded)
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return bad("not base64: %v", err)
	}
	if len(raw) < 8 {
		return bad("too short")
	}
	if cookie := int32(binary.BigEndian.Uint32(raw)) &^ 0xf0; cookie != hdrhistogram.V2CompressedEncodingCookieBase {
		return bad("not an HdrHistogram V2 compressed encoding")
	}
	n := int(binary.BigEndian.Uint32(raw[4:]))
	if n < 0 || n > len(raw)-8 {
		return bad("its length says %d bytes, %d follow", n, len(raw)-8)
	}
	z, err := zlib.NewReader(bytes.NewReader(raw[8 : 8+n]))
	if err != nil {
		return bad("%v", err)
	}
	inflated, err := io.ReadAll(io.LimitReader(z, maxLatencyEncoded+1))
	if err != nil {
		return bad("%v", err)
	}
	if len(inflated) > maxLatencyEncoded {
		return bad("inflates to more than %d bytes", maxLatencyEncoded)
	}
	if len(inflated) < 40 {
		return bad("header too short")
	}
	digits := int32(binary.BigEndian.Uint32(inflated[12:]))
	lowest := int64(binary.BigEndian.Uint64(inflated[16:]))
	highest := int64(binary.BigEndian.Uint64(inflated[24:]))
	if digits != latencyDigits || lowest != latencyLowest || highest != latencyHighest {
		return bad("%d significant digits from %d to %d, want %d from %d to %d (microseconds)",
			digits, lowest, highest, latencyDigits, latencyLowest, latencyHighest)
	}
	return nil
}
