package happycolis_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/orderhooks/orderhooks/generator/decimal"
	"github.com/orderhooks/orderhooks/generator/happycolis"
)

func seed(t *testing.T) (*happycolis.Envelope, []byte) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "seed-order-updated.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e happycolis.Envelope
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		t.Fatal(err)
	}
	return &e, compact.Bytes()
}

// TestSeedSampleRoundTrip: seed 003's sample (copied into testdata)
// decodes and marshals back byte for byte.
func TestSeedSampleRoundTrip(t *testing.T) {
	e, want := seed(t)
	if got := e.JSON(); !bytes.Equal(got, want) {
		t.Fatalf("round trip changed the sample:\n%s\n%s", got, want)
	}
	if b, _ := json.Marshal(*e); !bytes.Equal(b, want) {
		t.Fatal("json.Marshal of an Envelope value does not use its field order")
	}
}

// TestTotals: the sample's lines follow the formula; its order total does
// not (85.00 leaves out the 5.99 shipping the formula adds), which
// CheckTotals reports by pointer, and Retotal repairs.
func TestTotals(t *testing.T) {
	e, _ := seed(t)
	o := &e.Body
	err := o.CheckTotals()
	if !errors.Is(err, happycolis.ErrTotals) || err.Error() != "happycolis: totals do not add up: /body/total is 85.00, the formula gives 90.99" {
		t.Fatalf("got %v", err)
	}
	o.Retotal()
	if o.Total != 9099 || o.TotalVat != 1700 || o.TotalTaxInclusive != 10799 || o.Lines[0].TotalTaxInclusive != decimal.Units(60) {
		t.Fatalf("retotalled: total %s, VAT %s, incl. %s", o.Total, o.TotalVat, o.TotalTaxInclusive)
	}
	if err := o.CheckTotals(); err != nil {
		t.Fatal(err)
	}
	o.Lines[1].VatRate = 550 // 35.00 × 0.055 = 1.925 → 1.93
	o.Retotal()
	if o.Lines[1].TotalTaxInclusive != 3693 {
		t.Fatalf("reduced VAT: %s", o.Lines[1].TotalTaxInclusive)
	}
	o.Lines[1].Total++
	if err := o.CheckTotals(); err == nil || err.Error() != "happycolis: totals do not add up: /body/lines/1/total is 35.01, the formula gives 35.00" {
		t.Fatalf("got %v", err)
	}
}
