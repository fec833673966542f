// Package localrecv starts the project's verifying receiver on 127.0.0.1
// with a fresh secret: what the demo and the tests that run real commands
// against a receiver all need. Its test is cmd/orderhooks's
// TestLocalReceiverStart, beside the commands that use it: a test binary of
// its own would link the whole receiver again.
package localrecv

import (
	"crypto/rand"

	"github.com/orderhooks/orderhooks/receiver"
	"github.com/orderhooks/orderhooks/wire"
)

// Start makes a fresh secret for provider (phasio, happycolis or standard)
// and starts receiver.Start with it. The caller closes the server
// and must never print the secret.
func Start(provider string, opts ...receiver.Option) (srv *receiver.Server, profile wire.Profile, secret string, err error) {
	if secret, err = wire.NewSecret(provider, rand.Reader); err != nil {
		return nil, nil, "", err
	}
	if profile, err = wire.New(provider, []string{secret}); err != nil {
		return nil, nil, "", err
	}
	if srv, err = receiver.Start(profile, opts...); err != nil {
		return nil, nil, "", err
	}
	return srv, profile, secret, nil
}
