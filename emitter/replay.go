package emitter

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/input"
	"github.com/orderhooks/orderhooks/internal/redact"
	"github.com/orderhooks/orderhooks/wire"
)

// ReplayOptions select and pace what Replay sends.
type ReplayOptions struct {
	// Order keeps only the events of this order key ("" for all).
	Order string
	// Event keeps only events of this name, e.g. ORDER_UPDATED ("" for all).
	Event string
	// FromSeq keeps only events whose Seq is at least this.
	FromSeq int64
	// Speed replays the original pacing (the events' At, or the recorded
	// attempt times) Speed times faster, from MinSpeed to MaxSpeed; 0
	// sends as fast as possible.
	Speed float64
	// Exact resends a recording's bytes and headers as they were sent,
	// signatures and all, instead of building fresh requests (fresh nonces,
	// signatures and message times) from the recorded plaintext. Redacted
	// headers are not resent; the Emitter's WithHeader headers are set
	// over the recorded ones.
	Exact bool
}

// The range of ReplayOptions.Speed: slower than MinSpeed, a recorded
// second would last over a day; faster than MaxSpeed is as fast as
// possible anyway.
const (
	MinSpeed = 1e-5
	MaxSpeed = 1e6
)

// Replay sends again what r holds: a recording written by WithRecord (each
// delivery once, from its first attempt; message ids kept) or a generator
// events file (JSONL), told apart by the first line. Deliveries that were
// never sent (attempt 0) are sent now, except in Exact mode, which has no
// bytes for them. Otherwise Replay is Run: same options, same Summary.
func (e *Emitter) Replay(ctx context.Context, r io.Reader, o ReplayOptions) (*Summary, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	recording, br, err := sniff(r)
	if err != nil && ctx.Err() != nil {
		sum := newStats(0).summary() // interrupted while waiting for the first line
		sum.Interrupted = true
		return sum, fmt.Errorf("%w: %w", ErrInterrupted, context.Cause(ctx))
	}
	if err != nil {
		return nil, err
	}
	if o.Exact && !recording {
		return nil, errExactEvents
	}
	if !o.Exact {
		if err := e.requireProfiles(); err != nil {
			return nil, err
		}
	}
	f := replayFilter{o: o}
	sum, err := e.run(ctx, func(yield func(item) error) error {
		if !recording {
			lines, line := CountLines(br)
			return generator.ReadEvents(lines, func(ev generator.Event) error {
				if !f.keep(&ev) {
					return nil
				}
				return yield(item{ev: &ev, line: line(), wait: f.wait(ev.At)})
			})
		}
		return readNumberedRecords(br, func(rec *Record, line int) error {
			if rec.Attempt > 1 || !f.keep(rec.Event) || (o.Exact && rec.Request == nil) {
				return nil
			}
			it := item{ev: rec.Event, id: rec.ID, line: line, wait: f.wait(rec.Time)}
			if o.Exact {
				// The record is this callback's alone: its header is changed in place.
				it.exact = &wire.Request{Header: unredact(rec.Request.Header, e.cfg.header), Body: rec.Request.Body, Plaintext: rec.Event.Payload}
			}
			return yield(it)
		})
	})
	if err == nil && f.filtered() && f.kept == 0 {
		return sum, f.noMatch()
	}
	return sum, err
}

// Check refuses a Speed outside its range (0 aside), with an
// *OptionError naming ReplayOptions.Speed.
func (o ReplayOptions) Check() error {
	if o.Speed != 0 && !(o.Speed >= MinSpeed && o.Speed <= MaxSpeed) { // NaN fails both
		return &OptionError{Package: "emitter", Option: "ReplayOptions", Field: "Speed", Value: fmt.Sprint(o.Speed),
			Want: fmt.Sprintf("0 (as fast as possible) or between %g and %g", MinSpeed, MaxSpeed), Err: ErrOptions}
	}
	return nil
}

// errExactEvents is the error of an exact replay of an events file.
var errExactEvents = &OptionError{Package: "emitter", Option: "ReplayOptions", Field: "Exact",
	Want: "needs a recording (WithRecord's lines), not an events file: an events file holds no bytes sent", Err: ErrOptions}

// CheckReplay reads r as Replay would and applies o, sending nothing: the
// *NoMatchError of filters that keep no event, or the error of a line
// that is neither a record nor an event, as Replay would return them. A
// caller that can read its input twice (a file) finds them this way
// before any target is dialled.
func CheckReplay(r io.Reader, o ReplayOptions) error {
	if err := o.Check(); err != nil {
		return err
	}
	recording, br, err := sniff(r)
	if err != nil {
		return err
	}
	if o.Exact && !recording {
		return errExactEvents
	}
	f := replayFilter{o: o}
	if recording {
		err = ReadRecords(br, func(rec *Record) error {
			if rec.Attempt <= 1 {
				f.keep(rec.Event)
			}
			return nil
		})
	} else {
		err = generator.ReadEvents(br, func(ev generator.Event) error {
			f.keep(&ev)
			return nil
		})
	}
	if err == nil && f.filtered() && f.kept == 0 {
		return f.noMatch()
	}
	return err
}

// ErrNoMatch is matched by a *NoMatchError.
var ErrNoMatch = errors.New("emitter: no event passes the replay filters")

// NoMatchError is Replay's error when its filters keep no event of the
// input: nothing was sent.
type NoMatchError struct {
	// Filter is the ReplayOptions field no event passes on its own:
	// "Order", "Event" or "FromSeq"; "" when each matches events but none
	// passes them all.
	Filter string
	// Value is that option's value.
	Value string
	// Seen holds up to MaxSeen values of the filtered field found in the
	// input (order keys, event names; for from-seq the highest seq), in
	// input order, and Distinct how many there are.
	Seen     []string
	Distinct int
	// Events counts the events read.
	Events int64
}

// MaxSeen bounds NoMatchError.Seen.
const MaxSeen = 5

func (e *NoMatchError) Error() string {
	if e.Filter == "" {
		return fmt.Sprintf("emitter: no event of the %d read passes every filter", e.Events)
	}
	return fmt.Sprintf("emitter: no event of the %d read passes %s %s", e.Events, e.Filter, e.Value)
}

// Is makes a NoMatchError match ErrNoMatch.
func (e *NoMatchError) Is(target error) bool { return target == ErrNoMatch }

// replayFilter applies ReplayOptions to each event and paces them from
// the first one kept; it counts what passes each filter, so a filter that
// matches nothing is reported rather than sending nothing silently.
type replayFilter struct {
	o     ReplayOptions
	first time.Time
	begun bool

	read, kept                  int64
	orderOK, eventOK, seqOK     int64
	orders, events              []string // seen, up to MaxSeen each
	distinctOrders, distinctEvs map[string]bool
	maxSeq                      int64
}

// filtered reports whether any filter is set.
func (f *replayFilter) filtered() bool {
	return f.o.Order != "" || f.o.Event != "" || f.o.FromSeq != 0
}

func (f *replayFilter) keep(ev *generator.Event) bool {
	f.read++
	if f.distinctOrders == nil {
		f.distinctOrders, f.distinctEvs = map[string]bool{}, map[string]bool{}
	}
	if !f.distinctOrders[ev.OrderKey] && len(f.distinctOrders) < 1<<16 {
		f.distinctOrders[ev.OrderKey] = true
		if len(f.orders) < MaxSeen {
			f.orders = append(f.orders, ev.OrderKey)
		}
	}
	if !f.distinctEvs[ev.Event] && len(f.distinctEvs) < 1<<10 {
		f.distinctEvs[ev.Event] = true
		if len(f.events) < MaxSeen {
			f.events = append(f.events, ev.Event)
		}
	}
	f.maxSeq = max(f.maxSeq, ev.Seq)
	order := f.o.Order == "" || ev.OrderKey == f.o.Order
	event := f.o.Event == "" || ev.Event == f.o.Event
	seq := ev.Seq >= f.o.FromSeq
	f.orderOK, f.eventOK, f.seqOK = f.orderOK+b2i(order), f.eventOK+b2i(event), f.seqOK+b2i(seq)
	if order && event && seq {
		f.kept++
		return true
	}
	return false
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// noMatch says which filter kept nothing.
func (f *replayFilter) noMatch() *NoMatchError {
	e := &NoMatchError{Events: f.read}
	switch {
	case f.o.Order != "" && f.orderOK == 0:
		e.Filter, e.Value, e.Seen, e.Distinct = "Order", f.o.Order, f.orders, len(f.distinctOrders)
	case f.o.Event != "" && f.eventOK == 0:
		e.Filter, e.Value, e.Seen, e.Distinct = "Event", f.o.Event, f.events, len(f.distinctEvs)
	case f.o.FromSeq != 0 && f.seqOK == 0:
		e.Filter, e.Value, e.Seen, e.Distinct = "FromSeq", strconv.FormatInt(f.o.FromSeq, 10), []string{strconv.FormatInt(f.maxSeq, 10)}, 1
	}
	return e
}

// requireProfiles checks that every target can build requests.
func (e *Emitter) requireProfiles() error {
	for _, tg := range e.targets.all() {
		if tg.Profile == nil {
			return fmt.Errorf("%w: target %s has no profile", ErrTargets, redact.URL(tg.URL))
		}
	}
	return nil
}

// sniff reads up to the first non-blank line (bounded like any record
// line) to tell a recording (the event is an object) from an events file
// (its name is a string), and returns a reader of the whole input again,
// leading blank lines included so that line numbers stay right.
func sniff(r io.Reader) (recording bool, all io.Reader, err error) {
	lines := input.NewLines(r, "", input.RecordLine)
	var blank newlines
	for {
		line, err := lines.Next()
		if err == io.EOF {
			return false, &blank, nil // blank input: nothing to send either way
		}
		if ie := (*input.Error)(nil); errors.As(err, &ie) {
			return false, nil, fmt.Errorf("%w: %w", ErrRecordFormat, err)
		}
		if err != nil {
			return false, nil, err // a read error, or an interrupted read
		}
		t := bytes.TrimSpace(line)
		if len(t) == 0 {
			blank++
			continue
		}
		var probe struct {
			Event json.RawMessage `json:"event"`
		}
		if jerr := json.Unmarshal(t, &probe); jerr != nil {
			return false, nil, fmt.Errorf("%w: line %d: neither a recording nor an events file: %s", ErrRecordFormat, lines.Line(), input.JSONError(jerr))
		}
		recording = len(probe.Event) > 0 && probe.Event[0] == '{'
		head := append(bytes.Clone(line), '\n')
		return recording, io.MultiReader(&blank, bytes.NewReader(head), lines.Reader()), nil
	}
}

// newlines reads as that many blank lines, without holding them.
type newlines int64

func (n *newlines) Read(p []byte) (int, error) {
	if *n == 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), int64(*n))
	for i := range k {
		p[i] = '\n'
	}
	*n -= newlines(k)
	return int(k), nil
}

// wait is how long after the replay's start an event at t is due.
func (f *replayFilter) wait(t time.Time) time.Duration {
	if f.o.Speed == 0 {
		return 0
	}
	if !f.begun {
		f.first, f.begun = t, true
	}
	// Clamped: a recording of years at a slow speed must not overflow.
	return time.Duration(min(float64(t.Sub(f.first))/f.o.Speed, math.MaxInt64/2))
}

// CountLines returns a reader handing r on at most one line per Read, so
// a line scanner on top (generator.ReadEvents, ReadRecords) never reads
// ahead, and a function giving the number (from 1) of the line it is on:
// callbacks of the scanner can name their line.
func CountLines(r io.Reader) (io.Reader, func() int) {
	lc := &lineCounter{br: bufio.NewReaderSize(r, 64<<10), atStart: true}
	return lc, func() int { return lc.line }
}

type lineCounter struct {
	br      *bufio.Reader
	line    int
	atStart bool // the next byte begins a line
}

func (l *lineCounter) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if _, err := l.br.Peek(1); err != nil {
		return 0, err
	}
	b, _ := l.br.Peek(min(len(p), l.br.Buffered())) // buffered: no error
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i+1]
	}
	if l.atStart {
		l.line++
	}
	l.atStart = b[len(b)-1] == '\n'
	n := copy(p, b)
	_, _ = l.br.Discard(n) // buffered: cannot fail
	return n, nil
}
