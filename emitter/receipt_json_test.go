package emitter

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// goldenJSON compares v's JSON (indented) and, when text is not "", a
// text form with testdata/<test name>.golden.json; -update rewrites it.
func goldenJSON(t *testing.T, v any, text string) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got := text + string(b) + "\n"
	path := filepath.Join("testdata", t.Name()+".golden.json")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if got != string(want) {
		t.Fatalf("%s differs from %s:\n%s", t.Name(), path, got)
	}
}

// TestReceiptJSON pins a receipt's record line and its text line: both are
// stage boundaries others read (receive --record, receive's output).
func TestReceiptJSON(t *testing.T) {
	rc := Receipt{
		Time: time.Date(2025, 6, 15, 8, 0, 0, 123e6, time.UTC), ID: "5f0c8a52-7e7d-4d51-9a0f-3f1c2b8e4a11",
		Event: "order/updated", OrderKey: "ord_42", Status: 401, Outcome: ReceiptRejected,
		Reason: "signature mismatch", ResponseError: "the answer was not sent: broken pipe",
		Payload: json.RawMessage(`{"never":"recorded"}`),
	}
	goldenJSON(t, []Receipt{rc, {Time: rc.Time, Status: 200, Outcome: ReceiptApplied}}, rc.String()+"\n")
}
