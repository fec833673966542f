// Package capturekit fills capture stores for tests the way a receiver
// fills them: each delivery's request is built and signed by the
// provider's profile with the test secret (testkit.Secret), verified by
// the same profile and validated against the schemas, and the verdicts
// are what verification found. Only tests import it.
package capturekit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/capture"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/platform"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/schemas"
	"github.com/orderhooks/orderhooks/wire"
)

// Builder makes deliveries, numbering their message ids.
type Builder struct {
	profiles map[string]wire.Profile
	n        int
}

// New returns a Builder whose profiles sign and verify with the test
// secrets and accept messages of any time.
func New(t testing.TB) *Builder {
	t.Helper()
	b := &Builder{profiles: map[string]wire.Profile{}}
	for _, p := range wire.Providers() {
		var opts []wire.Option
		if p == wire.ProviderStandard {
			opts = append(opts, wire.WithTolerance(100*365*24*time.Hour))
		}
		prof, err := wire.New(p, []string{testkit.Secret(p)}, opts...)
		if err != nil {
			t.Fatal(err)
		}
		b.profiles[p] = prof
	}
	return b
}

// Profile returns the test profile of provider.
func (b *Builder) Profile(provider string) wire.Profile { return b.profiles[provider] }

// Delivery returns ev received over provider's wire (ev.Provider when
// provider is ""), with fault applied to the request, as a receiver
// stores it: verified, validated, answered.
func (b *Builder) Delivery(t testing.TB, provider string, ev *generator.Event, fault wire.Fault) *capture.Delivery {
	t.Helper()
	if provider == "" {
		provider = ev.Provider
	}
	b.n++
	id := fmt.Sprintf("00000000-0000-4000-8000-%012d", b.n)
	p := b.profiles[provider]
	req, err := p.Build(&wire.Message{Event: ev, ID: id, Time: ev.At}, fault)
	if err != nil {
		t.Fatal(err)
	}
	return b.Received(t, provider, req.Header, req.Body, ev.At)
}

// Received returns a request as the receiver of provider stores it.
func (b *Builder) Received(t testing.TB, provider string, h http.Header, body []byte, at time.Time) *capture.Delivery {
	t.Helper()
	h = h.Clone()
	h.Set("User-Agent", "Platform-Hookshot/1.0")
	h.Set("Content-Length", fmt.Sprint(len(body)))
	d := &capture.Delivery{ReceivedAt: at, RemoteAddr: "203.0.113.7:41234", Method: http.MethodPost, Host: "hooks.example",
		Path: "/webhooks/" + provider, Header: h, Body: body, Provider: provider, Handled: 420 * time.Microsecond}
	got, err := b.profiles[provider].Verify(h, body)
	switch {
	case errors.Is(err, wire.ErrMissingSignature):
		d.Signature = capture.SignatureMissing
	case errors.Is(err, wire.ErrSignatureMismatch):
		d.Signature = capture.SignatureBad
	case errors.Is(err, wire.ErrStaleTimestamp):
		d.Signature = capture.SignatureStale
	case errors.Is(err, wire.ErrDecrypt), errors.Is(err, wire.ErrPayloadTooShort):
		d.Signature, d.Decryption = capture.SignatureOK, capture.DecryptionFailed
	case errors.Is(err, wire.ErrMalformedBody):
		d.Signature, d.Malformed = capture.SignatureOK, true
	case err != nil:
		t.Fatalf("verify: %v", err)
	default:
		d.Signature = capture.SignatureOK
		if provider == wire.ProviderPhasio {
			d.Decryption = capture.DecryptionOK
		}
	}
	if err != nil {
		d.Status, d.Outcome, d.Reason = http.StatusUnauthorized, "rejected", wire.Reason(err)
		if d.Malformed {
			d.Status = http.StatusBadRequest
		}
		d.Answer = []byte(`{"ok":false,"error":"` + d.Reason + `"}` + "\n")
		return d
	}
	d.Event, d.DeliveryID, d.Payload = got.Event, got.ID, got.Payload
	d.Key = keyOf(got.Payload)
	d.Status, d.Outcome = http.StatusOK, "applied"
	if name, err := schemas.ForEvent(provider, got.Event, false); err == nil {
		d.SchemaChecked = true
		var ve *schemas.ValidationError
		if err := schemas.Validate(name, got.Payload); errors.As(err, &ve) {
			d.Violations = ve.Violations
			d.Status, d.Outcome, d.Reason = http.StatusBadRequest, "rejected", "schema: "+ve.Violations[0].Pointer+": "+ve.Violations[0].Message
		}
	}
	if d.Status == http.StatusOK {
		d.Answer = []byte(`{"ok":true,"outcome":"applied"}` + "\n")
	} else {
		d.Answer = []byte(`{"ok":false,"error":"schema violation"}` + "\n")
	}
	return d
}

// keyOf finds the order key of a payload.
func keyOf(payload []byte) string {
	doc, err := schemas.Decode(payload)
	if err != nil {
		return ""
	}
	return platform.OrderKey(doc)
}

// Put stores ds and returns their ids.
func Put(t testing.TB, s *capture.Store, ds ...*capture.Delivery) []int64 {
	t.Helper()
	ids := make([]int64, len(ds))
	for i, d := range ds {
		id, err := s.Put(context.Background(), d)
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id
	}
	return ids
}

// Script is a customer name that must stay text on every page.
const Script = `<script>window.__xss=1</script><img src=x onerror="window.__xss=2">`

// With returns a copy of ev whose payload has value (JSON) at the
// top-level member name, or at body.name for a HappyColis envelope.
func With(t testing.TB, ev *generator.Event, name string, value any) *generator.Event {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(ev.Payload, &doc); err != nil {
		t.Fatal(err)
	}
	target := doc
	if body, ok := doc["body"].(map[string]any); ok && ev.Provider == generator.ProviderHappyColis {
		target = body
	}
	target[name] = value
	out := *ev
	var err error
	if out.Payload, err = json.Marshal(doc); err != nil {
		t.Fatal(err)
	}
	return &out
}

// Mixed returns a fixed, varied set of deliveries in arrival order: a
// Phasio lifecycle (quote-to-paid) with one delivery redelivered and one
// forged, a HappyColis lifecycle (fulfilment) with two snapshots swapped
// and one unsigned request, a Phasio order with a schema violation, one
// whose customer name is Script, and one the forwarded app answered 500.
func Mixed(t testing.TB, b *Builder) []*capture.Delivery {
	t.Helper()
	var out []*capture.Delivery
	ph := testkit.Lifecycles(t, generator.ProviderPhasio, "phasio/quote-to-paid", 1)
	for i, ev := range ph {
		out = append(out, b.Delivery(t, "", ev, wire.FaultNone))
		if i == 3 {
			again := *out[len(out)-1]
			again.ReceivedAt = again.ReceivedAt.Add(2 * time.Second)
			again.Outcome = "duplicate"
			out = append(out, &again)
		}
	}
	out = append(out, b.Delivery(t, "", ph[len(ph)-1], wire.FaultBadSignature))
	hc := testkit.Lifecycles(t, generator.ProviderHappyColis, "happycolis/fulfilment", 1)
	hc[2], hc[3] = hc[3], hc[2]
	for _, ev := range hc {
		out = append(out, b.Delivery(t, "", ev, wire.FaultNone))
	}
	out = append(out, b.Delivery(t, "", hc[0], wire.FaultMissingSignature))
	single := testkit.Events(t, generator.ProviderPhasio, 3)
	bad := With(t, single[0], "quoteNumber", 42)
	out = append(out, b.Delivery(t, "", bad, wire.FaultNone))
	out = append(out, b.Delivery(t, "", With(t, single[1], "customerOrganisationName", Script), wire.FaultNone))
	fwd := b.Delivery(t, "", single[2], wire.FaultNone)
	fwd.Forward = &capture.Forward{URL: "http://127.0.0.1:3000/webhooks", Status: 500, Latency: 12 * time.Millisecond,
		Answer: []byte(`{"error":"database is locked"}`)}
	out = append(out, fwd)
	return out
}
