package provider

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/orderhooks/orderhooks/apispec"
	"github.com/orderhooks/orderhooks/internal/errs"
	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/jsontree"
	"github.com/orderhooks/orderhooks/internal/suggest"
)

// checker checks a File's rules beyond the format's schema and compiles
// its templates and events into the Definition.
type checker struct {
	d  *Definition
	ps *problems
}

func (c *checker) add(ptr, format string, args ...any) { c.ps.add(ptr, format, args...) }

// tmpl compiles the template at ptr, reporting a problem there.
func (c *checker) tmpl(ptr, src string, ctx Context) *Template {
	t, err := ParseTemplate(src, ctx)
	if err != nil {
		c.add(ptr, "%v", err)
		return nil
	}
	c.d.tmpl[ptr] = t
	return t
}

func (c *checker) check() {
	f := c.d.f
	if f.Request == nil {
		f.Request = &Request{}
	}
	if f.Request.Method == "" {
		f.Request.Method = "POST"
	}
	if f.Request.ContentType == "" {
		f.Request.ContentType = "application/json"
	}
	c.headers("/request/headers", f.Request.Headers)
	c.timestamp()
	c.encryption()
	c.body()
	c.signing()
	c.id()
	c.events()
	c.lifecycle()
	c.delivery()
	c.vectors()
	if len(c.d.opts.events) > 0 {
		c.keepEvents()
	}
	c.payloadPointers()
	if f.Generator != "" && f.Lifecycle != nil && f.Lifecycle.Generator != "" && f.Lifecycle.Generator != f.Generator {
		c.add("/lifecycle/generator", "%q differs from the definition's generator %q", f.Lifecycle.Generator, f.Generator)
	}
}

func (c *checker) headers(at string, h Headers) {
	seen := map[string]bool{}
	for i, name := range h.Keys {
		ptr := at + "/" + escape(name)
		if k := strings.ToLower(name); seen[k] {
			c.add(ptr, "header %s is given twice (header names are compared without regard to case)", name)
		} else {
			seen[k] = true
		}
		if t := c.tmpl(ptr, h.Vals[i], ContextSend); t != nil && (t.Uses("payload") || t.Uses("sealed")) {
			c.add(ptr, "a header cannot carry the payload")
		}
	}
}

func (c *checker) timestamp() {
	t := c.d.f.Timestamp
	if t == nil {
		return
	}
	if t.Format == "" {
		t.Format = TimeUnix
	}
	if t.Tolerance.D == 0 {
		t.Tolerance.D = DefaultTolerance
	}
	if t.Header == "" && (c.d.Signing() == nil || c.d.Signing().TimestampItem == "") {
		c.add("/timestamp", "the timestamp travels nowhere: give timestamp.header or signing.timestampItem")
	}
}

func (c *checker) encryption() {
	e := c.d.f.Encryption
	if e == nil {
		return
	}
	if e.Nonce == nil {
		e.Nonce = &Nonce{}
	}
	if e.Nonce.Size == 0 {
		e.Nonce.Size = 12
	}
	if e.Nonce.At == "" {
		e.Nonce.At = NonceStart
	}
	if e.Tag == 0 {
		e.Tag = 16
	}
	if e.AAD == "" {
		e.AAD = "none"
	}
	if e.Encoding == "" {
		e.Encoding = EncodingBase64URL
	}
	s := c.d.Signing()
	if s == nil {
		c.add("/encryption", "encryption needs a signing section: its scheme's secret form says how the secret is written")
		return
	}
	if e.Key == KeyDecoded {
		for i, sc := range s.Schemes {
			if sc.Secret.Encoding == EncodingText {
				c.add(fmt.Sprintf("/signing/schemes/%d/secret/encoding", i), "encryption.key decoded needs an encoded secret, not text")
			}
		}
	}
	for i, sc := range s.Schemes {
		if sc.Algorithm == AlgorithmEd25519 {
			c.add(fmt.Sprintf("/signing/schemes/%d/algorithm", i), "an Ed25519 key cannot encrypt: encryption needs HMAC schemes")
		}
	}
}

// body compiles the stamps and the envelope, and records where the
// envelope holds its variables.
func (c *checker) body() {
	c.d.envPtr = map[string]string{}
	b := c.d.f.Body
	enc := c.d.f.Encryption
	if b != nil {
		for i, ptr := range b.Stamp.Keys {
			at := "/body/stamp/" + escape(ptr)
			if t := c.tmpl(at, b.Stamp.Vals[i], ContextSend); t != nil && (t.Uses("payload") || t.Uses("sealed")) {
				c.add(at, "a stamp cannot carry the payload")
			}
		}
	}
	if b == nil || len(b.Envelope) == 0 {
		return
	}
	var env any
	dec := json.NewDecoder(bytes.NewReader(b.Envelope))
	dec.UseNumber()
	if err := dec.Decode(&env); err != nil {
		c.add("/body/envelope", "%v", err)
		return
	}
	if _, ok := env.(map[string]any); !ok {
		c.add("/body/envelope", "the envelope is an object (a mapping), not %s", jsontree.Kind(env))
		return
	}
	counts := map[string]int{}
	var walk func(v any, ptr string)
	walk = func(v any, ptr string) {
		switch v := v.(type) {
		case map[string]any:
			for k, m := range v {
				walk(m, ptr+"/"+escape(k))
			}
		case []any:
			for i, m := range v {
				walk(m, ptr+"/"+strconv.Itoa(i))
			}
		case string:
			t := c.tmpl("/body/envelope"+ptr, v, ContextSend)
			if t == nil {
				return
			}
			if p, ok := t.Only(); ok {
				counts[p.Var]++
				c.d.envPtr[p.Var] = ptr
			}
		}
	}
	walk(env, "")
	switch {
	case enc == nil && counts["payload"] != 1:
		c.add("/body/envelope", `the envelope holds the payload once, as a whole string "{payload}"; it holds it %d times`, counts["payload"])
	case enc == nil && counts["sealed"] > 0:
		c.add("/body/envelope", `"{sealed}" needs an encryption section`)
	case enc != nil && (counts["sealed"] != 1 || counts["payload"] > 0):
		c.add("/body/envelope", `with encryption, the envelope holds "{sealed}" once and not "{payload}"`)
	case enc != nil && c.d.envPtr["sealed"] != enc.Field:
		c.add("/encryption/field", `the envelope holds "{sealed}" at %s, not at %s`, c.d.envPtr["sealed"], enc.Field)
	}
}

func (c *checker) signing() {
	s := c.d.Signing()
	if c.d.f.Signing == nil {
		c.add("/signing", `required field is missing (write "signing: none" for a provider that signs nothing)`)
		return
	}
	if s == nil {
		return
	}
	if s.Join == "" {
		s.Join = " "
	}
	content := c.tmpl("/signing/content", s.Content, ContextSigned)
	if s.TimestampItem != "" {
		c.tmpl("/signing/timestampItem", s.TimestampItem, ContextTimestampItem)
		c.headerItem("/signing/timestampItem", s.TimestampItem, s.Join)
	}
	if content != nil {
		for _, p := range content.Parts() {
			switch {
			case p.Var == "timestamp" && c.d.f.Timestamp == nil:
				c.add("/signing/content", "{timestamp} needs a timestamp section")
			case p.Var == "id" && c.d.f.ID == nil:
				c.add("/signing/content", "{id} needs an id section")
			case p.Var == "body" && p.Arg != "" && !c.bodyHas(p.Arg):
				c.add("/signing/content", "{body:%s}: the body has no %s (it is the encryption field or a member of the envelope)", p.Arg, p.Arg)
			}
		}
	}
	names := map[string]bool{}
	for i, sc := range s.Schemes {
		at := fmt.Sprintf("/signing/schemes/%d", i)
		if sc.Name != "" {
			if names[sc.Name] {
				c.add(at+"/name", "scheme %q is named twice", sc.Name)
			}
			names[sc.Name] = true
		}
		c.tmpl(at+"/signature", sc.Signature, ContextSignature)
		c.headerItem(at+"/signature", sc.Signature, s.Join)
		switch sc.Algorithm {
		case AlgorithmEd25519:
			if sc.Key != "" {
				c.add(at+"/key", "an Ed25519 scheme has no key derivation: the secret is the private key")
			}
			if sc.Public == nil {
				c.add(at+"/public", "an Ed25519 scheme needs the public key's form (what a verifying receiver is given)")
			}
			if sc.Secret.Encoding == EncodingText {
				c.add(at+"/secret/encoding", "an Ed25519 key is bytes: base64, base64url or hex")
			}
		default:
			if sc.Key == "" {
				c.add(at+"/key", "required for HMAC: utf8 (the secret string's bytes) or decoded")
			}
			if sc.Key == KeyDecoded && sc.Secret.Encoding == EncodingText {
				c.add(at+"/key", "a text secret has nothing to decode: use utf8")
			}
			if sc.Public != nil {
				c.add(at+"/public", "only Ed25519 schemes have a public key")
			}
		}
		if g := sc.Generate; g != nil && sc.Secret.Encoding == EncodingText && g.As == "" {
			c.add(at+"/generate/as", "a text secret's random bytes need a writing: hex, base64 or base64url")
		}
		if g := sc.Generate; g != nil && g.Bytes > 0 && sc.Secret.Encoding != EncodingText && !sc.Secret.Bytes.Allows(g.Bytes) {
			c.add(at+"/generate/bytes", "%d bytes is not a size the secret allows (%s)", g.Bytes, sc.Secret.Bytes)
		}
		if s.Join == JoinNone && len(s.Schemes) > 1 {
			c.add("/signing/join", "none (one signature) with %d schemes: a request would carry only one of them", len(s.Schemes))
		}
	}
}

// headerItem refuses an item of the signature header that cannot travel
// as written: HTTP drops white space around a header value, and an item
// holding the separator between items would be split.
func (c *checker) headerItem(at, item, join string) {
	switch {
	case strings.TrimSpace(item) != item:
		c.add(at, "%q starts or ends with white space, which HTTP drops from header values", item)
	case join != JoinNone && join != "" && strings.Contains(item, join):
		c.add(at, "%q holds the separator between signatures (signing.join %q)", item, join)
	}
}

// bodyHas reports whether the body has a member at ptr: the encryption
// field, or a member of the envelope.
func (c *checker) bodyHas(ptr string) bool {
	if e := c.d.f.Encryption; e != nil && e.Field == ptr {
		return true
	}
	for _, p := range c.d.envPtr {
		if p == ptr {
			return true
		}
	}
	if b := c.d.f.Body; b != nil && len(b.Envelope) > 0 {
		var env any
		if json.Unmarshal(b.Envelope, &env) == nil {
			_, ok := lookup(env, ptr)
			return ok
		}
	}
	return false
}

func (c *checker) id() {
	id := c.d.f.ID
	if id == nil {
		return
	}
	if id.Header == "" && id.Pointer == "" && id.TestHeader == "" {
		c.add("/id", "the id travels nowhere: give header, pointer or testHeader")
	}
	if id.Pointer == "" {
		return
	}
	if c.d.envPtr["id"] == id.Pointer {
		return
	}
	if b := c.d.f.Body; b != nil {
		if v, ok := b.Stamp.Get(id.Pointer); ok && strings.Contains(v, "{id}") {
			return
		}
	}
	c.add("/id/pointer", `nothing writes the id at %s: add body.stamp %s: "{id}"`, id.Pointer, id.Pointer)
}

func (c *checker) events() {
	d := c.d
	ev := d.f.Events
	d.byName = map[string]*Event{}
	if ev == nil {
		return
	}
	if ev.Import != nil && len(ev.Match) == 0 {
		// Without a word on how events are told apart: from the keys of
		// import.match, else one URL per webhook with a test header.
		for _, k := range ev.Import.Match.Keys {
			if strings.HasPrefix(k, "/") {
				ev.Match = append(ev.Match, Match{Pointer: k})
			} else {
				ev.Match = append(ev.Match, Match{Header: k})
			}
		}
		if len(ev.Match) == 0 {
			ev.Match = []Match{{URL: true}}
			if ev.TestHeader == "" {
				ev.TestHeader = ImportTestHeader
			}
		}
	}
	var rename *Template
	if ev.Rename != "" {
		rename = c.tmpl("/events/rename", ev.Rename, ContextEventName)
		if rename != nil && ev.Import == nil {
			for _, p := range rename.Parts() {
				if p.Var != "" && p.Var != "name" {
					c.add("/events/rename", "{%s} is known only while importing a document; a list's events have {name}", p.Var)
				}
			}
		}
	}
	urlMatch := false
	for i, m := range ev.Match {
		if m.URL {
			urlMatch = true
			if len(ev.Match) > 1 {
				c.add(fmt.Sprintf("/events/match/%d", i), "url matching is alone: one URL per event names it")
			}
		}
	}
	for i, fr := range ev.From {
		at := fmt.Sprintf("/events/from/%d", i)
		m := d.opts.builtins
		if m == nil {
			m = builtins()
		}
		od, err := lookupIn(m, fr.Provider)
		if err != nil {
			var oe *OptionError
			if errors.As(err, &oe) {
				c.add(at+"/provider", "%s: %s", errs.Shown(oe.Value), oe.Detail())
			} else {
				c.add(at+"/provider", "%v", err)
			}
			continue
		}
		if fr.Default && slices.ContainsFunc(d.from, func(o *Origin) bool { return o.Default }) {
			c.add(at+"/default", "only one provider is the default")
		}
		o := &Origin{Definition: od, Default: fr.Default}
		if fr.When != nil {
			o.When = *fr.When
		}
		d.from = append(d.from, o)
	}
	names := map[string]bool{}
	for _, o := range d.from {
		for _, e := range o.Definition.Events() {
			names[e.Name] = true
		}
	}
	seenWire := map[string]string{}
	seenMatch := map[string]string{}
	for i, es := range ev.List {
		at := fmt.Sprintf("/events/list/%d", i)
		if d.byName[es.Name] != nil {
			c.add(at+"/name", "event %q is listed twice", es.Name)
			continue
		}
		e := &Event{Name: es.Name, Title: es.Title, Description: es.Description, SchemaSource: es.Schema,
			Provider: d.f.Name, FreeText: es.FreeText, Headers: es.Headers, def: d, index: i}
		if e.Title == "" {
			e.Title = e.Name
		}
		e.Wire = es.Wire
		if e.Wire == "" {
			e.Wire = wireName(rename, es.Name)
		}
		if other, dup := seenWire[e.Wire]; dup {
			c.add(at, "on the wire as %q, like %s", e.Wire, other)
		}
		seenWire[e.Wire] = e.Name
		e.Key = []string(es.Key)
		if len(e.Key) == 0 {
			e.Key = []string(ev.Key)
		}
		e.Compare = es.Compare
		if len(e.Compare) == 0 {
			e.Compare = ev.Compare
		}
		e.Time = es.Time
		if e.Time == nil {
			e.Time = ev.Time
		}
		if e.FreeText == "" {
			e.FreeText = ev.FreeText
		}
		if es.Schema.IsZero() {
			c.add(at+"/schema", "required field is missing (the payload's JSON Schema: inline, {$ref: FILE}, or {builtin: NAME})")
		}
		if es.Schema.Builtin != "" && !slices.Contains(builtinSchemas(), es.Schema.Builtin) {
			c.add(at+"/schema/builtin", "%q is not a built-in schema (%s)%s", es.Schema.Builtin, strings.Join(builtinSchemas(), ", "),
				suggest.Hint(es.Schema.Builtin, builtinSchemas(), nil))
		}
		c.schemaCycle(at+"/schema", es.Schema)
		e.Match = map[string]string{}
		var tuple []string
		for m, k := range matchKeys(ev.Match) {
			v, ok := es.Match.Get(k)
			if !ok && m.Header != "" {
				// header names are compared without regard to case
				for j, hk := range es.Match.Keys {
					if strings.EqualFold(hk, k) {
						v, ok = es.Match.Vals[j], true
					}
				}
			}
			if !ok {
				v = e.Wire
			}
			e.Match[k] = v
			tuple = append(tuple, m.String()+"="+v)
		}
		for _, k := range es.Match.Keys {
			if !matchedBy(ev.Match, k) {
				c.add(at+"/match/"+escape(k), "%s is not one of events.match", k)
			}
		}
		if len(tuple) > 0 {
			key := strings.Join(tuple, ", ")
			if other, dup := seenMatch[key]; dup {
				c.add(at+"/match", "same as %s (%s)", other, key)
			}
			seenMatch[key] = e.Name
		}
		c.headers(at+"/headers", es.Headers)
		d.byName[e.Name] = e
		d.events = append(d.events, e)
		names[e.Name] = true
	}
	if ev.Import != nil {
		c.importEvents(ev, rename, seenWire, seenMatch, names)
	}
	for i, o := range ev.Others {
		if names[o] {
			c.add(fmt.Sprintf("/events/others/%d", i), "%q is also a listed event", o)
		}
		names[o] = true
	}
	if len(ev.Match) == 0 && (len(ev.List) > 0 || len(ev.From) > 0 || ev.Import != nil) {
		c.add("/events/match", "required field is missing: how a receiver tells events apart ({header: NAME}, {pointer: /PTR} or {url: true})")
	}
	if ev.TestHeader != "" && !urlMatch {
		c.add("/events/testHeader", "only url-matched events need a header naming them")
	}
	if ev.Default != "" && !names[ev.Default] && !c.unknownEvents() {
		c.add("/events/default", "%q is not one of the events%s", ev.Default, suggest.Hint(ev.Default, slices.Sorted(maps.Keys(names)), nil))
	}
}

// unknownEvents: the definition's events are not all known, its
// events.import document being left unread (LoadSigning), so a name that
// is not among them may still be one.
func (c *checker) unknownEvents() bool {
	ev := c.d.f.Events
	return c.d.opts.signingOnly && ev != nil && ev.Import != nil
}

// keepEvents applies WithEvents.
func (c *checker) keepEvents() {
	d := c.d
	var kept []*Event
	for _, e := range d.events {
		for _, g := range d.opts.events {
			if ok, err := path.Match(g, e.Name); err != nil {
				c.add("", "events %q: %v", g, err)
				return
			} else if ok {
				kept = append(kept, e)
				break
			}
		}
	}
	if len(kept) == 0 && len(d.events) > 0 {
		c.add("/events/list", "no event matches %s", strings.Join(d.opts.events, ", "))
	}
	d.events = kept
	d.byName = map[string]*Event{}
	for _, e := range kept {
		d.byName[e.Name] = e
	}
}

// wireName renames an event name with the definition's rename template.
func wireName(rename *Template, name string) string {
	if rename == nil {
		return name
	}
	s, err := rename.Render(func(Part) (string, error) { return name, nil })
	if err != nil {
		return name
	}
	return s
}

func (c *checker) lifecycle() {
	l := c.d.f.Lifecycle
	if l == nil {
		return
	}
	if l.Snapshots == "" {
		l.Snapshots = "full"
	}
	if l.Generator != "" && len(l.Transitions) > 0 {
		c.add("/lifecycle/transitions", "a lifecycle is either the generator's or transitions, not both")
	}
	states := map[string]bool{}
	trans := map[string]bool{}
	for i, t := range l.Transitions {
		at := fmt.Sprintf("/lifecycle/transitions/%d", i)
		if trans[t.Name] {
			c.add(at+"/name", "transition %q is named twice", t.Name)
		}
		trans[t.Name] = true
		states[t.To] = true
		if c.d.byName[t.Emits] == nil && !c.unknownEvents() {
			c.add(at+"/emits", "%q is not a listed event%s", t.Emits, suggest.Hint(t.Emits, slices.Sorted(maps.Keys(c.d.byName)), nil))
		}
		for j, ptr := range t.Set.Keys {
			raw := t.Set.Vals[j]
			var s string
			if json.Unmarshal(raw, &s) == nil && strings.ContainsAny(s, "{}") {
				c.tmpl(at+"/set/"+escape(ptr), s, ContextTransition)
			}
		}
		if len(t.After) == 2 && t.After[0].D > t.After[1].D {
			c.add(at+"/after", "the least delay %s is more than the most %s", t.After[0], t.After[1])
		}
	}
	for i, t := range l.Transitions {
		for j, s := range t.From {
			if !states[s] && s != l.Initial {
				c.add(fmt.Sprintf("/lifecycle/transitions/%d/from/%d", i, j), "%q is no transition's to, nor the initial state", s)
			}
		}
	}
	if len(l.Transitions) > 0 && l.State == "" {
		c.add("/lifecycle/state", "required with transitions: where payloads hold the state")
	}
	for i, sc := range l.Scenarios {
		at := fmt.Sprintf("/lifecycle/scenarios/%d", i)
		if len(sc.Steps) == 0 {
			if l.Generator == "" && c.d.f.Generator == "" {
				c.add(at, "%q names a built-in scenario, which only the phasio and happycolis generators have", sc.Name)
			}
			continue
		}
		for j, st := range sc.Steps {
			if !trans[st] {
				c.add(fmt.Sprintf("%s/steps/%d", at, j), "%q is not a transition", st)
			}
		}
		c.scenarioPlays(at, sc.Steps)
	}
}

// scenarioPlays refuses a scenario step the lifecycle forbids: a
// transition whose from does not hold the state the steps before left the
// order in (before the first step, the initial state), or one that
// creates the order (no from) after the first step. Generated anyway, such
// a scenario is traffic the platform never sends, and the lifecycle checks
// would judge receivers on it.
func (c *checker) scenarioPlays(at string, steps []string) {
	l := c.d.f.Lifecycle
	state := l.Initial
	for j, name := range steps {
		t, _, ok := c.d.Transition(name)
		if !ok {
			return // reported as not a transition
		}
		ptr := fmt.Sprintf("%s/steps/%d", at, j)
		where := fmt.Sprintf("after step %d (%s)", j-1, steps[max(j-1, 0)])
		switch {
		case len(t.From) == 0 && j > 0:
			c.add(ptr, "transition %q creates the order, which is in state %s %s: only a first step creates", name, state, where)
		case len(t.From) == 0 || slices.Contains(t.From, state):
		case j == 0 && state == "":
			c.add(ptr, "transition %q needs state %s, and an order has none before its first step: start with a transition that creates it (no from), or give lifecycle.initial", name, orList(t.From))
		case j == 0:
			c.add(ptr, "transition %q needs state %s, the order is in state %s (lifecycle.initial) before its first step", name, orList(t.From), state)
		default:
			c.add(ptr, "transition %q needs state %s, the order is in state %s %s", name, orList(t.From), state, where)
		}
		state = t.To
	}
}

// orList joins names with commas and a final "or".
func orList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

func (c *checker) delivery() {
	dl := c.d.f.Delivery
	if dl == nil {
		return
	}
	if dl.OnFailure == OnFailureBlock && dl.Retry != nil && !dl.Retry.None {
		c.add("/delivery/retry", "a queue that blocks on a failure does not retry: write none")
	}
	if dl.Retry != nil && len(dl.Retry.Schedule) == 0 && !dl.Retry.None && dl.Retry.Attempts == 0 {
		c.add("/delivery/retry", "give a schedule, or backoff and attempts")
	}
	if dl.Timeout.D < 0 || (dl.Timeout.D > 0 && dl.Timeout.D < time.Millisecond) {
		c.add("/delivery/timeout", "must be at least 1ms")
	}
}

func (c *checker) vectors() {
	names := map[string]bool{}
	for i, v := range c.d.f.Vectors {
		at := fmt.Sprintf("/vectors/%d", i)
		if names[v.Name] {
			c.add(at+"/name", "vector %q is named twice", v.Name)
		}
		names[v.Name] = true
		if len(v.Payload) == 0 && v.Body == "" {
			c.add(at, "give the payload, or the body signed as given")
		}
		if v.Nonce != "" && c.d.f.Encryption == nil {
			c.add(at+"/nonce", "only encrypted requests have a nonce")
		}
		if v.Expect.Body == "" && len(v.Expect.Headers) == 0 && v.Expect.Error == "" {
			c.add(at+"/expect", "say what it must give: headers, body, or error")
		}
	}
}

// escape escapes one pointer segment.
func escape(seg string) string { return jsonptr.Escape(seg) }

// lookup finds the value at ptr in a document decoded by encoding/json.
func lookup(doc any, ptr string) (any, bool) {
	p, err := jsonptr.Parse(ptr)
	if err != nil {
		return nil, false
	}
	return jsonptr.Get(doc, p)
}

// schemaCycle refuses an event's schema whose $refs lead back to
// themselves with nothing between (apispec.SchemaCycle): no payload
// satisfies it and no validator ends on it. An inline schema's cycle is
// reported where it is in the definition, a referenced file's in that
// file; a file that does not read is reported when the schema compiles.
func (c *checker) schemaCycle(at string, s SchemaSource) {
	var e *apispec.Error
	switch {
	case len(s.Inline) > 0:
		if errors.As(apispec.SchemaCycle(s.Inline, c.d.source, ""), &e) {
			c.ps.list = append(c.ps.list, &Error{Class: ErrDefinition, File: c.ps.file, Pointer: at + e.Pointer, Message: e.Message, Err: apispec.ErrRefCycle})
		}
	case s.Ref != "":
		file, frag, _ := strings.Cut(s.Ref, "#")
		if file == "" {
			return
		}
		doc, err := c.d.readRef(file)
		if err != nil {
			return
		}
		name := filepath.Join(c.d.opts.dir, filepath.FromSlash(file))
		if errors.As(apispec.SchemaCycle(doc, name, unescapeFragment(frag)), &e) {
			c.ps.list = append(c.ps.list, &Error{Class: ErrDefinition, File: e.File, Line: e.Line, Pointer: e.Pointer, Message: e.Message, Err: e})
		}
	}
}
