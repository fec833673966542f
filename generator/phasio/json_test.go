package phasio_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/orderhooks/orderhooks/generator/phasio"
)

// BenchmarkAppendJSON writes the seed's example order (one part) into a
// reused buffer: the payload writing of every generated Phasio event.
//
//	go test ./generator/phasio -run '^$' -bench AppendJSON -benchmem
func BenchmarkAppendJSON(b *testing.B) {
	raw, err := os.ReadFile(filepath.Join("testdata", "seed-order-created.json"))
	if err != nil {
		b.Fatal(err)
	}
	var o phasio.Order
	if err := json.Unmarshal(raw, &o); err != nil {
		b.Fatal(err)
	}
	buf := o.AppendJSON(nil)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf = o.AppendJSON(buf[:0])
	}
}
