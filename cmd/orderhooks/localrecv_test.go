package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/localrecv"
	"github.com/orderhooks/orderhooks/wire"
)

// TestLocalReceiverStart (internal/localrecv, the receiver of the demo and
// of the tests that run the documentation's commands, tested here beside
// them rather than in a test binary of its own): each provider's receiver
// listens on loopback and verifies with the secret it was given (an order
// it received can be read back).
func TestLocalReceiverStart(t *testing.T) {
	for _, p := range []string{generator.ProviderPhasio, generator.ProviderHappyColis, wire.ProviderStandard} {
		t.Run(p, func(t *testing.T) {
			srv, prof, secret, err := localrecv.Start(p)
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") && !strings.HasPrefix(srv.URL, "http://[::1]:") {
				t.Errorf("URL %s is not loopback", srv.URL)
			}
			if secret == "" || prof.Name() != p {
				t.Fatalf("secret empty or profile %q", prof.Name())
			}
			payloads := generator.ProviderPhasio
			if p == generator.ProviderHappyColis {
				payloads = p
			}
			g, err := generator.New(payloads, generator.WithOrders(1))
			if err != nil {
				t.Fatal(err)
			}
			err = g.Run(func(ev *generator.Event) error {
				req, err := prof.Build(&wire.Message{Event: ev, ID: "00000000-0000-4000-8000-000000000001", Time: time.Now()}, wire.FaultNone)
				if err != nil {
					return err
				}
				resp, err := emitter.Deliver(t.Context(), http.DefaultClient, srv.URL+"/webhooks", req)
				if err != nil {
					return err
				}
				if resp.Status != http.StatusOK {
					t.Errorf("%s answered %d: %s", p, resp.Status, resp.Body)
				}
				if _, ok := srv.Order(ev.OrderKey); !ok {
					t.Errorf("order %s not stored", ev.OrderKey)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
