package splitmix

import (
	"math/rand/v2"
	"testing"
)

// TestMix pins SplitMix64's outputs: the first values of the reference
// generator seeded with 0 (Vigna's splitmix64.c), which advances its state
// by Gamma and returns the finaliser of the new state.
func TestMix(t *testing.T) {
	want := []uint64{0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f}
	var state uint64
	for i, w := range want {
		if got := Mix(state); got != w {
			t.Errorf("value %d: %#x, want %#x", i, got, w)
		}
		state += Gamma
	}
}

// TestSeed: a (seed, stream) pair always gives the same stream, and
// neighbours give others.
func TestSeed(t *testing.T) {
	first := func(seed int64, stream uint64) uint64 {
		var p rand.PCG
		Seed(&p, seed, stream)
		return p.Uint64()
	}
	a := first(7, 1)
	if again := first(7, 1); again != a {
		t.Fatal("the same seed and stream gave two streams")
	}
	if a == first(8, 1) || a == first(7, 2) {
		t.Fatal("neighbouring seeds or streams gave the same stream")
	}
}
