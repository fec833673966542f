package contracts

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/orderhooks/orderhooks/emitter"
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
	routes  *emitter.Targets
}

// Routes targets a platform account with one webhook per event: each
// delivery goes to its event's target (or the default one), signed (and,
// for Phasio, encrypted) with that target's profile, as emitter.LoadTargets
// reads them from a targets file. Phasio sends each trigger from its own
// webhook with its own secret; with Routes the Provider needs no secret.
// A control delivery goes where its forgery goes. A relative probe
// template is resolved against the default target's URL, or the first
// event's.
func Routes(t emitter.Targets) Target {
	return Target{routes: &t}
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

// String is the URL (a password in it redacted), "http.Handler" for an
// in-process target, or the routes as "EVENT=URL, …, default=URL".
func (t Target) String() string {
	switch {
	case t.handler != nil:
		return "http.Handler"
	case t.routes != nil:
		var parts []string
		for _, ev := range slices.Sorted(maps.Keys(t.routes.ByEvent)) {
			parts = append(parts, ev+"="+redact.URL(t.routes.ByEvent[ev].URL))
		}
		if d := t.routes.Default; d != nil {
			parts = append(parts, emitter.DefaultTargetKey+"="+redact.URL(d.URL))
		}
		return strings.Join(parts, ", ")
	}
	return redact.URL(t.url)
}

// GoString, Format, MarshalJSON and LogValue show String: a password in
// a URL and the routes' secrets are never shown.
func (t Target) GoString() string { return "contracts.Target(" + strconv.Quote(t.String()) + ")" }
func (t Target) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, t.GoString())
		return
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), t.String())
}
func (t Target) MarshalJSON() ([]byte, error) { return json.Marshal(t.String()) }
func (t Target) LogValue() slog.Value         { return slog.StringValue(t.String()) }

// base is the URL a relative probe resolves against.
func (t Target) base() string {
	if t.routes == nil {
		return t.url
	}
	if t.routes.Default != nil {
		return t.routes.Default.URL
	}
	for _, ev := range slices.Sorted(maps.Keys(t.routes.ByEvent)) {
		return t.routes.ByEvent[ev].URL
	}
	return ""
}

// parse checks the target's URLs and returns the base one.
func (t Target) parse() (*url.URL, error) {
	if t.routes != nil {
		if t.routes.Default == nil && len(t.routes.ByEvent) == 0 {
			return nil, fmt.Errorf("%w: no routes", ErrConfig)
		}
		for _, tg := range t.routeList() {
			if tg == nil || tg.Profile == nil {
				return nil, fmt.Errorf("%w: a route without a profile", ErrConfig)
			}
			if _, err := parseURL(tg.URL); err != nil {
				return nil, err
			}
		}
	}
	if t.base() == "" {
		return nil, fmt.Errorf("%w: no target (use URL, Handler or Routes)", ErrConfig)
	}
	return parseURL(t.base())
}

// routeList is every route, the default first, then by event name.
func (t Target) routeList() []*emitter.Target {
	var out []*emitter.Target
	if t.routes.Default != nil {
		out = append(out, t.routes.Default)
	}
	for _, ev := range slices.Sorted(maps.Keys(t.routes.ByEvent)) {
		out = append(out, t.routes.ByEvent[ev])
	}
	return out
}

func parseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: target URL: %s", ErrConfig, redact.Text(err.Error()))
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w: target URL %q: want http(s)://host/path", ErrConfig, redact.URL(raw))
	}
	return u, nil
}
