package contracts_test

import (
	"context"
	"testing"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/receiver"
)

// BenchmarkVerify is one full verify (every check, with a probe) of each
// provider against the project's receiver on 127.0.0.1.
func BenchmarkVerify(b *testing.B) {
	for _, provider := range providers {
		b.Run(provider, func(b *testing.B) {
			srv, err := receiver.Start(testProfile(b, provider))
			if err != nil {
				b.Fatal(err)
			}
			defer srv.Close()
			s, err := contracts.New(testProvider(b, provider), contracts.WithProbe("/orders/{orderKey}"), contracts.WithResponseSchema(ackSchema))
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				r, err := s.Run(context.Background(), contracts.URL(srv.URL+"/webhooks"))
				if err != nil || r.Failed() {
					b.Fatalf("%v %+v", err, r.Summary)
				}
			}
		})
	}
}
