// Package corpus generates the mixed, schema-valid traffic that the tests
// of redaction, drift analysis and the capture store run over: both
// platforms, single orders, every built-in lifecycle and the edge cases
// (every nullable field null, empty arrays, huge and non-Latin values),
// deterministic for a seed.
package corpus

import (
	"errors"

	"github.com/orderhooks/orderhooks/generator"
)

var errEnough = errors.New("enough")

// Clean returns n events of both providers, interleaved in a fixed
// pattern: single orders, lifecycles of every built-in scenario and edge
// cases, all valid against the strict schemas.
func Clean(n int, seed int64) ([]*generator.Event, error) {
	var sources [][]generator.Option
	for _, s := range generator.Scenarios() {
		sources = append(sources, []generator.Option{generator.WithScenario(s)})
	}
	sources = append(sources, nil, []generator.Option{generator.WithEdge()})
	perSource := n/(2*len(sources)) + 1
	var out []*generator.Event
	for round := 0; len(out) < n; round++ {
		for i, opts := range sources {
			for _, p := range []string{generator.ProviderPhasio, generator.ProviderHappyColis} {
				evs, err := Generate(p, perSource, seed+int64(round*1000+i), opts...)
				if err != nil {
					return nil, err
				}
				out = append(out, evs...)
			}
		}
	}
	return out[:n], nil
}

// Drifted returns n events of the provider whose payloads drift from the
// documented contract (generator.WithDrift: a field added, renamed or
// retyped in each).
func Drifted(provider string, n int, seed int64) ([]*generator.Event, error) {
	return Generate(provider, n, seed, generator.WithDrift())
}

// Generate returns about n events of provider (whole lifecycles, as many
// orders as make n events); options whose scenario is for the other
// provider give none.
func Generate(provider string, n int, seed int64, opts ...generator.Option) ([]*generator.Event, error) {
	opts = append(opts, generator.WithSeed(seed))
	one, err := generator.New(provider, opts...)
	if errors.Is(err, generator.ErrOptions) {
		return nil, nil // a scenario of the other provider
	}
	if err != nil {
		return nil, err
	}
	orders := max(1, int(int64(n)*int64(one.Orders())/one.Events()))
	g, err := generator.New(provider, append(opts, generator.WithOrders(orders))...)
	if err != nil {
		return nil, err
	}
	var out []*generator.Event
	err = g.Run(func(ev *generator.Event) error {
		out = append(out, ev)
		if len(out) == n {
			return errEnough
		}
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		return nil, err
	}
	return out, nil
}
