package receiver_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/receiver"
	"github.com/orderhooks/orderhooks/wire"
)

// A Receiver on a loopback port verifies deliveries, answers with a JSON
// reason and serves the newest snapshot of each order.
func ExampleStart() {
	secret := "whsec_GcjnwiDmyCgUHpS4wKV83G/FQGAri1KOgpe87HSOemI="
	p, _ := wire.NewStandard([]string{secret})
	srv, err := receiver.Start(p, receiver.WithValidation(false))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	client := &http.Client{Timeout: 5 * time.Second}
	ev := &generator.Event{Event: generator.PhasioOrderUpdated, Payload: []byte(`{"orderId":42,"paymentStatus":"PAID"}`)}
	msg := &wire.Message{Event: ev, ID: "msg_1", Time: time.Now()}
	for _, fault := range []wire.Fault{wire.FaultNone, wire.FaultDuplicate, wire.FaultBadSignature} {
		req, _ := p.Build(msg, fault)
		hreq, _ := http.NewRequest(http.MethodPost, srv.URL+"/webhooks", bytes.NewReader(req.Body))
		hreq.Header = req.Header
		resp, err := client.Do(hreq)
		if err != nil {
			fmt.Println(err)
			return
		}
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("%d %s", resp.StatusCode, answer)
	}
	resp, err := client.Get(srv.URL + "/orders/42")
	if err != nil {
		fmt.Println(err)
		return
	}
	order, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Printf("%d %s\n", resp.StatusCode, order)
	fmt.Printf("%+v\n", srv.Stats())
	// Output:
	// 200 {"ok":true,"outcome":"applied"}
	// 200 {"ok":true,"outcome":"duplicate"}
	// 401 {"ok":false,"error":"signature mismatch"}
	// 200 {"orderId":42,"paymentStatus":"PAID"}
	// {Received:3 Applied:1 Duplicates:1 Stale:0 Unauthorized:1 BadRequest:0 TooLarge:0 Busy:0 Internal:0 Unanswered:0 NotStored:0 StoreError: Forwarded:0 ForwardOK:0 ForwardFailed:0 Orders:1}
}
