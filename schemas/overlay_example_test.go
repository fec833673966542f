package schemas_test

import (
	"fmt"

	"github.com/orderhooks/orderhooks/schemas"
)

// An overlay teaches the schemas a field the documentation omits; the
// strict variant, derived from the patched document, accepts it too.
func ExampleOverlay_Apply() {
	o, err := schemas.ParseOverlay([]byte(`{
  "version": 1,
  "patches": {
    "happycolis/order-event": [
      {"op": "add", "path": "/properties/body/properties/lines/items/properties/status/enum/-", "value": "RETURNED"}
    ]
  }
}`), "returned.json")
	if err != nil {
		panic(err)
	}
	set, err := o.Apply()
	if err != nil {
		panic(err)
	}
	line := `{"header":{"organizationId":"070a4c96-2d5e-4299-95dc-23133bcc238a","messageId":"19e694ad-ada0-4ea4-a8f9-9a9778a1f971","webhookId":"5665e840-2729-459b-8128-653567df6e5b","type":"order/updated","date":"2025-06-15T08:00:02.174Z"},"body":{"lines":[{"status":"RETURNED"}]}}`
	for _, s := range []string{"embedded", "with the overlay"} {
		var err error
		if s == "embedded" {
			err = schemas.Validate(schemas.HappyColisOrderEventStrict, []byte(line))
		} else {
			err = set.Validate(schemas.HappyColisOrderEventStrict, []byte(line))
		}
		status := "ok"
		if ve, ok := err.(*schemas.ValidationError); ok {
			for _, v := range ve.Violations {
				if v.Pointer == "/body/lines/0/status" {
					status = v.Message
				}
			}
		}
		fmt.Printf("%s: /body/lines/0/status %s\n", s, status)
	}
	// Output:
	// embedded: /body/lines/0/status value must be one of 'PENDING', 'ACCEPTED', 'IN_PROGRESS', 'FULFILLED', 'DELIVERED', 'CANCELED'
	// with the overlay: /body/lines/0/status ok
}
