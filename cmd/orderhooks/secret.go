package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/orderhooks/orderhooks/wire"
)

func init() {
	register(&command{
		name:    "secret",
		summary: "print a fresh webhook secret for a provider (or, --asymmetric, a Standard Webhooks key pair)",
		usage:   "orderhooks secret new (--provider phasio|happycolis|standard | --provider-file FILE) [--asymmetric]",
		order:   34,
		flags: func() *pflag.FlagSet {
			fs := pflag.NewFlagSet("secret", pflag.ContinueOnError)
			fs.String("provider", "", "phasio (base64url 32-byte AES key), happycolis (client secret) or standard (whsec_…)")
			addProviderFileFlag(fs)
			fs.Bool("asymmetric", false, "an Ed25519 key pair (Standard Webhooks v1a): the secret key (whsk_…) the sender signs with on the first line, the public key (whpk_…) receivers verify with on the second")
			return fs
		},
		run: runSecret,
	})
}

func runSecret(_ context.Context, fs *pflag.FlagSet, e *env) error {
	if fs.NArg() != 1 || fs.Arg(0) != "new" {
		return usageErrorf("the only action is 'new'")
	}
	unknown := func(name string) error {
		if _, err := wire.New(name, nil); errors.Is(err, wire.ErrUnknownProvider) {
			return err
		}
		return nil
	}
	c, err := chooseProvider(fs, unknown)
	if err != nil {
		return err
	}
	if c == nil {
		return unknown("")
	}
	if asym, _ := fs.GetBool("asymmetric"); asym {
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
