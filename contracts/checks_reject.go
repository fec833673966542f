package contracts

import (
	"fmt"
	"net/http"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/wire"
)

// faultText says what is wrong with a faulted delivery, for messages.
var faultText = map[wire.Fault]string{
	wire.FaultMissingSignature: "no signature header",
	wire.FaultBadSignature:     "a wrong signature",
	wire.FaultTamper:           "a payload changed after signing",
	wire.FaultWrongKey:         "a signature made with another secret",
	wire.FaultStaleTimestamp:   "a timestamp outside the 5-minute tolerance",
	wire.FaultMalformedBody:    "a body that is not the documented JSON shape",
}

// notRejections are 4xx answers that do not reject a delivery: 404 and
// 405 name a wrong URL or method, 408 and 429 ask the platform to retry.
// (501, the other wrong-method answer, is a 5xx.)
var notRejections = map[int]string{
	404: "a 404 says the URL is wrong, not that the delivery is",
	405: "a 405 says the URL does not take POST, not that the delivery is wrong",
	408: "a 408 asks the platform to retry, it does not reject",
	429: "a 429 asks the platform to retry later, it does not reject",
}

// isRejection reports whether status rejects a delivery: a 4xx other than
// notRejections.
func isRejection(status int) bool {
	_, not := notRejections[status]
	return status/100 == 4 && !not
}

// rejectsFault returns the check that sends an event with fault and then
// a control delivery (the same event, correctly signed), both to the same
// target. A faulted delivery answered 2xx means forged or corrupt webhooks
// get processed (a security failure). Otherwise the control must be
// accepted, else nothing can be judged (inconclusive: a receiver that
// rejects everything also rejects forgeries). The control goes second so
// that a receiver that refuses an order it has seen before, or stops
// accepting anything mid-run, cannot pass by refusing the forgery for that
// reason: its control would be refused too. The faulted delivery must be
// rejected with a 4xx: a 5xx means a sender's mistake is treated as the
// receiver's, which makes platforms retry it (a robustness failure); 404,
// 405, 408 and 429 do not reject anything.
func rejectsFault(fault wire.Fault) func(*Session) Result {
	return func(se *Session) Result {
		what := faultText[fault]
		if fault == wire.FaultWrongKey && se.suite.provider.encrypts() {
			what = "a signature and encryption made with another webhook's secret"
		}
		if fault == wire.FaultStaleTimestamp && !se.suite.provider.signsTimestamp() {
			return Result{Status: StatusSkip, Message: se.suite.provider.name + " deliveries carry no signed timestamp; only the standard profile is checked"}
		}
		evs, err := se.generate("fault "+string(fault), se.suite.provider.scenarios[0], false)
		if err != nil {
			return errorResult(err)
		}
		g := se.ids("fault " + string(fault))
		forged, valid := evs[0], evs[0]
		if se.probe != nil {
			// With a probe, the control is another order of the same
			// event, so the probe can tell whether the rejected forgery's
			// order was applied all the same.
			if other := firstOfAnotherOrder(evs); other != nil {
				valid = other
			}
		}
		d := se.send(se.message(forged, 0, g), fault)
		control := se.sendAs(roleControl, se.message(valid, 0, g), wire.FaultNone)
		r := Result{Deliveries: 2}
		if d.accepted() {
			r.Status = StatusFail
			r.Message = fmt.Sprintf("security failure: accepted (%d) a delivery with %s, so forged or corrupted webhooks get processed", d.status, what)
			r.Evidence = []Evidence{se.evidence(d, "4xx", d.got())}
			return r
		}
		if cr, ok := se.controlAccepted(control); !ok {
			cr.Deliveries = r.Deliveries
			return cr
		}
		switch {
		case !d.answered():
			r.Status = StatusFail
			r.Message = fmt.Sprintf("no answer to a delivery with %s (its valid control was accepted)", what)
		case isRejection(d.status):
			r.Status = StatusPass
			r.Message = fmt.Sprintf("answered %d to a delivery with %s; its valid control got %d", d.status, what, control.status)
			if valid != forged {
				se.probeForgery(&r, d, what)
			}
			return r
		case d.status/100 == 5:
			r.Status = StatusFail
			r.Message = fmt.Sprintf("robustness failure: answered %d to a delivery with %s; a bad request must get 4xx, a 5xx makes the platform retry it", d.status, what)
		case notRejections[d.status] != "":
			r.Status = StatusFail
			r.Message = fmt.Sprintf("answered %d to a delivery with %s while its valid control was accepted: %s; answer 400, 401 or 403", d.status, what, notRejections[d.status])
		default:
			r.Status = StatusFail
			r.Message = fmt.Sprintf("answered %d to a delivery with %s, expected 4xx", d.status, what)
		}
		r.Evidence = []Evidence{se.evidence(d, "4xx", d.got())}
		return r
	}
}

// controlAccepted judges a control delivery: when it was not accepted the
// check is inconclusive, with what the control got.
func (se *Session) controlAccepted(control *delivery) (Result, bool) {
	if control.accepted() {
		return Result{}, true
	}
	r := Result{Status: StatusInconclusive, Deliveries: 1}
	switch {
	case control.err == errNotSent:
		r.Message = "inconclusive: the control delivery was not sent (the run had stopped)"
	case !control.answered():
		r.Message = fmt.Sprintf("inconclusive: the control delivery (the same event, correctly signed) got no answer: %s", se.redact(control.err.Error()))
	default:
		r.Message = fmt.Sprintf("inconclusive: the receiver rejects valid deliveries too (control answered %d)", control.status)
		if why := notRejections[control.status]; why != "" && control.status != 408 && control.status != 429 {
			r.Message += ": " + why
		}
	}
	r.Evidence = []Evidence{se.evidence(control, "2xx (a valid control delivery)", control.got())}
	return r, false
}

// firstOfAnotherOrder returns the first event of the second order in evs
// (events of one order follow each other), or nil when evs holds one order.
func firstOfAnotherOrder(evs []*generator.Event) *generator.Event {
	for _, ev := range evs[1:] {
		if ev.OrderKey != evs[0].OrderKey {
			return ev
		}
	}
	return nil
}

// probeForgery reads the state of the order of a rejected forgery d, whose
// order no valid delivery ever carried: a receiver that applies a delivery
// before checking it, then answers 401, has that order all the same, and
// fails. A probe that finds nothing (404) confirms the rejection; any other
// answer leaves the verdict to the rejection and says so.
func (se *Session) probeForgery(r *Result, d *delivery, what string) {
	key := d.msg.Event.OrderKey
	if key == "" {
		r.Message += "; the probe was not asked whether the forgery was applied: " + noKeyReason
		return
	}
	if se.keySentBefore(key, d) {
		// The generated keys repeat (a schema that allows few values): an
		// earlier delivery may have made the order the probe would find.
		r.Message += fmt.Sprintf("; the probe cannot tell whether order %s was applied: earlier deliveries of this run carried the same key", key)
		return
	}
	p := se.probe.get(se.ctx, key)
	switch {
	case p.err == nil:
		r.Status = StatusFail
		r.Message = fmt.Sprintf("security failure: answered %d to a delivery with %s but applied it: the probe finds order %s, which only that delivery carried", d.status, what, key)
		r.Evidence = []Evidence{se.evidence(d, "4xx and nothing applied", d.got()), p.evidence("404 (no such order)", fmt.Sprintf("%d with the order's state", p.status))}
	case p.status == http.StatusNotFound:
		r.Message += fmt.Sprintf("; the probe finds no order %s (not applied)", key)
	default:
		r.Message += fmt.Sprintf("; the probe could not tell whether order %s was applied (%s)", key, se.redact(p.err.Error()))
	}
}

// keySentBefore reports whether a delivery sent before d carried the
// order key key.
func (se *Session) keySentBefore(key string, d *delivery) bool {
	for _, o := range se.log {
		if o == d {
			return false
		}
		if o.msg.Event != nil && o.msg.Event.OrderKey == key {
			return true
		}
	}
	return false
}
