// Command happycolis-receiver is a complete HappyColis order-webhook
// receiver a team can start from: it verifies x-happycolis-webhook-signature
// in constant time, decodes the {header, body} envelope into typed structs,
// deduplicates by header.messageId, ignores snapshots older than the stored
// one (by header.date) and keeps orders in SQLite. GET /orders/{id} returns
// the latest stored message (orderhooks verify uses it as its --probe).
//
//	HAPPYCOLIS_CLIENT_SECRET=… go run ./examples/happycolis-receiver -listen 127.0.0.1:8081
//	orderhooks verify --provider happycolis --url http://127.0.0.1:8081/webhooks/happycolis \
//	  --secret env:HAPPYCOLIS_CLIENT_SECRET --probe 'http://127.0.0.1:8081/orders/{orderKey}'
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8081", "address to listen on")
	dbPath := flag.String("db", "happycolis-orders.db", "SQLite database file")
	secretEnv := flag.String("secret-env", "HAPPYCOLIS_CLIENT_SECRET", "environment variable holding the client secret")
	flag.Parse()
	if err := run(*listen, *dbPath, os.Getenv(*secretEnv)); err != nil {
		fmt.Fprintln(os.Stderr, "happycolis-receiver:", err)
		os.Exit(1)
	}
}

func run(listen, dbPath, secret string) error {
	if secret == "" {
		return errors.New("no client secret: set HAPPYCOLIS_CLIENT_SECRET (or -secret-env)")
	}
	store, err := OpenStore(dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	srv := &http.Server{
		Addr:              listen,
		Handler:           NewServer(secret, store, log),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("listening", "addr", listen, "db", dbPath)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}
