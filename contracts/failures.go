package contracts

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/schemas"
	"github.com/orderhooks/orderhooks/wire"
)

// failureClass groups answers so a shrunk case fails "the same way": no
// answer, or the same status class (4xx, 5xx, …).
func failureClass(d *delivery) string {
	if d.err != nil {
		return "no answer"
	}
	return fmt.Sprintf("%dxx", d.status/100)
}

// saveFailures shrinks the case of check that led to the failing delivery first (its
// order's events up to and including it) and saves it as a scenario file,
// when WithSaveFailures is set. Shrinking removes earlier events, then array
// elements and optional or nullable fields of the failing payload, keeping
// only candidates that stay schema-valid and still fail the same way.
func (se *Session) saveFailures(check string, r *Result, orders [][]*delivery, first *delivery) {
	dir := se.suite.cfg.saveFailures
	if dir == "" {
		return
	}
	var events []*generator.Event
	for _, order := range orders {
		if i := slices.Index(order, first); i >= 0 {
			for _, d := range order[:i+1] {
				events = append(events, d.msg.Event)
			}
		}
	}
	shrunk, tries, err := se.shrinkCase(events, failureClass(first))
	if err != nil {
		r.Message += "; shrinking stopped: " + err.Error()
	}
	path, err := saveScenario(dir, failureName(check, se.suite.cfg.seed, first), shrunk)
	if err != nil {
		r.Message += "; could not save the failing case: " + err.Error()
		return
	}
	r.Saved = append(r.Saved, path)
	r.Message += fmt.Sprintf("; shrunk to %d event(s) in %d tries", len(shrunk), tries)
}

// failureName is the scenario file's base name: check, seed and order.
func failureName(check string, seed int64, d *delivery) string {
	return fmt.Sprintf("%s-seed%d-order-%s", check, seed, d.msg.Event.OrderKey)
}

// shrinkCase minimises events (the last one fails with class) within the
// shrink budget; the result still fails with class.
func (se *Session) shrinkCase(events []*generator.Event, class string) ([]*generator.Event, int, error) {
	s := &shrinker{budget: se.suite.cfg.shrinkBudget}
	g := se.ids("shrink")
	replay := func(ctx context.Context, evs []*generator.Event) (bool, error) {
		var last *delivery
		for i, ev := range evs {
			last = se.send(se.message(ev, i, g), wire.FaultNone)
		}
		if se.stop != nil { // nothing was sent: no verdict on the candidate
			return false, errors.New(se.stop.Message)
		}
		return failureClass(last) == class, ctx.Err()
	}
	events = shrinkList(se.ctx, s, events, replay)
	if s.err != nil {
		return events, s.tries, s.err
	}
	last := events[len(events)-1]
	schema, err := se.suite.provider.schemaOf(last.Event)
	if set := se.suite.cfg.schemas; err == nil && set != nil {
		// The payloads carry what the overlay adds: explain against it.
		if name, nerr := schemas.ForEvent(se.suite.provider.payloads, last.Event, false); nerr == nil {
			if s, gerr := set.Get(name); gerr == nil {
				schema = s
			}
		}
	}
	if err != nil {
		return events, s.tries, err
	}
	doc, err := schemas.Decode(last.Payload)
	if err != nil {
		return events, s.tries, err
	}
	prefix := events[:len(events)-1]
	candidate := func(doc any) (*generator.Event, error) {
		b, err := encodeJSON(doc)
		if err != nil {
			return nil, err
		}
		ev := *last
		ev.Payload = b
		return &ev, nil
	}
	s.valid = func(doc any) bool { return schema.Validate(doc) == nil }
	s.fails = func(ctx context.Context, doc any) (bool, error) {
		ev, err := candidate(doc)
		if err != nil {
			return false, err
		}
		return replay(ctx, append(slices.Clip(prefix), ev))
	}
	s.shrinkValue(se.ctx, &doc)
	ev, err := candidate(doc)
	if err != nil {
		return events, s.tries, err
	}
	return append(slices.Clip(prefix), ev), s.tries, s.err
}
