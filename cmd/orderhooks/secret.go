package main

import (
	"context"
	"crypto/rand"
	"fmt"

	"github.com/orderhooks/orderhooks/wire"
)

// secretCommand prints a fresh secret, or key pair, of a provider.
func secretCommand() *command {
	var (
		prov       providerFlags
		asymmetric bool
	)
	fs := newFlagSet("secret")
	prov.bind(fs, "platform `NAME`: phasio (base64url 32-byte AES key), happycolis (client secret) or standard (whsec_…)")
	fs.BoolVar(&asymmetric, "asymmetric", false, "an Ed25519 key pair (Standard Webhooks v1a): the secret key (whsk_…) the sender signs with on the first line, the public key (whpk_…) receivers verify with on the second")
	required(fs, "provider", "phasio, happycolis or standard", "provider-file")
	return &command{
		name:    "secret",
		summary: "print a fresh webhook secret for a provider (or, --asymmetric, a Standard Webhooks key pair)",
		args:    "new",
		fs:      fs,
		run: func(ctx context.Context, e *env) error {
			return runSecret(ctx, fs.Args(), prov, asymmetric, e)
		},
	}
}

func runSecret(ctx context.Context, args []string, prov providerFlags, asymmetric bool, e *env) error {
	if len(args) != 1 || args[0] != "new" {
		return usageErrorf("the only action is 'new': orderhooks secret new --provider phasio (or happycolis, standard, --provider-file FILE)")
	}
	c, err := prov.choose(ctx)
	if err != nil {
		return err
	}
	if asymmetric {
		sk, pk, err := wire.NewDefinitionKeyPair(c.def, "", rand.Reader)
		if err != nil {
			return usageErrorf("--asymmetric: %s has no Ed25519 signing scheme (Standard Webhooks has: --provider standard)", c.name)
		}
		_, err = fmt.Fprintf(e.stdout, "%s\n%s\n", sk, pk)
		return err
	}
	s, err := wire.NewDefinitionSecret(c.def, "", rand.Reader)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(e.stdout, s)
	return err
}
