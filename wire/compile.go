package wire

import (
	"crypto/cipher"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/redact"
	"github.com/orderhooks/orderhooks/provider"
)

// Compiled is the profile of a provider definition (see Compile): every
// built-in profile is one, compiled from its embedded definition
// (provider.Builtin). It is immutable and safe for concurrent use.
type Compiled struct {
	shown // the secrets [redacted] under fmt, JSON and slog
	def   *provider.Definition
	name  string
	rand  randSource

	contentType string
	method      string
	headers     []sendHeader

	// signing; signs is false for "signing: none"
	signs     bool
	sigHeader string // canonical
	sigName   string // as the definition writes it
	join      string // "" for none: one signature, one secret
	content   []contentPart
	// field is set when the signed content is exactly {body:/PTR}: a
	// string of the body, such as Phasio's encrypted payload string.
	field     jsonptr.Pointer
	fieldName string // the pointer as written, for messages
	wholeBody bool   // the content has {body}
	// signedField is the first {body:/PTR} of the content ("" for none):
	// what the tamper fault changes when the whole body is not signed.
	signedField    string
	signedFieldPtr jsonptr.Pointer
	tsItem         bool
	tsItemBefore   string
	tsItemAfter    string
	schemes        []*scheme
	keys           []*key
	signers        []*key // keys that can sign, in order
	needIDHeaders  bool

	// encryption
	seal       *sealer
	aead       cipher.AEAD
	wrapBefore []byte // a body of the sealed string alone: `{"payload":"`
	wrapAfter  []byte // and `"}`

	// body
	env        *envelope
	payloadPtr jsonptr.Pointer // where the envelope holds {payload}
	payloadAt  string
	stamps     []stamp
	stampWire  []matcher // match pointers stamped with the event's value (its wire name unless it says otherwise)

	// id and timestamp
	idHeader     string
	idTestHeader string
	idPtr        jsonptr.Pointer
	idPtrName    string
	needID       bool
	hasTS        bool
	tsHeader     string
	tsHeaderName string
	tsFormat     string
	tolerance    time.Duration
	now          func() time.Time

	// events
	matchers        []matcher
	tuples          map[string]string // the values of several matchers → wire name
	eventTestHeader string            // sent by Build (WithTriggerHeader)
	// eventTestHeaderRead and idTestHeaderRead are read by Verify
	// whatever Build sends.
	eventTestHeaderRead string
	idTestHeaderRead    string
	defaultEvent        string
	eventTime           *provider.TimeSpec
	keyParents          []jsonptr.Pointer
}

// sendHeader is one templated header of every request.
type sendHeader struct {
	name string
	tmpl *provider.Template
}

// matcher is one way the definition tells events apart.
type matcher struct {
	key     string // as events.match writes it: a header name or a pointer
	header  string // canonical header name
	ptr     jsonptr.Pointer
	ptrName string
	url     bool
}

// contentPart is one part of the signed content.
type contentPart struct {
	lit    []byte
	v      string // id, timestamp, body, field, header, method, event
	ptr    jsonptr.Pointer
	name   string
	filter *provider.Part // set when the part has filters
}

// Compile compiles def into the profile that builds and verifies its
// requests, for secret (more with WithSecrets). Every fact of the wire
// is the definition's: the signing schemes and their templates, key
// derivations, encodings and prefixes, the timestamp and id, the
// optional AES-256-GCM envelope, the body's envelope and stamps, how
// events are told apart. Options change some of those facts (see each);
// one the definition has nothing for is refused with an *OptionError.
// A secret that no scheme reads fails with ErrBadSecret, never quoting
// it.
//
// The built-in profiles (New) are the built-in definitions compiled:
// Compile(provider.MustBuiltin("phasio"), secret) is NewPhasio(secret).
func Compile(def *provider.Definition, secret string, opts ...Option) (Profile, error) {
	c, err := compile(def, []string{secret}, newConfig(opts))
	if err != nil {
		return nil, err
	}
	return c, nil
}

// compile checks the options against the definition and compiles it.
func compile(def *provider.Definition, secrets []string, cfg *config) (*Compiled, error) {
	if def == nil {
		return nil, fmt.Errorf("%w: no definition", ErrOptions)
	}
	if err := checkOptions(def, cfg); err != nil {
		return nil, err
	}
	secrets = append(slices.Clone(secrets), cfg.extraSecrets...)
	p := &Compiled{shown: redact.Show("wire.Compiled", "secret"), def: def, name: def.Name(), rand: cfg.source(), now: cfg.now}
	req := def.Request()
	p.contentType, p.method = req.ContentType, req.Method
	for _, name := range req.Headers.Keys {
		p.headers = append(p.headers, sendHeader{http.CanonicalHeaderKey(name),
			def.Template("/request/headers/" + jsonptr.Escape(name))})
	}
	if err := p.compileSigning(def, cfg); err != nil {
		return nil, err
	}
	if err := p.compileEncryption(def, cfg); err != nil {
		return nil, err
	}
	if err := p.compileBody(def, cfg); err != nil {
		return nil, err
	}
	p.compileIDTime(def, cfg)
	if err := p.compileEvents(def, cfg); err != nil {
		return nil, err
	}
	if err := p.setSecrets(secrets); err != nil {
		return nil, err
	}
	return p, nil
}

// Name is the definition's name.
func (p *Compiled) Name() string { return p.name }

// Definition is the definition the profile was compiled from.
func (p *Compiled) Definition() *provider.Definition { return p.def }

func (p *Compiled) compileSigning(def *provider.Definition, cfg *config) error {
	s := def.Signing()
	if s == nil {
		return nil
	}
	p.signs = true
	p.sigName = s.Header
	p.sigHeader = http.CanonicalHeaderKey(s.Header)
	if s.Join != provider.JoinNone {
		p.join = s.Join
	}
	if s.TimestampItem != "" {
		p.tsItem = true
		p.tsItemBefore, p.tsItemAfter, _ = def.Template("/signing/timestampItem").Around("timestamp")
	}
	for i, sc := range s.Schemes {
		if cfg.has("WithHMACKey") && sc.Secret.Encoding != provider.EncodingText && sc.Algorithm != provider.AlgorithmEd25519 {
			sc.Key = provider.KeyUTF8
			if cfg.hmacKey == HMACKeyDecoded {
				sc.Key = provider.KeyDecoded
			}
		}
		cs, err := compileScheme(i, sc, def.Template(fmt.Sprintf("/signing/schemes/%d/signature", i)))
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrOptions, def.Name(), err)
		}
		p.schemes = append(p.schemes, cs)
	}
	content := def.Template("/signing/content")
	for _, part := range content.Parts() {
		cp := contentPart{v: part.Var}
		switch part.Var {
		case "":
			cp.lit = []byte(part.Lit)
		case "body":
			if part.Arg != "" {
				cp.v = "field"
				cp.ptr, _ = jsonptr.Parse(part.Arg)
				cp.name = part.Arg
				if p.signedField == "" {
					p.signedField, p.signedFieldPtr = part.Arg, cp.ptr
				}
			} else {
				p.wholeBody = true
			}
		case "header":
			cp.name = http.CanonicalHeaderKey(part.Arg)
		case "url":
			return fmt.Errorf("%w: %s signs the request URL ({url}), which this version of orderhooks cannot sign", ErrOptions, def.Name())
		case "event":
			if !slices.ContainsFunc(def.EventsSpec().Match, func(m provider.Match) bool { return m.Header != "" || m.URL }) {
				return fmt.Errorf("%w: %s signs {event}, but its events are not named by a header", ErrOptions, def.Name())
			}
		case "id":
			p.needID = true
		}
		if len(part.Filters) > 0 {
			f := part
			cp.filter = &f
		}
		p.content = append(p.content, cp)
	}
	if len(p.content) == 1 && p.content[0].v == "field" && p.content[0].filter == nil {
		p.field, p.fieldName = p.content[0].ptr, p.content[0].name
	}
	return nil
}

func (p *Compiled) compileEncryption(def *provider.Definition, cfg *config) error {
	e := def.Encryption()
	if e == nil {
		return nil
	}
	ec := *e
	n := *e.Nonce
	ec.Nonce = &n
	if cfg.has("WithNonceSize") {
		ec.Nonce.Size = cfg.nonceSize
	}
	if cfg.has("WithLayout") {
		ec.Nonce.At = provider.NonceStart
		if cfg.layout == LayoutNonceLast {
			ec.Nonce.At = provider.NonceEnd
		}
	}
	if cfg.has("WithPadding") {
		ec.Padded = cfg.padded
	}
	moved := cfg.has("WithBodyField") && "/"+jsonptr.Escape(cfg.field) != e.Field
	if moved {
		ec.Field = "/" + jsonptr.Escape(cfg.field)
	}
	s, err := newSealer(&ec)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrOptions, def.Name(), err)
	}
	p.seal = s
	if def.Body().Envelope == nil {
		p.wrapBefore, p.wrapAfter = fieldWrap(s.fieldPtr)
	}
	if moved && p.field != nil && p.fieldName == e.Field {
		// the signed string moves with the field
		p.field, p.fieldName = s.fieldPtr, ec.Field
		p.content[0].ptr, p.content[0].name = s.fieldPtr, ec.Field
		p.signedField, p.signedFieldPtr = ec.Field, s.fieldPtr
	}
	return nil
}

func (p *Compiled) compileBody(def *provider.Definition, cfg *config) error {
	b := def.Body()
	for i, ptr := range b.Stamp.Keys {
		jp, err := jsonptr.Parse(ptr)
		if err != nil || len(jp) == 0 {
			return fmt.Errorf("%w: %s: body.stamp %q is not a member", ErrOptions, def.Name(), b.Stamp.Keys[i])
		}
		p.stamps = append(p.stamps, stamp{jp, def.Template("/body/stamp/" + jsonptr.Escape(ptr))})
	}
	for _, f := range []struct{ field, value string }{{"organizationId", cfg.organizationID}, {"webhookId", cfg.webhookID}} {
		if f.value == "" {
			continue
		}
		t, err := provider.ParseTemplate(strings.NewReplacer("{", "{{", "}", "}}").Replace(f.value), provider.ContextSend)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrOptions, err)
		}
		p.stamps = append(p.stamps, stamp{jsonptr.Pointer{"header", f.field}, t})
	}
	if b.Envelope != nil {
		drop := map[string]bool{}
		if !cfg.timestampField {
			drop["time"] = true
		}
		env, err := compileEnvelope(def, drop)
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrOptions, def.Name(), err)
		}
		p.env = env
		if at, ok := def.EnvelopePointer("payload"); ok {
			p.payloadPtr, _ = jsonptr.Parse(at)
			p.payloadAt = at
		}
	}
	if b.Envelope == nil && p.seal == nil && def.Generator() == "" {
		// Schema-driven payloads do not know their event's wire name:
		// it is written where receivers read it.
		for _, m := range def.EventsSpec().Match {
			if m.Pointer != "" {
				jp, _ := jsonptr.Parse(m.Pointer)
				p.stampWire = append(p.stampWire, matcher{key: m.Pointer, ptr: jp, ptrName: m.Pointer})
			}
		}
	}
	return nil
}

func (p *Compiled) compileIDTime(def *provider.Definition, cfg *config) {
	id := def.ID()
	p.idHeader = canonical(id.Header)
	p.idTestHeaderRead = canonical(id.TestHeader)
	if cfg.deliveryHeader {
		p.idTestHeader = p.idTestHeaderRead
	}
	if id.Pointer != "" {
		p.idPtr, _ = jsonptr.Parse(id.Pointer)
		p.idPtrName = id.Pointer
	}
	p.needID = p.needID || id.Header != "" || id.Pointer != ""
	if ts := def.Timestamp(); ts != nil {
		p.hasTS = true
		p.tsHeader, p.tsHeaderName = canonical(ts.Header), ts.Header
		p.tsFormat = ts.Format
		p.tolerance = ts.Tolerance.D
		if cfg.has("WithTolerance") {
			p.tolerance = cfg.tolerance
		}
	}
	p.needIDHeaders = p.signs && (p.idHeader != "" || p.tsHeader != "")
}

func (p *Compiled) compileEvents(def *provider.Definition, cfg *config) error {
	ev := def.EventsSpec()
	for _, m := range ev.Match {
		mt := matcher{key: m.Header + m.Pointer, header: canonical(m.Header), url: m.URL, ptrName: m.Pointer}
		if m.Pointer != "" {
			mt.ptr, _ = jsonptr.Parse(m.Pointer)
		}
		p.matchers = append(p.matchers, mt)
	}
	if len(p.matchers) > 1 && !slices.ContainsFunc(p.matchers, func(m matcher) bool { return m.url }) {
		// Several values name an event together (GitHub: the
		// X-GitHub-Event header and the body's action).
		p.tuples = map[string]string{}
		for _, e := range def.Events() {
			vals := make([]string, len(p.matchers))
			for i, m := range p.matchers {
				vals[i] = e.Match[m.key]
			}
			p.tuples[strings.Join(vals, "\x00")] = e.Wire
		}
	}
	p.eventTestHeaderRead = canonical(ev.TestHeader)
	if cfg.triggerHeader {
		p.eventTestHeader = p.eventTestHeaderRead
	}
	p.defaultEvent = ev.Default
	if cfg.has("WithDefaultTrigger") {
		p.defaultEvent = cfg.trigger
	}
	p.eventTime = ev.Time
	for _, k := range ev.Key {
		if len(ev.Key) > 1 {
			break // the first present wins: none is required
		}
		if jp, err := jsonptr.Parse(k); err == nil && len(jp) > 1 {
			p.keyParents = append(p.keyParents, jp[:len(jp)-1])
		}
	}
	return nil
}

// setSecrets reads each secret with the definition's schemes.
func (p *Compiled) setSecrets(secrets []string) error {
	if !p.signs {
		return nil
	}
	switch {
	case len(secrets) == 0:
		return badSecret("none given (the %s profile needs at least one)", p.name)
	case p.join == "" && len(secrets) > 1:
		return badSecret("%s takes exactly one secret, got %d", p.name, len(secrets))
	}
	for i, s := range secrets {
		k, err := parseSecret(p.name, p.schemes, s)
		if err != nil {
			var oe *OptionError
			if len(secrets) > 1 && errors.As(err, &oe) {
				oe.Want = fmt.Sprintf("secret %d: %s", i+1, oe.Want)
			}
			return err
		}
		p.keys = append(p.keys, k)
		if k.canSign() {
			p.signers = append(p.signers, k)
		}
	}
	if p.seal != nil {
		aead, err := p.seal.aead(p.keys[0])
		if err != nil {
			return err
		}
		p.aead = aead
	}
	return nil
}

// canonical is the canonical form of a header name, "" for none.
func canonical(name string) string {
	if name == "" {
		return ""
	}
	return http.CanonicalHeaderKey(name)
}

// optionNeed says what a definition must have for an option to apply.
type optionNeed struct {
	what string
	ok   func(d *provider.Definition) bool
}

var optionNeeds = map[string]optionNeed{
	"WithSecrets": {"signatures joined while keys rotate", func(d *provider.Definition) bool {
		return d.Signing() != nil && d.Signing().Join != provider.JoinNone
	}},
	"WithNonceSize": {"an encryption section", hasEncryption},
	"WithLayout":    {"an encryption section", hasEncryption},
	"WithPadding":   {"an encryption section", hasEncryption},
	"WithBodyField": {"an encryption section and no envelope", func(d *provider.Definition) bool {
		return hasEncryption(d) && d.Body().Envelope == nil
	}},
	"WithHMACKey": {"an HMAC scheme whose secret is encoded", func(d *provider.Definition) bool {
		return d.Signing() != nil && slices.ContainsFunc(d.Signing().Schemes, func(s provider.Scheme) bool {
			return s.Algorithm != provider.AlgorithmEd25519 && s.Secret.Encoding != provider.EncodingText
		})
	}},
	"WithTriggerHeader":  {"a header naming the event (events.testHeader)", func(d *provider.Definition) bool { return d.EventsSpec().TestHeader != "" }},
	"WithDeliveryHeader": {"a header carrying the message id (id.testHeader)", func(d *provider.Definition) bool { return d.ID().TestHeader != "" }},
	"WithDefaultTrigger": {"one URL per event", func(d *provider.Definition) bool {
		return slices.ContainsFunc(d.EventsSpec().Match, func(m provider.Match) bool { return m.URL })
	}},
	"WithOrganizationID": {"a payload header object stamped at send time", stampsHeader},
	"WithWebhookID":      {"a payload header object stamped at send time", stampsHeader},
	"WithTolerance":      {"a timestamp", func(d *provider.Definition) bool { return d.Timestamp() != nil }},
	"WithClock":          {"a timestamp", func(d *provider.Definition) bool { return d.Timestamp() != nil }},
	"WithTimestampField": {`an envelope member "{time}"`, func(d *provider.Definition) bool {
		_, ok := d.EnvelopePointer("time")
		return ok
	}},
}

func hasEncryption(d *provider.Definition) bool { return d.Encryption() != nil }

func stampsHeader(d *provider.Definition) bool {
	return slices.ContainsFunc(d.Body().Stamp.Keys, func(k string) bool { return strings.HasPrefix(k, "/header/") })
}

// checkOptions refuses options the definition has nothing for, and
// values no profile can work with.
func checkOptions(def *provider.Definition, c *config) error {
	for _, name := range c.given {
		if need, ok := optionNeeds[name]; ok && !need.ok(def) {
			return &OptionError{Package: "wire", Option: name,
				Want: fmt.Sprintf("applies to definitions with %s; %s has none", need.what, def.Name()), Err: ErrOptions}
		}
	}
	bad := func(option, value, want string) error {
		return &OptionError{Package: "wire", Option: option, Value: value, Want: want, Err: ErrOptions}
	}
	switch {
	case c.has("WithNonceSize") && c.nonceSize < 1:
		return bad("WithNonceSize", fmt.Sprint(c.nonceSize), "must be positive")
	case c.has("WithNonceSize") && c.nonceSize > 64:
		return bad("WithNonceSize", fmt.Sprint(c.nonceSize), "at most 64 bytes")
	case c.layout != LayoutNonceFirst && c.layout != LayoutNonceLast:
		return bad("WithLayout", fmt.Sprint(int(c.layout)), "LayoutNonceFirst or LayoutNonceLast")
	case c.has("WithBodyField") && c.field == "":
		return bad("WithBodyField", "", "must not be empty")
	case c.hmacKey != HMACKeySecretString && c.hmacKey != HMACKeyDecoded:
		return bad("WithHMACKey", fmt.Sprint(int(c.hmacKey)), "HMACKeySecretString or HMACKeyDecoded")
	case c.has("WithTolerance") && c.tolerance <= 0:
		return bad("WithTolerance", c.tolerance.String(), "must be positive")
	case c.now == nil:
		return bad("WithClock", "nil", "a clock")
	}
	if c.has("WithDefaultTrigger") {
		var names []string
		aliases := map[string]string{}
		for _, e := range def.Events() {
			names = append(names, e.Name)
			if e.Title != e.Name {
				aliases[e.Title] = e.Name
			}
		}
		if !slices.Contains(names, c.trigger) {
			e := bad("WithDefaultTrigger", c.trigger, fmt.Sprintf("one of %s's events: %s", def.Title(), strings.Join(names, ", "))).(*OptionError)
			e.Known, e.Aliases = names, aliases
			return e
		}
	}
	return nil
}
