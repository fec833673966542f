package provider_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/orderhooks/orderhooks/provider"
)

// BenchmarkCheckGitHub reads the GitHub definition (its 4.8 MB OpenAPI
// document, 259 events) and checks it: every event's schema compiled, a
// payload generated and validated. The work of `orderhooks provider check`
// less the self-test of signing (docs/benchmarks.md).
//
//	go test ./provider -run '^$' -bench CheckGitHub -benchtime 2x -benchmem -memprofile mem.out
func BenchmarkCheckGitHub(b *testing.B) {
	for b.Loop() {
		d, err := provider.Load(filepath.Join("..", "testdata", "specs", "github.provider.yaml"))
		if err != nil {
			b.Fatal(err)
		}
		if err := d.Check(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
