package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/orderhooks/orderhooks/internal/input"
	"github.com/orderhooks/orderhooks/wire"
)

// signOpts are sign's flags.
type signOpts struct {
	provider  providerFlags
	secret    string
	explain   bool
	nonce     string
	id        string
	timestamp string
}

// signCommand reads the payload (FILE, or stdin for - or no argument; a
// trailing newline is dropped) and prints the request: the request line, the headers in a fixed order, a
// blank line and the body byte for byte, without a newline after it.
// Phasio's payload is the order JSON, HappyColis's the {header, body}
// envelope, Standard's the body itself.
func signCommand() *command {
	var o signOpts
	fs := newFlagSet("sign")
	o.provider.bind(fs, "platform profile `NAME`: phasio, happycolis or standard")
	fs.StringVar(&o.secret, "secret", "", "the webhook's `SECRET`, or env:NAME or file:PATH (never printed)")
	fs.BoolVar(&o.explain, "explain", false, "print each step first: key derivation, the signed input (its first bytes and length), the digest, the encoding; never the secret")
	fs.StringVar(&o.nonce, "nonce", "", "phasio: the AES-GCM nonce in `HEX` (12 bytes; default random)")
	fs.StringVar(&o.id, "id", "", "happycolis: header.messageId (default the payload's, or a fresh UUID); standard: webhook-id (default a fresh UUID)")
	fs.StringVar(&o.timestamp, "timestamp", "", "standard: webhook-timestamp, Unix seconds or RFC 3339 (default now)")
	required(fs, "provider", "phasio, happycolis or standard", "provider-file")
	required(fs, "secret", "")
	return &command{
		name:    "sign",
		summary: "print the exact HTTP request a platform sends for a payload (signed, encrypted for Phasio), optionally explained step by step",
		args:    "[FILE|-]",
		fs:      fs,
		run: func(ctx context.Context, e *env) error {
			return runSign(ctx, fs, &o, e)
		},
	}
}

func runSign(ctx context.Context, fs *pflag.FlagSet, o *signOpts, e *env) error {
	if fs.NArg() > 1 {
		return usageErrorf("one input at most, got %d", fs.NArg())
	}
	c, err := o.provider.choose(ctx)
	if err != nil {
		return err
	}
	provider := c.name
	so, err := o.signOptions(fs, c)
	if err != nil {
		return err
	}
	secret, err := wire.ResolveSecret(o.secret, e.getenv)
	if err != nil {
		return err
	}
	name, payload, err := readInputArg(ctx, fs.Arg(0), e.stdin, input.SignInput)
	if err != nil {
		return usageError(err)
	}
	// The newline editors and echo end a file with is not the payload's.
	payload = bytes.TrimRight(payload, "\r\n")
	s, err := wire.SignDefinition(c.def, secret, payload, so)
	switch {
	case errors.Is(err, wire.ErrBadSecret):
		return err
	case err != nil:
		return usageErrorf("%s: %w", name, err)
	}
	if o.explain {
		if err := writeSteps(e.stdout, provider, s.Steps); err != nil {
			return err
		}
	}
	return writeRequest(e.stdout, s)
}

// signFlags says which provider each reproducibility flag applies to.
var signFlags = map[string][]string{
	"nonce":     {"phasio"},
	"id":        {"happycolis", "standard"},
	"timestamp": {"standard"},
}

// signOptions turns --nonce, --id and --timestamp into wire's options; one
// that does not apply to the provider is a usage error, not a flag
// silently ignored.
func (so *signOpts) signOptions(fs *pflag.FlagSet, c *chosen) (wire.SignOptions, error) {
	var o wire.SignOptions
	provider := c.name
	applies := map[string]bool{"nonce": c.def.Encryption() != nil, "id": c.def.ID().Header != "" || c.def.ID().Pointer != "",
		"timestamp": c.def.Timestamp() != nil}
	for _, name := range []string{"nonce", "id", "timestamp"} {
		if fs.Changed(name) && c.file == "" && !slices.Contains(signFlags[name], provider) {
			return o, usageErrorf("--%s does not apply to --provider %s (only to %s)", name, provider, strings.Join(signFlags[name], " and "))
		}
		if fs.Changed(name) && c.file != "" && !applies[name] {
			return o, usageErrorf("--%s does not apply to %s: its requests carry no %s", name, c.file, name)
		}
	}
	if v := so.nonce; v != "" {
		nonce, err := hex.DecodeString(v)
		if err != nil || len(nonce) != wire.DefaultPhasioNonceSize {
			return o, usageErrorf("--nonce %q: want %d bytes in hex (%d hex digits)", v, wire.DefaultPhasioNonceSize, 2*wire.DefaultPhasioNonceSize)
		}
		o.Nonce = nonce
	}
	o.ID = so.id
	if v := so.timestamp; v != "" {
		if sec, err := strconv.ParseInt(v, 10, 64); err == nil && sec > 0 {
			o.Timestamp = time.Unix(sec, 0)
		} else if t, err := time.Parse(time.RFC3339, v); err == nil {
			o.Timestamp = t
		} else {
			return o, usageErrorf("--timestamp %q: want Unix seconds (e.g. 1700000000) or an RFC 3339 time", v)
		}
	}
	return o, nil
}

// writeSteps prints the explanation, one numbered step a line.
func writeSteps(w io.Writer, provider string, steps []wire.Step) error {
	var b strings.Builder
	fmt.Fprintf(&b, "How %s builds this request:\n", provider)
	for i, st := range steps {
		fmt.Fprintf(&b, "%2d. %s: %s\n", i+1, st.Name, st.Detail)
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// writeRequest prints the request as it goes on the wire: Content-Type and
// Content-Length first, the other headers sorted, then the body exactly.
func writeRequest(w io.Writer, s *wire.Signed) error {
	var b strings.Builder
	b.WriteString("POST / HTTP/1.1\r\n")
	fmt.Fprintf(&b, "Content-Type: %s\r\n", s.Header.Get("Content-Type"))
	fmt.Fprintf(&b, "Content-Length: %d\r\n", len(s.Body))
	keys := make([]string, 0, len(s.Header))
	for k := range s.Header {
		if k != "Content-Type" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range s.Header[k] {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("\r\n")
	b.Write(s.Body)
	_, err := io.WriteString(w, b.String())
	return err
}
