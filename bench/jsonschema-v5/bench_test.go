// Package bench compares the JSON Schema validator orderhooks uses
// (santhosh-tekuri/jsonschema v6, through package schemas) with v5 of the
// same library on the same schema and document, in the same run.
package bench

import (
	"bytes"
	"os"
	"testing"

	jsonschemav5 "github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/orderhooks/orderhooks/schemas"
)

// examplePath is the Order Created example of Phasio's documentation, as
// the schemas package's tests keep it (go test runs in this directory).
const examplePath = "../../schemas/testdata/examples/phasio-order-created.json"

// BenchmarkValidate measures the whole path a document takes (decode with
// exact numbers, then validate) with v6 (package schemas) and with v5 on
// the same schema document; decode alone is the share both pay. Run with
// -cpu 1: the target is >= 7,000 documents/s on one core.
func BenchmarkValidate(b *testing.B) {
	doc, err := os.ReadFile(examplePath)
	if err != nil {
		b.Fatalf("the example document: %v", err)
	}
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
	b.Run("v5", func(b *testing.B) {
		c := jsonschemav5.NewCompiler()
		c.Draft = jsonschemav5.Draft2020
		c.AssertFormat = true
		const url = "https://orderhooks.dev/schemas/phasio/order.json"
		if err := c.AddResource(url, bytes.NewReader(schemas.MustGet(schemas.PhasioOrder).Source())); err != nil {
			b.Fatal(err)
		}
		s := c.MustCompile(url)
		benchDocs(b, doc, func() error {
			v, err := schemas.Decode(doc)
			if err != nil {
				return err
			}
			return s.Validate(v)
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
