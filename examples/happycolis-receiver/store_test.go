package main

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"
)

func exampleEnvelope(t *testing.T) *Envelope {
	t.Helper()
	b, err := os.ReadFile("../../schemas/testdata/examples/happycolis-order-updated.json")
	if err != nil {
		t.Fatal(err)
	}
	var env Envelope
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatal(err)
	}
	return &env
}

func TestStoreDedupAndStaleness(t *testing.T) {
	ctx := context.Background()
	s, err := OpenStore(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now()
	base := exampleEnvelope(t)

	at := func(id, state string, date time.Time) (*Envelope, []byte) {
		env := *base
		env.Header.MessageID = id
		env.Header.Date = date
		env.Body.State = state
		b, _ := json.Marshal(env)
		return &env, b
	}
	t0 := base.Header.Date
	tests := []struct {
		id, state string
		date      time.Time
		want      Outcome
		stored    string
	}{
		{"m1", "DRAFT", t0, Applied, "DRAFT"},
		{"m2", "OPENED", t0.Add(time.Minute), Applied, "OPENED"},
		{"m2", "COMPLETED", t0.Add(2 * time.Minute), Duplicate, "OPENED"}, // same messageId: not applied
		{"m3", "DRAFT", t0.Add(30 * time.Second), Stale, "OPENED"},        // older snapshot: ignored
		{"m4", "COMPLETED", t0.Add(3 * time.Minute), Applied, "COMPLETED"},
	}
	for _, tt := range tests {
		env, raw := at(tt.id, tt.state, tt.date)
		got, err := s.Apply(ctx, env, raw, now)
		if err != nil || got != tt.want {
			t.Fatalf("%s %s: outcome %q err %v, want %q", tt.id, tt.state, got, err, tt.want)
		}
		stored, err := s.Order(ctx, base.Body.ID)
		if err != nil || stored.Body.State != tt.stored {
			t.Fatalf("after %s: stored state %v err %v, want %s", tt.id, stored.Body.State, err, tt.stored)
		}
	}
}

func TestVerifyVector(t *testing.T) {
	b, err := os.ReadFile("../../testdata/vectors/happycolis.json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Valid []struct {
			Secret    string `json:"client_secret"`
			Body      string
			Signature string `json:"x_happycolis_webhook_signature"`
		}
	}
	if err := json.Unmarshal(b, &v); err != nil || len(v.Valid) == 0 {
		t.Fatal("no vectors", err)
	}
	for _, vec := range v.Valid {
		if err := verify([]byte(vec.Secret), vec.Signature, []byte(vec.Body)); err != nil {
			t.Errorf("valid vector rejected: %v", err)
		}
		if err := verify([]byte(vec.Secret), vec.Signature, []byte(vec.Body+" ")); err != errBadSignature {
			t.Errorf("changed body: %v, want errBadSignature", err)
		}
		if err := verify([]byte("other"), vec.Signature, []byte(vec.Body)); err != errBadSignature {
			t.Errorf("other secret: %v, want errBadSignature", err)
		}
		if err := verify([]byte(vec.Secret), "", []byte(vec.Body)); err != errMissingSignature {
			t.Errorf("no signature: %v, want errMissingSignature", err)
		}
	}
}
