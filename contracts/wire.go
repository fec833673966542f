package contracts

import (
	"net/http"

	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/internal/errs"
	"github.com/orderhooks/orderhooks/wire"
)

// buildProfile builds the provider's emitter profile from its secret; a bad
// secret is a configuration error that names the provider, never the value.
func buildProfile(p Provider) (wire.Profile, error) {
	prof, err := wire.Compile(p.def, p.secret)
	if err != nil {
		return nil, errs.Mark(err, ErrProvider) // names the secret, never its value
	}
	return prof, nil
}

// defaultClient is the client for URL targets without WithClient: TLS
// verified, no redirects followed, each request bounded by timeout.
func (c *config) defaultClient() (*http.Client, error) {
	return emitter.NewClient(emitter.ClientOptions{Timeout: c.timeout})
}
