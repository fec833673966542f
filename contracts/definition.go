package contracts

import (
	"fmt"
	"slices"
	"strings"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/redact"
	"github.com/orderhooks/orderhooks/provider"
	"github.com/orderhooks/orderhooks/schemas"
)

// FromFile is the provider described by the definition file at path
// (YAML or JSON; see package provider), with the receiver's secret. A
// file that cannot be read or checked is reported by New, and by Test as
// the test's failure, each problem as "FILE:LINE: POINTER: message":
//
//	contracts.Test(t, myReceiver, contracts.FromFile("shop.yaml", secret))
func FromFile(path, secret string, opts ...ProviderOption) Provider {
	def, err := provider.Load(path)
	if err != nil {
		return Provider{shown: redact.Show("contracts.Provider", "name", path, "secret"), name: path,
			err: fmt.Errorf("%w: %w", ErrProvider, err)}
	}
	return fromDefinition(def, secret, opts)
}

// FromSpec is the provider whose events are those of the OpenAPI 3.1
// document (each webhook with a JSON request body) or AsyncAPI 3.0
// document (each message of a send operation) at spec, signed as signer
// says — its signing, id, timestamp and delivery sections — or as
// Standard Webhooks signs when signer is nil (see provider.FromSpec).
// Payloads are generated from the document's schemas; a document without
// a lifecycle sends each event as a one-event lifecycle, and the checks
// that need an entity's second snapshot are skipped, saying why. The
// document's $refs may reach files next to it; remote ones only with
// provider.WithRemoteRefs(true) in defOpts:
//
//	contracts.Test(t, myReceiver, contracts.FromSpec("openapi.yaml", secret, nil))
func FromSpec(spec, secret string, signer *provider.Definition, defOpts []provider.Option, opts ...ProviderOption) Provider {
	def, err := provider.FromSpec(spec, signer, defOpts...)
	if err != nil {
		return Provider{shown: redact.Show("contracts.Provider", "name", spec, "secret"), name: spec,
			err: fmt.Errorf("%w: %w", ErrProvider, err)}
	}
	return fromDefinition(def, secret, opts)
}

// NewProviderFromDefinition is the provider def describes, with the
// receiver's secret: its profile is wire.Compile's, its payloads its
// named generator's (Phasio's, HappyColis') or generated from its events'
// schemas, its lifecycles its lifecycle's scenarios (one single-event
// lifecycle per event when it has none), and the pointers the state
// checks compare its own.
func NewProviderFromDefinition(def *provider.Definition, secret string, opts ...ProviderOption) (Provider, error) {
	if def == nil {
		return Provider{}, fmt.Errorf("%w: no definition", ErrProvider)
	}
	p := fromDefinition(def, secret, opts)
	return p, p.validate()
}

// fromDefinition makes the provider of def.
func fromDefinition(def *provider.Definition, secret string, opts []ProviderOption) Provider {
	p := Provider{shown: redact.Show("contracts.Provider", "name", def.Name(), "secret"), name: def.Name(), secret: secret, def: def}
	if gens := generatorsOf(def); len(gens) > 0 {
		p.payloads = gens[0]
	}
	for _, o := range opts {
		o(&p)
	}
	if p.scenarios == nil {
		p.scenarios = defaultScenarios(def, p.payloads)
	}
	p.compare = comparedPointers(def, p.payloads)
	return p
}

// generatorsOf lists the named generators whose payloads def's requests
// carry: its own, or (Standard Webhooks) those of the definitions it
// carries, the default first; none for a schema-driven definition.
func generatorsOf(def *provider.Definition) []string {
	if g := def.Generator(); g != "" {
		return []string{g}
	}
	var out []string
	for _, o := range def.Origins() {
		if g := o.Definition.Generator(); g != "" && !slices.Contains(out, g) {
			if o.Default {
				out = append([]string{g}, out...)
			} else {
				out = append(out, g)
			}
		}
	}
	return out
}

// defaultScenarios are the lifecycles the acceptance checks send: the
// generator's built-in ones, or the definition's data lifecycle scenarios
// (one single-event lifecycle per event without them).
func defaultScenarios(def *provider.Definition, payloads string) []string {
	switch payloads {
	case generator.ProviderPhasio:
		return DefaultScenariosPhasio
	case generator.ProviderHappyColis:
		return DefaultScenariosHappyColis
	}
	all := generator.DefinitionScenarios(def)
	var lifecycles []string
	for _, sc := range all {
		if !strings.HasPrefix(sc, generator.SingleEventScenario) {
			lifecycles = append(lifecycles, sc)
		}
	}
	if len(lifecycles) > 0 {
		return lifecycles
	}
	return all
}

// comparedPointers are the pointers the state checks compare: the
// definition's, or those of the definition whose payloads it carries.
func comparedPointers(def *provider.Definition, payloads string) []string {
	if c := def.EventsSpec().Compare; len(c) > 0 {
		return c
	}
	for _, o := range def.Origins() {
		if o.Definition.Generator() == payloads {
			return o.Definition.EventsSpec().Compare
		}
	}
	for _, e := range def.Events() {
		if len(e.Compare) > 0 {
			return e.Compare
		}
	}
	return nil
}

// payloadDefinition is the definition whose events the provider's payloads
// are: its own, or the one it carries whose generator makes them.
func (p Provider) payloadDefinition() *provider.Definition {
	if p.def == nil || p.def.Generator() == p.payloads || len(p.def.Origins()) == 0 {
		return p.def
	}
	for _, o := range p.def.Origins() {
		if o.Definition.Generator() == p.payloads {
			return o.Definition
		}
	}
	return p.def
}

// schemaDriven reports whether the payloads come from the definition's
// schemas rather than a named generator.
func (p Provider) schemaDriven() bool { return p.payloads == "" }

// hasLifecycle reports whether entities go through several snapshots.
func (p Provider) hasLifecycle() bool {
	if !p.schemaDriven() {
		return true
	}
	l := p.def.Lifecycle()
	return l != nil && len(l.Transitions) > 0
}

// keyed reports whether payloads carry an entity key the probe can ask
// for: the named generators' orders do; schema-driven events when their
// definition names key pointers.
func (p Provider) keyed() bool {
	if !p.schemaDriven() || p.def == nil {
		return true
	}
	for _, e := range p.def.Events() {
		if len(e.Key) > 0 {
			return true
		}
	}
	return false
}

// signsTimestamp reports whether requests carry a signed timestamp.
func (p Provider) signsTimestamp() bool { return p.def != nil && p.def.Timestamp() != nil }

// encrypts reports whether requests are encrypted.
func (p Provider) encrypts() bool { return p.def != nil && p.def.Encryption() != nil }

// orderedByTime reports whether a receiver can tell an older snapshot
// from a newer one: the payload carries an event time, or the request a
// signed timestamp.
func (p Provider) orderedByTime() bool {
	d := p.payloadDefinition()
	if t := d.EventsSpec().Time; t != nil && t.None && !p.signsTimestamp() {
		return false
	}
	return true
}

// freeText is the pointer of a free-text string field of the payloads.
func (p Provider) freeText() string {
	if d := p.payloadDefinition(); d != nil {
		return d.EventsSpec().FreeText
	}
	return ""
}

// title is the provider's display name.
func (p Provider) title() string {
	if p.def != nil {
		return p.def.Title()
	}
	return p.name
}

// documentedSigning says how the provider signs, in a parenthesis after
// its name: the built-ins' as written for them, any other definition's
// from its signing section.
func (p Provider) documentedSigning() string {
	if s, ok := documented[p.name]; ok && p.isBuiltin() {
		return s
	}
	return p.title() + "'s (" + p.signingFacts() + ")"
}

// howSigned says how the provider signs, as a sentence.
func (p Provider) howSigned() string {
	if s, ok := howSigned[p.name]; ok && p.isBuiltin() {
		return s
	}
	return p.title() + " signs with " + p.signingFacts() + "."
}

// signatureHeaderName is the header signatures travel in.
func (p Provider) signatureHeaderName() string {
	if s, ok := signatureHeader[p.name]; ok && p.isBuiltin() {
		return s
	}
	if p.def != nil && p.def.Signing() != nil {
		return p.def.Signing().Header
	}
	return "the signature header"
}

// isBuiltin reports whether the provider's definition says what its
// built-in namesake's does (a copy of it, written out by `provider show`,
// included).
func (p Provider) isBuiltin() bool {
	b, ok := provider.Builtin(p.name)
	return ok && p.def != nil && b.Signing() != nil && p.def.Signing() != nil &&
		b.Signing().Header == p.def.Signing().Header && b.Signing().Content == p.def.Signing().Content
}

// signingFacts describes a definition's first signing scheme: digest,
// signed content, key and encoding.
func (p Provider) signingFacts() string {
	if p.def == nil || p.def.Signing() == nil {
		return "no signature"
	}
	s := p.def.Signing()
	if len(s.Schemes) == 0 {
		return "no signature"
	}
	sc := s.Schemes[0]
	digest := map[string]string{provider.AlgorithmHMACSHA256: "HMAC-SHA256", provider.AlgorithmHMACSHA512: "HMAC-SHA512",
		provider.AlgorithmEd25519: "Ed25519"}[sc.Algorithm]
	key := "the secret's UTF-8 bytes"
	switch {
	case sc.Algorithm == provider.AlgorithmEd25519:
		key = "the Ed25519 secret key"
	case sc.Key == provider.KeyDecoded && sc.Secret.Prefix != "":
		key = "the " + sc.Secret.Encoding + "-decoded bytes after " + sc.Secret.Prefix
	case sc.Key == provider.KeyDecoded:
		key = "the " + sc.Secret.Encoding + "-decoded secret"
	}
	return fmt.Sprintf("%s of %q, keyed with %s, in %s as %q in %s", digest, s.Content, key, sc.Encoding, sc.Signature, s.Header)
}

// urlMatched reports whether the provider names events by URL (one
// webhook per event, as Phasio's triggers).
func (p Provider) urlMatched() bool {
	if p.def == nil {
		return false
	}
	for _, m := range p.def.EventsSpec().Match {
		if m.URL {
			return true
		}
	}
	return false
}

// schemaOf is the payload schema of one of the provider's events (by its
// name in the payloads' definition).
func (p Provider) schemaOf(event string) (*schemas.Schema, error) {
	d := p.payloadDefinition()
	if d == nil {
		return nil, fmt.Errorf("%w: no definition", ErrProvider)
	}
	e, ok := d.Event(event)
	if !ok {
		return nil, fmt.Errorf("%s has no event %q", d.Name(), event)
	}
	s, err := e.Schema()
	if err != nil {
		return nil, err
	}
	return s.Validator(), nil
}
