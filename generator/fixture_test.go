package generator

import (
	"bytes"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/generator/happycolis"
	"github.com/orderhooks/orderhooks/generator/phasio"
)

func TestPhasioFixtures(t *testing.T) {
	tests := []struct {
		name    string
		opts    []FixtureOption
		payment string
		number  bool
		column  string
	}{
		{"quote", nil, "", false, ""},
		{"accepted", []FixtureOption{Accepted()}, phasio.PaymentUnpaid, false, ""},
		{"confirmed", []FixtureOption{Confirmed()}, phasio.PaymentConfirmed, true, "New Orders"},
		{"paid", []FixtureOption{Paid()}, phasio.PaymentPaid, true, "New Orders"},
		{"accepted then paid", []FixtureOption{Accepted(), Paid()}, phasio.PaymentPaid, true, "New Orders"},
		{"shipped", []FixtureOption{InColumn("Shipped")}, phasio.PaymentPaid, true, "Shipped"},
		{"confirmed in QC", []FixtureOption{Confirmed(), InColumn("Quality Check")}, phasio.PaymentConfirmed, true, "Quality Check"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for seed := int64(1); seed <= 30; seed++ {
				o := PhasioOrder(seed, append(tt.opts, Parts(3, "SLS"))...)
				if err := checkPhasioOrder(o, false, nil); err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
				got := ""
				if o.PaymentStatus != nil {
					got = *o.PaymentStatus
				}
				column := ""
				if o.KanbanColumnName != nil {
					column = *o.KanbanColumnName
				}
				if got != tt.payment || (o.OrderNumber != nil) != tt.number || column != tt.column {
					t.Fatalf("seed %d: payment %q, number %v, column %q", seed, got, o.OrderNumber, column)
				}
				if len(o.Parts) != 3 || o.Parts[2].Technology != "SLS" {
					t.Fatalf("seed %d: parts %d of %s", seed, len(o.Parts), o.Parts[0].Technology)
				}
			}
		})
	}
	a, b := PhasioOrder(5, Paid(), Country("GB")), PhasioOrder(5, Paid(), Country("GB"))
	if !bytes.Equal(a.JSON(), b.JSON()) || a.Pricing.Currency != "GBP" {
		t.Fatalf("fixtures differ or ignore the country: %s vs %s", a.JSON(), b.JSON())
	}
}

func TestHappyColisFixtures(t *testing.T) {
	tests := []struct {
		name         string
		opts         []FixtureOption
		event, state string
		lines        string
	}{
		{"created", nil, HappyColisCreated, happycolis.StateDraft, happycolis.LinePending},
		{"opened", []FixtureOption{Opened()}, HappyColisOpened, happycolis.StateOpened, happycolis.LinePending},
		{"dispatched", []FixtureOption{Dispatched()}, HappyColisUpdated, happycolis.StateOpened, happycolis.LineInProgress},
		{"completed", []FixtureOption{Completed()}, HappyColisCompleted, happycolis.StateCompleted, happycolis.LineFulfilled},
		{"cancelled", []FixtureOption{Cancelled()}, HappyColisCancelled, happycolis.StateOpened, happycolis.LineCanceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for seed := int64(1); seed <= 30; seed++ {
				e := HappyColisOrder(seed, append(tt.opts, Parts(4, ""), Country("BE"))...)
				if err := checkHappyColis(e, false); err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
				if e.Header.Type != tt.event || e.Body.State != tt.state || len(e.Body.Lines) != 4 || e.Body.Lines[3].Status != tt.lines {
					t.Fatalf("seed %d: %s %s with %d lines %s", seed, e.Header.Type, e.Body.State, len(e.Body.Lines), e.Body.Lines[0].Status)
				}
				if e.Body.DeliveryContact.Country != "BE" {
					t.Fatalf("seed %d: delivered to %s", seed, e.Body.DeliveryContact.Country)
				}
			}
		})
	}
}

func TestFixtureMisuse(t *testing.T) {
	tests := map[string]func(){
		"unknown technology": func() { PhasioOrder(1, Parts(2, "Laser Cutting")) },
		"unknown country":    func() { PhasioOrder(1, Country("ZZ")) },
		"paid twice":         func() { PhasioOrder(1, Paid(), Paid()) },
		"unknown column":     func() { PhasioOrder(1, InColumn("Painting")) },
		"phasio option":      func() { HappyColisOrder(1, Paid()) },
	}
	for name, fn := range tests {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if r := recover(); r == nil || !strings.HasPrefix(r.(string), "generator: fixture: ") {
					t.Fatalf("recovered %v, want a generator: fixture: panic", r)
				}
			}()
			fn()
		})
	}
}
