package pii

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/corpus"
	"github.com/orderhooks/orderhooks/internal/testkit/lessgc"
	"github.com/orderhooks/orderhooks/internal/testkit/sweep"
	"github.com/orderhooks/orderhooks/schemas"
)

// The tests allocate much and keep little: the collector runs a quarter as
// often (internal/testkit/lessgc).
func init() { lessgc.Set() }

var (
	saltA = bytes.Repeat([]byte{0xA1}, SaltSize)
	saltB = bytes.Repeat([]byte{0xB2}, SaltSize)
)

func redactor(t testing.TB, salt []byte, opts ...Option) *Redactor {
	t.Helper()
	r, err := New(salt, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestFields: the annotations mark exactly the fields this package's
// documentation lists, no more, no fewer (a hand-written table, so an
// annotation lost in an edit of the schemas fails here).
func TestFields(t *testing.T) {
	contact := func(at string) []Field {
		var out []Field
		for _, f := range [][2]string{{"address", KindStreet}, {"addressComplement", KindStreet}, {"city", KindCity},
			{"comments", KindNote}, {"companyId", KindIdentifier}, {"email", KindEmail}, {"eori", KindIdentifier},
			{"fullname", KindName}, {"metadata", KindFreeForm}, {"phone", KindPhone}, {"registration", KindIdentifier},
			{"taxId", KindIdentifier}, {"zipcode", KindPostalCode}} {
			out = append(out, Field{at + "/" + f[0], f[1]})
		}
		return out
	}
	phasio := []Field{
		{"/customReference", KindReference}, {"/customerOrganisationName", KindCompany},
		{"/shipping/address/city", KindCity}, {"/shipping/address/email", KindEmail},
		{"/shipping/address/name", KindName}, {"/shipping/address/phone", KindPhone},
		{"/shipping/address/street1", KindStreet}, {"/shipping/address/street2", KindStreet},
		{"/shipping/address/zip", KindPostalCode},
	}
	var hc []Field
	hc = append(hc, contact("/body/billingContact")...)
	hc = append(hc, contact("/body/buyer")...)
	hc = append(hc, Field{"/body/collectPointZipCode", KindPostalCode}, Field{"/body/comment", KindNote})
	hc = append(hc, contact("/body/deliveryContact")...)
	hc = append(hc, Field{"/body/lines/*/meta", KindFreeForm}, Field{"/body/meta", KindFreeForm})
	hc = append(hc, contact("/body/seller")...)
	for _, tt := range []struct {
		schema string
		want   []Field
	}{
		{schemas.PhasioOrder, phasio}, {schemas.PhasioOrderStrict, phasio}, {schemas.PhasioQuoteConverted, phasio},
		{schemas.HappyColisOrderEvent, hc}, {schemas.HappyColisOrderEventStrict, hc},
	} {
		got, err := Fields(tt.schema)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := fieldList(got), fieldList(tt.want); g != w {
			t.Errorf("%s personal fields:\n got %s\nwant %s", tt.schema, g, w)
		}
	}
	if _, err := Fields("phasio/nope"); !errors.Is(err, schemas.ErrUnknownSchema) {
		t.Errorf("unknown schema: %v", err)
	}
}

func fieldList(fs []Field) string {
	var parts []string
	for _, f := range fs {
		parts = append(parts, f.Pointer+"="+f.Kind)
	}
	return strings.Join(parts, " ")
}

func TestPseudonymFormats(t *testing.T) {
	r := redactor(t, saltA)
	for _, tt := range []struct {
		kind, in string
		re       string // the pseudonym matches
	}{
		{KindName, "Ashleigh Blake", `^[A-Z][a-z]{7} [A-Z][a-z]{4}$`},
		{KindName, "Jean-Luc O'Neil", `^[A-Z][a-z]{3}-[A-Z][a-z]{2} [A-Z]'[A-Z][a-z]{3}$`},
		{KindName, "王伟", `^[a-z]{2}$`},
		{KindCompany, "STILLWATER SUPERCOMPUTING INC", `^[A-Z]{10} [A-Z]{14} INC$`},
		{KindCompany, "Geofeedia SL", `^[A-Z][a-z]{8} SL$`},
		{KindCompany, "GmbH", `^[A-Z][a-z][A-Z]$|^[A-Z][a-z]{2}[A-Z]$`},
		{KindEmail, "ashleigh.blake@gmail.com", `^[a-z]{8}\.[a-z]{5}@[a-z]{5}\.example$`},
		{KindEmail, "Procurement+PO@Stillwater.de", `^[a-z]{11}\+[a-z]{2}@[a-z]{10}\.example$`},
		{KindPhone, "+45 94 86 66 67", `^\+45 [0-9]{2} [0-9]{2} [0-9]{2} [0-9]{2}$`},
		{KindPhone, "+352621884449", `^\+35[0-9]{10}$`},
		{KindPhone, "(415) 555-0100", `^\([0-9]{3}\) [0-9]{3}-[0-9]{4}$`},
		{KindStreet, "186 avenue de la Liberté", `^[0-9]{3} avenue de la [A-Z][a-z]{6}$`},
		{KindStreet, "Robert-Bosch-Straße 166", `^[A-Z][a-z]{5}-[A-Z][a-z]{4}-Straße [0-9]{3}$`},
		{KindCity, "Esch-sur-Alzette", `^[A-Z][a-z]{3}-[a-z]{3}-[A-Z][a-z]{6}$`},
		{KindPostalCode, "L-4680", `^[A-Z]-[0-9]{4}$`},
		{KindPostalCode, "SW1A 1AA", `^[A-Z]{2}[0-9][A-Z] [0-9][A-Z]{2}$`},
		{KindIdentifier, "ES09997485722", `^[A-Z]{2}[0-9]{11}$`},
		{KindReference, "PO-2024-0042", `^[A-Z]{2}-[0-9]{4}-[0-9]{4}$`},
		{KindNote, "Leave at the door, ring 2x!", `^[A-Z][a-z]{4} [a-z]{2} [a-z]{3} [a-z]{4}, [a-z]{4} [0-9][a-z]!$`},
	} {
		got := r.Pseudonym(tt.kind, tt.in)
		if !regexp.MustCompile(tt.re).MatchString(got) {
			t.Errorf("Pseudonym(%s, %q) = %q, want a match of %s", tt.kind, tt.in, got, tt.re)
		}
		if strings.EqualFold(got, tt.in) {
			t.Errorf("Pseudonym(%s, %q) is the value itself", tt.kind, tt.in)
		}
		if again := r.Pseudonym(tt.kind, tt.in); again != got {
			t.Errorf("Pseudonym(%s, %q) not stable: %q then %q", tt.kind, tt.in, got, again)
		}
		if other := redactor(t, saltB).Pseudonym(tt.kind, tt.in); other == got && len(tt.in) > 3 {
			t.Errorf("Pseudonym(%s, %q) = %q under two salts", tt.kind, tt.in, got)
		}
	}
	// Words are replaced one by one: a name and its e-mail address agree.
	name := strings.ToLower(r.Pseudonym(KindName, "Ashleigh Blake"))
	email := r.Pseudonym(KindEmail, "ashleigh.blake@gmail.com")
	if local, _, _ := strings.Cut(email, "@"); local != strings.ReplaceAll(name, " ", ".") {
		t.Errorf("name %q and e-mail %q do not share their words", name, email)
	}
	if r.Pseudonym(KindName, "") != "" || r.Pseudonym(KindPhone, " - ") != " - " {
		t.Error("values without letters or digits should stay as they are")
	}
}

func TestNewErrors(t *testing.T) {
	if _, err := New(make([]byte, MinSaltSize-1)); !errors.Is(err, ErrSalt) {
		t.Errorf("short salt: %v", err)
	}
	bad := schemas.MustCompile("bad/one", []byte(`{"properties":{"a":{"type":"string","x-personal":"shoe-size"}}}`))
	if _, err := New(saltA, WithSchemas([]*schemas.Schema{bad})); !errors.Is(err, ErrAnnotation) || !strings.Contains(err.Error(), "bad/one#/properties/a") {
		t.Errorf("unknown kind: %v", err)
	}
}

func TestRedactKeepsTheRestByteForByte(t *testing.T) {
	r := redactor(t, saltA)
	in := []byte("{ \"header\" : {\"type\":\"order/updated\"},\n \"body\": {\"total\": 12.50, \"buyer\": {\"fullname\": \"Ana \\u00c9lise\", \"phone\": \"+33 6 12\"},\n \"lines\": [{\"meta\": {\"gift note\": \"for Ana\", \"n\": 42}}], \"surprise\": {\"x\": \"y\"}}}")
	out, n, err := r.Redact(generator.ProviderHappyColis, generator.HappyColisUpdated, in)
	if err != nil {
		t.Fatal(err)
	}
	if n != 5 {
		t.Errorf("%d values replaced, want 5 (fullname, phone, meta's two values, the undocumented member)", n)
	}
	if !json.Valid(out) {
		t.Fatalf("not JSON: %s", out)
	}
	for _, keep := range []string{"{ \"header\" : {\"type\":\"order/updated\"},\n \"body\": {\"total\": 12.50, \"buyer\": {\"fullname\": ", `"gift note": `, `"surprise": {"x": `} {
		if !bytes.Contains(out, []byte(keep)) {
			t.Errorf("%q changed: %s", keep, out)
		}
	}
	for _, gone := range []string{"Ana", "lise", "for Ana", "\"y\"", "42", "12\""} {
		if bytes.Contains(out, []byte(gone)) {
			t.Errorf("%q still in %s", gone, out)
		}
	}
	kept, _, _ := redactor(t, saltA, WithKeepUndocumented()).Redact(generator.ProviderHappyColis, generator.HappyColisUpdated, in)
	if !bytes.Contains(kept, []byte(`"surprise": {"x": "y"}`)) {
		t.Errorf("WithKeepUndocumented changed the undocumented member: %s", kept)
	}

	// An event without a schema: everything but member names.
	out, _, err = r.Redact(generator.ProviderPhasio, "CUSTOMER_ORGANISATION_CREATED", []byte(`{"name":"Acme Tools","size":12}`))
	if err != nil || bytes.Contains(out, []byte("Acme")) || bytes.Contains(out, []byte("12")) || !bytes.Contains(out, []byte(`"name":`)) {
		t.Errorf("no schema: %s %v", out, err)
	}
	if _, _, err := r.Redact(generator.ProviderPhasio, generator.PhasioOrderUpdated, []byte(`{"orderId":`)); !errors.Is(err, ErrPayload) {
		t.Errorf("not JSON: %v", err)
	}
}

// TestRedactProperty runs redaction over generated traffic of both
// platforms (PII_ORDERS events, 400 by default; .ci/run sweeps 50,000):
//   - no personal value of the input appears in any string of the output
//     (keys included, any case), except inside a string that the input
//     holds unchanged in a non-personal field, when the value is digits
//     only (a postal code inside a UUID), a city (the carrier "POST
//     Luxembourg Colis"), or the event is an edge case (they repeat one
//     long text in every field);
//   - every output validates against the strict schema, and differs from
//     the input only in personal fields;
//   - within a salt a value always gets the same pseudonym (the leak guard
//     aside, which must be rare); under another salt another one.
func TestRedactProperty(t *testing.T) {
	n, err := sweep.Size("PII_ORDERS", 400, 50_000)
	if err != nil {
		t.Fatal(err)
	}
	clean, err := corpus.Clean(n, 11)
	if err != nil {
		t.Fatal(err)
	}
	var drifted []*generator.Event
	for _, p := range []string{generator.ProviderPhasio, generator.ProviderHappyColis} {
		evs, err := corpus.Drifted(p, n/20+1, 12)
		if err != nil {
			t.Fatal(err)
		}
		drifted = append(drifted, evs...)
	}
	ra, rb := redactor(t, saltA), redactor(t, saltB)
	st := &propertyStats{byValue: map[string]string{}, other: map[string]string{}}
	for _, ev := range append(clean, drifted...) {
		checkRedaction(t, ra, rb, ev, st)
		if t.Failed() {
			return
		}
	}
	if st.values < n {
		t.Errorf("only %d personal values in %d events", st.values, n)
	}
	if st.unstable*200 > st.values {
		t.Errorf("%d of %d values got more than one pseudonym", st.unstable, st.values)
	}
	same := 0
	for key, p := range st.byValue {
		if st.other[key] == p {
			same++
			if kind, v, _ := strings.Cut(key, " "); replaceable(kind, v) >= 8 {
				t.Errorf("%q: pseudonym %q under both salts", key, p)
			}
		}
	}
	if same*100 > len(st.byValue) {
		t.Errorf("%d of %d distinct values have the same pseudonym under two salts", same, len(st.byValue))
	}
	t.Logf("%d events, %d personal values (%d distinct); in untouched non-personal strings: %d digits or city names, %d edge-case texts; %d pseudonyms changed by the leak guard, %d alike under two salts",
		len(clean)+len(drifted), st.values, len(st.byValue), st.coincidences, st.edge, st.unstable, same)
}

type propertyStats struct {
	values, edge, coincidences, unstable int
	byValue, other                       map[string]string // "kind value" → pseudonym under salt A, B
}

func alnum(s string) int {
	n := 0
	for _, c := range s {
		if unicode.IsLetter(c) || unicode.IsDigit(c) {
			n++
		}
	}
	return n
}

func checkRedaction(t *testing.T, ra, rb *Redactor, ev *generator.Event, st *propertyStats) {
	t.Helper()
	out, _, err := ra.Redact(ev.Provider, ev.Event, ev.Payload)
	if err != nil {
		t.Fatalf("%s %s: %v", ev.Event, ev.Label, err)
	}
	outB, _, err := rb.Redact(ev.Provider, ev.Event, ev.Payload)
	if err != nil {
		t.Fatal(err)
	}
	strict, _ := schemas.ForEvent(ev.Provider, ev.Event, true)
	if ev.Variant != "drift" {
		if err := schemas.Validate(strict, out); err != nil {
			t.Errorf("%s %s: redacted payload invalid: %v\n%s", ev.Event, ev.Label, err, out)
		}
	}
	fields, _ := Fields(strict)
	ps := split(fields)
	in, got, gotB := decode(t, ev.Payload), decode(t, out), decode(t, outB)

	// The personal values of the input, and what became of each.
	var personal []string
	cities := map[string]bool{}
	plain := map[string]bool{} // strings of the input outside personal fields
	walk(in, "", func(ptr string, v any) {
		f, ok := ps.fieldAt(ptr)
		s := scalarText(v)
		if !ok {
			if str, isStr := v.(string); isStr {
				plain[str] = true
			}
			return
		}
		if s == "" {
			return
		}
		st.values++
		personal = append(personal, strings.ToLower(strings.TrimSpace(s)))
		if f.Kind == KindCity {
			cities[personal[len(personal)-1]] = true
		}
		if f.Kind == KindFreeForm {
			return // the pointer inside is not a field of its own
		}
		p, pb := scalarText(lookup(got, ptr)), scalarText(lookup(gotB, ptr))
		key := f.Kind + " " + s
		if old, seen := st.byValue[key]; seen && old != p {
			st.unstable++
		}
		st.byValue[key], st.other[key] = p, pb
	})

	// No personal value anywhere in the output.
	var all []string
	walkStrings(got, func(s string) { all = append(all, s) })
	joined := strings.ToLower(strings.Join(all, "\x00"))
	for _, v := range personal {
		if len([]rune(v)) < GuardLength || !strings.Contains(joined, v) {
			continue
		}
		for _, s := range all {
			if !strings.Contains(strings.ToLower(s), v) {
				continue
			}
			// An untouched string of the input's non-personal fields may
			// hold a personal value by coincidence (digits inside an id) or
			// on purpose (the edge cases repeat one text everywhere).
			if plain[s] && ev.Variant == "edge" {
				st.edge++
				continue
			}
			if plain[s] && (cities[v] || alnum(v) == len(strings.Map(keepDigit, v))) {
				st.coincidences++
				continue
			}
			t.Errorf("%s %s: personal value %.80q appears in output string %.80q", ev.Event, ev.Label, v, s)
		}
	}

	// Outside personal fields, nothing changed.
	if ev.Variant != "drift" {
		walk(in, "", func(ptr string, v any) {
			if _, ok := ps.fieldAt(ptr); ok {
				return
			}
			if g := lookup(got, ptr); scalarText(g) != scalarText(v) {
				t.Errorf("%s %s: %s changed from %v to %v", ev.Event, ev.Label, ptr, v, g)
			}
		})
	}
}

// replaceable counts the letters and digits a pseudonym replaces (those
// outside kept street and legal-form words).
func replaceable(kind, v string) int {
	n := 0
	for _, w := range strings.FieldsFunc(v, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if !keepWords[kind][strings.ToLower(w)] {
			n += alnum(w)
		}
	}
	return n
}

func keepDigit(r rune) rune {
	if unicode.IsDigit(r) {
		return r
	}
	return -1
}

func decode(t *testing.T, b []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return v
}

// walk calls fn for every scalar with its pointer.
func walk(v any, at string, fn func(string, any)) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			walk(c, at+"/"+strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1"), fn)
		}
	case []any:
		for i, c := range x {
			walk(c, at+"/"+strconv.Itoa(i), fn)
		}
	default:
		fn(at, v)
	}
}

// walkStrings calls fn for every string of v, member names included.
func walkStrings(v any, fn func(string)) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			fn(k)
			walkStrings(c, fn)
		}
	case []any:
		for _, c := range x {
			walkStrings(c, fn)
		}
	case string:
		fn(x)
	}
}

func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return string(x)
	}
	return ""
}

func lookup(v any, ptr string) any {
	for _, tok := range strings.Split(ptr, "/")[1:] {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch x := v.(type) {
		case map[string]any:
			v = x[tok]
		case []any:
			i, _ := strconv.Atoi(tok)
			if i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// patterns are personal fields with their pointers split into tokens.
type patterns []struct {
	f    Field
	toks []string
}

func split(fields []Field) patterns {
	out := make(patterns, len(fields))
	for i, f := range fields {
		out[i].f, out[i].toks = f, strings.Split(f.Pointer, "/")
	}
	return out
}

// fieldAt finds the personal field a concrete pointer is, or is inside
// (free-form).
func (ps patterns) fieldAt(ptr string) (Field, bool) {
	toks := strings.Split(ptr, "/")
	for _, p := range ps {
		if len(p.toks) > len(toks) || (len(p.toks) < len(toks) && p.f.Kind != KindFreeForm) {
			continue
		}
		match := true
		for i := range p.toks {
			if p.toks[i] != toks[i] && (p.toks[i] != "*" || toks[i] == "") {
				match = false
				break
			}
		}
		if match {
			return p.f, true
		}
	}
	return Field{}, false
}

func BenchmarkRedact(b *testing.B) {
	evs, err := corpus.Generate(generator.ProviderPhasio, 200, 3)
	if err != nil {
		b.Fatal(err)
	}
	r := redactor(b, saltA)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		ev := evs[i%len(evs)]
		if _, _, err := r.Redact(ev.Provider, ev.Event, ev.Payload); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "payloads/s")
}

// TestLeakGuard: a pseudonym that would spell another personal value of
// the payload is derived again.
func TestLeakGuard(t *testing.T) {
	r := redactor(t, saltA)
	city := r.Pseudonym(KindCity, "Lyon")                                                         // what "Lyon" becomes…
	payload := []byte(`{"header":{},"body":{"buyer":{"city":"Lyon","fullname":"` + city + `"}}}`) // …is someone's name here
	out, _, err := r.Redact(generator.ProviderHappyColis, generator.HappyColisUpdated, payload)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(bytes.ToLower(out), bytes.ToLower([]byte(city))) {
		t.Errorf("%s still holds %q", out, city)
	}
	// Without the other value, the usual pseudonym.
	out, _, _ = r.Redact(generator.ProviderHappyColis, generator.HappyColisUpdated, []byte(`{"body":{"buyer":{"city":"Lyon"}}}`))
	if !bytes.Contains(out, []byte(city)) {
		t.Errorf("%s: want the usual pseudonym %q", out, city)
	}
}
