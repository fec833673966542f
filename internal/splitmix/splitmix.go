// Package splitmix is SplitMix64's finaliser, the one way orderhooks
// spreads seeds, positions and keys over 64 bits: the generators' random
// streams, the emitter's message ids and the reconciler's follow sample
// all derive from it, so the same seed gives the same bytes everywhere.
package splitmix

import "math/rand/v2"

// Gamma is SplitMix64's increment, 2^64 divided by the golden ratio.
const Gamma = 0x9e3779b97f4a7c15

// Mix returns x scrambled: nearby inputs give unrelated outputs.
func Mix(x uint64) uint64 {
	x += Gamma
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// Seed restarts p as the random stream number stream of seed: nearby
// seeds and streams give unrelated streams.
func Seed(p *rand.PCG, seed int64, stream uint64) {
	p.Seed(Mix(uint64(seed)), Mix(stream^Gamma))
}
