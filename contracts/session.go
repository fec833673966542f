package contracts

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/generator"
)

// delivery is one request sent to the receiver and what came back.
type delivery struct {
	msg     *emitter.Message
	req     *emitter.Request
	fault   emitter.Fault
	status  int
	body    []byte
	latency time.Duration
	err     error
	resp    *emitter.Response // as emitter.Deliver returned it
}

func (d *delivery) accepted() bool { return d.err == nil && d.status/100 == 2 }

// got says what came back, for evidence.
func (d *delivery) got() string {
	if d.err != nil {
		return "no response"
	}
	return fmt.Sprint(d.status)
}

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
	for i := 0; i < 16; i += 8 {
		v := g.r.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return formatUUID(b[:])
}

// formatUUID formats the first 16 bytes of b as a version 4 UUID.
func formatUUID(b []byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
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
func (se *Session) message(ev *generator.Event, index int, g *ids) *emitter.Message {
	return &emitter.Message{Event: ev, ID: g.next(), Time: se.base.Add(time.Duration(index) * time.Second)}
}

// send builds the request for msg with fault applied and delivers it.
func (se *Session) send(msg *emitter.Message, fault emitter.Fault) *delivery {
	d := &delivery{msg: msg, fault: fault}
	d.req, d.err = se.suite.profile.Build(msg, fault)
	if d.err != nil {
		d.err = fmt.Errorf("building the request: %w", d.err)
		return d
	}
	se.post(d)
	return d
}

// resend delivers the same request bytes again, as a platform redelivers.
func (se *Session) resend(d *delivery) *delivery {
	again := &delivery{msg: d.msg, req: d.req, fault: emitter.FaultDuplicate}
	se.post(again)
	return again
}

func (se *Session) post(d *delivery) {
	ctx, cancel := context.WithTimeout(se.ctx, se.suite.cfg.timeout)
	defer cancel()
	d.resp, d.err = emitter.Deliver(ctx, se.client, se.url, d.req)
	if d.resp != nil {
		d.status, d.body, d.latency = d.resp.Status, d.resp.Body, d.resp.Latency
	}
}

// evidence describes d, with what the check expected and what it got.
func (se *Session) evidence(d *delivery, expected, got string) Evidence {
	e := Evidence{DeliveryID: d.msg.ID, Request: describe(d), Status: d.status, Expected: expected, Got: got}
	if d.err != nil {
		e.Response = d.err.Error()
	} else {
		e.Response = excerpt(d.body)
	}
	e.Response = se.redact(e.Response)
	return e
}

// redact keeps the secret out of reports even if a receiver echoes it.
func (se *Session) redact(s string) string {
	if sec := se.suite.provider.secret; len(sec) >= 4 {
		s = strings.ReplaceAll(s, sec, "[secret]")
	}
	return s
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
	if d.fault != emitter.FaultNone {
		notes = append(notes, "fault "+string(d.fault))
	}
	if len(notes) > 0 {
		s += " (" + strings.Join(notes, ", ") + ")"
	}
	return s
}

// reachable makes one HEAD request: any HTTP answer means the receiver is
// there; only a transport error (refused, DNS, TLS, timeout) is unreachable.
func (se *Session) reachable() error {
	ctx, cancel := context.WithTimeout(se.ctx, se.suite.cfg.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, se.url, nil)
	if err != nil {
		return err
	}
	resp, err := se.client.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// orderEvents groups events by order key, keeping each order's event order
// and the orders in order of first appearance.
func orderEvents(evs []*generator.Event) [][]*generator.Event {
	var out [][]*generator.Event
	at := map[string]int{}
	for _, ev := range evs {
		i, ok := at[ev.OrderKey]
		if !ok {
			i = len(out)
			at[ev.OrderKey] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], ev)
	}
	return out
}
