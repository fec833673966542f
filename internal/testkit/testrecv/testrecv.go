// Package testrecv starts the project's verifying receiver for the tests
// of the packages above it (the CLI, the inspector). Only tests import it.
package testrecv

import (
	"testing"

	"github.com/orderhooks/orderhooks/provider"
	"github.com/orderhooks/orderhooks/receiver"
	"github.com/orderhooks/orderhooks/wire"
)

// Start starts the receiver of provider's built-in profile with secret on
// a loopback port, and closes it when the test ends.
func Start(t testing.TB, provider, secret string, opts ...receiver.Option) *receiver.Server {
	t.Helper()
	p, err := wire.New(provider, []string{secret})
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, p, opts)
}

// StartDefinition starts the receiver of a provider definition with
// secret, as Start does.
func StartDefinition(t testing.TB, def *provider.Definition, secret string, opts ...receiver.Option) *receiver.Server {
	t.Helper()
	p, err := wire.Compile(def, secret)
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, p, opts)
}

func serve(t testing.TB, p wire.Profile, opts []receiver.Option) *receiver.Server {
	t.Helper()
	srv, err := receiver.Start(p, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() }) // its errors are not under test here
	return srv
}
