package generator

import (
	"encoding/binary"
	"math/rand/v2"

	"github.com/brianvoe/gofakeit/v7"

	"github.com/orderhooks/orderhooks/internal/ids"
	"github.com/orderhooks/orderhooks/internal/splitmix"
)

// rng is the randomness of one order (or one customer): a PCG seeded from
// the run's seed and the order's index, shared by math/rand and gofakeit
// so both advance one stream. Orders therefore do not depend on each other's
// draws, and re-seeding costs nothing.
type rng struct {
	pcg  rand.PCG
	r    *rand.Rand
	fake *gofakeit.Faker
}

func newRNG() *rng {
	g := &rng{}
	g.r = rand.New(&g.pcg)
	// NewFaker rather than gofakeit.New: New(0) would seed from crypto/rand.
	g.fake = gofakeit.NewFaker(&g.pcg, false)
	return g
}

// seed restarts the stream for (seed, stream).
func (g *rng) seed(seed int64, stream uint64) {
	splitmix.Seed(&g.pcg, seed, stream)
}

// intn returns 0 ≤ n' < n.
func (g *rng) intn(n int) int { return g.r.IntN(n) }

// between returns lo ≤ v ≤ hi.
func (g *rng) between(lo, hi int64) int64 { return lo + g.r.Int64N(hi-lo+1) }

// chance is true with probability p.
func (g *rng) chance(p float64) bool { return g.r.Float64() < p }

// uniform returns lo ≤ v < hi.
func (g *rng) uniform(lo, hi float64) float64 { return lo + g.r.Float64()*(hi-lo) }

func pick[T any](g *rng, xs []T) T { return xs[g.r.IntN(len(xs))] }

// digits replaces '#' with a digit and '?' with an upper-case letter.
func (g *rng) digits(template string) string {
	b := []byte(template)
	for i, c := range b {
		switch c {
		case '#':
			b[i] = byte('0' + g.intn(10))
		case '?':
			b[i] = byte('A' + g.intn(26))
		}
	}
	return string(b)
}

// uuid returns a random version 4 UUID.
func (g *rng) uuid() string {
	var u [16]byte
	binary.LittleEndian.PutUint64(u[:8], g.r.Uint64())
	binary.LittleEndian.PutUint64(u[8:], g.r.Uint64())
	return ids.UUID(u)
}

func ptr[T any](v T) *T { return &v }

// Streams split one seed into independent sequences: each order run, each
// customer and the arrival clock draw from their own.
const (
	streamRuns      = 0       // + run index
	streamCustomers = 1 << 40 // + customer index
	streamWorld     = 1 << 41 // arrival times, merchant identity
)
