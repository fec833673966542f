package contracts

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/generator"
	uuid "github.com/orderhooks/orderhooks/internal/ids"
	"github.com/orderhooks/orderhooks/internal/redact"
	"github.com/orderhooks/orderhooks/wire"
)

// Roles of the deliveries a session sends: what each one is for decides
// how its answer is judged and what the diagnosis learns from it.
const (
	rolePreflight  = "preflight"  // the valid delivery sent before any check
	roleValid      = "valid"      // a valid delivery that must be accepted
	roleControl    = "control"    // a rejects-* check's valid twin of its forgery
	roleForgery    = "forgery"    // a delivery with a request fault
	roleRedelivery = "redelivery" // the same request bytes again
	roleForm       = "form"       // a valid delivery in a non-canonical JSON form
	roleVariant    = "variant"    // signed the way a mistaken receiver expects
	roleShrink     = "shrink"     // a candidate of the shrinker
)

// delivery is one request sent to the receiver and what came back.
type delivery struct {
	msg     *wire.Message
	req     *wire.Request
	fault   wire.Fault
	role    string
	check   string // the check that sent it ("" before the checks)
	note    string // what makes a form or variant special, for evidence and records
	url     string
	sent    time.Time
	status  int
	body    []byte
	latency time.Duration
	err     error
	resp    *emitter.Response // as emitter.Deliver returned it
}

func (d *delivery) accepted() bool { return d.err == nil && d.status/100 == 2 }

// answered reports whether an HTTP answer came back, whatever its status.
func (d *delivery) answered() bool { return d.status != 0 }

// got says what came back, for evidence.
func (d *delivery) got() string {
	if !d.answered() {
		return "no response"
	}
	return fmt.Sprint(d.status)
}

// MaxNoAnswer is how many deliveries in a row may get no answer (timeout,
// refused or reset connection) before a run stops sending: the remaining
// checks are reported "not run" instead of each waiting out its timeouts.
const MaxNoAnswer = 3

// errNotSent is the error of a delivery the session did not send because
// the run had stopped.
var errNotSent = errors.New("not sent: the run had stopped")

// ids deals delivery ids from a source seeded by the run seed, the check and
// the session's start, so a rerun with the same seed sends the same
// payloads as new messages, and a fixed clock gives the same ids.
type ids struct{ r *rand.Rand }

func (se *Session) ids(purpose string) *ids {
	return &ids{rand.New(rand.NewPCG(uint64(se.suite.cfg.seed)^hashString(purpose), uint64(se.epoch)))}
}

// next returns a random (version 4) UUID.
func (g *ids) next() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], g.r.Uint64())
	binary.LittleEndian.PutUint64(b[8:], g.r.Uint64())
	return uuid.UUID(b)
}

func hashString(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// seedFor derives the generator seed of one purpose (a check, a scenario),
// so each check sends its own orders and reproduces alone.
func (se *Session) seedFor(purpose string) int64 {
	return int64(uint64(se.suite.cfg.seed) ^ hashString(purpose))
}

// message wraps the index-th event of an order as a new message. Its time
// (signed by Standard Webhooks) grows with the index, from a minute before
// the session started, so it orders snapshots and stays in the tolerance.
func (se *Session) message(ev *generator.Event, index int, g *ids) *wire.Message {
	return &wire.Message{Event: ev, ID: se.messageID(ev, g.next()), Time: se.base.Add(time.Duration(index) * time.Second)}
}

// messageID is the id the provider of ev's route sends for a generated
// UUID (wire.MessageID: the definition's id prefix and the UUID).
func (se *Session) messageID(ev *generator.Event, uuid string) string {
	if rt := se.route(ev.Event); rt != nil && rt.profile != nil {
		return wire.MessageID(rt.profile, uuid)
	}
	return uuid
}

// send builds the request for msg with fault applied and delivers it as
// a valid delivery (or, with a fault, a forgery).
func (se *Session) send(msg *wire.Message, fault wire.Fault) *delivery {
	role := roleValid
	if fault != wire.FaultNone {
		role = roleForgery
	}
	return se.sendAs(role, msg, fault)
}

// sendAs builds the request for msg with fault applied and delivers it in
// role.
func (se *Session) sendAs(role string, msg *wire.Message, fault wire.Fault) *delivery {
	d := &delivery{msg: msg, fault: fault, role: role}
	rt := se.route(msg.Event.Event)
	if rt == nil {
		d.err = fmt.Errorf("no target for event %s", msg.Event.Event)
		return d
	}
	d.url = rt.url
	d.req, d.err = rt.profile.Build(msg, fault)
	if d.err != nil {
		d.err = fmt.Errorf("building the request: %w", d.err)
		return d
	}
	se.post(d)
	return d
}

// resend delivers the same request bytes again, as a platform redelivers.
func (se *Session) resend(d *delivery) *delivery {
	again := &delivery{msg: d.msg, req: d.req, fault: wire.FaultDuplicate, role: roleRedelivery, url: d.url}
	se.post(again)
	return again
}

// post delivers d unless the run has stopped, keeps it for the diagnosis
// and the record, and stops the run after MaxNoAnswer deliveries in a row
// got no answer. A delivery cut short by the caller's cancellation or the
// deadline does not count against the receiver.
func (se *Session) post(d *delivery) {
	d.check, d.sent = se.current, time.Now()
	se.log = append(se.log, d)
	se.noteKey(d.msg.Event)
	defer se.record(d)
	if se.stop != nil || se.ctx.Err() != nil {
		d.err = errNotSent
		return
	}
	ctx, cancel := context.WithTimeout(se.ctx, se.suite.cfg.timeout)
	defer cancel()
	d.resp, d.err = emitter.Deliver(ctx, se.client, d.url, d.req)
	if d.resp != nil {
		d.status, d.body, d.latency = d.resp.Status, d.resp.Body, d.resp.Latency
	}
	switch {
	case d.answered():
		se.noAnswer = 0
		se.answered = true
	case se.ctx.Err() != nil:
	default:
		se.noAnswer++
		if se.noAnswer >= MaxNoAnswer {
			se.stop = &Stop{Reason: StopNoAnswer, Message: fmt.Sprintf(
				"receiver stopped answering: %d deliveries in a row got no answer (last: %s)", se.noAnswer, se.redact(d.err.Error()))}
		}
	}
}

// evidence describes d, with what the check expected and what it got.
func (se *Session) evidence(d *delivery, expected, got string) Evidence {
	e := Evidence{DeliveryID: d.msg.ID, Request: describe(d), Status: d.status, Expected: expected, Got: got}
	if !d.answered() && d.err != nil {
		e.Response = d.err.Error()
	} else {
		e.Response = excerpt(d.body)
	}
	e.Response = se.redact(e.Response)
	return e
}

// redact keeps the secrets out of reports and records even if a receiver
// echoes them, in any usual encoding (redact.SecretForms).
func (se *Session) redact(s string) string {
	secrets := []string{se.suite.provider.secret}
	if se.def != nil {
		secrets = append(secrets, se.def.secret)
	}
	for _, r := range se.routes {
		secrets = append(secrets, r.secret)
	}
	return redact.Secrets(s, secrets...)
}

// describe summarises a delivery: "POST ORDER_UPDATED order 12345 (phasio/quote-to-paid step pay, fault tamper)".
func describe(d *delivery) string {
	ev := d.msg.Event
	s := fmt.Sprintf("POST %s order %s", ev.Event, ev.OrderKey)
	var notes []string
	if ev.Scenario != "" {
		n := ev.Scenario
		if ev.Step != "" {
			n += " step " + ev.Step
		}
		notes = append(notes, n)
	}
	if ev.Label != "" {
		notes = append(notes, ev.Variant+" "+ev.Label)
	}
	if d.fault != wire.FaultNone {
		notes = append(notes, "fault "+string(d.fault))
	}
	if d.note != "" {
		notes = append(notes, d.note)
	}
	if len(notes) > 0 {
		s += " (" + strings.Join(notes, ", ") + ")"
	}
	return s
}

// orderEvents groups events by order key, keeping each order's event order
// and the orders in order of first appearance.
func orderEvents(evs []*generator.Event) [][]*generator.Event {
	var out [][]*generator.Event
	at := map[string]int{}
	for n, ev := range evs {
		k := entityOf(ev, n)
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], ev)
	}
	return out
}
