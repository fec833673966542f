package receiver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/provider"
	"github.com/orderhooks/orderhooks/wire"
)

// TestReceiverFromDefinition: a receiver of a provider described in a
// file tells its events apart by the definition's header, keys orders by
// its key pointer, validates payloads against its events' schemas and
// orders snapshots by its event time.
func TestReceiverFromDefinition(t *testing.T) {
	t.Parallel()
	def, err := provider.Load(filepath.Join(testkit.Root(t), "testdata", "providers", "shop.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	secret, err := wire.NewDefinitionSecret(def, "", testkit.Rand(1))
	if err != nil {
		t.Fatal(err)
	}
	p, err := wire.Compile(def, secret, wire.WithClock(testkit.Clock))
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(p, WithClock(testkit.Clock))
	if err != nil {
		t.Fatal(err)
	}
	order := func(status, updated string) []byte {
		return []byte(`{"id":"ord_0123456789ab","status":"` + status + `","total":12.5,"currency":"EUR","email":"a@example.com",` +
			`"createdAt":"2025-06-15T07:00:00Z","updatedAt":"` + updated + `"}`)
	}
	post := func(event string, payload []byte, id string) (int, string) {
		t.Helper()
		req, err := p.Build(&wire.Message{Event: &generator.Event{Event: event, Payload: payload}, ID: id, Time: testkit.Time}, wire.FaultNone)
		if err != nil {
			t.Fatal(err)
		}
		hr := httptest.NewRequest(http.MethodPost, "/hooks", bytes.NewReader(req.Body))
		hr.Header = req.Header
		w := httptest.NewRecorder()
		r.ServeHTTP(w, hr)
		return w.Code, w.Body.String()
	}
	steps := []struct {
		event   string
		payload []byte
		id      string
		code    int
		says    string
	}{
		{"order_created", order("pending", "2025-06-15T07:00:00Z"), "evt_1", 200, "applied"},
		{"order_paid", order("paid", "2025-06-15T07:30:00Z"), "evt_2", 200, "applied"},
		{"order_paid", order("paid", "2025-06-15T07:30:00Z"), "evt_2", 200, "duplicate"},
		{"order_created", order("pending", "2025-06-15T07:00:00Z"), "evt_3", 200, "stale"},
		{"order_refunded", order("paid", "2025-06-15T07:40:00Z"), "evt_4", 400, `unknown event \"order/refunded\" (shop: order/created, order/paid, order/fulfilled, order/cancelled)`},
		{"order_paid", []byte(`{"id":"ord_0123456789ab","status":"lost"}`), "evt_5", 400, "status"},
	}
	for _, st := range steps {
		code, body := post(st.event, st.payload, st.id)
		if code != st.code || !strings.Contains(body, st.says) {
			t.Fatalf("%s %s: %d %s, want %d and %q", st.event, st.id, code, body, st.code, st.says)
		}
	}
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/orders/ord_0123456789ab", nil))
	var got struct{ Status string }
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || got.Status != "paid" {
		t.Fatalf("GET /orders: %d %s", w.Code, w.Body)
	}
}
