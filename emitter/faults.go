package emitter

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/orderhooks/orderhooks/wire"
)

// Faults are the probabilities (0 to 1) of the faults the engine injects,
// drawn per delivery from the run's seed (WithSeed), so the same seed and
// events fault the same deliveries.
type Faults struct {
	// Duplicate sends the delivery a second time right after the first, with
	// the same message id and bytes.
	Duplicate float64
	// Reorder holds an event back and sends it after the next event of the
	// same order (the two are swapped). An event with no next event within
	// reorderWindow events is sent unswapped, without the fault.
	Reorder float64
	// Tamper, BadSignature and WrongKey are request faults (Profile.Build);
	// one delivery gets at most one of them, so their sum must not exceed 1.
	Tamper       float64
	BadSignature float64
	WrongKey     float64
	// Delay holds each delivery back by a random time in [0, Delay) before
	// its first attempt (in its worker, so the order of its own order's
	// events is kept while other orders overtake it).
	Delay time.Duration
}

// reorderWindow bounds how many events a reordered event waits for its
// order's next event, so held events (and memory) stay bounded.
const reorderWindow = 4096

// check refuses probabilities outside [0, 1] (NaN included), request
// faults adding up to more than 1, and a negative delay; the error names
// the field (WithFaults.Tamper …).
func (f Faults) check() error {
	bad := func(field string, value any, want string) error {
		return &OptionError{Package: "emitter", Option: "WithFaults", Field: field, Value: fmt.Sprint(value), Want: want, Err: ErrOptions}
	}
	for _, p := range []struct {
		name string
		v    float64
	}{{"Duplicate", f.Duplicate}, {"Reorder", f.Reorder}, {"Tamper", f.Tamper}, {"BadSignature", f.BadSignature}, {"WrongKey", f.WrongKey}} {
		if !(p.v >= 0 && p.v <= 1) { // NaN fails both
			return bad(p.name, p.v, "a probability between 0 and 1")
		}
	}
	if s := f.Tamper + f.BadSignature + f.WrongKey; s > 1 {
		return bad(RequestFaults, "", fmt.Sprintf("add up to %v, more than 1 (a delivery gets one of them at most)", s))
	}
	if f.Delay < 0 {
		return bad("Delay", f.Delay, "must not be negative")
	}
	return nil
}

// RequestFaults is the Field of the OptionError of request-fault
// probabilities (Tamper, BadSignature and WrongKey) that add up to more
// than 1.
const RequestFaults = "Tamper+BadSignature+WrongKey"

// faultSet is the set of faults of one delivery.
type faultSet uint16

var faultBits = [...]wire.Fault{wire.FaultDuplicate, wire.FaultReorder, wire.FaultDelay, wire.FaultTamper, wire.FaultBadSignature, wire.FaultWrongKey}

// bit is f's bit, 0 for faults the engine does not inject.
func bit(f wire.Fault) faultSet {
	for i, b := range faultBits {
		if b == f {
			return 1 << i
		}
	}
	return 0
}

func (s faultSet) with(f wire.Fault) faultSet { return s | bit(f) }

func (s faultSet) has(f wire.Fault) bool { return bit(f) != 0 && s&bit(f) != 0 }

// list returns the faults in a fixed order.
func (s faultSet) list() []wire.Fault {
	if s == 0 {
		return nil
	}
	var out []wire.Fault
	for i, b := range faultBits {
		if s&(1<<i) != 0 {
			out = append(out, b)
		}
	}
	return out
}

// request returns the request-level fault of the set, if any.
func (s faultSet) request() wire.Fault {
	for _, f := range [...]wire.Fault{wire.FaultTamper, wire.FaultBadSignature, wire.FaultWrongKey} {
		if s.has(f) {
			return f
		}
	}
	return wire.FaultNone
}

// faultDraw decides the faults of each delivery, in source order, from one
// seeded generator: only the producer goroutine calls it, so choices do not
// depend on scheduling.
type faultDraw struct {
	f   Faults
	rnd *rand.Rand
}

func newFaultDraw(f Faults, seed int64) *faultDraw {
	return &faultDraw{f: f, rnd: rand.New(rand.NewPCG(uint64(seed), 0x6f72646572686f6f))}
}

// chance draws one number whenever p is set, so enabling one fault does not
// shift the others' choices when their probability is zero.
func (d *faultDraw) chance(p float64) bool {
	return p > 0 && d.rnd.Float64() < p
}

// next returns the faults of one delivery (reorder is decided separately)
// and its delay.
func (d *faultDraw) next() (faultSet, time.Duration) {
	var s faultSet
	if d.chance(d.f.Duplicate) {
		s = s.with(wire.FaultDuplicate)
	}
	if sum := d.f.Tamper + d.f.BadSignature + d.f.WrongKey; sum > 0 {
		u := d.rnd.Float64()
		switch {
		case u < d.f.Tamper:
			s = s.with(wire.FaultTamper)
		case u < d.f.Tamper+d.f.BadSignature:
			s = s.with(wire.FaultBadSignature)
		case u < sum:
			s = s.with(wire.FaultWrongKey)
		}
	}
	var delay time.Duration
	if d.f.Delay > 0 {
		delay = time.Duration(d.rnd.Int64N(int64(d.f.Delay)))
		s = s.with(wire.FaultDelay)
	}
	return s, delay
}
