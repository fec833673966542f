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

// TestContract runs the whole HappyColis contract suite against the
// receiver in-process, with its GET /orders/{id} as the probe: every check
// that applies to HappyColis passes, including the ordering by header.date
// (ignores-stale-snapshot) and deduplication by messageId.
func TestContract(t *testing.T) {
	secret, err := wire.NewSecret(contracts.ProviderHappyColis, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	store, err := OpenStore(filepath.Join(t.TempDir(), "orders.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	srv := NewServer(secret, store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	report := contracts.Test(t, contracts.HandlerAt(srv, "/webhooks/happycolis"), contracts.HappyColis(secret),
		contracts.WithProbe("/orders/{orderKey}"), contracts.WithResponseSchema(ackSchema(t)))
	if report == nil {
		t.Fatal("no report")
	}
	for _, c := range report.Checks {
		want := contracts.StatusPass
		if c.Name == contracts.CheckStaleTimestamp {
			want = contracts.StatusSkip // the standard profile's signed timestamp
		}
		if c.Status != want {
			t.Errorf("%s: %s, want %s: %s", c.Name, c.Status, want, c.Message)
		}
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
		"properties": {"ok": {"const": true}, "outcome": {"enum": ["applied", "duplicate", "stale"]}},
		"additionalProperties": false
	}`))
	if err != nil {
		t.Fatal(err)
	}
	return s
}
