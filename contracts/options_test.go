package contracts_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/internal/testkit/lessgc"
	"github.com/orderhooks/orderhooks/receiver"
	"github.com/orderhooks/orderhooks/wire"
)

// The collector runs less often in this test binary (internal/testkit/lessgc).
func init() { lessgc.Set() }

// acceptsValid runs the accepts-valid-lifecycle check alone against a
// receiver of prof and returns its status and the run's record.
func acceptsValid(t *testing.T, recv wire.Profile, p contracts.Provider, opts ...contracts.Option) (contracts.Status, string) {
	t.Helper()
	srv, err := receiver.Start(recv)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	var rec bytes.Buffer
	opts = append(opts, contracts.WithOnly(contracts.CheckValidLifecycle), contracts.WithRecord(&rec))
	r, err := contracts.Verify(t.Context(), contracts.URL(srv.URL+"/webhooks"), p, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return r.Result(contracts.CheckValidLifecycle).Status, rec.String()
}

// TestClockAndProviderOptions: WithClock stamps Standard Webhooks
// deliveries (a receiver whose clock is a year behind accepts them only
// then); WithProfile sends with a profile of non-default wire options
// (a receiver of those options accepts only those); WithPayloads sends
// HappyColis orders over Standard Webhooks.
func TestClockAndProviderOptions(t *testing.T) {
	std := testSecret(t, contracts.ProviderStandard)
	behind, err := wire.New(wire.ProviderStandard, []string{std}, wire.WithClock(testkit.Clock))
	if err != nil {
		t.Fatal(err)
	}
	p := testProvider(t, contracts.ProviderStandard)
	if got, _ := acceptsValid(t, behind, p); got != contracts.StatusFail {
		t.Errorf("without WithClock, a receiver a year behind: %s, want fail", got)
	}
	if got, _ := acceptsValid(t, behind, p, contracts.WithClock(testkit.Clock)); got != contracts.StatusPass {
		t.Errorf("with WithClock: %s, want pass", got)
	}

	secret := testSecret(t, contracts.ProviderPhasio)
	dataField, err := wire.New(wire.ProviderPhasio, []string{secret}, wire.WithBodyField("data"))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := acceptsValid(t, dataField, testProvider(t, contracts.ProviderPhasio)); got != contracts.StatusFail {
		t.Errorf("default profile to a receiver of another body field: %s, want fail", got)
	}
	withProfile, err := contracts.NewProvider(contracts.ProviderPhasio, "", contracts.WithProfile(dataField))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := acceptsValid(t, dataField, withProfile); got != contracts.StatusPass {
		t.Errorf("WithProfile: %s, want pass", got)
	}

	hc, err := contracts.NewProvider(contracts.ProviderStandard, std, contracts.WithPayloads(generator.ProviderHappyColis))
	if err != nil {
		t.Fatal(err)
	}
	stdProfile, _ := wire.New(wire.ProviderStandard, []string{std})
	got, rec := acceptsValid(t, stdProfile, hc)
	if got != contracts.StatusPass || !strings.Contains(rec, "organizationId") || strings.Contains(rec, "specificationId") {
		t.Errorf("WithPayloads(happycolis): %s; record:\n%.600s", got, rec)
	}
}
