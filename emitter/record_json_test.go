package emitter

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/wire"
)

// TestRecordJSON pins a record line, the stage boundary replay and other
// tools read: field names, a body that is not UTF-8 as base64.
func TestRecordJSON(t *testing.T) {
	t.Parallel()
	rec := Record{
		Time: time.Date(2025, 6, 15, 8, 0, 0, 0, time.UTC), Delivery: 3, ID: "5f0c8a52-7e7d-4d51-9a0f-3f1c2b8e4a11", Attempt: 2,
		URL: "http://127.0.0.1:8787/hooks",
		Event: &generator.Event{Seq: 7, Provider: "phasio", Event: "ORDER_UPDATED", OrderKey: "42",
			At: time.Date(2025, 6, 15, 7, 0, 0, 0, time.UTC), Payload: json.RawMessage(`{"orderId":42}`), Scenario: "phasio/quote-to-paid", Step: "paid"},
		Faults: []wire.Fault{wire.FaultDuplicate, wire.FaultDelay}, Delay: 1500 * time.Millisecond,
		Request:  &RecordedRequest{Header: http.Header{"X-Phasio-Signature": {"ab12"}, "Authorization": {Redacted}}, Body: Bytes(`{"payload":"x"}`)},
		Response: &RecordedResponse{Status: 500, Header: http.Header{"Retry-After": {"1"}}, Body: Bytes{0xff, 0xfe}, Truncated: true},
		Latency:  25 * time.Millisecond, Error: "",
	}
	testkit.GoldenJSON(t, []Record{rec, {Time: rec.Time, Delivery: 4, ID: rec.ID, URL: rec.URL, Event: rec.Event, Error: "blocked: an earlier delivery exhausted its retries"}}, "")
}
