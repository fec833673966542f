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

// TestExportRedacted: no personal value of the captured payloads is in a
// redacted export; its payloads still validate strictly; with Resign the
// request is rebuilt and verifies with the given secret, without it there
// is none.
func TestExportRedacted(t *testing.T) {
	s, w, ds := stored(t, 60)
	var personal []string
	for _, d := range ds {
		if d.Payload == nil {
			continue
		}
		name, _ := schemas.ForEvent(d.Provider, d.Event, false)
		fields, _ := pii.Fields(name)
		var doc any
		json.Unmarshal(d.Payload, &doc)
		for _, f := range fields {
			for _, v := range valuesAt(doc, strings.Split(f.Pointer, "/")[1:]) {
				if len(v) >= pii.GuardLength {
					personal = append(personal, v)
				}
			}
		}
	}
	if len(personal) < 50 {
		t.Fatalf("only %d personal values in the sample", len(personal))
	}
	for _, resign := range []bool{false, true} {
		o := ExportOptions{Redact: true, Filter: Filter{Provider: generator.ProviderHappyColis}}
		if resign {
			o.Resign = w.profiles[generator.ProviderHappyColis]
		}
		var out bytes.Buffer
		if _, err := s.Export(ctx, &out, o); err != nil {
			t.Fatal(err)
		}
		text := strings.ToLower(out.String())
		for _, v := range personal {
			if strings.Contains(text, strings.ToLower(v)) && !strings.Contains(strings.ToLower(string(unredactedNonPersonal(ds))), strings.ToLower(v)) {
				t.Errorf("resign=%v: %q is in the redacted export", resign, v)
			}
		}
		err := emitter.ReadRecords(&out, func(r *emitter.Record) error {
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
	}
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

// unredactedNonPersonal is the text of the payloads' fields that are not
// personal (a personal value may also appear there, by coincidence: a
// city in a carrier's name).
func unredactedNonPersonal(ds []*Delivery) []byte {
	var b bytes.Buffer
	r, _ := pii.New(bytes.Repeat([]byte{1}, 32))
	for _, d := range ds {
		if d.Payload == nil {
			continue
		}
		red, _, _ := r.Redact(d.Provider, d.Event, d.Payload)
		b.Write(red)
	}
	return b.Bytes()
}

func valuesAt(v any, toks []string) []string {
	if len(toks) == 0 {
		if s, ok := v.(string); ok {
			return []string{s}
		}
		return nil
	}
	switch x := v.(type) {
	case map[string]any:
		return valuesAt(x[toks[0]], toks[1:])
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, valuesAt(e, toks[1:])...)
		}
		return out
	}
	return nil
}
