package main

import (
	"crypto/rand"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/schemas"
	"github.com/orderhooks/orderhooks/wire"
)

// newTestServer is the receiver as main wires it, on a fresh SQLite file
// and a fresh webhook secret.
func newTestServer(t *testing.T) (*Server, *Store, string) {
	t.Helper()
	secret, err := wire.NewSecret(contracts.ProviderPhasio, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	wh, err := NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	store, err := OpenStore(filepath.Join(t.TempDir(), "orders.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return NewServer(wh, store, slog.New(slog.NewTextHandler(io.Discard, nil))), store, secret
}

// TestContract runs the whole Phasio contract suite against the receiver
// in-process, with its GET /orders/{id} as the probe: every check passes
// (ignores-stale-snapshot warns, since Phasio payloads carry no version).
func TestContract(t *testing.T) {
	srv, store, secret := newTestServer(t)
	report := contracts.Test(t, contracts.HandlerAt(srv, "/webhooks/phasio"), contracts.Phasio(secret),
		contracts.WithProbe("/orders/{orderKey}"), contracts.WithResponseSchema(ackSchema(t)))
	if report == nil {
		t.Fatal("no report")
	}
	for _, c := range report.Checks {
		want := contracts.StatusPass
		switch c.Name {
		case contracts.CheckStaleSnapshot:
			want = contracts.StatusWarn
		case contracts.CheckStaleTimestamp:
			want = contracts.StatusSkip // the standard profile's signed timestamp
		}
		if c.Status != want {
			t.Errorf("%s: %s, want %s: %s", c.Name, c.Status, want, c.Message)
		}
	}
	// The suite went through the real store, not around it.
	if n, err := store.Deliveries(t.Context()); err != nil || n < 50 {
		t.Errorf("store holds %d deliveries (%v), want the suite's lifecycles", n, err)
	}
}

// ackSchema is the answer this receiver documents for accepted deliveries;
// response-contract checks every 2xx body against it.
func ackSchema(t *testing.T) *schemas.Schema {
	t.Helper()
	s, err := schemas.Compile("ack.json", []byte(`{
		"$schema": "https://json-schema.org/draft/2020-12/schema",
		"type": "object",
		"required": ["ok"],
		"properties": {"ok": {"const": true}, "duplicate": {"type": "boolean"}},
		"additionalProperties": false
	}`))
	if err != nil {
		t.Fatal(err)
	}
	return s
}
