package contracts

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/wire"
)

// lifecycle is the provider's built-in lifecycles sent once per session and
// shared by the checks that judge valid traffic (acceptance, state, latency,
// response bodies), so those checks agree on the same deliveries.
type lifecycle struct {
	orders [][]*delivery // per order, in event order
	all    []*delivery   // in send order
	err    error         // the events could not be generated
}

func (se *Session) lifecycle() *lifecycle {
	if se.life != nil {
		return se.life
	}
	se.life = &lifecycle{}
	var evs []*generator.Event
	for _, sc := range se.suite.provider.scenarios {
		got, err := se.generate("lifecycle "+sc, sc, false)
		if err != nil {
			se.life.err = err
			return se.life
		}
		evs = append(evs, got...)
	}
	se.life.orders, se.life.all = se.sendOrders(evs, "lifecycle")
	return se.life
}

// generate returns the events of scenario (DefaultOrders orders), or the
// edge-case variants, seeded for purpose, with Phasio order ids in the
// purpose's own block.
func (se *Session) generate(purpose, scenario string, edge bool) ([]*generator.Event, error) {
	base, err := se.orderIDBase(purpose)
	if err != nil {
		return nil, err
	}
	extra := se.suite.cfg.generatorOptions()
	if se.suite.provider.schemaDriven() {
		slot, slots, _ := se.purposeSlot(purpose)
		extra = append(extra, generator.WithKeySlot(slot, slots, se.suite.cfg.seed), generator.WithContext(se.ctx))
	}
	evs, err := generate(se.suite.provider, se.seedFor(purpose), scenario, DefaultOrders, edge, base, extra...)
	if err != nil {
		return nil, fmt.Errorf("generating %s: %w", purpose, err)
	}
	if len(evs) == 0 {
		return nil, fmt.Errorf("generating %s: no events", purpose)
	}
	if se.suite.provider.schemaDriven() {
		// number the entities across the session, from 1: two generated
		// entities that share a key stay two (see sharedKey)
		last := 0
		for _, ev := range evs {
			last = max(last, ev.Entity)
			ev.Entity += se.entities + 1
		}
		se.entities += last + 1
	}
	return evs, nil
}

// Phasio order ids of a session: each purpose that generates orders draws
// them from its own block, so no two checks (nor the lifecycles, nor the
// preflight) send the same order whatever the seed, and a check run alone
// sends the orders it sends in a full run. The blocks start far above the
// generator's default ids (10000 to 90000 and up), which emit and the demo
// use against the same receivers.
const (
	orderIDFirstBlock = 10_000_000
	orderIDBlock      = 1_000_000 // 40,000 orders of MaxOrderIDStep each
)

// orderPurposes are the purposes with a block, in block order; the
// provider's lifecycle scenarios take the blocks after them, one each.
var orderPurposes = []string{
	"preflight", "unknown fields", "edge cases", "duplicates", "stale snapshot", "raw body",
	"fault " + string(wire.FaultMissingSignature), "fault " + string(wire.FaultBadSignature),
	"fault " + string(wire.FaultTamper), "fault " + string(wire.FaultWrongKey),
	"fault " + string(wire.FaultStaleTimestamp), "fault " + string(wire.FaultMalformedBody),
}

// purposeSlot is purpose's place among the purposes that generate
// orders: its Phasio order id block, its part of a definition's keys
// (generator.WithKeySlot).
func (se *Session) purposeSlot(purpose string) (slot, slots int, err error) {
	slots = len(orderPurposes) + len(se.suite.provider.scenarios)
	i := slices.Index(orderPurposes, purpose)
	if sc, ok := strings.CutPrefix(purpose, "lifecycle "); ok && i < 0 {
		if j := slices.Index(se.suite.provider.scenarios, sc); j >= 0 {
			i = len(orderPurposes) + j
		}
	}
	if i < 0 {
		return 0, slots, fmt.Errorf("no order id block for %q", purpose)
	}
	return i, slots, nil
}

// orderIDBase returns where purpose's Phasio order ids start: its block,
// shifted by the seed within the block's first tenth.
func (se *Session) orderIDBase(purpose string) (int64, error) {
	i, _, err := se.purposeSlot(purpose)
	if err != nil {
		return 0, err
	}
	shift := int64(uint64(se.suite.cfg.seed) % (orderIDBlock / 10))
	return orderIDFirstBlock + int64(i)*orderIDBlock + shift, nil
}

// sendOrders delivers events in their generated order (which keeps each
// order's events in sequence), each as a new message.
func (se *Session) sendOrders(evs []*generator.Event, purpose string) (orders [][]*delivery, all []*delivery) {
	g := se.ids(purpose)
	index := map[string]int{}
	slot := map[string]int{}
	for n, ev := range evs {
		if se.ctx.Err() != nil {
			break
		}
		k := entityOf(ev, n)
		i, ok := slot[k]
		if !ok {
			i = len(orders)
			slot[k] = i
			orders = append(orders, nil)
		}
		d := se.send(se.message(ev, index[k], g), wire.FaultNone)
		index[k]++
		orders[i] = append(orders[i], d)
		all = append(all, d)
	}
	return orders, all
}

// entityOf groups the n-th event with the others of its entity: by the
// entity the session numbered (a schema-driven event, whose key other
// entities may share), by its key, or alone when it has none (a
// schema-driven event whose definition names no key), so key-less events
// do not pile up as one entity whose timestamps run past the tolerance.
func entityOf(ev *generator.Event, n int) string {
	switch {
	case ev.OrderKey == "":
		return "\x00" + strconv.Itoa(n)
	case ev.Entity > 0:
		return "\x01" + strconv.Itoa(ev.Entity)
	}
	return ev.OrderKey
}

// noteKey keeps which entity each key was sent for, so that a key two
// generated entities share (a key schema that allows few values) is
// known: the probe cannot tell those entities apart.
func (se *Session) noteKey(ev *generator.Event) {
	if ev == nil || ev.OrderKey == "" || ev.Entity == 0 {
		return
	}
	if se.keyOwner == nil {
		se.keyOwner, se.keyShared = map[string]int{}, map[string]bool{}
	}
	switch o, ok := se.keyOwner[ev.OrderKey]; {
	case !ok:
		se.keyOwner[ev.OrderKey] = ev.Entity
	case o != ev.Entity:
		se.keyShared[ev.OrderKey] = true
	}
}

// sharedKey reports whether another entity than d's was sent with d's
// key so far this session.
func (se *Session) sharedKey(d *delivery) bool {
	return d.msg.Event != nil && se.keyShared[d.msg.Event.OrderKey]
}

// noKeyReason says why an entity whose payload has no key is not probed.
const noKeyReason = "no order key: the payload has no value at the entity key pointer"

// noKey reports whether d's event has no key (its payload has no value at
// the entity key pointer): no probe can read its entity's state.
func noKey(d *delivery) bool {
	return d.msg.Event != nil && d.msg.Event.OrderKey == ""
}

// sharedKeyReason says why a check that reads an entity's state by its key
// cannot judge entities whose key others share.
func (se *Session) sharedKeyReason(n, of int) string {
	what := "the order's key was"
	if of > 1 {
		what = fmt.Sprintf("%d of %d orders' keys were", n, of)
	}
	return fmt.Sprintf("inconclusive: %s also sent for other generated orders this run (the key's schema allows too few distinct values for the run), so the probe cannot tell whose state it reads; widen the key's schema or name another key (events.key)", what)
}

// errorResult reports that a check could not run for a reason of ours.
func errorResult(err error) Result {
	return Result{Status: StatusFail, Message: "could not run: " + err.Error()}
}

func runValidLifecycle(se *Session) Result {
	life := se.lifecycle()
	if life.err != nil {
		return errorResult(life.err)
	}
	r := Result{Deliveries: len(life.all)}
	var failed []*delivery
	notSent := 0
	for _, d := range life.all {
		switch {
		case d.err == errNotSent:
			notSent++
		case !d.accepted():
			failed = append(failed, d)
			r.Evidence = append(r.Evidence, se.evidence(d, "2xx", d.got()))
		}
	}
	if len(failed) == 0 && notSent == 0 {
		r.Status = StatusPass
		r.Message = fmt.Sprintf("%d deliveries of %d orders answered 2xx", len(life.all), len(life.orders))
		return r
	}
	r.Status = StatusFail
	r.Message = fmt.Sprintf("%d of %d valid deliveries were not answered 2xx", len(failed), len(life.all))
	if notSent > 0 {
		r.Message = fmt.Sprintf("%d of %d valid deliveries sent were not answered 2xx; %d more were not sent (the run had stopped)", len(failed), len(life.all)-notSent, notSent)
	}
	if len(failed) > 0 {
		se.saveFailures(CheckValidLifecycle, &r, life.orders, failed[0])
	}
	return r
}
