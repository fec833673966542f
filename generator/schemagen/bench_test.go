package schemagen_test

import (
	"testing"

	"github.com/orderhooks/orderhooks/generator/schemagen"
)

// tenFields is the object of the documented throughput figure: ten
// properties of every common kind (formats, enum, bounds, pattern, a
// nested object and an array).
const tenFields = `{
  "type": "object",
  "required": ["id", "email", "name", "status", "total", "currency", "quantity", "created_at", "address", "tags"],
  "properties": {
    "id": {"type": "string", "format": "uuid"},
    "email": {"type": "string", "format": "email"},
    "name": {"type": "string", "minLength": 1, "maxLength": 80},
    "status": {"enum": ["pending", "paid", "shipped", "cancelled"]},
    "total": {"type": "number", "minimum": 0, "multipleOf": 0.01},
    "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
    "quantity": {"type": "integer", "minimum": 1, "maximum": 100},
    "created_at": {"type": "string", "format": "date-time"},
    "address": {"type": "object", "required": ["city", "country"], "properties": {"city": {"type": "string"}, "country": {"type": "string", "minLength": 2, "maxLength": 2}}},
    "tags": {"type": "array", "maxItems": 3, "items": {"type": "string"}}
  }
}`

func BenchmarkGenerateTenFields(b *testing.B) {
	g, err := schemagen.New([]byte(tenFields))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := g.Generate(int64(i)); err != nil {
			b.Fatal(err)
		}
	}
}
