// Command phasio-receiver is a complete Phasio order-webhook receiver a team
// can start from: it verifies X-Phasio-Signature in constant time, decrypts
// the AES-256-GCM payload, decodes it into typed structs and upserts the
// order into SQLite, acknowledging redeliveries without applying them twice.
// GET /orders/{id} returns the stored state (orderhooks verify uses it as
// its --probe).
//
//	PHASIO_WEBHOOK_SECRET=… go run ./examples/phasio-receiver -listen 127.0.0.1:8080 -db orders.db
//	orderhooks verify --provider phasio --url http://127.0.0.1:8080/webhooks/phasio \
//	  --secret env:PHASIO_WEBHOOK_SECRET --probe 'http://127.0.0.1:8080/orders/{orderKey}'
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
	listen := flag.String("listen", "127.0.0.1:8080", "address to listen on")
	dbPath := flag.String("db", "phasio-orders.db", "SQLite database file")
	secretEnv := flag.String("secret-env", "PHASIO_WEBHOOK_SECRET", "environment variable holding the webhook secret")
	flag.Parse()
	if err := run(*listen, *dbPath, os.Getenv(*secretEnv)); err != nil {
		fmt.Fprintln(os.Stderr, "phasio-receiver:", err)
		os.Exit(1)
	}
}

func run(listen, dbPath, secret string) error {
	if secret == "" {
		return errors.New("no webhook secret: set PHASIO_WEBHOOK_SECRET (or -secret-env)")
	}
	wh, err := NewWebhook(secret)
	if err != nil {
		return err
	}
	store, err := OpenStore(dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	srv := &http.Server{
		Addr:              listen,
		Handler:           NewServer(wh, store, log),
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
