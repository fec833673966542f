package contracts

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/orderhooks/orderhooks/generator"
)

// ErrScenario wraps scenario problems found by New (unknown name, bad
// file, wrong provider); it matches ErrConfig.
var ErrScenario = wrapConfig("contracts: bad scenario")

// checkScenarios loads every lifecycle scenario once, so a typo fails New.
func checkScenarios(p Provider) error {
	for _, name := range p.scenarios {
		if p.schemaDriven() {
			if err := generator.CheckDefinitionScenario(p.def, name); err != nil {
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
// generator options (WithSchemas; WithKeySlot for a definition). A
// schema-driven provider's events come from its definition
// (generator.FromDefinition).
func generate(p Provider, seed int64, scenario string, orders int, edge bool, idBase int64, extra ...generator.Option) ([]*generator.Event, error) {
	if p.schemaDriven() {
		return generator.FromDefinition(p.def, seed, scenario, orders, edge, extra...)
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
