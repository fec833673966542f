package contracts

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/orderhooks/orderhooks/internal/redact"
)

// handlerBase is the URL deliveries to an in-process handler are addressed
// to; no connection is made, the handler is called directly.
const handlerBase = "http://in-process.invalid"

// Target is the receiver under test: a URL, or an http.Handler called
// in-process (no port, no network).
type Target struct {
	url     string
	handler http.Handler
}

// URL targets a receiver listening at u (http or https).
func URL(u string) Target { return Target{url: u} }

// Handler targets h in-process; deliveries are POSTed to "/".
func Handler(h http.Handler) Target { return HandlerAt(h, "/") }

// HandlerAt targets h in-process with deliveries POSTed to path (e.g.
// "/webhooks/phasio" on a whole server's mux).
func HandlerAt(h http.Handler, path string) Target {
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return Target{url: handlerBase + path, handler: h}
}

// String is the URL (its userinfo redacted), or "http.Handler" for an
// in-process target.
func (t Target) String() string {
	if t.handler != nil {
		return "http.Handler"
	}
	return redact.URL(t.url)
}

// parse checks the target and returns its delivery URL.
func (t Target) parse() (*url.URL, error) {
	if t.url == "" {
		return nil, fmt.Errorf("%w: no target (use URL or Handler)", ErrConfig)
	}
	u, err := url.Parse(t.url)
	if err != nil {
		return nil, fmt.Errorf("%w: target URL: %s", ErrConfig, redact.Text(err.Error()))
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w: target URL %q: want http(s)://host/path", ErrConfig, redact.URL(t.url))
	}
	return u, nil
}
