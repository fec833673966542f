package capture

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/pii"
	"github.com/orderhooks/orderhooks/receiver"
	"github.com/orderhooks/orderhooks/schemas"
	"github.com/orderhooks/orderhooks/wire"
)

// stored fills a store with deliveries of both platforms, the fourth one
// rejected (no payload), and returns them as put.
func stored(t *testing.T, n int) (*Store, *fixture, []*Delivery) {
	t.Helper()
	s := openStore(t, filepath.Join(t.TempDir(), "export.db"))
	w := newWire(t)
	var ds []*Delivery
	for i, ev := range events(t, n) {
		d := w.delivery(t, ev, i)
		if i == 3 {
			d.Signature, d.Status, d.Outcome, d.Payload, d.Event = SignatureMissing, 401, "rejected", nil, ""
		}
		id, err := s.Put(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		d.ID = id
		ds = append(ds, d)
	}
	return s, w, ds
}

func TestExportReadsBackAsRecords(t *testing.T) {
	t.Parallel()
	s, _, ds := stored(t, 40)
	var out bytes.Buffer
	st, err := s.Export(ctx, &out, ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Written != len(ds)-1 || st.Skipped != 1 {
		t.Errorf("stats %+v, want %d written and 1 skipped", st, len(ds)-1)
	}
	var recs []*emitter.Record
	if err := emitter.ReadRecords(&out, func(r *emitter.Record) error { recs = append(recs, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(recs) != st.Written {
		t.Fatalf("read back %d records, wrote %d", len(recs), st.Written)
	}
	byID := map[int64]*Delivery{}
	for _, d := range ds {
		byID[d.ID] = d
	}
	for _, r := range recs {
		d := byID[r.Delivery]
		if d == nil || d.Payload == nil {
			t.Fatalf("record of delivery %d", r.Delivery)
		}
		if r.ID != d.DeliveryID || r.Event.Event != d.Event || r.Event.Provider != d.Provider || r.Event.OrderKey != d.Key ||
			!r.Time.Equal(d.ReceivedAt) || r.Attempt != 1 || r.Request == nil || !bytes.Equal(r.Request.Body, d.Body) ||
			r.Response == nil || r.Response.Status != 200 || r.URL != "http://hooks.example"+d.Path {
			t.Errorf("record %d = %+v", r.Delivery, r)
		}
		if !jsonEqual(t, r.Event.Payload, d.Payload) {
			t.Errorf("record %d payload differs", r.Delivery)
		}
		if r.Request.Header.Get("Authorization") != "" {
			t.Errorf("record %d carries a credential header", r.Delivery)
		}
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		t.Fatalf("not JSON: %s / %s", a, b)
	}
	ja, _ := json.Marshal(x)
	jb, _ := json.Marshal(y)
	return bytes.Equal(ja, jb)
}

// TestExportReplays: the export is what `orderhooks replay` reads. An
// exact replay resends the captured bytes, and the platform's receiver
// (same secret) accepts every one; a redacted export, replayed to a
// receiver with its own secret, is re-signed and accepted too.
func TestExportReplays(t *testing.T) {
	t.Parallel()
	s, w, ds := stored(t, 60)
	for _, tt := range []struct {
		name   string
		o      ExportOptions
		exact  bool
		secret string // "" for the capture's own
	}{
		{"exact", ExportOptions{Filter: Filter{Provider: generator.ProviderPhasio}}, true, ""},
		{"exact happycolis", ExportOptions{Filter: Filter{Provider: generator.ProviderHappyColis}}, true, ""},
		{"redacted, re-signed by replay", ExportOptions{Filter: Filter{Provider: generator.ProviderPhasio}, Redact: true}, false, "other"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			provider := tt.o.Filter.Provider
			p := w.profiles[provider]
			if tt.secret != "" {
				secret, _ := wire.NewSecret(provider, strings.NewReader(strings.Repeat("o", 64)))
				p, _ = wire.New(provider, []string{secret})
			}
			srv, err := receiver.Start(p)
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			var out bytes.Buffer
			st, err := s.Export(ctx, &out, tt.o)
			if err != nil {
				t.Fatal(err)
			}
			e, err := emitter.New(emitter.OneTarget(p, srv.URL+"/hooks"), emitter.WithTimeout(10*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			sum, err := e.Replay(context.Background(), &out, emitter.ReplayOptions{Exact: tt.exact})
			if err != nil {
				t.Fatal(err)
			}
			want := 0
			for _, d := range ds {
				if d.Provider == provider && d.Payload != nil {
					want++
				}
			}
			if st.Written != want || sum.OK != want || sum.Failed != 0 {
				t.Errorf("exported %d, replayed %d ok and %d failed; want %d ok", st.Written, sum.OK, sum.Failed, want)
			}
			if got := srv.Stats().Applied + srv.Stats().Duplicates + srv.Stats().Stale; int(got) != want {
				t.Errorf("the receiver accepted %d of %d: %+v", got, want, srv.Stats())
			}
		})
	}
}

// TestExportRedacted: no personal value of a captured payload is in its
// redacted record; every exported payload is exactly the store's
// redaction of its own capture (nothing of another delivery mixed in);
// the payloads still validate strictly; with Resign the request is
// rebuilt and verifies with the given secret, without it there is none.
//
// Each record is checked against its own delivery's personal values, which
// the redactor's leak guard keeps out of its pseudonyms whatever the salt.
// Values of other deliveries are not searched for in the text: the store's
// salt is random, and a pseudonym may spell another customer's postal code
// by chance (a made-up 5-digit code is some real code); that nothing
// crosses between deliveries is proved by the exact payload comparison.
func TestExportRedacted(t *testing.T) {
	t.Parallel()
	s, w, ds := stored(t, 60)
	byID := map[int64]*Delivery{}
	checked := 0
	for _, d := range ds {
		byID[d.ID] = d
		if d.Provider == generator.ProviderHappyColis {
			checked += len(personalValues(d))
		}
	}
	if checked < 50 {
		t.Fatalf("only %d personal values in the sample", checked)
	}
	red, err := s.Redactor()
	if err != nil {
		t.Fatal(err)
	}
	for _, resign := range []bool{false, true} {
		o := ExportOptions{Redact: true, Filter: Filter{Provider: generator.ProviderHappyColis}}
		if resign {
			o.Resign = w.profiles[generator.ProviderHappyColis]
		}
		var out bytes.Buffer
		st, err := s.Export(ctx, &out, o)
		if err != nil {
			t.Fatal(err)
		}
		read := 0
		err = emitter.ReadRecords(&out, func(r *emitter.Record) error {
			read++
			d := byID[r.Delivery]
			if d == nil || d.Payload == nil {
				t.Fatalf("record of delivery %d", r.Delivery)
			}
			want, _, err := red.Redact(d.Provider, d.Event, d.Payload)
			if err != nil {
				t.Fatal(err)
			}
			if !jsonEqual(t, r.Event.Payload, want) {
				t.Errorf("resign=%v: record %d's payload is not its capture redacted", resign, r.Delivery)
			}
			text := strings.ToLower(recordText(t, r))
			nonPersonal := strings.ToLower(nonPersonalText(t, r, d))
			for _, v := range personalValues(d) {
				if v = strings.ToLower(v); strings.Contains(text, v) && !strings.Contains(nonPersonal, v) {
					t.Errorf("resign=%v: %q of delivery %d is in its redacted record", resign, v, r.Delivery)
				}
			}
			name, _ := schemas.ForEvent(r.Event.Provider, r.Event.Event, true)
			if err := schemas.Validate(name, r.Event.Payload); err != nil {
				t.Errorf("redacted payload invalid: %v", err)
			}
			switch {
			case resign && r.Request == nil:
				t.Error("no request rebuilt")
			case resign:
				got, err := w.profiles[generator.ProviderHappyColis].Verify(r.Request.Header, r.Request.Body)
				if err != nil || !jsonEqual(t, envelopeBody(t, got.Payload), envelopeBody(t, r.Event.Payload)) {
					t.Errorf("rebuilt request: %v", err)
				}
			case r.Request != nil:
				t.Error("a redacted record carries the captured request")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if read != st.Written || read < 20 {
			t.Errorf("resign=%v: read %d records, %d written", resign, read, st.Written)
		}
	}
}

// personalValues are the values of a delivery's personal fields long
// enough for the leak guard (pii.GuardLength).
func personalValues(d *Delivery) []string {
	if d.Payload == nil {
		return nil
	}
	name, _ := schemas.ForEvent(d.Provider, d.Event, false)
	fields, _ := pii.Fields(name)
	var doc any
	json.Unmarshal(d.Payload, &doc)
	var out []string
	for _, f := range fields {
		for _, v := range testkit.StringsAt(doc, f.Pointer) {
			if len([]rune(v)) >= pii.GuardLength {
				out = append(out, v)
			}
		}
	}
	return out
}

// recordText is a record as exported, minus the signature header: a
// digest of the body (checked by verifying it), whose base64 may spell
// anything by chance.
func recordText(t *testing.T, r *emitter.Record) string {
	t.Helper()
	c := *r
	if r.Request != nil {
		req := *r.Request
		req.Header = r.Request.Header.Clone()
		req.Header.Del(wire.HappyColisSignatureHeader)
		c.Request = &req
	}
	b, err := json.Marshal(&c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func envelopeBody(t *testing.T, payload []byte) []byte {
	var env struct {
		Body json.RawMessage `json:"body"`
	}
	if err := json.Unmarshal(payload, &env); err != nil {
		t.Fatal(err)
	}
	return env.Body
}

// nonPersonalText is the text of a record that holds no personal data
// (a personal value may also appear there, by coincidence: a city in a
// carrier's name, a postal code in a message id): the record without its
// request and with its delivery's payload redacted under another salt. The
// leak guard keeps the payload's own personal values out of the
// pseudonyms whatever the salt, so what remains of them is in the other
// fields.
func nonPersonalText(t *testing.T, r *emitter.Record, d *Delivery) string {
	t.Helper()
	other, _ := pii.New(bytes.Repeat([]byte{1}, 32))
	c, ev := *r, *r.Event
	c.Request, c.Event = nil, &ev
	var err error
	if ev.Payload, _, err = other.Redact(d.Provider, d.Event, d.Payload); err != nil {
		t.Fatal(err)
	}
	return recordText(t, &c)
}
