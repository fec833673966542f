package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/orderhooks/orderhooks/internal/input"
	"github.com/orderhooks/orderhooks/wire"
)

// decryptOpts are decrypt's flags.
type decryptOpts struct {
	secret    string
	signature string
	provider  providerFlags
}

// decryptCommand reads a captured body ({"payload":"…"}) or the bare encrypted
// string from FILE or stdin. A bad secret is a usage error (2); a body that
// does not verify or decrypt is a failure (1) naming the reason.
func decryptCommand() *command {
	var o decryptOpts
	fs := newFlagSet("decrypt")
	fs.StringVar(&o.secret, "secret", "", "the Phasio webhook's `SECRET`, or env:NAME or file:PATH (never printed)")
	fs.StringVar(&o.signature, "signature", "", "the X-Phasio-Signature header; when given it is checked before decrypting")
	o.provider.bindFile(fs)
	required(fs, "secret", "")
	return &command{
		name:    "decrypt",
		summary: "verify and decrypt a captured Phasio body or encrypted payload string and print the order JSON",
		args:    "[FILE|-]",
		fs:      fs,
		run: func(ctx context.Context, e *env) error {
			return runDecrypt(ctx, fs.Args(), &o, e)
		},
	}
}

func runDecrypt(ctx context.Context, args []string, o *decryptOpts, e *env) error {
	if len(args) > 1 {
		return usageErrorf("one input at most, got %d", len(args))
	}
	secret, err := wire.ResolveSecret(o.secret, e.getenv)
	if err != nil {
		return err
	}
	var p *wire.Compiled
	if file := o.provider.file; file != "" {
		c, err := o.provider.choose(ctx)
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
	path := ""
	if len(args) == 1 {
		path = args[0]
	}
	name, data, err := readInputArg(ctx, path, e.stdin, input.DecryptInput)
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted while reading the input: %w", ctx.Err())
	}
	if err != nil {
		return usageError(err)
	}
	plain, err := p.Open(data, o.signature)
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
