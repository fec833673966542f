package pii

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/jsonscan"
	"github.com/orderhooks/orderhooks/internal/shape"
	"github.com/orderhooks/orderhooks/schemas"
)

// SaltSize is the size of the salts NewSalt makes; New accepts salts of
// at least MinSaltSize bytes.
const (
	SaltSize    = 32
	MinSaltSize = 16
)

// Errors of New and Redact.
var (
	// ErrSalt is returned by New for a salt shorter than MinSaltSize.
	ErrSalt = errors.New("pii: salt too short")
	// ErrPayload wraps the syntax error of a payload that is not JSON.
	ErrPayload = errors.New("pii: payload is not JSON")
	// ErrAnnotation is returned when a schema's x-personal annotation
	// names no known kind.
	ErrAnnotation = errors.New("pii: unknown x-personal kind")
)

// NewSalt returns SaltSize random bytes, a fresh salt for a store.
func NewSalt() []byte {
	b := make([]byte, SaltSize)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return b
}

// Redactor replaces personal values in payloads by pseudonyms keyed by
// its salt. It is immutable and safe for concurrent use.
type Redactor struct {
	mac          func(parts ...string) [32]byte
	tries        map[string]*trie // by schema name
	undocumented *trie            // members a schema does not list: freeForm, or nil to keep them
}

type config struct {
	set  []*schemas.Schema
	keep bool
}

// Option configures New.
type Option func(*config)

// WithSchemas reads the x-personal annotations of another schema set (the
// embedded schemas with an overlay applied, say) instead of the embedded
// schemas.
func WithSchemas(set []*schemas.Schema) Option { return func(c *config) { c.set = set } }

// WithKeepUndocumented keeps the values of fields the schemas do not
// document. By default they are replaced as free-form data: nothing says
// they are not personal (a platform that adds buyer.birthdate does not
// annotate it).
func WithKeepUndocumented() Option { return func(c *config) { c.keep = true } }

// New returns a Redactor keyed by salt (at least MinSaltSize bytes; keep
// it with the data it redacts, e.g. one per capture store) that finds
// personal fields by the embedded schemas' x-personal annotations.
func New(salt []byte, opts ...Option) (*Redactor, error) {
	var c config
	for _, o := range opts {
		o(&c)
	}
	if len(salt) < MinSaltSize {
		return nil, fmt.Errorf("%w: %d bytes, need at least %d", ErrSalt, len(salt), MinSaltSize)
	}
	tries, err := embeddedTries()
	if c.set != nil {
		tries, err = compileTries(c.set)
	}
	if err != nil {
		return nil, err
	}
	r := &Redactor{mac: newMAC(bytes.Clone(salt)), tries: tries, undocumented: freeForm}
	if c.keep {
		r.undocumented = nil
	}
	return r, nil
}

var embeddedTries = sync.OnceValues(func() (map[string]*trie, error) { return compileTries(schemas.All()) })

func compileTries(set []*schemas.Schema) (map[string]*trie, error) {
	docs := make([]shape.Doc, len(set))
	for i, s := range set {
		docs[i] = shape.Doc{Name: s.Name(), Source: s.Source()}
	}
	nodes, err := shape.Compile(docs)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*trie, len(nodes))
	for name, n := range nodes {
		t, err := build([]*shape.Node{n}, 0)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// trie says which values of a document are personal, by member name and
// array item, merged over every schema that applies at each place.
type trie struct {
	kind  string // the x-personal kind here, "" when none
	props map[string]*trie
	other *trie // members not in props (additionalProperties)
	items *trie
}

// maxSchemaDepth bounds how deep build follows a schema (recursive schemas
// describe documents of any depth; payloads are read to any depth, and
// what lies deeper than this is treated as free-form, personal).
const maxSchemaDepth = 64

var freeForm = &trie{kind: KindFreeForm}

func build(nodes []*shape.Node, depth int) (*trie, error) {
	if depth > maxSchemaDepth {
		return freeForm, nil
	}
	var all []*shape.Node
	for _, n := range nodes {
		for _, e := range n.Expand() {
			all = append(all, e)
			// Conditional branches may apply: their annotations count.
			for _, c := range []*shape.Node{e.Then, e.Else} {
				if c != nil {
					all = append(all, c.Expand()...)
				}
			}
		}
	}
	t := &trie{}
	for _, n := range all {
		if n.Personal == "" {
			continue
		}
		if !slices.Contains(Kinds, n.Personal) {
			return nil, fmt.Errorf("%w %q at %s (known: %s)", ErrAnnotation, n.Personal, n.Location(), strings.Join(Kinds, ", "))
		}
		if t.kind == "" || n.Personal == KindFreeForm {
			t.kind = n.Personal
		}
	}
	if t.kind == KindFreeForm {
		return freeForm, nil
	}
	byName := map[string][]*shape.Node{}
	var other, items []*shape.Node
	for _, n := range all {
		for k, p := range n.Properties {
			byName[k] = append(byName[k], p)
		}
		if n.Additional != nil {
			other = append(other, n.Additional)
		}
		if n.Items != nil {
			items = append(items, n.Items)
		}
	}
	var err error
	if len(byName) > 0 {
		t.props = make(map[string]*trie, len(byName))
		for k, ns := range byName {
			if t.props[k], err = build(ns, depth+1); err != nil {
				return nil, err
			}
		}
	}
	if len(other) > 0 {
		if t.other, err = build(other, depth+1); err != nil {
			return nil, err
		}
	}
	if len(items) > 0 {
		if t.items, err = build(items, depth+1); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// Field is one personal field of a schema.
type Field struct {
	// Pointer is the field's JSON pointer, "*" standing for any array
	// index: /parts/*/name.
	Pointer string `json:"pointer"`
	Kind    string `json:"kind"`
}

// Fields lists the personal fields of an embedded schema, sorted by
// pointer: what Redact replaces in its documents.
func Fields(schema string) ([]Field, error) {
	tries, err := embeddedTries()
	if err != nil {
		return nil, err
	}
	t, ok := tries[schema]
	if !ok {
		return nil, fmt.Errorf("%w %q", schemas.ErrUnknownSchema, schema)
	}
	var out []Field
	var walk func(t *trie, at string, depth int)
	walk = func(t *trie, at string, depth int) {
		if t.kind != "" {
			out = append(out, Field{Pointer: at, Kind: t.kind})
			return
		}
		if depth > 16 {
			return
		}
		for k, c := range t.props {
			walk(c, jsonptr.Join(at, k), depth+1)
		}
		if t.items != nil {
			walk(t.items, at+"/*", depth+1)
		}
	}
	walk(t, "", 0)
	sort.Slice(out, func(i, j int) bool { return out[i].Pointer < out[j].Pointer })
	return out, nil
}

// Pseudonym returns the pseudonym of a personal value of a kind (see the
// Kind constants; an unknown kind is treated as KindNote). The same salt,
// kind and value always give the same pseudonym; another salt gives
// another. Words are replaced one by one, so a word reads the same in
// every field: the name "Ada Lovelace" and the e-mail
// ada.lovelace@example.org share their made-up words.
func (r *Redactor) Pseudonym(kind, value string) string { return r.pseudonym(kind, value, 0) }

// Redact returns payload with every personal value replaced by its
// pseudonym, the rest of the document byte for byte as it was (field
// order, numbers, spacing). The schema is the one schemas.ForEvent names
// for the provider's event; an event without a schema (a Phasio customer
// or cart trigger, say) has every string and number replaced, since
// nothing says which are not personal. The second result counts the
// values replaced.
func (r *Redactor) Redact(provider, event string, payload []byte) ([]byte, int, error) {
	name, err := schemas.ForEvent(provider, event, false)
	if errors.Is(err, schemas.ErrUnknownSchema) {
		return r.redact(freeForm, payload)
	}
	if err != nil {
		return nil, 0, err
	}
	return r.RedactSchema(name, payload)
}

// RedactSchema is Redact for a document of the named schema.
func (r *Redactor) RedactSchema(schema string, payload []byte) ([]byte, int, error) {
	t, ok := r.tries[schema]
	if !ok {
		return nil, 0, fmt.Errorf("%w %q", schemas.ErrUnknownSchema, schema)
	}
	return r.redact(t, payload)
}

// edit is one value to replace: bytes [start, end) of the payload.
type edit struct {
	start, end int
	kind       string
	number     bool
	value      string
}

func (r *Redactor) redact(t *trie, payload []byte) ([]byte, int, error) {
	var edits []edit
	s := jsonscan.New(payload)
	w := walker{s: s, undocumented: r.undocumented, edits: &edits}
	w.collect(t)
	if s.End(); s.Err() != nil {
		return nil, 0, fmt.Errorf("%w: %w", ErrPayload, s.Err())
	}
	if len(edits) == 0 {
		return bytes.Clone(payload), 0, nil
	}
	// The leak guard: a pseudonym must not contain any personal value of
	// the payload. Made-up words could, by chance, spell one; then the
	// value gets another pseudonym.
	var originals []string
	for _, e := range edits {
		if v := strings.ToLower(strings.TrimSpace(e.value)); len([]rune(v)) >= GuardLength {
			originals = append(originals, v)
		}
	}
	out := make([]byte, 0, len(payload)+len(payload)/8)
	last := 0
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, e := range edits {
		p := r.guarded(e, originals)
		out = append(out, payload[last:e.start]...)
		if e.number {
			out = append(out, p...)
		} else {
			buf.Reset()
			_ = enc.Encode(p) // a string always encodes
			out = append(out, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
		}
		last = e.end
	}
	out = append(out, payload[last:]...)
	return out, len(edits), nil
}

// GuardLength is the shortest personal value the leak guard looks for:
// shorter ones (initials, a two-digit house number) occur by chance in
// any text.
const GuardLength = 4

func (r *Redactor) guarded(e edit, originals []string) string {
	if e.number {
		return r.number(e.value)
	}
	for attempt := 0; attempt < 4; attempt++ {
		p := r.pseudonym(e.kind, e.value, attempt)
		if !leaks(p, originals) {
			return p
		}
	}
	return r.chars(e.value, "x"+e.value)
}

func leaks(p string, originals []string) bool {
	lp := strings.ToLower(p)
	for _, o := range originals {
		if strings.Contains(lp, o) {
			return true
		}
	}
	return false
}

// number replaces a number's digits, keeping its sign, point, exponent
// and length (and a leading digit non-zero, so it stays a JSON number).
func (r *Redactor) number(raw string) string {
	s := &stream{mac: r.mac, seed: "n" + raw}
	b := []byte(raw)
	for i, c := range b {
		if c < '0' || c > '9' {
			continue
		}
		d := byte(s.intn(10))
		if c != '0' && (i == 0 || b[i-1] < '0' || b[i-1] > '9') && d == 0 {
			d = 1 + byte(s.intn(9))
		}
		if c == '0' && (i == 0 || b[i-1] == '-') {
			d = 0 // a leading zero stays one (0.5, -0.25)
		}
		b[i] = '0' + d
	}
	return string(b)
}

// walker finds the personal values of one payload.
type walker struct {
	s            *jsonscan.Scanner
	undocumented *trie
	edits        *[]edit
}

// collect walks one value with its trie (nil: nothing known about it) and
// records the personal ones.
func (w *walker) collect(t *trie) {
	s := w.s
	if t != nil && t.kind != "" {
		personal(s, t.kind, w.edits)
		return
	}
	switch s.Peek() {
	case jsonscan.Object:
		s.BeginObject()
		for {
			k, esc, ok := s.NextKey()
			if !ok {
				return
			}
			var c *trie
			if t != nil {
				c = t.props[jsonscan.Text(k, esc)]
				if c == nil {
					c = t.other
				}
				if c == nil && t.props != nil {
					c = w.undocumented
				}
			}
			w.collect(c)
		}
	case jsonscan.Array:
		s.BeginArray()
		for s.NextItem() {
			var c *trie
			if t != nil {
				c = t.items
			}
			w.collect(c)
		}
	default:
		s.Skip()
	}
}

// personal records the strings and numbers of a personal value; a
// container in a personal field (the platform sent an object where the
// schema has a string) is free-form.
func personal(s *jsonscan.Scanner, kind string, edits *[]edit) {
	switch s.Peek() {
	case jsonscan.String:
		start := s.Pos()
		raw, esc, ok := s.String()
		if ok {
			if kind == KindFreeForm {
				kind = KindNote
			}
			*edits = append(*edits, edit{start: start, end: s.Pos(), kind: kind, value: jsonscan.Text(raw, esc)})
		}
	case jsonscan.Number:
		start := s.Pos()
		raw, ok := s.Number()
		if ok {
			*edits = append(*edits, edit{start: start, end: s.Pos(), number: true, value: string(raw)})
		}
	case jsonscan.Object:
		s.BeginObject()
		for {
			if _, _, ok := s.NextKey(); !ok {
				return
			}
			personal(s, KindFreeForm, edits)
		}
	case jsonscan.Array:
		s.BeginArray()
		for s.NextItem() {
			personal(s, KindFreeForm, edits)
		}
	default:
		s.Skip()
	}
}
