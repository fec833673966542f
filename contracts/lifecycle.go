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
	evs, err := generate(se.suite.provider, se.seedFor(purpose), scenario, DefaultOrders, edge, base, se.suite.cfg.generatorOptions()...)
	if err != nil {
		return nil, fmt.Errorf("generating %s: %w", purpose, err)
	}
	if len(evs) == 0 {
		return nil, fmt.Errorf("generating %s: no events", purpose)
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

// orderIDBase returns where purpose's Phasio order ids start: its block,
// shifted by the seed within the block's first tenth.
func (se *Session) orderIDBase(purpose string) (int64, error) {
	i := slices.Index(orderPurposes, purpose)
	if sc, ok := strings.CutPrefix(purpose, "lifecycle "); ok && i < 0 {
		if j := slices.Index(se.suite.provider.scenarios, sc); j >= 0 {
			i = len(orderPurposes) + j
		}
	}
	if i < 0 {
		return 0, fmt.Errorf("no order id block for %q", purpose)
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

// entityOf groups the n-th event with the others of its entity: by its
// key, or alone when it has none (a schema-driven event whose definition
// names no key), so key-less events do not pile up as one entity whose
// timestamps run past the tolerance.
func entityOf(ev *generator.Event, n int) string {
	if ev.OrderKey == "" {
		return "\x00" + strconv.Itoa(n)
	}
	return ev.OrderKey
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
