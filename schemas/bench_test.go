package schemas_test

import (
	"bytes"
	"fmt"
	"strings"
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

// BenchmarkViolationLines finds the lines of 2,000 violations' pointers
// in a pretty-printed 400-part order (about 400 KB): one walk of the
// document. Looking each pointer up alone walked it once per violation,
// which made a 4 MiB document with 100,000 violations cost hours.
func BenchmarkViolationLines(b *testing.B) {
	var doc bytes.Buffer
	var pointers []string
	doc.WriteString("{\n  \"parts\": [\n")
	for i := range 400 {
		if i > 0 {
			doc.WriteString(",\n")
		}
		doc.WriteString("    {\n")
		for j := range 5 {
			fmt.Fprintf(&doc, "      \"f%d\": \"%s\",\n", j, strings.Repeat("x", 150))
			pointers = append(pointers, fmt.Sprintf("/parts/%d/f%d", i, j))
		}
		doc.WriteString("      \"end\": true\n    }")
	}
	doc.WriteString("\n  ]\n}\n")
	b.SetBytes(int64(doc.Len()))
	for b.Loop() {
		if lines := schemas.LinesOf(doc.Bytes(), pointers); lines[len(lines)-1] < 2000 {
			b.Fatalf("last line %d", lines[len(lines)-1])
		}
	}
}
