package main

import (
	"testing"

	"github.com/orderhooks/orderhooks/internal/testkit"
)

// update is testkit's -update flag: go test ./cmd/orderhooks -update
// rewrites the golden files instead of comparing.
var update = testkit.Update

// golden compares got with testdata/name (by convention
// "<TestName>.golden.<ext>"), or writes it there when -update is given.
func golden(t *testing.T, name, got string) {
	t.Helper()
	testkit.Golden(t, name, []byte(got))
}
