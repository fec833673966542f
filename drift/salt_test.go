package drift_test

import (
	"errors"
	"testing"

	"github.com/orderhooks/orderhooks/drift"
	"github.com/orderhooks/orderhooks/pii"
)

// TestSalt: WithSalt keys the examples' pseudonyms, so it takes what
// pii.New takes: a salt shorter than pii.MinSaltSize is refused.
func TestSalt(t *testing.T) {
	if _, err := drift.New(drift.WithSalt(make([]byte, pii.MinSaltSize-1))); !errors.Is(err, pii.ErrSalt) {
		t.Errorf("short salt: %v, want pii.ErrSalt", err)
	}
	if _, err := drift.New(drift.WithSalt(pii.NewSalt())); err != nil {
		t.Errorf("a fresh salt: %v", err)
	}
}
