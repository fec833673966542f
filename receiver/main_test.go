package receiver

import (
	"testing"

	"github.com/orderhooks/orderhooks/internal/testkit/parallel"
)

// TestMain lets the parallel tests run all at once: the forward and
// shutdown tests wait on apps that answer late or never and on stops,
// which then overlap the tests that compute.
func TestMain(m *testing.M) { parallel.Main(m, 32) }
