package schemagen_test

import (
	"fmt"
	"strings"
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

// wideObject is an object schema of n properties, every other one
// required: the schema BenchmarkGenerateWide generates from.
func wideObject(n int) []byte {
	var props, req strings.Builder
	for i := range n {
		if i > 0 {
			props.WriteByte(',')
		}
		fmt.Fprintf(&props, `"p%d":{"type":"integer","minimum":0,"maximum":9}`, i)
		if i%2 == 0 {
			if req.Len() > 0 {
				req.WriteByte(',')
			}
			fmt.Fprintf(&req, `"p%d"`, i)
		}
	}
	return []byte(`{"type":"object","properties":{` + props.String() + `},"required":[` + req.String() + `]}`)
}

// BenchmarkGenerateWide generates from objects of 1,000 and 10,000
// properties: the time per payload grows with the number of properties,
// not with its square (docs/benchmarks.md).
//
//	go test -run XXX -bench GenerateWide ./generator/schemagen
func BenchmarkGenerateWide(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("props=%d", n), func(b *testing.B) {
			g, err := schemagen.New(wideObject(n), schemagen.WithMaxBytes(1<<24))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := g.Generate(int64(i)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/prop")
		})
	}
}
