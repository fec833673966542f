package emitter

import (
	"testing"

	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/wire"
)

// testProfile returns the named profile with the test secret, a seeded
// random source and (standard) a clock at testkit.Time.
func testProfile(t testing.TB, name string) wire.Profile {
	t.Helper()
	var p wire.Profile
	var err error
	if name == wire.ProviderStandard {
		p, err = wire.NewStandard([]string{testkit.StandardSecret}, wire.WithRand(testkit.Rand(1)), wire.WithClock(testkit.Clock))
	} else {
		p, err = wire.New(name, []string{testkit.Secret(name)}, wire.WithRand(testkit.Rand(1)))
	}
	if err != nil {
		t.Fatal(err)
	}
	return p
}
