package main

import (
	"context"
	"crypto/rand"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/orderhooks/orderhooks/wire"
)

func init() {
	register(&command{
		name:    "secret",
		summary: "print a fresh webhook secret for a provider",
		usage:   "orderhooks secret new --provider phasio|happycolis|standard",
		order:   34,
		flags: func() *pflag.FlagSet {
			fs := pflag.NewFlagSet("secret", pflag.ContinueOnError)
			fs.String("provider", "", "phasio (base64url 32-byte AES key), happycolis (client secret) or standard (whsec_…)")
			return fs
		},
		run: runSecret,
	})
}

func runSecret(_ context.Context, fs *pflag.FlagSet, e *env) error {
	if fs.NArg() != 1 || fs.Arg(0) != "new" {
		return usageErrorf("the only action is 'new'")
	}
	provider, _ := fs.GetString("provider")
	s, err := wire.NewSecret(provider, rand.Reader)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(e.stdout, s)
	return err
}
