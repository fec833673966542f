package capture_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/orderhooks/orderhooks/capture"
)

// Store a delivery as a receiver would, then list the store.
func ExampleStore_Put() {
	dir, _ := os.MkdirTemp("", "capture-example")
	defer os.RemoveAll(dir)
	s, err := capture.Open(filepath.Join(dir, "capture.db"))
	if err != nil {
		panic(err)
	}
	defer s.Close()
	ctx := context.Background()
	at := time.Date(2025, 6, 15, 8, 0, 0, 0, time.UTC)
	for i, status := range []int{200, 401} {
		d := &capture.Delivery{
			ReceivedAt: at.Add(time.Duration(i) * time.Second), Method: "POST", Path: "/hooks/phasio",
			Header:   http.Header{"X-Phasio-Signature": {"9f86d0…"}, "Authorization": {"Bearer secret"}},
			Body:     []byte(`{"payload":"…"}`),
			Provider: "phasio", Event: "ORDER_UPDATED", Key: "73244", Status: status,
			Signature: capture.SignatureOK, Decryption: capture.DecryptionOK, Payload: []byte(`{"orderId":73244}`),
		}
		if status == 401 {
			d.Signature, d.Decryption, d.Payload, d.Reason = capture.SignatureBad, "", nil, "signature mismatch"
		}
		if _, err := s.Put(ctx, d); err != nil {
			panic(err) // a receiver answers 503
		}
	}
	page, _ := s.List(ctx, capture.Filter{}, capture.ListOptions{})
	for _, d := range page.Deliveries {
		fmt.Println(d.ID, d.ReceivedAt.Format(time.TimeOnly), d.Event, d.Key, d.Verdict, d.Status)
	}
	d, _ := s.Get(ctx, 1)
	fmt.Printf("stored headers: %v\n", d.Header)
	// Output:
	// 2 08:00:01 ORDER_UPDATED 73244 signature-bad 401
	// 1 08:00:00 ORDER_UPDATED 73244 ok 200
	// stored headers: map[X-Phasio-Signature:[9f86d0…]]
}

// A file that is not a capture store is refused, and left as it was.
func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "capture-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "orders.jsonl")
	os.WriteFile(path, []byte(`{"seq":1}`+"\n"), 0o644)
	_, err := capture.Open(path)
	fmt.Println(filepath.Base(err.(*capture.Error).Path), "-", err.(*capture.Error).Err, "-", err.(*capture.Error).Msg)
	// Output:
	// orders.jsonl - not an orderhooks capture store - not an SQLite database
}
