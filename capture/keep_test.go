package capture

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/receiver"
	"github.com/orderhooks/orderhooks/schemas"
	"github.com/orderhooks/orderhooks/wire"
)

// keepRun sends every event to a receiver of provider keeping into a
// fresh store, one forged copy in five, and returns the store and the
// events sent, by message id.
func keepRun(t *testing.T, provider string, redact bool, evs []*generator.Event) (*Store, wire.Profile, map[string]*generator.Event) {
	t.Helper()
	s := openStore(t, filepath.Join(t.TempDir(), "keep.db"))
	secret, err := wire.NewSecret(provider, strings.NewReader(strings.Repeat("k", 64)))
	if err != nil {
		t.Fatal(err)
	}
	var opts []wire.Option
	if provider == wire.ProviderStandard {
		opts = append(opts, wire.WithTolerance(100*365*24*time.Hour)) // the corpus is dated
	}
	p, err := wire.New(provider, []string{secret}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	k, err := s.Keeper(KeeperOptions{Redact: redact, Profile: p})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := receiver.Start(p, receiver.WithCapture(k.Capture))
	if err != nil {
		t.Fatal(err)
	}
	sent := map[string]*generator.Event{}
	client := &http.Client{Timeout: 10 * time.Second}
	for i, ev := range evs {
		id := fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		fault := wire.FaultNone
		if i%5 == 4 {
			fault = wire.FaultBadSignature
		}
		req, err := p.Build(&wire.Message{Event: ev, ID: id, Time: ev.At}, fault)
		if err != nil {
			t.Fatal(err)
		}
		hreq, _ := http.NewRequest(http.MethodPost, srv.URL+"/webhooks", bytes.NewReader(req.Body))
		hreq.Header = req.Header
		hreq.Header.Set("Authorization", "Bearer not-to-be-stored")
		resp, err := client.Do(hreq)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if fault == wire.FaultNone {
			sent[id] = ev
		}
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if st := srv.Stats(); st.NotStored != 0 || st.Received != int64(len(evs)) {
		t.Fatalf("stats %+v", st)
	}
	return s, p, sent
}

// TestKeeperStoresAsReceived: without redaction the store holds each
// delivery as the receiver got it: the body byte for byte, verdicts,
// payload, answer; credential headers dropped.
func TestKeeperStoresAsReceived(t *testing.T) {
	t.Parallel()
	evs := events(t, 40)
	var hc []*generator.Event
	for _, ev := range evs {
		if ev.Provider == generator.ProviderHappyColis {
			hc = append(hc, ev)
		}
	}
	s, p, sent := keepRun(t, generator.ProviderHappyColis, false, hc)
	n, forged := 0, 0
	err := s.Each(ctx, Filter{}, func(d *Delivery) error {
		n++
		if d.Header.Get("Authorization") != "" {
			t.Errorf("delivery %d keeps a credential header", d.ID)
		}
		if d.Signature == SignatureBad {
			forged++
			if d.Status != 401 || d.Payload != nil || len(d.Body) == 0 {
				t.Errorf("forged delivery %d: %+v", d.ID, d.Verdict())
			}
			return nil
		}
		ev := sent[d.DeliveryID]
		if ev == nil {
			t.Fatalf("delivery %d: unknown message id %q", d.ID, d.DeliveryID)
		}
		got, err := p.Verify(d.Header, d.Body)
		if err != nil {
			t.Errorf("delivery %d: the stored request does not verify: %v", d.ID, err)
		} else if !bytes.Equal(got.Payload, d.Payload) {
			t.Errorf("delivery %d: payload differs from the body's", d.ID)
		}
		if d.Redacted || d.Event != ev.Event || d.Key != ev.OrderKey || d.Status != 200 || !d.SchemaChecked || len(d.Violations) > 0 {
			t.Errorf("delivery %d: %+v", d.ID, d.Verdict())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(hc) || forged != len(hc)/5 {
		t.Errorf("%d deliveries (%d forged), want %d (%d)", n, forged, len(hc), len(hc)/5)
	}
}

// TestKeeperRedacts: with redaction at write time no personal value of a
// delivery is anywhere in what the store keeps of it (payload, body,
// headers, answer, violations), the payloads still validate strictly, and
// the bodies were rebuilt: they verify with the receiver's secret and
// carry the redacted payload. Phasio (encrypted), HappyColis and Standard
// Webhooks carrying both. 60 events reach every statement of capture, pii,
// internal/redact and wire that 120 reach.
func TestKeeperRedacts(t *testing.T) {
	t.Parallel()
	evs := events(t, 60)
	for _, provider := range []string{generator.ProviderPhasio, generator.ProviderHappyColis, wire.ProviderStandard} {
		t.Run(provider, func(t *testing.T) {
			var mine []*generator.Event
			for _, ev := range evs {
				if ev.Provider == provider || provider == wire.ProviderStandard {
					mine = append(mine, ev)
				}
			}
			s, p, sent := keepRun(t, provider, true, mine)
			checked := 0
			err := s.Each(ctx, Filter{}, func(d *Delivery) error {
				if !d.Redacted {
					t.Errorf("delivery %d not marked redacted", d.ID)
				}
				if d.Payload == nil {
					return nil
				}
				ev := sent[d.DeliveryID]
				orig := &Delivery{Provider: ev.Provider, Event: ev.Event, Payload: ev.Payload}
				c := *d
				c.Header = d.Header.Clone()
				for _, h := range []string{wire.PhasioSignatureHeader, wire.HappyColisSignatureHeader, wire.StandardSignatureHeader} {
					c.Header.Del(h) // digests, whose encoding may spell anything
				}
				c.Body = nil // checked below: encrypted (Phasio) or the redacted payload
				stored, _ := json.Marshal(&c)
				text := strings.ToLower(string(stored))
				for _, v := range personalValues(orig) {
					checked++
					if v = strings.ToLower(v); strings.Contains(text, v) && !strings.Contains(strings.ToLower(string(ev.Payload)), `"`+v+`"`) {
						t.Errorf("delivery %d keeps %q", d.ID, v)
					}
				}
				got, err := p.Verify(d.Header, d.Body)
				if err != nil {
					t.Fatalf("delivery %d: the rebuilt body does not verify: %v", d.ID, err)
				}
				if !jsonEqual(t, got.Payload, d.Payload) {
					t.Errorf("delivery %d: the body does not carry the redacted payload", d.ID)
				}
				if bytes.Equal(d.Payload, ev.Payload) && len(personalValues(orig)) > 0 {
					t.Errorf("delivery %d: payload unchanged", d.ID)
				}
				name, _ := schemas.ForEvent(ev.Provider, ev.Event, true)
				if err := schemas.Validate(name, d.Payload); err != nil {
					t.Errorf("delivery %d: redacted payload invalid: %v", d.ID, err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if checked < 30 {
				t.Errorf("only %d personal values checked", checked)
			}
		})
	}
}

// TestKeeperRedactsViolations: the violations, reason and answer of an
// invalid delivery are found again on the redacted payload, so that none
// quotes a personal value (as a format or pattern message of a provider's
// own schema would: "'ada@x' is not valid email").
func TestKeeperRedactsViolations(t *testing.T) {
	t.Parallel()
	var ev *generator.Event
	for _, e := range events(t, 10) {
		if e.Provider == generator.ProviderHappyColis {
			ev = e
			break
		}
	}
	var doc map[string]any
	if err := json.Unmarshal(ev.Payload, &doc); err != nil {
		t.Fatal(err)
	}
	doc["body"].(map[string]any)["comment"] = "Marguerite Duras at home"
	doc["body"].(map[string]any)["currency"] = 42
	payload, _ := json.Marshal(doc)
	s := openStore(t, filepath.Join(t.TempDir(), "keep.db"))
	p := newWire(t).profiles[generator.ProviderHappyColis]
	k, err := s.Keeper(KeeperOptions{Redact: true, Profile: p})
	if err != nil {
		t.Fatal(err)
	}
	quoted := "happycolis/order-event: /body/comment: 'Marguerite Duras at home' is not valid"
	id, err := k.Capture(ctx, &receiver.Capture{Time: ev.At, Method: "POST", Path: "/", Header: http.Header{}, Provider: ev.Provider,
		Event: ev.Event, ID: "00000000-0000-4000-8000-000000000001", Signature: "ok", SchemaChecked: true, Payload: payload,
		Violations: []schemas.Violation{{Pointer: "/body/comment", Message: "'Marguerite Duras at home' is not valid"}},
		Status:     400, Outcome: receiver.Rejected, Reason: quoted, Answer: []byte(`{"ok":false,"error":"` + quoted + `"}`)})
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	all, _ := json.Marshal(d)
	if strings.Contains(string(all), "Marguerite") || strings.Contains(string(all), "Duras") {
		t.Errorf("the stored delivery quotes the personal value: %s", all)
	}
	if len(d.Violations) != 1 || d.Violations[0].Pointer != "/body/currency" || !strings.Contains(d.Reason, "/body/currency") {
		t.Errorf("violations %+v, reason %q: want the redacted payload's own", d.Violations, d.Reason)
	}
}
