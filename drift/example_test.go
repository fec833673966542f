package drift_test

import (
	"fmt"
	"os"

	"github.com/orderhooks/orderhooks/drift"
)

// Two HappyColis payloads, one of which has a line status the
// documentation does not list and a field it does not mention.
func ExampleAnalyzer_Report() {
	a, err := drift.New()
	if err != nil {
		panic(err)
	}
	header := `"header":{"organizationId":"070a4c96-2d5e-4299-95dc-23133bcc238a","messageId":"19e694ad-ada0-4ea4-a8f9-9a9778a1f971","webhookId":"5665e840-2729-459b-8128-653567df6e5b","type":"order/updated","date":"2025-06-15T08:00:02.174Z"}`
	for i, status := range []string{`"PENDING"`, `"RETURNED","returnReason":"too small"`} {
		payload := `{` + header + `,"body":{"lines":[{"status":` + status + `}]}}`
		if err := a.Add("happycolis", "order/updated", []byte(payload), []string{"first", "second"}[i]); err != nil {
			panic(err)
		}
	}
	r := a.Report()
	// Only the lines' fields: the bodies above are far from complete.
	for _, e := range r.Events {
		var keep []drift.Finding
		for _, f := range e.Findings {
			if f.Kind != drift.KindMissing {
				keep = append(keep, f)
			}
		}
		e.Findings = keep
	}
	_ = r.WriteText(os.Stdout, drift.TextOptions{})
	// Output:
	// drift: 2 payloads: 2 deviations
	//   happycolis order/updated 2
	//
	// Values outside the documented enum (a switch over the documented values misses them)
	//   happycolis order/updated /body/lines/*/status: "RETURNED" in 1 of 2 deliveries (50%); expected one of "PENDING", "ACCEPTED", "IN_PROGRESS", "FULFILLED", "DELIVERED", "CANCELED"
	//       e.g. /body/lines/0/status = "RETURNED" (second)
	//
	// Undocumented fields (strict receivers reject them; tolerant ones ignore them)
	//   happycolis order/updated /body/lines/*/returnReason: string in 1 of 2 deliveries (50%)
	//       e.g. /body/lines/0/returnReason = "xxx xxxxx" (second)
}

// The overlay of a report teaches the schemas what the platform sent.
func ExampleReport_Overlay() {
	a, _ := drift.New()
	_ = a.Add("phasio", "ORDER", []byte(`{"orderId":1,"leadTimeDays":12}`), "one")
	o, _ := a.Report().Overlay()
	for _, op := range o.Patches["phasio/order"] {
		if op.Op == "add" {
			fmt.Println(op.Op, op.Path, string(op.Value))
		}
	}
	// Output:
	// add /properties/leadTimeDays {"description":"Not in the platform's documentation: seen in 1 of 1 phasio ORDER payloads (orderhooks drift).","type":"integer","examples":[12]}
}
