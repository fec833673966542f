// Package testwire builds the wire profiles the tests of the packages
// above wire use (emitter, receiver, contracts, the CLI), with testkit's
// secrets, seeded randomness and clock. Only tests import it.
package testwire

import (
	"net/http"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/wire"
)

// Profile returns the named profile with testkit's secret for it, a
// source of randomness seeded with 1 and, for Standard Webhooks, a clock
// at testkit.Time.
func Profile(t testing.TB, name string) wire.Profile {
	t.Helper()
	return build(t, name, testkit.Secret(name), testkit.Clock, wire.WithRand(testkit.Rand(1)))
}

// Vector returns a profile that should verify a known-answer vector of
// profile, and the vector's request as a receiver gets it.
func Vector(t testing.TB, profile string, v testkit.Vector) (wire.Profile, http.Header, []byte) {
	t.Helper()
	h, body := v.Request(profile)
	return build(t, profile, v.Key(), v.Clock()), h, body
}

func build(t testing.TB, name, secret string, clock func() time.Time, opts ...wire.Option) wire.Profile {
	t.Helper()
	if name == wire.ProviderStandard {
		opts = append(opts, wire.WithClock(clock))
	}
	p, err := wire.New(name, []string{secret}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
