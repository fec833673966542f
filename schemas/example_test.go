package schemas_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/orderhooks/orderhooks/schemas"
)

func ExampleValidate() {
	doc := []byte(`{"header": {"organizationId": "org_a1b2c3d4-e5f6-7890-abcd-ef1234567890",
		"messageId": "not-a-uuid", "webhookId": "c3d4e5f6-a7b8-9012-cdef-123456789012",
		"type": "order/shipped", "date": "2024-03-15T11:05:00.000Z"}}`)
	err := schemas.Validate(schemas.HappyColisOrderEvent, doc)
	var ve *schemas.ValidationError
	if errors.As(err, &ve) {
		for _, v := range ve.Violations {
			fmt.Println(v)
		}
	}
	// Output:
	// /body: required field is missing
	// /header/messageId: 'not-a-uuid' is not valid uuid: must have 5 elements
	// /header/type: value must be one of 'order/created', 'order/updated', 'order/opened', 'order/completed', 'order/cancelled'
}

func ExampleForEvent() {
	name, _ := schemas.ForEvent("phasio", "QUOTE_CONVERTED", true)
	fmt.Println(name)
	// Output:
	// phasio/quote-converted-strict
}

func ExampleCompile() {
	s, err := schemas.Compile("report/v1", []byte(`{"type": "object", "required": ["passed"],
		"properties": {"passed": {"type": "integer", "minimum": 0}}}`))
	if err != nil {
		panic(err)
	}
	fmt.Println(s.ValidateJSON([]byte(`{"passed": -1}`)))
	// Output:
	// report/v1: /passed: must be >= 0, got -1
}

func ExampleReadDocuments() {
	in := strings.NewReader("{\"orderId\": 1}\n{\"orderId\": \n[]\n")
	_ = schemas.ReadDocuments(in, func(d schemas.Document) error {
		fmt.Println(d.Line, d.Value, d.Err)
		return nil
	})
	// Output:
	// 1 map[orderId:1] <nil>
	// 2 <nil> schemas: invalid JSON: line 2 column 13: unexpected EOF
	// 3 [] <nil>
}

func ExampleLineOf() {
	doc := []byte("{\n  \"parts\": [\n    {\"quantity\": \"100\"}\n  ]\n}")
	fmt.Println(schemas.LineOf(doc, "/parts/0/quantity"))
	// Output:
	// 3
}
