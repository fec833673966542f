package contracts

import (
	"fmt"
	"slices"

	"github.com/orderhooks/orderhooks/schemas"
)

// deliverOrder sends the first order of the first lifecycle, seeded for
// purpose, and returns its deliveries, or an inconclusive Result when the
// receiver did not accept them (then nothing else can be judged).
func (se *Session) deliverOrder(purpose string) ([]*delivery, *Result) {
	evs, err := se.generate(purpose, se.suite.provider.scenarios[0], false)
	if err != nil {
		r := errorResult(err)
		return nil, &r
	}
	orders, _ := se.sendOrders(orderEvents(evs)[0], purpose)
	order := orders[0]
	if i := slices.IndexFunc(order, func(d *delivery) bool { return !d.accepted() }); i >= 0 {
		return order, &Result{
			Status:     StatusInconclusive,
			Message:    "inconclusive: the order's lifecycle was not accepted, so this cannot be judged (see accepts-valid-lifecycle)",
			Evidence:   []Evidence{se.evidence(order[i], "2xx", order[i].got())},
			Deliveries: len(order),
		}
	}
	return order, nil
}

// The reasons idempotent-duplicates is skipped once the redelivery was
// answered 2xx (a refusal still fails it).
const (
	noProbeDuplicates = "state not probed: give --probe URL (WithProbe) to judge idempotency; the redelivery was answered 2xx, which proves only that it was accepted"
	noKeyDuplicates   = "state not probed: the events name no entity key the probe can ask for (events.key, events.import.key), so idempotency is not judged; the redelivery was answered 2xx, which proves only that it was accepted"
)

// runDuplicates redelivers the last message of a lifecycle, byte for byte:
// it must be answered 2xx and leave the whole probed state as it was
// after the first delivery. Without a probe (or an entity key to probe
// by) a 2xx is not a pass: the check is skipped, saying why.
func runDuplicates(se *Session) Result {
	order, fail := se.deliverOrder("duplicates")
	if fail != nil {
		return *fail
	}
	last := order[len(order)-1]
	var before probeResult
	probed := se.probe != nil && se.suite.provider.keyed()
	shared := probed && se.sharedKey(last)
	keyless := probed && noKey(last)
	if probed && !shared && !keyless {
		if before = se.probe.get(se.ctx, last.msg.Event.OrderKey); before.err != nil {
			return Result{Status: StatusFail, Deliveries: len(order),
				Message:  "the probe could not read the order after its lifecycle",
				Evidence: []Evidence{before.evidence("the order's state", before.err.Error())}}
		}
		// An unchanged state proves something only if it is the order's.
		if ev, ok, err := se.matches(last, "the last snapshot"); err != nil {
			return Result{Status: StatusFail, Deliveries: len(order),
				Message: "the probe could not read the order after its lifecycle", Evidence: []Evidence{ev}}
		} else if !ok {
			return Result{Status: StatusInconclusive, Deliveries: len(order),
				Message:  "inconclusive: the probed state is not the order's last snapshot, so an unchanged state would prove nothing (see state-matches-snapshot)",
				Evidence: []Evidence{ev}}
		}
	}
	again := se.resend(last)
	r := Result{Deliveries: len(order) + 1}
	if !again.accepted() {
		r.Status = StatusFail
		r.Message = fmt.Sprintf("a redelivery of an accepted message was answered %s; platforms redeliver and expect 2xx", again.got())
		r.Evidence = []Evidence{se.evidence(again, "2xx", again.got())}
		return r
	}
	if shared {
		r.Status, r.Message = StatusInconclusive, se.sharedKeyReason(1, 1)
		return r
	}
	if keyless {
		r.Status, r.Message = StatusInconclusive, "inconclusive: redelivery answered 2xx, but the probe cannot read the order's state: "+noKeyReason
		return r
	}
	// A 2xx proves the redelivery was accepted, not that it was applied
	// once: without the receiver's state, idempotency is not judged.
	if se.probe == nil {
		r.Status, r.Message = StatusSkip, noProbeDuplicates
		return r
	}
	if !se.suite.provider.keyed() {
		r.Status, r.Message = StatusSkip, noKeyDuplicates
		return r
	}
	after := se.probe.get(se.ctx, last.msg.Event.OrderKey)
	if after.err != nil {
		r.Status, r.Message = StatusFail, "the probe could not read the order after the redelivery"
		r.Evidence = []Evidence{after.evidence("the order's state", after.err.Error())}
		return r
	}
	if diffs := diffJSON(before.state, after.state, "", 3); len(diffs) > 0 {
		r.Status = StatusFail
		r.Message = "the redelivery changed the receiver's state: duplicates are applied twice"
		for _, d := range diffs {
			r.Evidence = append(r.Evidence, after.evidence(d.path+" = "+d.a, d.path+" = "+d.b))
		}
		return r
	}
	r.Status, r.Message = StatusPass, "redelivery answered 2xx and left the probed state unchanged"
	return r
}

// staleUnordered explains the warning for a provider whose payloads
// carry no time (Phasio).
func staleUnordered(title string) string {
	return title + " payloads carry no version or event time, so a receiver cannot tell an older snapshot from a newer one; order deliveries by arrival and rely on " + title + " sending them in order"
}

// noLifecycle is the reason the checks that need an entity's later
// snapshots skip for a definition without a lifecycle.
func noLifecycle(p Provider) string {
	return "the " + p.name + " definition has no lifecycle: no entity gets a second snapshot"
}

// runStaleSnapshot delivers a lifecycle, then an earlier snapshot of it as
// a late new message; the probed state must still match the newest one.
func runStaleSnapshot(se *Session) Result {
	if !se.suite.provider.orderedByTime() {
		return Result{Status: StatusWarn, Message: staleUnordered(se.suite.provider.title())}
	}
	if !se.suite.provider.hasLifecycle() {
		return Result{Status: StatusSkip, Message: noLifecycle(se.suite.provider)}
	}
	if len(se.suite.compare) == 0 {
		return Result{Status: StatusSkip, Message: noCompare}
	}
	order, fail := se.deliverOrder("stale snapshot")
	if fail != nil {
		return *fail
	}
	r := Result{Deliveries: len(order)}
	if len(order) < 2 {
		return errorResult(fmt.Errorf("scenario %s has a single event per order", se.suite.provider.scenarios[0]))
	}
	last := order[len(order)-1]
	if se.sharedKey(last) {
		r.Status, r.Message = StatusInconclusive, se.sharedKeyReason(1, 1)
		return r
	}
	if noKey(last) {
		r.Status, r.Message = StatusInconclusive, "inconclusive: the probe cannot read the order's state: "+noKeyReason
		return r
	}
	if ev, ok, err := se.matches(last, "the newest snapshot"); err != nil {
		r.Status, r.Message = StatusFail, "the probe could not read the order after its lifecycle"
		r.Evidence = []Evidence{ev}
		return r
	} else if !ok {
		r.Status, r.Message = StatusInconclusive, "inconclusive: the newest snapshot was not applied, so staleness cannot be judged (see state-matches-snapshot)"
		r.Evidence = []Evidence{ev}
		return r
	}
	old := se.olderSnapshot(order)
	late := se.send(se.message(old.msg.Event, slices.Index(order, old), se.ids("stale snapshot late")), "")
	r.Deliveries++
	if !late.answered() {
		r.Status, r.Message = StatusFail, "no answer to a late, older snapshot"
		r.Evidence = []Evidence{se.evidence(late, "an answer", late.got())}
		return r
	}
	if !late.accepted() {
		// A refusal keeps the newer state too, but proves nothing about it
		// and fails the delivery in the platform's eyes.
		r.Status = StatusFail
		r.Message = fmt.Sprintf("a late, older %s snapshot, validly signed, was answered %d: platforms treat any non-2xx as a failed delivery (HappyColis blocks its queue, Standard Webhooks retries it); answer 2xx and keep the newer state", old.msg.Event.Event, late.status)
		r.Evidence = []Evidence{se.evidence(late, "2xx, the newer state kept", late.got())}
		return r
	}
	if ev, ok, err := se.matches(last, "the newest snapshot after a late older one"); err != nil {
		r.Status, r.Message = StatusFail, "the probe could not read the order after a late, older snapshot"
		r.Evidence = []Evidence{ev}
		return r
	} else if !ok {
		r.Status = StatusFail
		r.Message = fmt.Sprintf("a late %s snapshot overwrote the newer %s one", old.msg.Event.Event, last.msg.Event.Event)
		r.Evidence = []Evidence{se.evidence(late, "ignored (state unchanged)", "applied"), ev}
		return r
	}
	r.Status = StatusPass
	r.Message = fmt.Sprintf("a late %s snapshot (answered %d) left the newer %s state in place", old.msg.Event.Event, late.status, last.msg.Event.Event)
	return r
}

// olderSnapshot picks the earliest delivery whose snapshot differs from the
// last one on the compared pointers, so applying it would show.
func (se *Session) olderSnapshot(order []*delivery) *delivery {
	last, _ := schemas.Decode(order[len(order)-1].msg.Event.Payload)
	for _, d := range order[:len(order)-1] {
		snap, err := schemas.Decode(d.msg.Event.Payload)
		if err == nil && snapshotsDiffer(se.suite.compare, snap, last) {
			return d
		}
	}
	return order[0]
}
