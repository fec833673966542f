package schemas_test

import (
	"testing"

	"github.com/orderhooks/orderhooks/schemas"
)

// BenchmarkValidate measures the whole path a document takes (decode with
// exact numbers, then validate) on the Order Created example of Phasio's
// documentation; decode alone is the share every validator pays. The
// comparison with jsonschema v5 is in the module bench/jsonschema-v5.
// Run with -cpu 1: the target is >= 7,000 documents/s on one core.
func BenchmarkValidate(b *testing.B) {
	doc := readExample(b, "phasio-order-created.json")
	b.Run("v6", func(b *testing.B) {
		s := schemas.MustGet(schemas.PhasioOrder)
		benchDocs(b, doc, func() error { return s.ValidateJSON(doc) })
	})
	b.Run("decode", func(b *testing.B) {
		benchDocs(b, doc, func() error {
			_, err := schemas.Decode(doc)
			return err
		})
	})
}

func benchDocs(b *testing.B, doc []byte, validate func() error) {
	if err := validate(); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := validate(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}
