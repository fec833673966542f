package contracts

// This file adapts the emitter and generator APIs that the contracts
// package builds on; see the report of issue 6 for their status.

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/generator"
)

var errNotYet = errors.New("contracts: not available in this build")

func buildProfile(p Provider) (emitter.Profile, error) { return nil, errNotYet }

func checkScenarios(p Provider) error { return nil }

func generate(payloads string, seed int64, scenario string, orders int, edge bool) ([]*generator.Event, error) {
	return nil, errNotYet
}

func handlerClient(h http.Handler) *http.Client { return &http.Client{} }

func defaultClient() *http.Client { return &http.Client{} }

func deliverRequest(ctx context.Context, c *http.Client, url string, r *emitter.Request) (int, []byte, time.Duration, error) {
	return 0, nil, 0, errNotYet
}

func saveScenario(dir, name, provider string, events []*generator.Event) (string, error) {
	return "", errNotYet
}
