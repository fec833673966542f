package contracts

import (
	"fmt"
	"slices"
	"strings"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/platform"
	"github.com/orderhooks/orderhooks/internal/redact"
	"github.com/orderhooks/orderhooks/provider"
	"github.com/orderhooks/orderhooks/wire"
)

// Provider names, as used by --provider and in reports.
const (
	ProviderPhasio     = platform.Phasio
	ProviderHappyColis = platform.HappyColis
	ProviderStandard   = platform.Standard
)

// ErrProvider is wrapped by errors about the provider or its secret.
var ErrProvider = wrapConfig("contracts: bad provider")

// Provider is the platform whose webhooks the suite sends: its definition
// (package provider), the wire profile compiled from it, the secret the
// receiver shares, the generated payloads and the lifecycles. Build one
// with Phasio, HappyColis, Standard or NewProvider (the built-in
// definitions), or FromFile and NewProviderFromDefinition for any
// provider described as data. The secret is never printed: fmt, JSON and
// slog show [redacted].
type Provider struct {
	shown     // the secret [redacted] under fmt, JSON and slog
	name      string
	secret    string
	def       *provider.Definition
	payloads  string   // generator provider of the payloads; "" for the definition's schemas
	scenarios []string // lifecycles sent by the acceptance checks
	compare   []string // default --compare pointers
	profile   wire.Profile
	err       error // a definition that could not be read, reported by New
}

// ProviderOption adjusts a Provider.
type ProviderOption func(*Provider)

// WithScenarios replaces the built-in lifecycles the acceptance checks send
// by the named scenarios (built-in names or scenario files).
func WithScenarios(names ...string) ProviderOption {
	return func(p *Provider) { p.scenarios = append([]string(nil), names...) }
}

// WithProfile sends with an already built emitter profile, e.g. one with
// non-default wire assumptions. Its Name must match the provider's.
func WithProfile(prof wire.Profile) ProviderOption {
	return func(p *Provider) { p.profile = prof }
}

// WithPayloads chooses the generated payloads the standard profile carries:
// generator.ProviderPhasio (the default) or generator.ProviderHappyColis.
func WithPayloads(provider string) ProviderOption {
	return func(p *Provider) { p.payloads = provider }
}

// Default pointers compared between the last snapshot and the probed state.
var (
	DefaultComparePhasio     = platformOf(platform.Phasio).Compare
	DefaultCompareHappyColis = platformOf(platform.HappyColis).Compare
)

// Built-in lifecycles sent by the acceptance checks.
var (
	DefaultScenariosPhasio     = []string{"phasio/quote-to-paid", "phasio/po-invoice", "phasio/precommitted", "phasio/batch-update"}
	DefaultScenariosHappyColis = []string{"happycolis/fulfilment", "happycolis/cancellation"}
)

// Phasio is the Phasio profile with the webhook's secret (base64url, 32 bytes).
func Phasio(secret string, opts ...ProviderOption) Provider {
	return newProvider(ProviderPhasio, secret, generator.ProviderPhasio, opts)
}

// HappyColis is the HappyColis profile with the application's client secret.
func HappyColis(secret string, opts ...ProviderOption) Provider {
	return newProvider(ProviderHappyColis, secret, generator.ProviderHappyColis, opts)
}

// Standard is the Standard Webhooks profile with a whsec_ secret, carrying
// Phasio payloads unless WithPayloads says otherwise.
func Standard(secret string, opts ...ProviderOption) Provider {
	return newProvider(ProviderStandard, secret, generator.ProviderPhasio, opts)
}

// NewProvider returns the provider called name (phasio, happycolis or
// standard), for command lines.
func NewProvider(name, secret string, opts ...ProviderOption) (Provider, error) {
	switch name {
	case ProviderPhasio:
		return Phasio(secret, opts...), nil
	case ProviderHappyColis:
		return HappyColis(secret, opts...), nil
	case ProviderStandard:
		return Standard(secret, opts...), nil
	}
	return Provider{}, &OptionError{Package: "contracts", Option: "provider", Value: name,
		Want: "not one of " + strings.Join(wire.Providers(), ", "), Known: wire.Providers(), Err: ErrProvider}
}

func newProvider(name, secret, payloads string, opts []ProviderOption) Provider {
	return fromDefinition(provider.MustBuiltin(name), secret, opts)
}

// Name is phasio, happycolis or standard.
func (p Provider) Name() string { return p.name }

// shown is how a value holding a secret prints itself: the secret never
// (see redact.Shown).
type shown = redact.Shown

// validate checks what can be checked before sending anything.
func (p Provider) validate() error {
	switch {
	case p.err != nil:
		return p.err
	case p.name == "":
		return fmt.Errorf("%w: no provider (use Phasio, HappyColis or Standard)", ErrProvider)
	case p.def == nil:
		return fmt.Errorf("%w: no definition (use Phasio, HappyColis, Standard, NewProvider or FromFile)", ErrProvider)
	case p.payloads != "" && !slices.Contains(generatorsOf(p.def), p.payloads):
		return fmt.Errorf("%w: payloads %q (known: %s)", ErrProvider, p.payloads, strings.Join(generatorsOf(p.def), ", "))
	case p.profile != nil && p.profile.Name() != p.name:
		return fmt.Errorf("%w: profile %q given for provider %s", ErrProvider, p.profile.Name(), p.name)
	case len(p.scenarios) == 0:
		return fmt.Errorf("%w: %s: no lifecycle scenarios", ErrProvider, p.name)
	}
	return nil
}

// platformOf is the platform called name, which exists.
func platformOf(name string) *platform.Platform {
	p, _ := platform.Get(name)
	return p
}
