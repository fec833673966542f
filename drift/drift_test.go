package drift

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/corpus"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/internal/testkit/lessgc"
	"github.com/orderhooks/orderhooks/internal/testkit/sweep"
	"github.com/orderhooks/orderhooks/schemas"
)

// The collector runs less often in this test binary (internal/testkit/lessgc).
func init() { lessgc.Set() }

func analyzer(t testing.TB, opts ...Option) *Analyzer {
	t.Helper()
	a, err := New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// cleanTraffic is the clean traffic the tests share: DRIFT_PAYLOADS
// events (1,000 by default; .ci/run sweeps 100,000) of both platforms.
// The default holds every injected deviation (the last is the 760th
// payload) and reaches every statement of drift, schemas and
// internal/shape that 4,000 reach.
var cleanTraffic = sync.OnceValues(func() ([]*generator.Event, error) {
	n, err := sweep.Size("DRIFT_PAYLOADS", 1_000, 100_000)
	if err != nil {
		return nil, err
	}
	return corpus.Clean(n, 31)
})

// clean returns a copy of the first n events of the shared traffic (all
// for n 0), free to change.
func clean(t testing.TB, n int) []*generator.Event {
	t.Helper()
	evs, err := cleanTraffic()
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 || n > len(evs) {
		n = len(evs)
	}
	out := make([]*generator.Event, n)
	for i, ev := range evs[:n] {
		c := *ev
		out[i] = &c
	}
	return out
}

// TestAgreesWithValidator holds the analysis to the validator the rest of
// orderhooks uses: on clean, drifted, edge and hand-broken payloads of
// both platforms, it finds a violation at exactly the pointers where
// jsonschema v6 (through schemas.Validate, strict) finds one.
func TestAgreesWithValidator(t *testing.T) {
	payloads := agreementPayloads(t)
	a := analyzer(t)
	var got []string
	a.w.record = func(v violation) { got = append(got, v.pointer) }
	disagreements, violations := 0, 0
	for _, ev := range payloads {
		got = got[:0]
		if err := a.Add(ev.Provider, ev.Event, ev.Payload, ev.Label); err != nil {
			t.Fatal(err)
		}
		name, _ := schemas.ForEvent(ev.Provider, ev.Event, true)
		var want []string
		var ve *schemas.ValidationError
		if err := schemas.Validate(name, ev.Payload); errors.As(err, &ve) {
			for _, v := range ve.Violations {
				want = append(want, v.Pointer)
			}
		} else if err != nil {
			t.Fatal(err)
		}
		g, w := uniq(got), uniq(want)
		violations += len(w)
		if g != w {
			disagreements++
			if disagreements <= 5 {
				t.Errorf("%s %s %q:\n drift     %s\n validator %s", ev.Provider, ev.Event, ev.Label, g, w)
			}
		}
	}
	if disagreements > 0 {
		t.Errorf("%d of %d payloads disagree", disagreements, len(payloads))
	}
	if violations < 500 {
		t.Errorf("only %d violations in the sample: the test proves little", violations)
	}
	t.Logf("%d payloads, %d violations, all at the validator's pointers", len(payloads), violations)
}

func uniq(ptrs []string) string {
	m := map[string]bool{}
	for _, p := range ptrs {
		m[p] = true
	}
	out := make([]string, 0, len(m))
	for p := range m {
		out = append(out, p)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// broken breaks payloads in the ways the generator's drift does not:
// nulls, enum values, formats, patterns, bounds, wrong containers, escapes.
// agreementPayloads are the payloads the analysis and the checker are held
// to the validator on: clean traffic of both platforms, drifted, edge and
// hand-broken payloads.
func agreementPayloads(t *testing.T) []*generator.Event {
	t.Helper()
	payloads := clean(t, sweep.N(500, 1500))
	drifted, err := driftedTraffic()
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range drifted {
		c := *ev
		payloads = append(payloads, &c)
	}
	return append(payloads, broken(t, clean(t, 0))...)
}

// driftedTraffic is the drifted traffic of both platforms, generated once
// for the tests that hold the analysis and the checker to the validator.
var driftedTraffic = sync.OnceValues(func() ([]*generator.Event, error) {
	var evs []*generator.Event
	for _, p := range []string{generator.ProviderPhasio, generator.ProviderHappyColis} {
		d, err := corpus.Drifted(p, 400, 22)
		if err != nil {
			return nil, err
		}
		evs = append(evs, d...)
	}
	return evs, nil
})

func broken(t *testing.T, clean []*generator.Event) []*generator.Event {
	edits := []struct {
		provider, label string
		edit            func(m map[string]any)
	}{
		{"phasio", "null pricing", func(m map[string]any) { m["pricing"] = nil }},
		{"phasio", "negative quantity", func(m map[string]any) { part(m)["quantity"] = json.Number("-3") }},
		{"phasio", "fractional quantity", func(m map[string]any) { part(m)["quantity"] = json.Number("2.5") }},
		{"phasio", "integral float quantity", func(m map[string]any) { part(m)["quantity"] = json.Number("2.0") }},
		{"phasio", "tax over 100", func(m map[string]any) { obj(m, "pricing")["taxPercentage"] = json.Number("100.0000000000000001") }},
		{"phasio", "currency pattern", func(m map[string]any) { obj(m, "pricing")["currency"] = "eur" }},
		{"phasio", "date format", func(m map[string]any) { obj(m, "pricing")["paymentDueDate"] = "2025-02-30" }},
		{"phasio", "uuid format", func(m map[string]any) { part(m)["specificationId"] = "not-a-uuid" }},
		{"phasio", "parts an object", func(m map[string]any) { m["parts"] = map[string]any{"0": part(m)} }},
		{"phasio", "escaped key", func(m map[string]any) { m["a/b~c\u00e9"] = true }},
		{"phasio", "payment status", func(m map[string]any) { m["paymentStatus"] = "REFUNDED" }},
		{"phasio", "huge number", func(m map[string]any) { obj(m, "pricing")["totalPrice"] = json.Number("1e5000") }},
		{"happycolis", "buyer null", func(m map[string]any) { obj(m, "body")["buyer"] = nil }},
		{"happycolis", "seller string", func(m map[string]any) { obj(m, "body")["seller"] = "Shop" }},
		{"happycolis", "state enum", func(m map[string]any) { obj(m, "body")["state"] = "SHIPPED" }},
		{"happycolis", "state null", func(m map[string]any) { obj(m, "body")["state"] = nil }},
		{"happycolis", "vat rate", func(m map[string]any) { line(m)["vatRate"] = json.Number("1.5") }},
		{"happycolis", "date-time", func(m map[string]any) { obj(m, "header")["date"] = "2025-06-15 08:00:00" }},
		{"happycolis", "org pattern", func(m map[string]any) { obj(m, "header")["organizationId"] = "org-1" }},
		{"happycolis", "invoice uri", func(m map[string]any) { obj(m, "body")["invoiceUrl"] = "/relative" }},
		{"happycolis", "contact field", func(m map[string]any) { obj(obj(m, "body"), "buyer")["nickname"] = "Bo" }},
		{"happycolis", "header missing", func(m map[string]any) { delete(m, "header") }},
		{"happycolis", "lines null", func(m map[string]any) { obj(m, "body")["lines"] = nil }},
		{"happycolis", "meta anything", func(m map[string]any) { obj(m, "body")["meta"] = map[string]any{"x": []any{1, "y"}} }},
	}
	var out []*generator.Event
	for _, e := range edits {
		for _, ev := range clean {
			if ev.Provider != e.provider || ev.Variant == "edge" {
				continue
			}
			if e.label == "payment status" && ev.Event != generator.PhasioQuoteConverted {
				continue
			}
			m := decodeMap(t, ev.Payload)
			e.edit(m)
			b, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			c := *ev
			c.Payload, c.Label = b, e.label
			out = append(out, &c)
			break
		}
	}
	if len(out) != len(edits) {
		t.Fatalf("built %d broken payloads of %d", len(out), len(edits))
	}
	return out
}

func decodeMap(t testing.TB, b []byte) map[string]any {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func obj(m map[string]any, k string) map[string]any { return m[k].(map[string]any) }
func part(m map[string]any) map[string]any          { return m["parts"].([]any)[0].(map[string]any) }
func line(m map[string]any) map[string]any {
	return obj(m, "body")["lines"].([]any)[0].(map[string]any)
}

// TestNoFalsePositives: clean traffic of both platforms, every lifecycle
// and the edge cases, gives no finding at all.
func TestNoFalsePositives(t *testing.T) {
	evs := clean(t, 0)
	a := analyzer(t)
	for _, ev := range evs {
		if err := a.Add(ev.Provider, ev.Event, ev.Payload, ev.Label); err != nil {
			t.Fatal(err)
		}
	}
	r := a.Report()
	if r.Payloads != len(evs) {
		t.Errorf("report counts %d payloads, want %d", r.Payloads, len(evs))
	}
	if r.HasDrift() {
		var b bytes.Buffer
		_ = r.WriteText(&b, TextOptions{})
		t.Errorf("drift in clean traffic:\n%s", b.String())
	}
	if len(r.Events) != 8 {
		t.Errorf("%d events, want the 8 order events of both platforms", len(r.Events))
	}
}

// injection is one deviation put into some payloads of one event.
type injection struct {
	provider, event string
	n               int
	kind            Kind
	pointer         string
	edit            func(m map[string]any)
}

var injections = []injection{
	{"phasio", generator.PhasioOrderUpdated, 37, KindUndocumented, "/parts/*/surfaceRoughness", func(m map[string]any) {
		for _, p := range m["parts"].([]any) {
			p.(map[string]any)["surfaceRoughness"] = "Ra 3.2"
		}
	}},
	{"phasio", generator.PhasioOrderCreated, 23, KindType, "/pricing/totalPrice", func(m map[string]any) {
		obj(m, "pricing")["totalPrice"] = string(obj(m, "pricing")["totalPrice"].(json.Number))
	}},
	{"phasio", generator.PhasioQuoteConverted, 11, KindNull, "/pricing/applyTaxToShipping", func(m map[string]any) {
		obj(m, "pricing")["applyTaxToShipping"] = nil
	}},
	{"happycolis", generator.HappyColisUpdated, 41, KindEnum, "/body/lines/*/status", func(m map[string]any) {
		line(m)["status"] = "RETURNED"
	}},
	{"happycolis", generator.HappyColisOpened, 19, KindNull, "/body/buyer", func(m map[string]any) {
		obj(m, "body")["buyer"] = nil
	}},
}

// injected returns clean traffic with the injections applied, and the
// number of payloads of each event.
func injected(t testing.TB, n int) ([]*generator.Event, map[string]int) {
	evs := clean(t, n)
	done := make([]int, len(injections))
	per := map[string]int{}
	for _, ev := range evs {
		per[ev.Provider+" "+ev.Event]++
		if ev.Variant == "edge" {
			continue
		}
		for i, in := range injections {
			if ev.Provider != in.provider || ev.Event != in.event || done[i] == in.n {
				continue
			}
			if in.pointer == "/pricing/totalPrice" {
				if _, isNum := obj(decodeMap(t, ev.Payload), "pricing")["totalPrice"].(json.Number); !isNum {
					continue // a null total stays null
				}
			}
			m := decodeMap(t, ev.Payload)
			in.edit(m)
			ev.Payload, _ = json.Marshal(m)
			ev.Label = "injected " + string(in.kind) + " " + in.pointer
			done[i]++
			break
		}
	}
	for i, in := range injections {
		if done[i] != in.n {
			t.Fatalf("injected %s into %d payloads, want %d", in.pointer, done[i], in.n)
		}
	}
	return evs, per
}

// TestInjectedDeviations: exactly the injected deviations are found, each
// with its count and the event's sample size.
func TestInjectedDeviations(t *testing.T) {
	evs, per := injected(t, 0)
	a := analyzer(t)
	for i, ev := range evs {
		if err := a.Add(ev.Provider, ev.Event, ev.Payload, "payload "+strconv.Itoa(i+1)); err != nil {
			t.Fatal(err)
		}
	}
	r := a.Report()
	var got []string
	for _, e := range r.Events {
		for _, f := range e.Findings {
			got = append(got, fmt.Sprintf("%s %s %s %s %d/%d", e.Provider, e.Event, f.Kind, f.Pointer, f.Deliveries, f.Of))
		}
	}
	var want []string
	for _, in := range injections {
		want = append(want, fmt.Sprintf("%s %s %s %s %d/%d", in.provider, in.event, in.kind, in.pointer, in.n, per[in.provider+" "+in.event]))
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestOverlayRoundTrip: the overlay of a report makes every analysed
// payload valid against the strict schemas, and analysing them again
// with the overlay applied finds nothing. The traffic: the clean one up
// to its last injected deviation (760 payloads), 100 drifted payloads of
// each platform and the hand-broken ones. Its overlay is the one of 3,000
// payloads of that traffic and 300 drifted ones of each platform, but for
// the counts in its descriptions: more would validate the same schemas
// against more of the same payloads.
func TestOverlayRoundTrip(t *testing.T) {
	evs, _ := injected(t, 0)
	last := -1
	for i, ev := range evs {
		if strings.HasPrefix(ev.Label, "injected ") {
			last = i
		}
	}
	if last < 0 {
		t.Fatal("no injected deviation in the clean traffic")
	}
	evs = evs[:last+1]
	for _, p := range []string{generator.ProviderPhasio, generator.ProviderHappyColis} {
		d, err := corpus.Drifted(p, 100, 51)
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, d...)
	}
	evs = append(evs, broken(t, clean(t, 0))...)
	a := analyzer(t)
	for _, ev := range evs {
		_ = a.Add(ev.Provider, ev.Event, ev.Payload, ev.Label)
	}
	o, uncovered := a.Report().Overlay()
	if o == nil {
		t.Fatal("no overlay")
	}
	if len(uncovered) != 1 || uncovered[0].Pointer != "/pricing/totalPrice" || uncovered[0].Kind != KindRange {
		t.Errorf("uncovered: %+v, want only the number beyond the validator's limits", uncovered)
	}
	parsed, err := schemas.ParseOverlay(o.Marshal(), "overlay.json")
	if err != nil {
		t.Fatalf("%v\n%s", err, o.Marshal())
	}
	set, err := parsed.Apply()
	if err != nil {
		t.Fatalf("%v\n%s", err, o.Marshal())
	}
	again := analyzer(t, WithSchemas(set))
	invalid := 0
	for _, ev := range evs {
		if bytes.Contains(ev.Payload, []byte("1e5000")) {
			continue // the uncovered one
		}
		name, _ := schemas.ForEvent(ev.Provider, ev.Event, true)
		if err := set.Validate(name, ev.Payload); err != nil {
			invalid++
			if invalid < 4 {
				t.Errorf("%s %s (%s) still invalid with the overlay: %v", ev.Provider, ev.Event, ev.Label, err)
			}
		}
		_ = again.Add(ev.Provider, ev.Event, ev.Payload, ev.Label)
	}
	if r := again.Report(); r.HasDrift() {
		var b bytes.Buffer
		_ = r.WriteText(&b, TextOptions{})
		t.Errorf("drift with the overlay applied:\n%s", b.String())
	}
	if invalid > 0 {
		t.Errorf("%d payloads still invalid", invalid)
	}
}

// TestReportGolden prints the report (text, JSON, overlay) of a fixed
// sample: one payload in a hundred of injected traffic plus every
// injected one, a payload that is not JSON and one of an event without a
// schema, kept in testdata so that the golden files do not move with the
// generator (go test -update regenerates the sample and the files).
func TestReportGolden(t *testing.T) {
	sample := filepath.Join("testdata", "TestReportGolden.payloads.jsonl")
	if *testkit.Update {
		evs, _ := injected(t, 0)
		var b bytes.Buffer
		w := generator.NewEventWriter(&b)
		taken := map[string]int{}
		for i, ev := range evs {
			if ev.Variant != "edge" && (strings.HasPrefix(ev.Label, "injected") && taken[ev.Label] < 3 || i%500 == 0) {
				taken[ev.Label]++
				ev.Label = "payload " + strconv.Itoa(i+1)
				if err := w.Write(ev); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(sample, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(sample)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a := analyzer(t)
	err = generator.ReadEvents(f, func(ev generator.Event) error {
		return a.Add(ev.Provider, ev.Event, ev.Payload, ev.Label)
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = a.Add("phasio", "ORDER", []byte(`{"orderId": 1`), "broken.json:1")
	_ = a.Add("phasio", "CART_CREATED", []byte(`{}`), "cart.json:1")
	r := a.Report()
	var text bytes.Buffer
	if err := r.WriteText(&text, TextOptions{Unseen: true}); err != nil {
		t.Fatal(err)
	}
	testkit.Golden(t, "TestReportGolden.golden.txt", text.Bytes())
	var js bytes.Buffer
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || back.Payloads != r.Payloads || len(back.Events) != len(r.Events) {
		t.Errorf("JSON does not read back: %v", err)
	}
	o, _ := r.Overlay()
	testkit.Golden(t, "TestReportGolden.overlay.golden.json", o.Marshal())
	var fields bytes.Buffer
	_ = r.WriteText(&fields, TextOptions{Fields: true})
	if !strings.Contains(fields.String(), "/pricing/currency: string") || strings.Contains(fields.String(), "@") {
		t.Errorf("field listing:\n%s", fields.String())
	}
}

// TestExamplesRedacted: no example or listed value shows a personal
// value or an undocumented string as sent.
func TestExamplesRedacted(t *testing.T) {
	a := analyzer(t)
	payload := []byte(`{"header":{"organizationId":"070a4c96-2d5e-4299-95dc-23133bcc238a","messageId":"19e694ad-ada0-4ea4-a8f9-9a9778a1f971","webhookId":"5665e840-2729-459b-8128-653567df6e5b","type":"order/updated","date":"2025-06-15T08:00:02.174Z"},
"body":{"buyer":{"fullname":5550123,"email":"ada@example.org","secretNote":"Ada Lovelace"},"comment":7,"deliveryContact":{"phone":["+44 20 7946 0018"]}}}`)
	_ = a.Add("happycolis", "order/updated", payload, "p1")
	var b bytes.Buffer
	r := a.Report()
	_ = r.WriteText(&b, TextOptions{Unseen: true, Fields: true})
	_ = r.WriteJSON(&b)
	for _, secret := range []string{"Ada", "Lovelace", "ada@", "7946", "5550123"} {
		if strings.Contains(b.String(), secret) {
			t.Errorf("report shows %q:\n%s", secret, b.String())
		}
	}
	if !strings.Contains(b.String(), `"Xxx Xxxxxxxx"`) {
		t.Errorf("the undocumented string's shape is missing:\n%s", b.String())
	}
}

func TestAddErrors(t *testing.T) {
	a := analyzer(t)
	if err := a.Add("", "ORDER", []byte(`{}`), "x"); err == nil {
		t.Error("no provider: no error")
	}
	if err := a.Add("shopify", "orders/create", []byte(`{}`), "x"); err != nil {
		t.Errorf("an event without a schema is counted, not an error: %v", err)
	}
	if r := a.Report(); len(r.NoSchema) != 1 || r.Payloads != 1 || r.HasDrift() {
		t.Errorf("report: %+v", r)
	}
}

func BenchmarkAdd(b *testing.B) {
	evs, err := corpus.Clean(2000, 61)
	if err != nil {
		b.Fatal(err)
	}
	a := analyzer(b)
	size := 0
	for _, ev := range evs {
		size += len(ev.Payload)
	}
	b.SetBytes(int64(size / len(evs)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu := testkit.CPUTime()
	for i := range b.N {
		ev := evs[i%len(evs)]
		if err := a.Add(ev.Provider, ev.Event, ev.Payload, "bench"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "payloads/s")
	b.ReportMetric(float64((testkit.CPUTime()-cpu).Nanoseconds())/1e3/float64(b.N), "cpu-µs/payload")
}

// BenchmarkValidatorPeer is the peer of BenchmarkAdd: the same payloads
// through the strict validator alone (what the analysis would cost if it
// ran the validator), for the ratio in the package doc.
func BenchmarkValidatorPeer(b *testing.B) {
	evs, err := corpus.Clean(2000, 61)
	if err != nil {
		b.Fatal(err)
	}
	names := make([]string, len(evs))
	for i, ev := range evs {
		names[i], _ = schemas.ForEvent(ev.Provider, ev.Event, true)
	}
	b.ResetTimer()
	for i := range b.N {
		ev := evs[i%len(evs)]
		_ = schemas.Validate(names[i%len(evs)], ev.Payload)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "payloads/s")
}

// FuzzAgreesWithValidator: any document, as a payload of either platform,
// is analysed without a panic, and where it is JSON without duplicate
// members the violations are at the validator's pointers.
func FuzzAgreesWithValidator(f *testing.F) {
	for _, p := range []string{generator.ProviderPhasio, generator.ProviderHappyColis} {
		evs, err := corpus.Generate(p, 2, 71)
		if err != nil {
			f.Fatal(err)
		}
		for _, ev := range evs {
			f.Add([]byte(ev.Payload))
		}
	}
	f.Add([]byte(`{"header":{"type":7},"body":{"lines":[{"status":"X","meta":{"a":[]}}]}}`))
	f.Add([]byte(`{"orderId":"1","parts":[{"quantity":1.0}],"pricing":null,"a~b/c":1}`))
	f.Add([]byte(`[1,2`))
	var got []string
	dup := false
	record := func(v violation) {
		got = append(got, v.pointer)
		dup = dup || v.kind == KindDuplicate
	}
	var a *Analyzer
	runs := 0
	f.Fuzz(func(t *testing.T, payload []byte) {
		if runs%500 == 0 {
			// A fresh analyzer now and then: what it keeps per field
			// grows with every odd member name the fuzzer invents.
			var err error
			if a, err = New(); err != nil {
				t.Fatal(err)
			}
			a.w.record = record
		}
		runs++
		for _, pe := range [][2]string{{"phasio", "QUOTE_CONVERTED"}, {"happycolis", "order/updated"}} {
			got, dup = got[:0], false
			if err := a.Add(pe[0], pe[1], payload, "fuzz"); err != nil {
				t.Fatal(err)
			}
			name, _ := schemas.ForEvent(pe[0], pe[1], true)
			err := schemas.Validate(name, payload)
			var ve *schemas.ValidationError
			var want []string
			switch {
			case errors.As(err, &ve):
				for _, v := range ve.Violations {
					want = append(want, v.Pointer)
				}
			case err != nil:
				continue // not JSON (or a validator failure): nothing to compare
			}
			if dup {
				continue // the validator sees only the last of duplicate members
			}
			if ve != nil && strings.HasPrefix(ve.Violations[0].Message, "number out of range") {
				// The validator reports such numbers alone, before the
				// schema; the analysis goes on. Those must be among its
				// findings.
				for _, w := range want {
					if !strings.Contains(" "+uniq(got)+" ", " "+w+" ") {
						t.Fatalf("%q: number out of range at %s not found (%s)", payload, w, uniq(got))
					}
				}
				continue
			}
			if g, w := uniq(got), uniq(want); g != w {
				t.Fatalf("%s %s %q:\n drift     %s\n validator %s", pe[0], pe[1], payload, g, w)
			}
		}
	})
}

func TestDuplicateMembers(t *testing.T) {
	a := analyzer(t)
	_ = a.Add("phasio", "ORDER", []byte(`{"orderId":1,"orderId":2,"parts":[{"id":1,"id":2},{"id":3}]}`), "dup")
	var got []string
	for _, f := range a.Report().Events[0].Findings {
		if f.Kind == KindDuplicate {
			got = append(got, fmt.Sprintf("%s %d", f.Pointer, f.Deliveries))
		}
	}
	if strings.Join(got, ", ") != "/orderId 1, /parts/*/id 1" {
		t.Errorf("duplicates: %v", got)
	}
}
