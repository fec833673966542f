package emitter

import (
	"testing"

	"github.com/orderhooks/orderhooks/internal/testkit/parallel"
)

// TestMain lets the parallel tests run all at once: their CPU is under a
// second in all, and the longest of them wait on servers, timeouts and
// Retry-After answers (a second each), which then overlap.
func TestMain(m *testing.M) { parallel.Main(m, 64) }
