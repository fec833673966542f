package inspect

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/orderhooks/orderhooks/capture"
	"github.com/orderhooks/orderhooks/internal/redact"
	"github.com/orderhooks/orderhooks/provider"
)

// Defaults, also the CLI's flag defaults.
const (
	// DefaultAddr is where the inspector listens: the loopback interface,
	// so the captured deliveries (personal data) stay on this machine.
	DefaultAddr = "127.0.0.1:8790"
	// MinTokenLength is the shortest token accepted for an inspector
	// reachable from other machines.
	MinTokenLength = 16
	// MaxStreams bounds the live feeds (server-sent events) served at
	// once; more are answered 503.
	MaxStreams = 32
	// DefaultReplayTimeout bounds a replay from the page.
	DefaultReplayTimeout = 10 * time.Second
	// DefaultPageSize and MaxPageSize are the deliveries a list page shows.
	DefaultPageSize = 50
	MaxPageSize     = 500
	// MaxTimeline bounds the deliveries an order's timeline shows (the
	// first ones, in arrival order).
	MaxTimeline = 500
	// maxForm bounds a POSTed form.
	maxForm = 64 << 10
)

// Errors of New. Neither names a flag: the CLI says which one.
var (
	// ErrExposed: the address is not a loopback address and no token was
	// given; everyone who can reach it would read every captured delivery.
	ErrExposed = errors.New("inspect: an address other than loopback needs a token")
	// ErrToken: the token is too short to keep anyone out.
	ErrToken = errors.New("inspect: token too short")
	// ErrAddr: the listen address cannot be parsed.
	ErrAddr = errors.New("inspect: bad listen address")
)

// Option configures an Inspector.
type Option func(*config)

type config struct {
	token         string
	getenv        func(string) string
	client        *http.Client
	replayTimeout time.Duration
	now           func() time.Time
	defs          []*provider.Definition
}

// WithToken requires every request to carry token: a browser signs in once
// on the login page (a cookie derived from the token, never the token
// itself, then stays with it), a script sends "Authorization: Bearer
// TOKEN". Needed to listen on an address other than loopback.
func WithToken(token string) Option { return func(c *config) { c.token = token } }

// WithGetenv sets how a secret given on the page as env:NAME is read
// (default os.Getenv).
func WithGetenv(getenv func(string) string) Option { return func(c *config) { c.getenv = getenv } }

// WithClient sets the HTTP client replays are sent with (default: TLS
// verified, no redirects followed, DefaultReplayTimeout).
func WithClient(c *http.Client) Option { return func(cfg *config) { cfg.client = c } }

// WithDefinitions lets the inspector verify and re-sign the deliveries
// of provider definitions (a definition file's, an imported document's)
// as it does the built-ins': a delivery goes with the definition of its
// provider's name, and the definitions' names and events join the list's
// filters.
func WithDefinitions(defs ...*provider.Definition) Option {
	return func(c *config) {
		for _, d := range defs {
			if d != nil {
				c.defs = append(c.defs, d)
			}
		}
	}
}

// WithClock sets the clock of replays and re-signed requests (default
// time.Now).
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// shown is how an inspector prints itself: its token never (see
// redact.Shown).
type shown = redact.Shown

// Inspector is the web inspector of a capture store: an http.Handler that
// serves the deliveries list (live, filtered, paginated), each delivery's
// detail, each order's timeline and the actions on them (replay, export as
// a scenario, copy as curl). Mount it on its own listener:
//
//	in, err := inspect.New(store, addr)
//	…
//	go http.Serve(ln, in)
//
// Every page is rendered by html/template (payload values are escaped
// text), scripts and styles come from the binary and a Content-Security-
// Policy forbids any other; requests whose Host is not the bound address
// or a loopback name are refused (DNS rebinding); every state-changing
// action is a POST carrying a per-process CSRF token and a same-origin
// Origin. Secrets given on the page are used once and never written back.
//
// A live feed lasts until its client leaves or its request's context ends:
// an http.Server's Shutdown (and httptest.Server's Close) waits for it.
// To stop at once while browsers hold feeds open, give the server a
// BaseContext and cancel it before Shutdown, as `orderhooks inspect` does on
// Ctrl-C.
type Inspector struct {
	shown // its token and session [redacted] under fmt, JSON and slog
	store *capture.Store
	cfg   config
	mux   *http.ServeMux
	// hosts are the Host names accepted; nil accepts any (a token guards
	// a non-loopback address).
	hosts map[string]bool
	// csrf is the token every POSTed form carries.
	csrf string
	// session is the cookie value a signed-in browser carries (token mode).
	session string
	// streams is the semaphore of live feeds.
	streams chan struct{}
}

// New returns the inspector of store, to be served on addr (host:port; the
// host decides which Host headers are accepted, and whether a token is
// required). store may be opened read-only.
func New(store *capture.Store, addr string, opts ...Option) (*Inspector, error) {
	cfg := config{getenv: os.Getenv, replayTimeout: DefaultReplayTimeout, now: time.Now}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.client == nil {
		cfg.client = &http.Client{Timeout: cfg.replayTimeout, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", ErrAddr, addr, err)
	}
	loopback := isLoopback(host)
	if cfg.token != "" && len(cfg.token) < MinTokenLength {
		return nil, fmt.Errorf("%w: %d characters, at least %d", ErrToken, len(cfg.token), MinTokenLength)
	}
	if !loopback && cfg.token == "" {
		return nil, fmt.Errorf("%w (%s would serve every captured delivery to anyone who reaches it)", ErrExposed, addr)
	}
	in := &Inspector{shown: redact.Show("inspect.Inspector", "addr", addr, "token"), store: store, cfg: cfg, streams: make(chan struct{}, MaxStreams)}
	if loopback {
		in.hosts = map[string]bool{"localhost": true, "127.0.0.1": true, "::1": true, strings.ToLower(strings.Trim(host, "[]")): true}
	}
	var key [32]byte
	if _, err := rand.Read(key[:]); err != nil {
		return nil, err
	}
	in.csrf = base64.RawURLEncoding.EncodeToString(key[:])
	if cfg.token != "" {
		m := hmac.New(sha256.New, []byte(cfg.token))
		m.Write([]byte("orderhooks inspect session"))
		in.session = base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}
	in.routes()
	return in, nil
}

// isLoopback reports whether a listen host stays on this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil && ip.IsLoopback()
}

// ServeHTTP answers one request after the checks every request passes:
// the Host, the token, and for POSTs the origin and the CSRF token.
func (in *Inspector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	// same-origin, not no-referrer: the addresses (order keys) never
	// leave for another site either way, but under no-referrer a browser
	// sends "Origin: null" with its own form posts, which crossOrigin
	// must refuse.
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	if !in.hostAllowed(r.Host) {
		// DNS rebinding: a page of another site whose name now resolves
		// to 127.0.0.1 reaches us with its own name as Host.
		in.plainError(w, http.StatusMisdirectedRequest, "this inspector answers only to localhost, 127.0.0.1 and [::1]")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodPost {
		h.Set("Allow", "GET, HEAD, POST")
		in.plainError(w, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	if r.Method == http.MethodPost {
		if reason := crossOrigin(r); reason != "" {
			in.plainError(w, http.StatusForbidden, reason)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	}
	if in.cfg.token != "" && !strings.HasPrefix(r.URL.Path, "/static/") && r.URL.Path != "/login" && !in.signedIn(r) {
		in.login(w, r, http.StatusUnauthorized, "")
		return
	}
	in.mux.ServeHTTP(w, r)
}

// hostAllowed checks the Host header against the names of the bound
// address (any *.localhost name is loopback by definition, RFC 6761).
func (in *Inspector) hostAllowed(hostport string) bool {
	if in.hosts == nil {
		return true
	}
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.Trim(host, "[]"))
	return in.hosts[host] || strings.HasSuffix(host, ".localhost")
}

// crossOrigin says why a POST comes from another site, or "": browsers
// send Sec-Fetch-Site (and Origin) with every form post, so a page of
// another origin is told apart even before the CSRF token is looked at.
func crossOrigin(r *http.Request) string {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return "cross-site request refused"
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || !strings.EqualFold(u.Host, r.Host) {
			return "cross-origin request refused"
		}
	}
	return ""
}

// checkCSRF reports whether a POSTed form carries this process's token.
func (in *Inspector) checkCSRF(r *http.Request) bool {
	return subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(in.csrf)) == 1
}

const sessionCookie = "orderhooks_inspect"

// signedIn reports whether a request carries the token (as a bearer) or
// the session cookie derived from it.
func (in *Inspector) signedIn(r *http.Request) bool {
	if auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return subtle.ConstantTimeCompare([]byte(auth), []byte(in.cfg.token)) == 1
	}
	c, err := r.Cookie(sessionCookie)
	return err == nil && subtle.ConstantTimeCompare([]byte(c.Value), []byte(in.session)) == 1
}

// login serves the sign-in page (GET, or a refused request) and checks a
// posted token.
func (in *Inspector) login(w http.ResponseWriter, r *http.Request, status int, problem string) {
	if in.cfg.token == "" {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	if r.Method == http.MethodPost && r.URL.Path == "/login" {
		if !in.checkCSRF(r) {
			status, problem = http.StatusForbidden, "the form expired: reload the page"
		} else if subtle.ConstantTimeCompare([]byte(r.PostFormValue("token")), []byte(in.cfg.token)) == 1 {
			http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: in.session, Path: "/", HttpOnly: true,
				SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return
		} else {
			status, problem = http.StatusUnauthorized, "wrong token"
		}
	}
	in.render(w, r, status, "login", &loginPage{Problem: problem})
}
