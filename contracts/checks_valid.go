package contracts

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/schemas"
)

// runStateMatches probes every lifecycle order after its last delivery and
// compares the probed state with the last snapshot sent.
func runStateMatches(se *Session) Result {
	life := se.lifecycle()
	if life.err != nil {
		return errorResult(life.err)
	}
	r := Result{Deliveries: len(life.all)}
	if len(se.suite.compare) == 0 {
		r.Status, r.Message = StatusSkip, noCompare
		return r
	}
	if missing := se.absentPointers(life.orders); len(missing) > 0 {
		r.Status = StatusFail
		r.Message = fmt.Sprintf("compared pointer %s is in none of the snapshots sent, so it compares nothing: check --compare (WithCompare)", strings.Join(missing, ", "))
		return r
	}
	bad, unread, shared, keyless := 0, 0, 0, 0
	for _, order := range life.orders {
		last := order[len(order)-1]
		if i := slices.IndexFunc(order, func(d *delivery) bool { return !d.accepted() }); i >= 0 {
			bad++
			r.Evidence = append(r.Evidence, se.evidence(order[i], "every delivery of the order answered 2xx", order[i].got()))
			continue
		}
		if se.sharedKey(last) {
			shared++
			continue
		}
		if noKey(last) {
			keyless++
			continue
		}
		if ev, ok, err := se.matches(last, "the last snapshot"); err != nil {
			unread++
			r.Evidence = append(r.Evidence, ev)
		} else if !ok {
			bad++
			r.Evidence = append(r.Evidence, ev)
		}
	}
	// leftOut says how many orders were not probed for want of a key.
	leftOut := ""
	if keyless > 0 {
		leftOut = fmt.Sprintf("; %d of %d orders left out, not judged: %s", keyless, len(life.orders), noKeyReason)
	}
	judged := len(life.orders) - keyless
	switch {
	case bad > 0:
		r.Status = StatusFail
		r.Message = fmt.Sprintf("%d of %d orders do not hold their last snapshot on %s", bad, len(life.orders), se.compared())
		if unread > 0 {
			r.Message += fmt.Sprintf("; the probe could not read %d more", unread)
		}
		r.Message += leftOut
		return r
	case unread > 0:
		r.Status = StatusFail
		r.Message = fmt.Sprintf("the probe could not read %d of %d orders, so their state could not be compared (see the evidence)", unread, len(life.orders)) + leftOut
		return r
	case shared > 0:
		r.Status = StatusInconclusive
		r.Message = se.sharedKeyReason(shared, len(life.orders))
		if shared < judged {
			r.Message += fmt.Sprintf("; the other %d hold their last snapshot on %s", judged-shared, se.compared())
		}
		r.Message += leftOut
		return r
	case judged == 0:
		r.Status = StatusInconclusive
		r.Message = fmt.Sprintf("inconclusive: %s (none of the %d orders has one), so the probe cannot read their state", noKeyReason, len(life.orders))
		return r
	}
	r.Status = StatusPass
	r.Message = fmt.Sprintf("%d orders hold their last snapshot on %s", judged, se.compared()) + leftOut
	return r
}

// absentPointers lists the compared snapshot pointers that no order's last
// snapshot has: a typo would otherwise "match" by being absent on both sides.
func (se *Session) absentPointers(orders [][]*delivery) []string {
	var missing []string
	for _, c := range se.suite.compare {
		found := false
		for _, order := range orders {
			snap, err := schemas.Decode(order[len(order)-1].msg.Event.Payload)
			if _, ok := jsonptr.Get(snap, c.snap); err == nil && ok {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, c.Snapshot)
		}
	}
	return missing
}

// matches probes the order of d and compares its state with d's snapshot;
// the error says why the probe could not be read, if it could not.
func (se *Session) matches(d *delivery, what string) (Evidence, bool, error) {
	p := se.probe.get(se.ctx, d.msg.Event.OrderKey)
	if p.err != nil {
		return p.evidence(what+" of order "+d.msg.Event.OrderKey, p.err.Error()), false, p.err
	}
	snap, err := schemas.Decode(d.msg.Event.Payload)
	if err != nil {
		return p.evidence(what, "our snapshot is not JSON: "+err.Error()), false, nil
	}
	if mm := compareState(se.suite.compare, snap, p.state); len(mm) > 0 {
		want, got := make([]string, len(mm)), make([]string, len(mm))
		for i, m := range mm {
			want[i] = m.cmp.String() + " = " + m.want
			got[i] = m.cmp.String() + " = " + m.got
		}
		return p.evidence(what+": "+strings.Join(want, ", "), strings.Join(got, ", ")), false, nil
	}
	return Evidence{}, true, nil
}

// noCompare is why the checks that compare a probed state with a snapshot
// are skipped when no pointer is compared: a state matches on nothing.
const noCompare = "nothing to compare: the provider names no pointers of the state to compare with the snapshots sent; name them with --compare (WithCompare)"

// compared names the compared pointers for messages.
func (se *Session) compared() string {
	s := make([]string, len(se.suite.compare))
	for i, c := range se.suite.compare {
		s[i] = c.String()
	}
	return strings.Join(s, ",")
}

// runSLO checks the p99 latency of the accepted lifecycle deliveries.
func runSLO(se *Session) Result {
	life := se.lifecycle()
	if life.err != nil {
		return errorResult(life.err)
	}
	var ok []*delivery
	for _, d := range life.all {
		if d.accepted() {
			ok = append(ok, d)
		}
	}
	r := Result{Deliveries: len(life.all)}
	slo := se.suite.cfg.slo
	if len(ok) == 0 {
		r.Status, r.Message = StatusSkip, "no delivery was accepted, so there is no latency to judge"
		return r
	}
	slices.SortStableFunc(ok, func(a, b *delivery) int { return int(b.latency - a.latency) })
	p99 := ok[len(ok)-nearestRank(len(ok), 0.99)].latency
	if p99 < slo {
		r.Status = StatusPass
		r.Message = fmt.Sprintf("p99 %s under %s over %d accepted deliveries", roundLatency(p99), slo, len(ok))
		return r
	}
	for _, d := range ok {
		if d.latency < slo {
			break
		}
		r.Evidence = append(r.Evidence, se.evidence(d, "under "+slo.String(), "took "+roundLatency(d.latency).String()))
	}
	r.Status = StatusFail
	r.Message = fmt.Sprintf("p99 %s is not under the %s SLO over %d accepted deliveries", p99.Round(time.Millisecond), slo, len(ok))
	return r
}

// nearestRank is the 1-based rank of percentile q among n sorted values.
func nearestRank(n int, q float64) int {
	return max(1, int(math.Ceil(q*float64(n))))
}

// runResponseContract validates every 2xx lifecycle response body.
func runResponseContract(se *Session) Result {
	s := se.suite.cfg.responseSchema
	if s == nil {
		return Result{Status: StatusSkip, Message: "no response schema given (--response-schema)"}
	}
	life := se.lifecycle()
	if life.err != nil {
		return errorResult(life.err)
	}
	r := Result{Deliveries: len(life.all)}
	checked, bad := 0, 0
	for _, d := range life.all {
		if !d.accepted() {
			continue
		}
		checked++
		if err := s.ValidateJSON(d.body); err != nil {
			bad++
			got := err.Error()
			var ve *schemas.ValidationError
			if errors.As(err, &ve) {
				got = strings.TrimPrefix(got, ve.Schema+": ")
			}
			r.Evidence = append(r.Evidence, se.evidence(d, "a body valid against "+s.Name(), got))
		}
	}
	switch {
	case checked == 0:
		r.Status, r.Message = StatusSkip, "no delivery was answered 2xx, so there is no response body to judge"
		return r
	case bad > 0:
		r.Status = StatusFail
		r.Message = fmt.Sprintf("%d of %d 2xx response bodies break %s", bad, checked, s.Name())
		return r
	}
	r.Status = StatusPass
	r.Message = fmt.Sprintf("%d 2xx response bodies validate against %s", checked, s.Name())
	return r
}

// roundLatency keeps three significant digits of local latencies, which
// are often well under a millisecond.
func roundLatency(d time.Duration) time.Duration {
	if d < time.Millisecond {
		return d.Round(time.Microsecond)
	}
	return d.Round(time.Millisecond)
}
