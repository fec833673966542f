package generator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/orderhooks/orderhooks/generator/phasio"
	"github.com/orderhooks/orderhooks/internal/platform"
)

// order is one order's state in a lifecycle, for either provider.
type order interface {
	// apply carries out a step's action at time at.
	apply(r *rng, st *Step, at time.Time) error
	// payload appends the snapshot sent as event at time at.
	payload(b []byte, r *rng, event string, at time.Time) []byte
	key() string
}

// run is one play of a plan: its orders (several when the scenario acts on
// a batch), where it is in the steps, and when its next event is due.
type run struct {
	index   int
	r       *rng
	p       *plan
	members []member
	edge    *edgeCase
	step    int // next step
	member  int // next order within the step
	next    time.Time
}

type member struct {
	o order
	// ops are the scenario's set/remove operations so far, references
	// resolved; they apply to every later payload of the order.
	ops []patchOp
	// captured holds values of this order's payloads that later steps
	// refer to, as JSON, keyed by the reference text.
	captured map[string][]byte
}

func (g *Generator) newRun(w *world, index, size int, start time.Time) (*run, error) {
	r := newRNG()
	r.seed(g.seed, streamRuns+uint64(index))
	rn := &run{index: index, r: r, p: g.plans[0], members: make([]member, size)}
	if len(g.plans) > 1 && r.chance(0.3) {
		rn.p = g.plans[1]
	}
	if g.edge {
		rn.edge = &edgeCases[index%len(edgeCases)]
	}
	for i := range rn.members {
		rn.members[i].o = rn.newOrder(w, start)
	}
	rn.next = start.Add(rn.delay(&rn.p.steps[0]))
	return rn, nil
}

func (rn *run) newOrder(w *world, start time.Time) order {
	var spec partSpec
	if rn.edge != nil {
		spec.parts = rn.edge.parts
	}
	switch {
	case w.merchant != nil:
		h := newHCOrder(rn.r, w.merchant, start, spec)
		if rn.edge != nil {
			rn.edge.happycolis(rn.r, h)
		}
		return h
	default:
		po := newPhasioOrder(rn.r, w, start, spec)
		if rn.edge != nil {
			rn.edge.phasio(rn.r, po)
			po.reprice()
		}
		po.phase.board = rn.p.board
		return po
	}
}

// delay is the time from the previous event to step ps.
func (rn *run) delay(ps *planStep) time.Duration {
	if ps.after > 0 {
		return ps.after
	}
	lo, hi := ps.act.delay[0], ps.act.delay[1]
	return (lo + time.Duration(rn.r.r.Int64N(int64(hi-lo)))).Truncate(time.Millisecond)
}

func (rn *run) done() bool { return rn.step == len(rn.p.steps) }

// emit plays the next step for the next order of the batch and returns its
// event, then schedules the following one.
func (rn *run) emit(g *Generator, scratch *[]byte) (*Event, error) {
	ps := &rn.p.steps[rn.step]
	m := &rn.members[rn.member]
	at := rn.next
	if at.After(maxEventTime) {
		return nil, rn.fail(ps, "/after", fmt.Errorf("the event would fall after the year 9999: start earlier or generate fewer orders"))
	}
	if err := m.o.apply(rn.r, ps.Step, at); err != nil {
		return nil, rn.fail(ps, "/action", err)
	}
	ev := &Event{Provider: g.provider, Event: ps.Event, OrderKey: m.o.key(), At: at, Scenario: rn.p.s.Name, Step: ps.label()}
	if g.single {
		ev.Step = ""
	}
	// The payload is written in Run's scratch buffer, then copied to
	// a slice of its own size: a new buffer per event, zeroed and mostly
	// unused, cost more.
	payload := m.o.payload((*scratch)[:0], rn.r, ps.Event, at)
	if len(ps.Payload) > 0 {
		payload = append(payload[:0], ps.Payload...)
	}
	captures := rn.p.captures[rn.step]
	if len(ps.ops) > 0 || len(m.ops) > 0 || len(captures) > 0 || g.drift || len(ps.Payload) > 0 {
		tree, err := decodeTree(payload)
		if err != nil {
			return nil, rn.fail(ps, "", err)
		}
		for _, op := range ps.ops {
			if op.refs {
				op.val = resolveRefs(op.val, m.captured)
			}
			m.ops = append(m.ops, op)
		}
		for _, op := range m.ops {
			if op.remove {
				tree, err = removeAt(tree, op.toks)
			} else {
				tree, err = setAt(tree, op.toks, mapTree(op.val, same))
			}
			if err != nil {
				return nil, rn.fail(ps, "", err)
			}
		}
		for _, ptr := range captures {
			toks, _ := splitPointer(ptr)
			v, ok := lookup(tree, toks)
			if !ok {
				return nil, rn.fail(ps, "", errPointerf("%s: referred to later, but the payload has no such field", ptr))
			}
			if m.captured == nil {
				m.captured = map[string][]byte{}
			}
			m.captured["${"+ps.Name+":"+ptr+"}"] = encodeTree(nil, v)
		}
		ev.OrderKey = orderKey(g.provider, tree, ev.OrderKey)
		if g.drift {
			tree, ev.Label = drift(rn.r, g.provider, tree)
			ev.Variant = "drift"
		}
		payload = encodeTree(payload[:0], tree)
	}
	if rn.edge != nil {
		ev.Variant, ev.Label = "edge", rn.edge.label
	}
	*scratch = payload[:0]
	payload = bytes.Clone(payload)
	ev.Payload, ev.compact = payload, payload
	rn.advance()
	return ev, nil
}

// advance moves to the next order of the batch (a moment later) or to the
// next step (after its delay).
func (rn *run) advance() {
	rn.member++
	if rn.member < len(rn.members) {
		rn.next = rn.next.Add(time.Duration(rn.r.between(20, 200)) * time.Millisecond)
		return
	}
	rn.member = 0
	rn.step++
	if !rn.done() {
		rn.next = rn.next.Add(rn.delay(&rn.p.steps[rn.step]))
	}
}

// fail reports a step that could not be played, at its place in the
// scenario.
func (rn *run) fail(ps *planStep, field string, err error) error {
	src := rn.p.s.source
	if src == "" {
		src = rn.p.s.Name
	}
	return scenarioErr(src, "/steps/"+strconv.Itoa(rn.step)+field, "order %s: %v", rn.members[rn.member].o.key(), err)
}

func knownCurrency(code string) bool {
	_, err := phasio.FX(code)
	return err == nil
}

// orderKey reads the order's key from a (patched or literal) payload:
// Phasio's /orderId, HappyColis's /body/id; else it keeps fallback.
func orderKey(provider string, tree any, fallback string) string {
	pl, ok := platform.Get(provider)
	if !ok {
		return fallback
	}
	v, _ := lookup(tree, pl.OrderKey)
	switch k := v.(type) {
	case json.Number:
		return string(k)
	case string:
		return k
	}
	return fallback
}
