package capture

import (
	"testing"

	"github.com/orderhooks/orderhooks/internal/testkit/parallel"
)

// TestMain lets the parallel tests run all at once: the watch tests wait
// on WatchInterval's polls for a second and more, which then overlaps the
// tests that compute.
func TestMain(m *testing.M) { parallel.Main(m, 32) }
