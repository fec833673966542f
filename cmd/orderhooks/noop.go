package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/input"
	"github.com/orderhooks/orderhooks/internal/platform"
	"github.com/orderhooks/orderhooks/internal/suggest"
	"github.com/orderhooks/orderhooks/wire"
)

// A flag that could not change anything is a usage error naming it, never
// a run that silently does less than asked: filters that match nothing,
// faults that cannot apply, names that are not events.

// eventAliases are the platforms' display names of their event names,
// for "did you mean" hints (Phasio's documentation calls ORDER "Order
// Created").
var eventAliases = platform.Titles()

// eventNames are the event names the provider's deliveries carry: its
// platform's, or both platforms' for the standard profile ("" too: an
// exact replay of either).
func eventNames(provider string) []string { return platform.Events(provider) }

// checkEventName refuses a --event or --trigger value that is not an
// event of the provider, with the closest name.
func checkEventName(flag, name, provider string) error {
	known := eventNames(provider)
	if slices.Contains(known, name) {
		return nil
	}
	platform := provider
	if provider == "" || provider == wire.ProviderStandard {
		platform = "Phasio or HappyColis"
	}
	return usageErrorf("--%s %q: not a %s order event%s; known: %s", flag, name, platform,
		suggest.Hint(name, known, eventAliases), strings.Join(known, ", "))
}

// noMatchError words emitter.NoMatchError for the flag it came from.
func noMatchError(file string, e *emitter.NoMatchError) error {
	if e.Filter == "" {
		return usageErrorf("%s: no event passes --order, --event and --from-seq together (of %d read); nothing was sent", file, e.Events)
	}
	flag := map[string]string{"Order": "order", "Event": "event", "FromSeq": "from-seq"}[e.Filter]
	what := map[string]string{"Order": "order key", "Event": "event", "FromSeq": "seq of at least"}[e.Filter]
	msg := fmt.Sprintf("--%s %s: no event of %s has %s %s; nothing was sent", flag, e.Value, file, what, e.Value)
	switch e.Filter {
	case "FromSeq":
		msg += fmt.Sprintf(" (its highest seq is %s)", e.Seen[0])
	default:
		hint := suggest.Hint(e.Value, e.Seen, eventAliases)
		seen := strings.Join(e.Seen, ", ")
		if e.Distinct > len(e.Seen) {
			seen += fmt.Sprintf(", … (%d in all)", e.Distinct)
		}
		msg += fmt.Sprintf("%s; it has %s", hint, seen)
	}
	return usageErrorf("%s", msg)
}

// requestFaultFlags are the faults Profile.Build applies to a request.
var requestFaultFlags = []string{"tamper", "bad-signature", "wrong-key"}

// checkExactFaults refuses request faults with replay --exact, which
// resends the recorded bytes as they are.
func (o *deliveryOpts) checkExactFaults() error {
	for i, p := range []float64{o.faults.Tamper, o.faults.BadSignature, o.faults.WrongKey} {
		if name := requestFaultFlags[i]; p > 0 {
			return usageErrorf("--%s cannot apply with --exact: the recorded bytes are resent as they are (drop --exact to build fresh requests)", name)
		}
	}
	return nil
}

// checkUnblock refuses --unblock for a provider without a blocking queue.
func (o *deliveryOpts) checkUnblock(c *chosen) error {
	if o.unblock && (c == nil || !c.blocks()) {
		return usageErrorf("--unblock only applies to --provider happycolis, whose queue blocks on a failed delivery")
	}
	return nil
}

// reorderWanted reports whether --reorder asks for reordering.
func (o *deliveryOpts) reorderWanted() bool { return o.faults.Reorder > 0 }

// errSingleEventOrders is the --reorder error for events whose orders
// each have one event.
func errSingleEventOrders(what string) error {
	return usageErrorf("--reorder: every order of %s has a single event, so none can be swapped with its next; use events of multi-event lifecycles (e.g. --scenario phasio/quote-to-paid)", what)
}

// checkReorderGenerated refuses --reorder for generated events whose
// orders have one event each: the single-event default, --edge, or a
// one-step scenario.
func (o *deliveryOpts) checkReorderGenerated(name string, edge bool) error {
	if !o.reorderWanted() {
		return nil
	}
	if name == "" || edge {
		return errSingleEventOrders("the generated events (no multi-event --scenario)")
	}
	s, err := generator.LoadScenario(name)
	if err != nil {
		return nil // reported with its flag by the generator
	}
	if len(s.Steps) < 2 {
		return errSingleEventOrders("scenario " + name)
	}
	return nil
}

// repeatWatch reads JSONL events or records through, noting whether some
// order key comes twice: a stream no --reorder can act on is found after
// the run when it cannot be read twice (stdin).
type repeatWatch struct {
	r        *bufio.Reader
	line     []byte
	seen     map[string]bool
	repeated bool
}

func newRepeatWatch(r io.Reader) *repeatWatch {
	return &repeatWatch{r: bufio.NewReaderSize(r, 64<<10), seen: map[string]bool{}}
}

func (w *repeatWatch) Read(p []byte) (int, error) {
	n, err := w.r.Read(p)
	if !w.repeated {
		w.note(p[:n])
	}
	return n, err
}

// note feeds bytes read, line by line, to the order-key check.
func (w *repeatWatch) note(b []byte) {
	for len(b) > 0 && !w.repeated {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			if len(w.line) < 64<<20 {
				w.line = append(w.line, b...)
			}
			return
		}
		w.line = append(w.line, b[:i]...)
		w.check(w.line)
		w.line, b = w.line[:0], b[i+1:]
	}
}

// check reads the order key of one events or recording line.
func (w *repeatWatch) check(line []byte) {
	var v struct {
		OrderKey string          `json:"orderKey"`
		Event    json.RawMessage `json:"event"`
		Attempt  int             `json:"attempt"`
	}
	if json.Unmarshal(line, &v) != nil {
		return
	}
	if len(v.Event) > 0 && v.Event[0] == '{' {
		if v.Attempt > 1 { // a retry of a recorded delivery, not a new event
			return
		}
		var ev struct {
			OrderKey string `json:"orderKey"`
		}
		if json.Unmarshal(v.Event, &ev) != nil {
			return
		}
		v.OrderKey = ev.OrderKey
	}
	if v.OrderKey == "" {
		return
	}
	if len(w.seen) >= maxRepeatScan {
		w.repeated, w.seen = true, nil // enough orders to take repeats for granted; memory back
		return
	}
	w.repeated = w.seen[v.OrderKey]
	w.seen[v.OrderKey] = true
}

// maxRepeatScan bounds the order keys the --reorder check remembers: an
// input with that many distinct orders before any repeat is taken to
// have repeats (the check exists for inputs of one event per order).
const maxRepeatScan = 100_000

// scanRepeats reads an input (up to its first repeated order key, within
// maxRepeatScan orders, each line within the record-line limit) to tell
// whether --reorder can act on it. An input it cannot read to the end
// counts as fine: the run itself reports what is wrong with it.
func scanRepeats(ctx context.Context, r io.Reader) (bool, error) {
	lines := input.NewLines(input.Interruptible(ctx, r), "", input.RecordLine)
	w := &repeatWatch{seen: map[string]bool{}}
	for !w.repeated {
		line, err := lines.Next()
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		if err != nil {
			return true, nil
		}
		w.check(line)
	}
	return true, nil
}

// checkReorderInput checks that --reorder can act on an input file
// (path, as flag names it): a file is read ahead up to its first repeated
// order key; stdin ("-") is watched as it is read and judged after the
// run by the returned watch, so e comes back with its stdin wrapped.
func (o *deliveryOpts) checkReorderInput(ctx context.Context, e *env, path, flag string) (*repeatWatch, *env, error) {
	if !o.reorderWanted() || path == "" {
		return nil, e, nil
	}
	if path == "-" {
		w := newRepeatWatch(e.stdin)
		watched := *e
		watched.stdin = w
		return w, &watched, nil
	}
	f, err := input.Open(path)
	if err != nil {
		return nil, e, nil // reported with its flag where the input is opened
	}
	defer f.Close() // read-only
	repeated, err := scanRepeats(ctx, f)
	if err == nil && !repeated {
		return nil, e, errSingleEventOrders(strings.TrimSpace(flag + " " + path))
	}
	return nil, e, nil
}

// verdict turns a run on stdin that --reorder could not act on into a
// usage error (after the run: stdin cannot be read twice); w may be nil.
func (w *repeatWatch) verdict(err error, input string) error {
	if w == nil || (err != nil && !isSilent(err)) {
		return err
	}
	if !w.repeated && len(w.line) > 0 {
		w.check(w.line) // a last line without its newline
	}
	if w.repeated {
		return err
	}
	return errSingleEventOrders(input)
}
