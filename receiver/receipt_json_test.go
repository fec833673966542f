package receiver

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/internal/testkit"
)

// TestReceiptJSON pins a receipt's record line and its text line: both are
// stage boundaries others read (receive --record, receive's output).
func TestReceiptJSON(t *testing.T) {
	t.Parallel()
	rc := Receipt{
		Time: time.Date(2025, 6, 15, 8, 0, 0, 123e6, time.UTC), ID: "5f0c8a52-7e7d-4d51-9a0f-3f1c2b8e4a11",
		Event: "order/updated", OrderKey: "ord_42", Status: 401, Outcome: Rejected,
		Reason: "signature mismatch", ResponseError: "the answer was not sent: broken pipe",
		Payload: json.RawMessage(`{"never":"recorded"}`),
	}
	testkit.GoldenJSON(t, []Receipt{rc, {Time: rc.Time, Status: 200, Outcome: Applied}}, rc.String()+"\n")
}
