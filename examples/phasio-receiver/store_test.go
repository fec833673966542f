package main

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"
)

func exampleOrder(t *testing.T) (*Order, []byte) {
	t.Helper()
	b, err := os.ReadFile("../../schemas/testdata/examples/phasio-order-created.json")
	if err != nil {
		t.Fatal(err)
	}
	var o Order
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatal(err)
	}
	return &o, b
}

func TestStoreApplyIsIdempotentPerDelivery(t *testing.T) {
	ctx := context.Background()
	s, err := OpenStore(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	o, raw := exampleOrder(t)
	now := time.Date(2025, 6, 15, 10, 30, 0, 0, time.UTC)

	if applied, err := s.Apply(ctx, "id:1", "ORDER", o, raw, now); err != nil || !applied {
		t.Fatalf("first delivery: applied=%v err=%v", applied, err)
	}
	// The same delivery again must not be applied, even with other content.
	changed := *o
	status := "REFUNDED"
	changed.PaymentStatus = &status
	if applied, err := s.Apply(ctx, "id:1", "ORDER", &changed, raw, now); err != nil || applied {
		t.Fatalf("redelivery: applied=%v err=%v", applied, err)
	}
	got, err := s.Order(ctx, o.OrderID)
	if err != nil {
		t.Fatal(err)
	}
	if *got.PaymentStatus != *o.PaymentStatus || got.QuoteNumber != o.QuoteNumber || len(got.Parts) != len(o.Parts) {
		t.Fatalf("stored %+v, want %+v", got, o)
	}
	// A new delivery with a newer snapshot replaces the order.
	paid, _ := json.Marshal(changed)
	if applied, err := s.Apply(ctx, "id:2", "ORDER_UPDATED", &changed, paid, now); err != nil || !applied {
		t.Fatalf("second delivery: applied=%v err=%v", applied, err)
	}
	if got, _ := s.Order(ctx, o.OrderID); *got.PaymentStatus != "REFUNDED" {
		t.Fatalf("payment status %q after update", *got.PaymentStatus)
	}
	if n, _ := s.Deliveries(ctx); n != 2 {
		t.Fatalf("%d deliveries recorded, want 2", n)
	}
	if _, err := s.Order(ctx, 999); err != errNotFound {
		t.Fatalf("unknown order: %v", err)
	}
}
