package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/orderhooks/orderhooks/capture"
	"github.com/orderhooks/orderhooks/inspect"
	"github.com/orderhooks/orderhooks/internal/httpconn"
	"github.com/orderhooks/orderhooks/internal/textw"
	"github.com/orderhooks/orderhooks/wire"
)

// defaultStore is the capture store inspect reads unless told otherwise,
// the name the documentation gives receive --store.
const defaultStore = "capture.db"

// inspectShutdown bounds the wait for requests in flight after Ctrl-C.
const inspectShutdown = 5 * time.Second

// inspectMemoryLimit is the Go heap inspect aims to stay within (unless
// GOMEMLIMIT says otherwise): the garbage collector works harder as the
// heap nears it, so thirty live feeds and a burst of pages over a store of
// 100,000 deliveries keep the process under 100 MB resident.
const inspectMemoryLimit = 48 << 20

// inspectOpts are inspect's flags.
type inspectOpts struct {
	store   string
	listen  string
	uiToken string
	defs    providerFlags // --provider-file, --spec: definitions whose deliveries the pages verify and re-sign
}

// inspectCommand serves the inspector until ctx is cancelled (Ctrl-C): its
// URL is the first line of stdout.
func inspectCommand() *command {
	var o inspectOpts
	fs := newFlagSet("inspect")
	fs.StringVar(&o.store, "store", defaultStore, "the capture store `FILE` to show (receive --store writes one); read only, and may be written meanwhile")
	fs.StringVar(&o.listen, "listen", inspect.DefaultAddr, "the host:port `ADDR` to serve the pages on; an address other than loopback needs --ui-token")
	fs.StringVar(&o.uiToken, "ui-token", "", fmt.Sprintf("require this `TOKEN` (at least %d characters), or env:NAME or file:PATH (never printed): browsers sign in once, scripts send Authorization: Bearer", inspect.MinTokenLength))
	o.defs.bindFile(fs)
	o.defs.bindSpec(fs)
	return &command{
		name:    "inspect",
		summary: "browse a capture store in a local web page: deliveries (live), each delivery, order timelines, replay",
		fs:      fs,
		run:     func(ctx context.Context, e *env) error { return runInspect(ctx, fs.Args(), o, e) },
	}
}

func runInspect(ctx context.Context, args []string, o inspectOpts, e *env) error {
	if len(args) > 0 {
		return usageErrorf("unexpected argument %q", args[0])
	}
	path, addr, tokenSpec := o.store, o.listen, o.uiToken
	opts, err := uiOptions("--ui-token", tokenSpec, e)
	if err != nil {
		return err
	}
	c, err := o.defs.choose(ctx)
	if err != nil {
		return err
	}
	if c != nil {
		opts = append(opts, inspect.WithDefinitions(c.def))
	}
	store, err := openInspected(path)
	if err != nil {
		return err
	}
	defer store.Close() // read-only
	// Refused before anything listens: an exposed address, a short token.
	in, err := inspect.New(store, addr, opts...)
	if err != nil {
		return inspectError("--listen", "--ui-token", addr, err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return usageErrorf("--listen %s: %w", addr, err)
	}
	n, err := store.Count(ctx, capture.Filter{})
	if err != nil {
		ln.Close()
		return usageErrorf("--store %s: %w", path, err)
	}
	if e.getenv("GOMEMLIMIT") == "" {
		// For this run only: a process that runs commands one after
		// another (the tests run them in theirs) keeps its own limit.
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(inspectMemoryLimit))
	}
	fmt.Fprintf(e.stdout, "http://%s/\n", ln.Addr())
	who := "this machine only"
	if tokenSpec != "" {
		who = "sign in with the --ui-token"
	}
	fmt.Fprintf(e.stderr, "inspecting %s (%s); %s; Ctrl-C stops\n", path, textw.Count(n, "delivery", "deliveries"), who)
	if err := serveInspector(ctx, ln, in, e); err != nil {
		return err
	}
	fmt.Fprintln(e.stderr, "stopped")
	return nil
}

// serveInspector serves until ctx ends, then ends the live feeds and waits
// (a bounded time) for the requests being answered. Connections that are
// idle or opened without a request yet (browsers and HTTP clients dial
// spares) are closed at once: http.Server.Shutdown would wait for the
// latter until they are five seconds old, and fail a stop that has no
// request left to wait for.
func serveInspector(ctx context.Context, ln net.Listener, h http.Handler, e *env) error {
	base, cancel := context.WithCancel(context.Background())
	defer cancel()
	var active httpconn.Active
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		// Requests' contexts end with base: the live feeds stop at once.
		BaseContext: func(net.Listener) context.Context { return base },
		ConnState:   active.Track,
		ErrorLog:    log.New(e.stderr, "orderhooks inspect: ", 0),
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	cancel()
	busy := active.Stop(srv, ln, inspectShutdown)
	<-done
	if busy > 0 {
		return fmt.Errorf("stopping the pages: %d requests still being answered after %s", busy, inspectShutdown)
	}
	return nil
}

// openInspected opens the store read-only; a missing file or one that is
// not a store is a usage error naming --store and the file.
func openInspected(path string) (*capture.Store, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, usageErrorf("--store %s: no such file (receive --store %s records one)", path, path)
	}
	s, err := capture.OpenReadOnly(path)
	if err != nil {
		var ce *capture.Error
		if errors.As(err, &ce) {
			// The store's message names the file itself.
			return nil, usageErrorf("--store %w", err)
		}
		return nil, usageErrorf("--store %s: %w", path, err)
	}
	return s, nil
}

// uiOptions resolves a --ui-token flag (the token, env:NAME or
// file:PATH) into the inspector's options.
func uiOptions(flag, spec string, e *env) ([]inspect.Option, error) {
	if spec == "" {
		return nil, nil
	}
	token, err := wire.ResolveSecret(spec, e.getenv)
	if err != nil {
		// Its reason without the wire package's "bad secret": a token is
		// not a platform's secret.
		return nil, usageErrorf("%s: %s", flag, strings.TrimPrefix(err.Error(), wire.ErrBadSecret.Error()+": "))
	}
	return []inspect.Option{inspect.WithToken(token)}, nil
}

// inspectError words the inspector's refusals with the flags to change.
func inspectError(listenFlag, tokenFlag, addr string, err error) error {
	switch {
	case errors.Is(err, inspect.ErrExposed):
		return usageErrorf("%s %s: not a loopback address, so anyone who reaches it could read every captured delivery: give %s (at least %d characters, env:NAME keeps it out of the process list) or listen on 127.0.0.1",
			listenFlag, addr, tokenFlag, inspect.MinTokenLength)
	case errors.Is(err, inspect.ErrToken):
		return usageErrorf("%s: too short: at least %d characters", tokenFlag, inspect.MinTokenLength)
	case errors.Is(err, inspect.ErrAddr):
		return usageErrorf("%s %s: want HOST:PORT, such as %s", listenFlag, addr, inspect.DefaultAddr)
	}
	return usageErrorf("%s %s: %w", listenFlag, addr, err)
}
