package emitter

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/input"
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
	if o.Speed != 0 && !(o.Speed >= MinSpeed && o.Speed <= MaxSpeed) {
		return nil, fmt.Errorf("%w: replay speed %v: 0 (as fast as possible) or between %v and %v", ErrOptions, o.Speed, MinSpeed, MaxSpeed)
	}
	recording, br, err := sniff(r)
	if err != nil {
		return nil, err
	}
	if o.Exact && !recording {
		return nil, fmt.Errorf("%w: exact replay needs a recording, not an events file", ErrOptions)
	}
	if !o.Exact {
		if err := e.requireProfiles(); err != nil {
			return nil, err
		}
	}
	f := replayFilter{o: o}
	lines, line := CountLines(br)
	return e.run(ctx, func(yield func(item) error) error {
		if !recording {
			return generator.ReadEvents(lines, func(ev generator.Event) error {
				if !f.keep(&ev) {
					return nil
				}
				return yield(item{ev: &ev, line: line(), wait: f.wait(ev.At)})
			})
		}
		return ReadRecords(lines, func(rec *Record) error {
			if rec.Attempt > 1 || !f.keep(rec.Event) || (o.Exact && rec.Request == nil) {
				return nil
			}
			it := item{ev: rec.Event, id: rec.ID, line: line(), wait: f.wait(rec.Time)}
			if o.Exact {
				it.exact = &Request{Header: unredactedHeader(rec.Request.Header, e.cfg.header), Body: rec.Request.Body, Plaintext: rec.Event.Payload}
			}
			return yield(it)
		})
	})
}

// requireProfiles checks that every target can build requests.
func (e *Emitter) requireProfiles() error {
	for _, tg := range e.targets.all() {
		if tg.Profile == nil {
			return fmt.Errorf("%w: target %s has no profile", ErrTargets, tg.URL)
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
		if err != nil {
			return false, nil, fmt.Errorf("%w: %w", ErrRecordFormat, err)
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

// replayFilter applies ReplayOptions to each event and paces them from
// the first one kept.
type replayFilter struct {
	o     ReplayOptions
	first time.Time
	begun bool
}

func (f *replayFilter) keep(ev *generator.Event) bool {
	return (f.o.Order == "" || ev.OrderKey == f.o.Order) &&
		(f.o.Event == "" || ev.Event == f.o.Event) &&
		ev.Seq >= f.o.FromSeq
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
