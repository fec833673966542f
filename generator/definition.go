package generator

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/orderhooks/orderhooks/generator/schemagen"
	"github.com/orderhooks/orderhooks/internal/ctxrun"
	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/jsontree"
	"github.com/orderhooks/orderhooks/provider"
)

// SingleEventScenario prefixes the scenario names of one-event lifecycles
// of a definition: "event:order_created" sends order_created alone.
const SingleEventScenario = "event:"

// DefinitionScenarios lists the scenarios of a definition without a named
// generator: its lifecycle's, then one single-event scenario per event.
func DefinitionScenarios(def *provider.Definition) []string {
	var out []string
	if l := def.Lifecycle(); l != nil {
		for _, sc := range l.Scenarios {
			if len(sc.Steps) > 0 {
				out = append(out, sc.Name)
			}
		}
	}
	for _, e := range def.Events() {
		out = append(out, SingleEventScenario+e.Name)
	}
	return out
}

// CheckDefinitionScenario refuses a scenario name the definition has not.
func CheckDefinitionScenario(def *provider.Definition, name string) error {
	_, err := definitionScenario(def, name)
	return err
}

// definitionScenario returns the transitions of a definition's scenario:
// a lifecycle scenario's steps, or for "event:NAME" no transition and the
// event NAME.
func definitionScenario(def *provider.Definition, name string) ([]string, error) {
	if ev, ok := strings.CutPrefix(name, SingleEventScenario); ok {
		if _, ok := def.Event(ev); !ok {
			return nil, fmt.Errorf("%s: %s has no event %q", name, def.Name(), ev)
		}
		return nil, nil
	}
	if l := def.Lifecycle(); l != nil {
		for _, sc := range l.Scenarios {
			if sc.Name == name && len(sc.Steps) > 0 {
				return sc.Steps, nil
			}
		}
	}
	var known []string
	if l := def.Lifecycle(); l != nil {
		for _, sc := range l.Scenarios {
			known = append(known, sc.Name)
		}
	}
	for _, e := range def.Events() {
		known = append(known, SingleEventScenario+e.Name)
	}
	return nil, fmt.Errorf("%s is not a scenario of %s (%s)", name, def.Name(), strings.Join(known, ", "))
}

// FromDefinition makes the events of a provider definition without a
// named generator, from its events' schemas and its data lifecycle: for
// a lifecycle scenario, orders entities (at least one) each playing its
// steps, the first payload generated from the emitted event's schema and
// each later one the transition applied to the one before; for
// SingleEventScenario and an event's name, orders single-event entities;
// with edge, one single-event entity per edge case of every event's
// schema. Times start at DefaultStart and follow the transitions'
// delays, drawn from the seed; the same seed gives the same events.
//
// Each entity gets a key of its own: entity n's key is the (start+n)-th
// distinct value the key's schema allows (schemagen.Keys: within its
// range, enum, pattern, format and length; examples aside), start drawn
// from the seed, or WithKeySlot's. Where the schema allows fewer values
// than the entities need, or a distinct value would break another
// keyword, keys repeat; Event.Entity still tells the entities apart. Of
// opts only WithKeySlot and WithContext apply.
func FromDefinition(def *provider.Definition, seed int64, scenario string, orders int, edge bool, opts ...Option) ([]*Event, error) {
	var c config
	for _, o := range opts {
		o(&c)
	}
	start, _ := time.Parse(time.RFC3339, DefaultStart)
	rnd := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	orders = max(orders, 1)
	if k := c.keySlot; k.set && (k.slots < 1 || k.slot < 0 || k.slot >= k.slots) {
		return nil, &OptionError{Package: "generator", Option: "WithKeySlot", Value: fmt.Sprintf("%d of %d", k.slot, k.slots),
			Want: "a slot from 0 below a positive number of slots", Err: ErrOptions}
	}
	ring := newKeyRing(seed, c.keySlot)
	// Compiling a large schema, and generating from it, are single calls
	// that take no context: under WithContext they run aside.
	ctx := c.ctx
	schemaOf := func(e *provider.Event) (*provider.EventSchema, error) {
		return ctxrun.Do(ctx, e.Schema)
	}
	generate := func(s *provider.EventSchema, seed int64) ([]byte, error) {
		return ctxrun.Do(ctx, func() ([]byte, error) { return s.Generate(seed) })
	}
	var out []*Event
	add := func(e *provider.Event, at time.Time, payload []byte, step string, entity int) {
		doc, _ := decodeDefPayload(payload)
		out = append(out, &Event{Seq: int64(len(out) + 1), Provider: def.Name(), Event: e.Name,
			OrderKey: provider.KeyOf(doc, e.Key), At: at, Payload: payload, Scenario: scenario, Step: step, Entity: entity})
	}
	if edge {
		for i, e := range def.Events() {
			s, err := schemaOf(e)
			if err != nil {
				return nil, err
			}
			cases, err := ctxrun.Do(ctx, func() ([]schemagen.Case, error) { return s.EdgeCases(seed + int64(i)) })
			if err != nil {
				return nil, fmt.Errorf("%s: %w", e.Name, err)
			}
			for _, c := range cases {
				payload := c.JSON
				if len(e.Key) > 0 && c.Pointer != e.Key[0] { // a case about the key keeps it
					payload = ring.assign(s, e, payload, len(out))
				}
				add(e, start.Add(time.Duration(len(out))*time.Second), payload, c.Label, len(out))
			}
		}
		return out, nil
	}
	steps, err := definitionScenario(def, scenario)
	if err != nil {
		return nil, err
	}
	if steps == nil {
		e, _ := def.Event(strings.TrimPrefix(scenario, SingleEventScenario))
		s, err := schemaOf(e)
		if err != nil {
			return nil, err
		}
		for o := range orders {
			payload, err := generate(s, seed*1000+int64(o))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", e.Name, err)
			}
			add(e, start.Add(time.Duration(o)*time.Minute), ring.assign(s, e, payload, o), e.Name, o)
		}
		return out, nil
	}
	for o := range orders {
		if ctx != nil && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		at := start.Add(time.Duration(o) * time.Minute)
		var prev []byte
		var key string
		for k, step := range steps {
			t, _, _ := def.Transition(step)
			e, _ := def.Event(t.Emits)
			s, err := schemaOf(e)
			if err != nil {
				return nil, err
			}
			if k > 0 && len(t.After) == 2 {
				lo, hi := t.After[0].D, t.After[1].D
				// whole seconds, as platforms stamp their events
				at = at.Add(lo + time.Duration(rnd.Int64N(int64((hi-lo)/time.Second)+1))*time.Second)
			} else if k > 0 {
				at = at.Add(time.Minute)
			}
			if prev == nil {
				if prev, err = generate(s, seed*1000+int64(o)); err != nil {
					return nil, fmt.Errorf("%s: %w", e.Name, err)
				}
				prev = ring.assign(s, e, prev, o)
				doc, _ := decodeDefPayload(prev)
				key = provider.KeyOf(doc, e.Key)
			}
			genSeed := seed*100000 + int64(o*100+k)
			payload, err := def.Apply(step, prev, provider.TransitionValues{Time: at, Seq: int64(k + 1), Key: key,
				Gen: func(ptr string) (json.RawMessage, error) { return generatedAt(s, genSeed, ptr) }})
			if err != nil {
				return nil, fmt.Errorf("%s: %w", scenario, err)
			}
			add(e, at, payload, step, o)
			prev = payload
		}
	}
	return out, nil
}

// keyRing gives a definition's entities keys of their own.
type keyRing struct {
	slot   keySlot
	seed   int64
	spaces map[keySite]*schemagen.Keys // nil: no distinct values there
}

type keySite struct {
	s   *provider.EventSchema
	ptr string
}

// newKeyRing takes keys from slot, or without one from a start drawn from
// the seed.
func newKeyRing(seed int64, slot keySlot) *keyRing {
	if !slot.set {
		slot = keySlot{slot: 0, slots: 1, shift: int64(uint64(seed) * 0x9e3779b97f4a7c15 >> 2), set: true}
	}
	return &keyRing{slot: slot, seed: seed, spaces: map[keySite]*schemagen.Keys{}}
}

// index is the place of entity n's key among count distinct values.
func (r *keyRing) index(count int64, n int) int64 {
	part := count / int64(r.slot.slots)
	start := int64(r.slot.slot) * part
	if shift := r.slot.shift; part >= 10 {
		start += int64(uint64(shift) % uint64(part/10))
	}
	return start + int64(n)
}

// assign gives payload, generated from s for e, entity n's key at the
// first of e's key pointers it has; it is returned as it was when the
// schema gives no distinct value there or the change would make it
// invalid.
func (r *keyRing) assign(s *provider.EventSchema, e *provider.Event, payload []byte, n int) []byte {
	if len(e.Key) == 0 {
		return payload
	}
	doc, err := jsontree.Decode(payload, 512)
	if err != nil {
		return payload
	}
	for _, at := range e.Key {
		ptr, err := jsonptr.Parse(at)
		if err != nil || len(ptr) == 0 {
			continue
		}
		if _, ok := jsonptr.Get(doc, ptr); !ok {
			continue
		}
		site := keySite{s, at}
		keys, seen := r.spaces[site]
		if !seen {
			keys, _ = s.Keys(at, r.seed) // nil on error: the generated keys stay
			r.spaces[site] = keys
		}
		if keys == nil {
			return payload
		}
		val, ok := keys.Value(r.index(keys.Count(), n))
		if !ok {
			return payload
		}
		nv, err := jsontree.Decode(val, 512)
		if err != nil {
			return payload
		}
		if doc, err = jsontree.Set(doc, ptr, nv); err != nil {
			return payload
		}
		out := jsontree.Append(nil, doc)
		if s.Check(out) != nil {
			return payload
		}
		return out
	}
	return payload
}

// generatedAt generates a payload and returns its value at ptr.
func generatedAt(s *provider.EventSchema, seed int64, ptr string) (json.RawMessage, error) {
	payload, err := s.Generate(seed)
	if err != nil {
		return nil, err
	}
	doc, err := jsontree.Decode(payload, 512)
	if err != nil {
		return nil, err
	}
	p, err := jsonptr.Parse(ptr)
	if err != nil {
		return nil, err
	}
	v, ok := jsonptr.Get(doc, p)
	if !ok {
		return nil, fmt.Errorf("the schema generates nothing at %s", ptr)
	}
	return jsontree.Append(nil, v), nil
}

// decodeDefPayload decodes a payload to read its entity key.
func decodeDefPayload(payload []byte) (any, error) {
	var v any
	err := json.Unmarshal(payload, &v)
	return v, err
}
