package inspect_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/inspect"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/internal/testkit/capturekit"
	"github.com/orderhooks/orderhooks/receiver"
	"github.com/orderhooks/orderhooks/wire"
)

// countingTransport counts the requests it passes on.
type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

// TestClientAndClock: a replay goes through the WithClient client, and a
// re-signed Standard Webhooks replay is stamped by the WithClock clock (a
// receiver whose clock is years behind accepts it only then).
func TestClientAndClock(t *testing.T) {
	t.Parallel()
	then := time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)
	ct := &countingTransport{}
	s := newSite(t, inspect.WithClient(&http.Client{Transport: ct, Timeout: 10 * time.Second}), inspect.WithClock(func() time.Time { return then }))
	prof, err := wire.New(wire.ProviderStandard, []string{testkit.StandardSecret}, wire.WithClock(func() time.Time { return then }))
	if err != nil {
		t.Fatal(err)
	}
	recv, err := receiver.Start(prof)
	if err != nil {
		t.Fatal(err)
	}
	defer recv.Close()
	ev := testkit.Events(t, "phasio", 1)[0]
	id := capturekit.Put(t, s.store, s.b.Delivery(t, wire.ProviderStandard, ev, wire.FaultNone))[0]
	_, page := s.get(t, fmt.Sprintf("/deliveries/%d", id))
	status, page := s.post(t, fmt.Sprintf("/deliveries/%d/replay", id),
		url.Values{"csrf": {csrf(t, page)}, "url": {recv.URL + "/hooks"}, "secret": {testkit.StandardSecret}}, nil)
	if status != 200 || !strings.Contains(page, `id="replay-status">200<`) || recv.Stats().Applied != 1 {
		t.Fatalf("status %d, receiver %+v\n%.2000s", status, recv.Stats(), page)
	}
	if ct.n.Load() != 1 {
		t.Errorf("%d requests through the WithClient client, want 1", ct.n.Load())
	}
}
