package contracts

import (
	"fmt"

	"github.com/orderhooks/orderhooks/emitter"
)

// faultText says what is wrong with a faulted delivery, for messages.
var faultText = map[emitter.Fault]string{
	emitter.FaultMissingSignature: "no signature header",
	emitter.FaultBadSignature:     "a wrong signature",
	emitter.FaultTamper:           "a payload changed after signing",
	emitter.FaultWrongKey:         "a signature made with another secret",
	emitter.FaultStaleTimestamp:   "a timestamp outside the 5-minute tolerance",
	emitter.FaultMalformedBody:    "a body that is not the documented JSON shape",
}

// rejectsFault returns the check that sends one delivery with fault and
// expects a 4xx: a 2xx means forged or corrupt webhooks get processed (a
// security failure); a 5xx means a sender's mistake is treated as the
// receiver's, which makes platforms retry it (a robustness failure).
func rejectsFault(fault emitter.Fault) func(*Session) Result {
	return func(se *Session) Result {
		what := faultText[fault]
		if fault == emitter.FaultWrongKey && se.suite.provider.name == ProviderPhasio {
			what = "a signature and encryption made with another webhook's secret"
		}
		if fault == emitter.FaultStaleTimestamp && se.suite.provider.name != ProviderStandard {
			return Result{Status: StatusSkip, Message: se.suite.provider.name + " deliveries carry no signed timestamp; only the standard profile is checked"}
		}
		evs, err := se.generate("fault "+string(fault), se.suite.provider.scenarios[0], false)
		if err != nil {
			return errorResult(err)
		}
		d := se.send(se.message(evs[0], 0, se.ids("fault "+string(fault))), fault)
		r := Result{Deliveries: 1}
		switch {
		case d.err != nil:
			r.Status = StatusFail
			r.Message = fmt.Sprintf("no answer to a delivery with %s", what)
		case d.status/100 == 4:
			r.Status = StatusPass
			r.Message = fmt.Sprintf("answered %d to a delivery with %s", d.status, what)
			return r
		case d.status/100 == 2:
			r.Status = StatusFail
			r.Message = fmt.Sprintf("security failure: accepted (%d) a delivery with %s, so forged or corrupted webhooks get processed", d.status, what)
		case d.status/100 == 5:
			r.Status = StatusFail
			r.Message = fmt.Sprintf("robustness failure: answered %d to a delivery with %s; a bad request must get 4xx, a 5xx makes the platform retry it", d.status, what)
		default:
			r.Status = StatusFail
			r.Message = fmt.Sprintf("answered %d to a delivery with %s, expected 4xx", d.status, what)
		}
		r.Evidence = []Evidence{se.evidence(d, "4xx", d.got())}
		return r
	}
}
