package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/orderhooks/orderhooks/internal/input"
	"github.com/orderhooks/orderhooks/wire"
)

func init() {
	register(&command{
		name:    "decrypt",
		summary: "verify and decrypt a captured Phasio body or encrypted payload string and print the order JSON",
		usage:   "orderhooks decrypt [--provider-file FILE] --secret SECRET|env:NAME|file:PATH [--signature HEX] [FILE|-]",
		order:   33,
		flags: func() *pflag.FlagSet {
			fs := pflag.NewFlagSet("decrypt", pflag.ContinueOnError)
			fs.String("secret", "", "the Phasio webhook's secret, or env:NAME or file:PATH (never printed)")
			fs.String("signature", "", "the X-Phasio-Signature header; when given it is checked before decrypting")
			addProviderFileFlag(fs)
			return fs
		},
		run: runDecrypt,
	})
}

// runDecrypt reads a captured body ({"payload":"…"}) or the bare encrypted
// string from FILE or stdin. A bad secret is a usage error (2); a body that
// does not verify or decrypt is a failure (1) naming the reason.
func runDecrypt(ctx context.Context, fs *pflag.FlagSet, e *env) error {
	if fs.NArg() > 1 {
		return usageErrorf("one input at most, got %d", fs.NArg())
	}
	spec, _ := fs.GetString("secret")
	if spec == "" {
		return usageErrorf("--secret is required")
	}
	secret, err := wire.ResolveSecret(spec, e.getenv)
	if err != nil {
		return err
	}
	var p *wire.Compiled
	if file, _ := fs.GetString("provider-file"); file != "" {
		c, err := chooseProvider(fs)
		if err != nil {
			return err
		}
		if c.def.Encryption() == nil {
			return usageErrorf("--provider-file %s: %s requests are not encrypted: there is nothing to decrypt", file, c.name)
		}
		prof, err := c.profile([]string{secret})
		if err != nil {
			return err
		}
		p = prof.(*wire.Compiled)
	} else if p, err = wire.NewPhasio(secret); err != nil {
		return err
	}
	name, data, err := readInputArg(ctx, fs.Arg(0), e.stdin, input.DecryptInput)
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted while reading the input: %w", ctx.Err())
	}
	if err != nil {
		return usageError(err)
	}
	sig, _ := fs.GetString("signature")
	plain, err := p.Open(data, sig)
	if err != nil {
		return &cliError{code: exitFailure, msg: name + ": " + wire.Reason(err), err: err}
	}
	_, err = fmt.Fprintf(e.stdout, "%s\n", plain)
	return err
}

// readInputArg reads FILE, or stdin for "" and "-", up to limit; an idle
// stdin gives way to Ctrl-C.
func readInputArg(ctx context.Context, path string, stdin io.Reader, limit input.Limit) (string, []byte, error) {
	name, r := "<stdin>", input.Interruptible(ctx, stdin)
	if path != "" && path != "-" {
		f, err := input.Open(path)
		if err != nil {
			return "", nil, err
		}
		defer f.Close() // read-only
		name, r = path, f
	}
	data, err := input.ReadAll(r, name, limit)
	switch {
	case err != nil:
		return "", nil, err
	case len(data) == 0:
		return "", nil, errors.New(name + ": empty input")
	}
	return name, data, nil
}
