package main

import (
	"context"
	"fmt"
	"net"

	"github.com/spf13/pflag"

	"github.com/orderhooks/orderhooks/capture"
	"github.com/orderhooks/orderhooks/inspect"
)

// uiFlags are receive's flags for serving the inspector beside the
// receiver.
type uiFlags struct {
	on     bool
	listen string
	token  string
}

// bind registers --ui, --ui-listen and --ui-token on fs.
func (o *uiFlags) bind(fs *pflag.FlagSet) {
	fs.BoolVar(&o.on, "ui", false, "with --store: serve the inspector's pages (deliveries, live; orders; replay) from this process, on --ui-listen")
	fs.StringVar(&o.listen, "ui-listen", inspect.DefaultAddr, "with --ui: address of the pages, apart from --listen (which a platform or tunnel may reach); an address other than loopback needs --ui-token")
	fs.StringVar(&o.token, "ui-token", "", fmt.Sprintf("with --ui: require this token (at least %d characters), or env:NAME or file:PATH (never printed)", inspect.MinTokenLength))
}

// check refuses the UI flags before anything listens or is created:
// changed is the flag set's Changed.
func (o *uiFlags) check(changed func(string) bool, store string, e *env) ([]inspect.Option, error) {
	switch {
	case !o.on && (changed("ui-listen") || changed("ui-token")):
		return nil, usageErrorf("--ui-listen and --ui-token need --ui")
	case !o.on:
		return nil, nil
	case store == "":
		return nil, usageErrorf("--ui needs --store: the pages show the deliveries it keeps")
	}
	opts, err := uiOptions("--ui-token", o.token, e)
	if err != nil {
		return nil, err
	}
	// The address and the token are checked now; New keeps the store
	// it is given and reads it only when serving.
	if _, err := inspect.New(nil, o.listen, opts...); err != nil {
		return nil, inspectError("--ui-listen", "--ui-token", o.listen, err)
	}
	return opts, nil
}

// serveUI starts the inspector of store on --ui-listen and returns a
// func that waits for it to stop (after ctx ends).
func (o *uiFlags) serveUI(ctx context.Context, store *capture.Store, opts []inspect.Option, e *env) (wait func() error, err error) {
	in, err := inspect.New(store, o.listen, opts...)
	if err != nil {
		return nil, inspectError("--ui-listen", "--ui-token", o.listen, err)
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return nil, usageErrorf("--ui-listen %s: %w", o.listen, err)
	}
	done := make(chan error, 1)
	go func() { done <- serveInspector(ctx, ln, in, e) }()
	// stderr: stdout's first line is the receiver's URL, then one line
	// per delivery.
	fmt.Fprintf(e.stderr, "inspector: http://%s/\n", ln.Addr())
	return func() error { return <-done }, nil
}
