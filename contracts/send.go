package contracts

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"strconv"

	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/generator/happycolis"
	"github.com/orderhooks/orderhooks/generator/phasio"
	uuid "github.com/orderhooks/orderhooks/internal/ids"
	"github.com/orderhooks/orderhooks/wire"
)

// asTarget accepts what Test, Send and SendScenario take as a target: a
// Target, a URL string, or an http.Handler called in-process with
// deliveries POSTed to "/".
func asTarget(v any) (Target, error) {
	switch t := v.(type) {
	case Target:
		return t, nil
	case string:
		return URL(t), nil
	case http.Handler:
		return Handler(t), nil
	}
	return Target{}, fmt.Errorf("%w: target %T: want an http.Handler, a contracts.Target or a URL string", ErrConfig, v)
}

// start builds a suite and starts a session for Test, with the
// preflight delivery when preflight is set (Send and SendScenario send
// only what they are given).
func start(ctx context.Context, target any, p Provider, opts []Option, preflight bool) (*Session, error) {
	t, err := asTarget(target)
	if err != nil {
		return nil, err
	}
	s, err := New(p, opts...)
	if err != nil {
		return nil, err
	}
	if preflight {
		return s.Start(ctx, t)
	}
	return s.session(ctx, t)
}

// Send delivers ev to target as p's platform would: signed (and, for
// Phasio, encrypted) with p's secret and stamped with the clock
// (WithClock). Its message id is derived from the event, so sending the
// same event twice is a redelivery. A non-2xx answer is not an error: the
// caller judges the response; the error is for a target that could not be
// reached or a request that could not be built. Of opts, WithClock,
// WithTimeout and WithClient apply. The target is an http.Handler (called
// in-process, deliveries POSTed to "/"), a Target or a URL string. Only
// ev is sent: no preflight delivery.
func Send(ctx context.Context, target any, p Provider, ev *generator.Event, opts ...Option) (*emitter.Response, error) {
	se, err := start(ctx, target, p, opts, false)
	if err != nil {
		return nil, err
	}
	defer se.Close()
	d := se.send(&wire.Message{Event: ev, ID: se.messageID(ev, messageID(ev)), Time: se.suite.cfg.clock()}, wire.FaultNone)
	return d.resp, d.err
}

// SendScenario generates the scenario called name (a built-in such as
// "phasio/quote-to-paid" or a scenario file) with seed and delivers its
// events in order, each as a new message, stopping at the first request
// that gets no answer. It returns the responses received, in send order.
// The scenario must be of p's payload provider.
func SendScenario(ctx context.Context, target any, p Provider, name string, seed int64, opts ...Option) ([]*emitter.Response, error) {
	p.scenarios = []string{name}
	se, err := start(ctx, target, p, opts, false)
	if err != nil {
		return nil, err
	}
	defer se.Close()
	evs, err := generate(p, seed, name, 0, false, 0, append(se.suite.cfg.generatorOptions(), generator.WithContext(se.ctx))...)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrScenario, err)
	}
	g := se.ids("scenario " + name)
	index := map[string]int{}
	var out []*emitter.Response
	for _, ev := range evs {
		d := se.send(se.message(ev, index[ev.OrderKey], g), wire.FaultNone)
		if d.err != nil {
			return out, fmt.Errorf("contracts: %s: %s: %w", name, describe(d), d.err)
		}
		index[ev.OrderKey]++
		out = append(out, d.resp)
	}
	return out, nil
}

// messageID is a UUID (version 4 layout) derived from the event, so the
// same event always travels as the same message.
func messageID(ev *generator.Event) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00", ev.Provider, ev.Event, ev.OrderKey)
	h.Write(ev.Payload)
	return uuid.UUID([16]byte(h.Sum(nil)))
}

// PhasioEvent wraps a Phasio order (e.g. a generator.PhasioOrder fixture)
// as the event trigger announces it (generator.PhasioOrderCreated,
// PhasioOrderUpdated or PhasioQuoteConverted), ready for Send.
func PhasioEvent(trigger string, o *phasio.Order) *generator.Event {
	return &generator.Event{
		Seq:      1,
		Provider: generator.ProviderPhasio,
		Event:    trigger,
		OrderKey: strconv.FormatInt(o.OrderID, 10),
		Payload:  o.JSON(),
	}
}

// HappyColisEvent wraps a HappyColis message (e.g. a
// generator.HappyColisOrder fixture) as its header.type event, ready for
// Send.
func HappyColisEvent(env *happycolis.Envelope) *generator.Event {
	return &generator.Event{
		Seq:      1,
		Provider: generator.ProviderHappyColis,
		Event:    env.Header.Type,
		OrderKey: env.Body.ID,
		At:       env.Header.Date,
		Payload:  env.JSON(),
	}
}
