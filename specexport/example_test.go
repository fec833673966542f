package specexport_test

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/orderhooks/orderhooks/provider"
	"github.com/orderhooks/orderhooks/specexport"
)

// Export describes a provider's events for the tools that read OpenAPI:
// here Standard Webhooks, each event a webhooks entry whose request body
// is the {type, timestamp, data} envelope (data: the Phasio or HappyColis
// payload schema, a component) and whose header parameters are the
// signature, the message id and the timestamp.
func ExampleExport() {
	doc, err := specexport.Export(provider.MustBuiltin("standard"), specexport.OpenAPI)
	if err != nil {
		fmt.Println(err)
		return
	}
	var d struct {
		OpenAPI  string `json:"openapi"`
		Webhooks map[string]struct {
			Post struct {
				Parameters []struct {
					Ref string `json:"$ref"`
				} `json:"parameters"`
			} `json:"post"`
		} `json:"webhooks"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(doc.JSON(), &d); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("openapi", d.OpenAPI)
	var names []string
	for name := range d.Webhooks {
		names = append(names, name)
	}
	sort.Strings(names)
	fmt.Println("webhooks:", names)
	for _, p := range d.Webhooks["order.updated"].Post.Parameters {
		fmt.Println("order.updated header:", p.Ref)
	}
	fmt.Println(len(d.Components.Schemas), "payload schemas")
	// Output:
	// openapi 3.1.0
	// webhooks: [order order.cancelled order.completed order.created order.opened order.updated quote.converted]
	// order.updated header: #/components/parameters/webhook-signature
	// order.updated header: #/components/parameters/webhook-id
	// order.updated header: #/components/parameters/webhook-timestamp
	// 4 payload schemas
}
