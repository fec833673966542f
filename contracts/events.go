package contracts

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/generator/schemagen"
	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/jsontree"
	"github.com/orderhooks/orderhooks/provider"
)

// ErrScenario wraps scenario problems found by New (unknown name, bad
// file, wrong provider); it matches ErrConfig.
var ErrScenario = wrapConfig("contracts: bad scenario")

// checkScenarios loads every lifecycle scenario once, so a typo fails New.
func checkScenarios(p Provider) error {
	for _, name := range p.scenarios {
		if p.schemaDriven() {
			if _, err := p.definitionScenario(name); err != nil {
				return fmt.Errorf("%w: %w", ErrScenario, err)
			}
			continue
		}
		sc, err := generator.LoadScenario(name)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrScenario, err)
		}
		if sc.Provider != p.payloads {
			return fmt.Errorf("%w: %s is a %s scenario, the %s provider sends %s payloads", ErrScenario, name, sc.Provider, p.name, p.payloads)
		}
	}
	return nil
}

// generate returns the events of scenario with orders orders, or with edge
// the generator's edge cases (one single-event order per case), seeded;
// idBase, when not 0, is where Phasio order ids start; extra are more
// generator options (WithSchemas). A schema-driven provider's events come
// from its definition (generateFromDefinition).
func generate(p Provider, seed int64, scenario string, orders int, edge bool, idBase int64, extra ...generator.Option) ([]*generator.Event, error) {
	if p.schemaDriven() {
		return p.generateFromDefinition(seed, scenario, orders, edge)
	}
	payloads := p.payloads
	opts := append([]generator.Option{generator.WithSeed(seed)}, extra...)
	if idBase != 0 && payloads == generator.ProviderPhasio {
		opts = append(opts, generator.WithOrderIDBase(idBase))
	}
	if edge {
		opts = append(opts, generator.WithEdge())
	} else {
		sc, err := generator.LoadScenario(scenario)
		if err != nil {
			return nil, err
		}
		opts = append(opts, generator.WithScenario(sc), generator.WithOrders(orders))
	}
	g, err := generator.New(payloads, opts...)
	if err != nil {
		return nil, err
	}
	var evs []*generator.Event
	err = g.Run(func(ev *generator.Event) error {
		evs = append(evs, ev)
		return nil
	})
	return evs, err
}

// definitionScenario returns the transitions of a schema-driven provider's
// scenario: a lifecycle scenario's steps, or for "event:NAME" no
// transition and the event NAME.
func (p Provider) definitionScenario(name string) ([]string, error) {
	if ev, ok := strings.CutPrefix(name, singleScenario); ok {
		if _, ok := p.def.Event(ev); !ok {
			return nil, fmt.Errorf("%s: %s has no event %q", name, p.name, ev)
		}
		return nil, nil
	}
	if l := p.def.Lifecycle(); l != nil {
		for _, sc := range l.Scenarios {
			if sc.Name == name && len(sc.Steps) > 0 {
				return sc.Steps, nil
			}
		}
	}
	var known []string
	if l := p.def.Lifecycle(); l != nil {
		for _, sc := range l.Scenarios {
			known = append(known, sc.Name)
		}
	}
	for _, e := range p.def.Events() {
		known = append(known, singleScenario+e.Name)
	}
	return nil, fmt.Errorf("%s is not a scenario of %s (%s)", name, p.name, strings.Join(known, ", "))
}

// generateFromDefinition makes a schema-driven provider's events: for a
// lifecycle scenario, orders entities (at least one) each playing its
// steps, the first payload generated from the emitted event's schema and
// each later one the transition applied to the one before; for
// "event:NAME", orders single-event entities; with edge, one
// single-event entity per edge case of every event's schema, each with
// an entity key of its own. Times start at generator.DefaultStart and
// follow the transitions' delays, drawn from the seed.
func (p Provider) generateFromDefinition(seed int64, scenario string, orders int, edge bool) ([]*generator.Event, error) {
	def := p.def
	start, _ := time.Parse(time.RFC3339, generator.DefaultStart)
	rnd := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	orders = max(orders, 1)
	var out []*generator.Event
	add := func(e *provider.Event, at time.Time, payload []byte, step string) {
		doc, _ := decodePayload(payload)
		out = append(out, &generator.Event{Seq: int64(len(out) + 1), Provider: def.Name(), Event: e.Name,
			OrderKey: provider.KeyOf(doc, e.Key), At: at, Payload: payload, Scenario: scenario, Step: step})
	}
	if edge {
		for i, e := range def.Events() {
			s, err := e.Schema()
			if err != nil {
				return nil, err
			}
			cases, err := s.EdgeCases(seed + int64(i))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", e.Name, err)
			}
			for j, c := range cases {
				payload, err := freshKey(s, e, c, seed*7919+int64(i*1000+j))
				if err != nil {
					return nil, err
				}
				add(e, start.Add(time.Duration(len(out))*time.Second), payload, c.Label)
			}
		}
		return out, nil
	}
	steps, err := p.definitionScenario(scenario)
	if err != nil {
		return nil, err
	}
	if steps == nil {
		e, _ := def.Event(strings.TrimPrefix(scenario, singleScenario))
		s, err := e.Schema()
		if err != nil {
			return nil, err
		}
		for o := range orders {
			payload, err := s.Generate(seed*1000 + int64(o))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", e.Name, err)
			}
			add(e, start.Add(time.Duration(o)*time.Minute), payload, e.Name)
		}
		return out, nil
	}
	for o := range orders {
		at := start.Add(time.Duration(o) * time.Minute)
		var prev []byte
		var key string
		for k, step := range steps {
			t, _, _ := def.Transition(step)
			e, _ := def.Event(t.Emits)
			s, err := e.Schema()
			if err != nil {
				return nil, err
			}
			if k > 0 && len(t.After) == 2 {
				lo, hi := t.After[0].D, t.After[1].D
				at = at.Add(lo + time.Duration(rnd.Int64N(int64(hi-lo)+1)))
			} else if k > 0 {
				at = at.Add(time.Minute)
			}
			if prev == nil {
				if prev, err = s.Generate(seed*1000 + int64(o)); err != nil {
					return nil, fmt.Errorf("%s: %w", e.Name, err)
				}
				doc, _ := decodePayload(prev)
				key = provider.KeyOf(doc, e.Key)
			}
			genSeed := seed*100000 + int64(o*100+k)
			payload, err := def.Apply(step, prev, provider.TransitionValues{Time: at, Seq: int64(k + 1), Key: key,
				Gen: func(ptr string) (json.RawMessage, error) { return generatedAt(s, genSeed, ptr) }})
			if err != nil {
				return nil, fmt.Errorf("%s: %w", scenario, err)
			}
			add(e, at, payload, step)
			prev = payload
		}
	}
	return out, nil
}

// freshKey gives an edge case an entity key of its own (taken from a
// payload generated with seed), unless the case is about the key; a
// payload the change would make invalid is kept as it was.
func freshKey(s *provider.EventSchema, e *provider.Event, c schemagen.Case, seed int64) ([]byte, error) {
	if len(e.Key) == 0 || c.Pointer == e.Key[0] {
		return c.JSON, nil
	}
	val, err := generatedAt(s, seed, e.Key[0])
	if err != nil {
		return c.JSON, nil
	}
	doc, err := jsontree.Decode(c.JSON, 512)
	if err != nil {
		return nil, err
	}
	ptr, err := jsonptr.Parse(e.Key[0])
	if err != nil || len(ptr) == 0 {
		return c.JSON, nil
	}
	if _, ok := jsontree.Get(doc, ptr); !ok {
		return c.JSON, nil
	}
	nv, err := jsontree.Decode(val, 512)
	if err != nil {
		return c.JSON, nil
	}
	if doc, err = jsontree.Set(doc, ptr, nv); err != nil {
		return c.JSON, nil
	}
	out := jsontree.Append(nil, doc)
	if s.Check(out) != nil {
		return c.JSON, nil
	}
	return out, nil
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
	v, ok := jsontree.Get(doc, p)
	if !ok {
		return nil, fmt.Errorf("the schema generates nothing at %s", ptr)
	}
	return jsontree.Append(nil, v), nil
}

// decodePayload decodes a payload as the state checks read it.
func decodePayload(payload []byte) (any, error) {
	var v any
	err := json.Unmarshal(payload, &v)
	return v, err
}

// saveScenario writes events as a replayable scenario file dir/name.yaml
// and returns its path.
func saveScenario(dir, name string, events []*generator.Event) (string, error) {
	sc, err := generator.ScenarioFromEvents(name, events)
	if err != nil {
		return "", err
	}
	b, err := sc.Marshal()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(dir, name+".yaml")
	return path, os.WriteFile(path, b, 0o644)
}
