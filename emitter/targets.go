package emitter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/errs"
	"github.com/orderhooks/orderhooks/internal/input"
	"github.com/orderhooks/orderhooks/internal/platform"
	"github.com/orderhooks/orderhooks/internal/redact"
	"github.com/orderhooks/orderhooks/internal/suggest"
	"github.com/orderhooks/orderhooks/provider"
	"github.com/orderhooks/orderhooks/wire"
)

// Errors about targets.
var (
	// ErrTargets is wrapped for a bad targets file or an event without a target.
	ErrTargets = errors.New("emitter: targets")
	// ErrUnreachable is wrapped by Targets.Preflight.
	ErrUnreachable = errors.New("emitter: target unreachable")
)

// Target is one receiving endpoint and the profile (with its secret) that
// signs what goes there.
type Target struct {
	URL     string
	Profile wire.Profile
	// Secret is the secret Profile was built from, when known (LoadTargets
	// sets it): it lets a verifier redact a receiver that echoes it and
	// sign diagnostic variants. It is never printed: fmt, JSON and slog
	// show the URL (its userinfo redacted) and [redacted].
	Secret string
}

// shown is how a value holding a secret prints itself: the secret never
// (see redact.Shown).
type shown = redact.Shown

func (t Target) shown() shown {
	return redact.Show("emitter.Target", "url", redact.URL(t.URL), "secret")
}

// String, GoString, Format, MarshalJSON and LogValue show the URL, its
// userinfo redacted, and the secret as [redacted].
func (t Target) String() string                { return t.shown().String() }
func (t Target) GoString() string              { return t.shown().GoString() }
func (t Target) Format(f fmt.State, verb rune) { t.shown().Format(f, verb) }
func (t Target) MarshalJSON() ([]byte, error)  { return t.shown().MarshalJSON() }
func (t Target) LogValue() slog.Value          { return t.shown().LogValue() }

// Targets route events: an event goes to ByEvent[event name] if present,
// else to Default. A Phasio account has one webhook (URL and secret) per
// trigger, hence the map; most runs use OneTarget.
type Targets struct {
	Default *Target
	ByEvent map[string]*Target
}

// OneTarget sends every event to url, signed by p.
func OneTarget(p wire.Profile, url string) Targets {
	return Targets{Default: &Target{URL: url, Profile: p}}
}

// For returns the target of an event name.
func (t Targets) For(event string) (*Target, error) {
	if tg, ok := t.ByEvent[event]; ok {
		return tg, nil
	}
	if t.Default == nil {
		return nil, fmt.Errorf("%w: no target for event %s and no default", ErrTargets, event)
	}
	return t.Default, nil
}

// all returns every target once, in a fixed order.
func (t Targets) all() []*Target {
	var out []*Target
	if t.Default != nil {
		out = append(out, t.Default)
	}
	for _, k := range slices.Sorted(maps.Keys(t.ByEvent)) {
		out = append(out, t.ByEvent[k])
	}
	return out
}

func (t Targets) check() error {
	ts := t.all()
	if len(ts) == 0 {
		return fmt.Errorf("%w: none given", ErrTargets)
	}
	for _, tg := range ts {
		if tg == nil {
			return fmt.Errorf("%w: nil target", ErrTargets)
		}
		if err := checkURL(tg.URL); err != nil {
			return err
		}
	}
	return nil
}

// checkURL accepts absolute http and https URLs (loopback and private
// hosts included: local receivers are this tool's main targets); it
// refuses others with an *OptionError of Target.URL.
func checkURL(raw string) error {
	bad := func(want string) error {
		return &OptionError{Package: "emitter", Option: "Target", Field: "URL", Value: redact.URL(raw), Want: want, Err: ErrTargets}
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL, which it repeats unredacted
		}
		return bad(err.Error())
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return bad("needs http:// or https://")
	}
	if u.Host == "" {
		return bad("needs a host, as in http://127.0.0.1:8080/hooks")
	}
	return nil
}

// Preflight checks the targets (errors wrap ErrTargets) and that every
// target's host accepts TCP connections within timeout, before anything is
// sent (errors wrap ErrUnreachable and name the URL, its userinfo
// redacted; when ctx ends first, they wrap ErrInterrupted and ctx's cause
// instead: that is no verdict on the target). A target the delivery
// client reaches through a proxy (HTTP_PROXY, HTTPS_PROXY and NO_PROXY, as
// http.ProxyFromEnvironment reads them) is checked by connecting to its
// proxy.
func (t Targets) Preflight(ctx context.Context, timeout time.Duration) error {
	if err := t.check(); err != nil {
		return err
	}
	d := net.Dialer{Timeout: timeout}
	seen := map[string]bool{}
	for _, tg := range t.all() {
		u, err := url.Parse(tg.URL)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrTargets, err)
		}
		via := ""
		proxy, err := http.ProxyFromEnvironment(&http.Request{URL: u})
		if err != nil {
			return fmt.Errorf("%w: %s: the proxy environment: %w", ErrTargets, redact.URL(tg.URL), err)
		}
		if proxy != nil {
			u, via = proxy, " through the proxy "+redact.URL(proxy.String())
		}
		addr := hostPort(u)
		if seen[addr] {
			continue
		}
		seen[addr] = true
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil && ctx.Err() != nil {
			return errs.Mark(fmt.Errorf("emitter: %s: interrupted before anything was sent: %w", redact.URL(tg.URL), context.Cause(ctx)), ErrInterrupted)
		} else if err != nil {
			return errs.Mark(fmt.Errorf("emitter: %s%s: unreachable: %s", redact.URL(tg.URL), via, redact.Text(err.Error())), ErrUnreachable)
		}
		_ = c.Close() // only the connection mattered
	}
	return nil
}

// hostPort is the address a URL's scheme connects to.
func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	port := map[string]string{"https": "443", "socks5": "1080", "socks5h": "1080"}[u.Scheme]
	if port == "" {
		port = "80"
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// targetEntry is one entry of a targets file.
type targetEntry struct {
	URL    string `yaml:"url"`
	Secret string `yaml:"secret"`
}

// DefaultTargetKey is the targets-file key of events that have no entry of
// their own.
const DefaultTargetKey = "default"

// LoadTargets reads a targets file (YAML, or JSON, which is YAML too): a
// map from event name (for Phasio, a trigger) or DefaultTargetKey to
// {url, secret}, the secret a literal, env:NAME or file:PATH (see
// ResolveSecret). Each entry gets its own profile of provider, built with
// opts. A Phasio file without a default entry must name ORDER,
// ORDER_UPDATED and QUOTE_CONVERTED (a HappyColis one, every order/* type),
// so a missing webhook is found before anything is sent. Errors wrap ErrTargets and name the file and the
// entry's field.
//
//	ORDER:           {url: "https://shop.test/hooks/created", secret: "env:ORDER_SECRET"}
//	ORDER_UPDATED:   {url: "https://shop.test/hooks/updated", secret: "file:updated.secret"}
//	QUOTE_CONVERTED: {url: "https://shop.test/hooks/quote",   secret: "env:QUOTE_SECRET"}
func LoadTargets(path, provider string, getenv func(string) string, opts ...wire.Option) (Targets, error) {
	data, err := input.ReadFile(path, input.TargetsFile)
	if err != nil {
		return Targets{}, errs.Mark(err, ErrTargets) // names the file
	}
	return ParseTargets(path, data, provider, getenv, opts...)
}

// LoadTargetsFor is LoadTargets for any provider definition: each entry's
// profile is def compiled with its secret, its keys are def's event names
// (or DefaultTargetKey), and without a default entry every event def
// lists must have one.
func LoadTargetsFor(path string, def *provider.Definition, getenv func(string) string, opts ...wire.Option) (Targets, error) {
	data, err := input.ReadFile(path, input.TargetsFile)
	if err != nil {
		return Targets{}, errs.Mark(err, ErrTargets) // names the file
	}
	return parseTargets(path, data, def.Name(), def, getenv, opts)
}

// ParseTargets is LoadTargets on a file's contents; name is used in errors,
// which are *errs.FileError values: the file, the entry's field, and the
// problem (an *OptionError of the secret, say).
func ParseTargets(name string, data []byte, provider string, getenv func(string) string, opts ...wire.Option) (Targets, error) {
	return parseTargets(name, data, provider, nil, getenv, opts)
}

// parseTargets reads a targets file for the provider called provider, or
// for def when it is not nil.
func parseTargets(name string, data []byte, provider string, def *providerDef, getenv func(string) string, opts []wire.Option) (Targets, error) {
	bad := func(where string, err error) (Targets, error) {
		return Targets{}, &errs.FileError{Path: name, Where: where, Err: err, Class: ErrTargets}
	}
	if int64(len(data)) > input.TargetsFile.Bytes {
		return bad("", fmt.Errorf("larger than the %s", input.TargetsFile))
	}
	var raw map[string]targetEntry
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	err := dec.Decode(&raw)
	var te *yaml.TypeError
	switch {
	case errors.Is(err, io.EOF) || err == nil && len(raw) == 0:
		return bad("", errors.New("empty targets file"))
	case errors.As(err, &te):
		return bad("", errors.New(typeErrors(te)))
	case err != nil:
		return bad("", errors.New(strings.TrimPrefix(err.Error(), "yaml: ")))
	}
	t := Targets{ByEvent: map[string]*Target{}}
	for _, key := range slices.Sorted(maps.Keys(raw)) {
		e := raw[key]
		if err := checkTargetKeyFor(provider, def, key); err != nil {
			return bad(input.Quote(key), err)
		}
		if e.URL == "" {
			return bad(key+".url", errors.New("required"))
		}
		if err := checkURL(e.URL); err != nil {
			return bad(key+".url", err)
		}
		if e.Secret == "" {
			return bad(key+".secret", errors.New("required (a secret, env:NAME or file:PATH)"))
		}
		secret, err := wire.ResolveSecret(e.Secret, getenv)
		if err != nil {
			return bad(key+".secret", err)
		}
		var p wire.Profile
		if def != nil {
			p, err = wire.NewFromDefinition(def, []string{secret}, opts...)
		} else {
			p, err = wire.New(provider, []string{secret}, opts...)
		}
		if err != nil {
			return bad(key+".secret", err)
		}
		tg := &Target{URL: e.URL, Profile: p, Secret: secret}
		if key == DefaultTargetKey {
			t.Default = tg
		} else {
			t.ByEvent[key] = tg
		}
	}
	if t.Default == nil {
		// Found now, not after the first deliveries went out. (Standard
		// targets carry either platform's events: no fixed list.)
		for _, trigger := range orderEventsFor(provider, def) {
			if t.ByEvent[trigger] == nil {
				return bad("", fmt.Errorf("no target for %s (add it, or a %s entry)", trigger, DefaultTargetKey))
			}
		}
	}
	return t, nil
}

// checkTargetKey accepts DefaultTargetKey and the events provider sends
// (for the Standard Webhooks profile, either platform's), so a targets
// file holds at most a handful of entries, each of which can be used.
func checkTargetKey(provider, key string) error {
	if key == DefaultTargetKey {
		return nil
	}
	ph, _ := platform.Get(platform.Phasio)
	hc, _ := platform.Get(platform.HappyColis)
	isHC := slices.Contains(hc.EventNames(), key)
	keys := func(events []string) []string { return append(slices.Clone(events), DefaultTargetKey) }
	switch provider {
	case platform.Phasio:
		if !slices.Contains(ph.Triggers, key) {
			return fmt.Errorf("not a Phasio trigger (%s, …) or %s%s", strings.Join(ph.EventNames(), ", "), DefaultTargetKey,
				suggest.Hint(key, keys(ph.Triggers), ph.Titles()))
		}
	case platform.HappyColis:
		if !isHC {
			return fmt.Errorf("not a HappyColis event (%s) or %s%s",
				strings.Join(hc.EventNames(), ", "), DefaultTargetKey, suggest.Hint(key, keys(hc.EventNames()), nil))
		}
	default:
		if !isHC && !slices.Contains(ph.Triggers, key) {
			return fmt.Errorf("not a Phasio trigger or HappyColis event, nor %s%s", DefaultTargetKey,
				suggest.Hint(key, keys(append(slices.Clone(ph.Triggers), hc.EventNames()...)), ph.Titles()))
		}
	}
	return nil
}

// providerDef is a provider definition (package provider).
type providerDef = provider.Definition

// checkTargetKeyFor is checkTargetKey for a definition: a built-in's (or
// a copy of one) by its platform's rules, any other's by its event names.
func checkTargetKeyFor(name string, def *providerDef, key string) error {
	if def == nil || platformNamed(name) {
		return checkTargetKey(name, key)
	}
	if key == DefaultTargetKey || slices.Contains(def.EventNames(), key) {
		return nil
	}
	known := append(def.EventNames(), DefaultTargetKey)
	return fmt.Errorf("not an event of %s (%s) or %s%s", def.Name(), strings.Join(def.EventNames(), ", "), DefaultTargetKey,
		suggest.Hint(key, known, nil))
}

// orderEventsFor are the events a targets file without a default entry
// must route: a definition's listed events, or the platform's (generator.Events).
func orderEventsFor(name string, def *providerDef) []string {
	if def == nil || platformNamed(name) {
		return generator.Events(name)
	}
	var out []string
	for _, e := range def.Events() {
		out = append(out, e.Name)
	}
	return out
}

// platformNamed reports whether name is a built-in provider's.
func platformNamed(name string) bool {
	return slices.Contains(platform.Providers(), name)
}

// unknownField matches yaml's message for a field KnownFields refused.
var unknownField = regexp.MustCompile(`^(line \d+): field (.+) not found in type \S+$`)

// typeErrors words yaml's type errors for a targets file's author:
// `line 1: unknown field "extra"`, not Go type names.
func typeErrors(te *yaml.TypeError) string {
	msgs := make([]string, len(te.Errors))
	for i, m := range te.Errors {
		if g := unknownField.FindStringSubmatch(m); g != nil {
			m = fmt.Sprintf("%s: unknown field %q", g[1], g[2])
		}
		msgs[i] = m
	}
	return input.Join(msgs, "; ")
}
