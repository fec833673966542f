package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/drift"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/corpus"
	"github.com/orderhooks/orderhooks/internal/testkit/sweep"
	"github.com/orderhooks/orderhooks/wire"
)

// driftInjection is one deviation put into some payloads of one event.
type driftInjection struct {
	provider, event string
	n               int
	kind            drift.Kind
	pointer         string
	edit            func(m map[string]any) bool // false: this payload cannot take it
}

func member(m map[string]any, names ...string) map[string]any {
	for _, n := range names {
		next, ok := m[n].(map[string]any)
		if !ok {
			return nil
		}
		m = next
	}
	return m
}

// driftInjections are an undocumented field, a type change, a value
// outside an enum and a field made null, on both platforms.
var driftInjections = []driftInjection{
	{"phasio", generator.PhasioOrderUpdated, 11, drift.KindUndocumented, "/parts/*/surfaceRoughness", func(m map[string]any) bool {
		parts, _ := m["parts"].([]any)
		for _, p := range parts {
			p.(map[string]any)["surfaceRoughness"] = "Ra 3.2"
		}
		return len(parts) > 0
	}},
	{"phasio", generator.PhasioOrderCreated, 7, drift.KindType, "/customerOrganisationId", func(m map[string]any) bool {
		n, ok := m["customerOrganisationId"].(json.Number)
		m["customerOrganisationId"] = string(n)
		return ok
	}},
	{"happycolis", generator.HappyColisUpdated, 5, drift.KindEnum, "/body/lines/*/status", func(m map[string]any) bool {
		lines, _ := member(m, "body")["lines"].([]any)
		if len(lines) == 0 {
			return false
		}
		lines[0].(map[string]any)["status"] = "RETURNED"
		return true
	}},
	{"happycolis", generator.HappyColisCreated, 4, drift.KindNull, "/body/externalReference", func(m map[string]any) bool {
		b := member(m, "body")
		if b == nil || b["externalReference"] == nil {
			return false
		}
		b["externalReference"] = nil
		return true
	}},
}

// driftEvents returns n clean events of both platforms, the injections
// applied to some when inject is set, written as an events file.
func driftEvents(t *testing.T, n int, inject bool) (string, []*generator.Event, map[string]int) {
	t.Helper()
	evs, err := corpus.Clean(n, 11)
	if err != nil {
		t.Fatal(err)
	}
	done := make([]int, len(driftInjections))
	per := map[string]int{}
	for _, ev := range evs {
		per[ev.Provider+" "+ev.Event]++
		if !inject || ev.Variant == "edge" {
			continue
		}
		for i, in := range driftInjections {
			if ev.Provider != in.provider || ev.Event != in.event || done[i] == in.n {
				continue
			}
			dec := json.NewDecoder(bytes.NewReader(ev.Payload))
			dec.UseNumber()
			var m map[string]any
			if err := dec.Decode(&m); err != nil {
				t.Fatal(err)
			}
			if !in.edit(m) {
				continue
			}
			ev.Payload, _ = json.Marshal(m)
			done[i]++
			break
		}
	}
	for i, in := range driftInjections {
		if inject && done[i] != in.n {
			t.Fatalf("injected %s into %d payloads, want %d (a larger sample is needed)", in.pointer, done[i], in.n)
		}
	}
	path := filepath.Join(t.TempDir(), "events.jsonl")
	var b bytes.Buffer
	w := generator.NewEventWriter(&b)
	for _, ev := range evs {
		if err := w.Write(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, evs, per
}

// captureEvents sends an events file through emit (Standard Webhooks,
// which carries both platforms) to receive --store --validate=false and
// returns the store.
func captureEvents(t *testing.T, events string, n int) string {
	t.Helper()
	secret := testSecret(t, wire.ProviderStandard, 'w')
	vars := map[string]string{"S": secret}
	db := filepath.Join(t.TempDir(), "capture.db")
	r := startReceive(t, vars, "--provider", "standard", "--secret", "env:S", "--store", db, "--validate=false")
	out, errOut, code := runCmdEnv(t, context.Background(), "", vars, "emit", "--provider", "standard", "--url", r.url+"/hooks",
		"--secret", "env:S", "--in", events, "--concurrency", "32")
	if code != exitOK || !strings.Contains(out, fmt.Sprintf("deliveries %d: %d ok", n, n)) {
		t.Fatalf("emit exit %d:\n%s%s", code, out, errOut)
	}
	if code := r.stop(t); code != exitOK {
		t.Fatalf("receive exit %d: %s", code, r.stderr)
	}
	return db
}

// driftSample is how many deliveries the end-to-end drift tests capture:
// 150, or 10,000 under ORDERHOOKS_LONG=1; ORDERHOOKS_DRIFT_DELIVERIES sets it
// (at least 150, for the injected counts: 150 clean events hold 10
// HappyColis updates for the 5 injected, the scarcest).
func driftSample(t *testing.T) int {
	n, err := sweep.Size("ORDERHOOKS_DRIFT_DELIVERIES", 150, 10000)
	if err != nil || n < 150 {
		t.Fatalf("ORDERHOOKS_DRIFT_DELIVERIES: %v (want at least 150)", err)
	}
	return n
}

// TestDriftEndToEnd: traffic with injected deviations (an undocumented
// field, a type change, a value outside an enum, a field made null) goes
// through emit and receive --store; drift on the store reports exactly
// those, with their counts and each event's sample size, and exits 1. The
// overlay it writes makes validate --strict accept every payload, and
// generate with it produces the undocumented field. Clean traffic of the
// same size gives no finding and exit 0 (a store of clean deliveries only
// under ORDERHOOKS_LONG=1 or ORDERHOOKS_DRIFT_DELIVERIES: in the default
// run, the injected store's other deliveries).
func TestDriftEndToEnd(t *testing.T) {
	t.Parallel() // after the sequential tests (the docs test changes directory)
	n := driftSample(t)
	t.Run("injected", func(t *testing.T) {
		events, _, per := driftEvents(t, n, true)
		db := captureEvents(t, events, n)
		out, errOut, code := runCmd(t, "", "drift", db, "--json")
		if code != exitFailure {
			t.Fatalf("drift exit %d, want 1: %s", code, errOut)
		}
		var r drift.Report
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		if r.Payloads != n {
			t.Errorf("the report counts %d payloads, %d were sent", r.Payloads, n)
		}
		var got, want []string
		for _, e := range r.Events {
			for _, f := range e.Findings {
				got = append(got, fmt.Sprintf("%s %s %s %s %d/%d", e.Provider, e.Event, f.Kind, f.Pointer, f.Deliveries, f.Of))
			}
		}
		for _, in := range driftInjections {
			want = append(want, fmt.Sprintf("%s %s %s %s %d/%d", in.provider, in.event, in.kind, in.pointer, in.n, per[in.provider+" "+in.event]))
		}
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}

		text, _, code := runCmd(t, "", "drift", db)
		for _, heading := range []string{"Null where the schema allows none", "Type changes", "Values outside the documented enum", "Undocumented fields"} {
			if !strings.Contains(text, heading) {
				t.Errorf("the text report lacks %q:\n%s", heading, text)
			}
		}
		if i, j := strings.Index(text, "Null where"), strings.Index(text, "Undocumented fields"); code != exitFailure || i > j {
			t.Errorf("exit %d; nulls (what breaks a receiver first) must come before undocumented fields:\n%s", code, text)
		}

		overlay := filepath.Join(t.TempDir(), "overlay.json")
		if _, errOut, code := runCmd(t, "", "drift", db, "--overlay", overlay); code != exitFailure || !strings.Contains(errOut, "overlay written to "+overlay) {
			t.Fatalf("drift --overlay: exit %d: %s", code, errOut)
		}
		if _, errOut, code := runCmd(t, "", "validate", "--schema", "auto", "--strict", events); code != exitFailure {
			t.Errorf("validate without the overlay: exit %d (%s), want 1", code, errOut)
		}
		if out, errOut, code := runCmd(t, "", "validate", "--schema", "auto", "--strict", "--schema-overlay", overlay, events); code != exitOK {
			t.Errorf("validate with the overlay: exit %d:\n%.2000s%s", code, out, errOut)
		}
		if out, errOut, code := runCmd(t, "", "drift", db, "--schema-overlay", overlay); code != exitOK {
			t.Errorf("drift with the overlay: exit %d:\n%.2000s%s", code, out, errOut)
		}
		gen, errOut, code := runCmd(t, "", "generate", "--provider", "phasio", "--scenario", "phasio/quote-to-paid", "--orders", "3", "--schema-overlay", overlay)
		if code != exitOK || !strings.Contains(gen, `"surfaceRoughness":`) {
			t.Errorf("generate with the overlay: exit %d, no surfaceRoughness: %s", code, errOut)
		}
		plain, _, _ := runCmd(t, "", "generate", "--provider", "phasio", "--scenario", "phasio/quote-to-paid", "--orders", "3")
		if strings.Contains(plain, "surfaceRoughness") {
			t.Error("generate without the overlay produces surfaceRoughness")
		}
		if out, errOut, code := runCmd(t, gen, "validate", "--schema", "auto", "--strict", "--schema-overlay", overlay); code != exitOK {
			t.Errorf("generate's payloads with the overlay do not validate with it: exit %d:\n%.2000s%s", code, out, errOut)
		}

		// emit --validate sends the drifted payloads only with the overlay;
		// verify's payloads carry the undocumented field with it.
		secret := testSecret(t, wire.ProviderStandard, 'w')
		vars := map[string]string{"S": secret}
		rcv := startReceive(t, vars, "--provider", "standard", "--secret", "env:S", "--validate=false")
		defer rcv.stop(t)
		emit := func(extra ...string) string {
			out, _, _ := runCmdEnv(t, context.Background(), "", vars, append([]string{"emit", "--provider", "standard", "--url", rcv.url,
				"--secret", "env:S", "--in", events, "--validate", "--concurrency", "32"}, extra...)...)
			return out
		}
		injected := 0
		for _, in := range driftInjections {
			if in.kind != drift.KindUndocumented { // the loose schemas allow undocumented fields
				injected += in.n
			}
		}
		if out := emit(); !strings.Contains(out, fmt.Sprintf("%d ok, %d failed", n-injected, injected)) {
			t.Errorf("emit --validate without the overlay:\n%s", out)
		}
		if out := emit("--schema-overlay", overlay); !strings.Contains(out, fmt.Sprintf("%d ok, 0 failed", n)) {
			t.Errorf("emit --validate with the overlay:\n%s", out)
		}
		phSecret := testSecret(t, generator.ProviderPhasio, 'p')
		ph := startReceive(t, map[string]string{"S": phSecret}, "--provider", "phasio", "--secret", "env:S")
		defer ph.stop(t)
		record := filepath.Join(t.TempDir(), "verify.jsonl")
		_, errOut, code = runCmdEnv(t, context.Background(), "", map[string]string{"S": phSecret}, "verify", "--provider", "phasio",
			"--url", ph.url, "--secret", "env:S", "--only", "accepts-valid-lifecycle", "--record", record, "--schema-overlay", overlay)
		rec, _ := os.ReadFile(record)
		if code != exitOK || !bytes.Contains(rec, []byte(`"surfaceRoughness":`)) {
			t.Errorf("verify --schema-overlay: exit %d, the payloads lack the undocumented field: %s", code, errOut)
		}
	})
	t.Run("clean", func(t *testing.T) {
		if !sweep.Long() && os.Getenv("ORDERHOOKS_DRIFT_DELIVERIES") == "" {
			// The injected run's findings, compared exactly, hold none for
			// its clean deliveries, and drift with its overlay exits 0.
			t.Skip("a store of clean deliveries only: under ORDERHOOKS_LONG=1 or ORDERHOOKS_DRIFT_DELIVERIES")
		}
		events, _, _ := driftEvents(t, n, false)
		db := captureEvents(t, events, n)
		out, errOut, code := runCmd(t, "", "drift", db, "--json")
		var r drift.Report
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("exit %d: %v: %s", code, err, errOut)
		}
		if code != exitOK || r.HasDrift() || r.Payloads != n {
			t.Errorf("drift on %d clean deliveries: exit %d, %d payloads:\n%.3000s%s", n, code, r.Payloads, out, errOut)
		}
	})
}

// TestDriftSources: the same payloads read as a recording, an events
// file, bare JSONL payloads and a pretty-printed JSON document give the
// same counts; input problems name the file and line (exit 2).
func TestDriftSources(t *testing.T) {
	t.Parallel() // after the sequential tests (the docs test changes directory)
	dir := t.TempDir()
	evs := happyColisEvents(t)
	var events, bare bytes.Buffer
	w := generator.NewEventWriter(&events)
	for _, ev := range evs {
		if err := w.Write(ev); err != nil {
			t.Fatal(err)
		}
		bare.Write(ev.Payload)
		bare.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ev := write("events.jsonl", events.Bytes())
	br := write("bare.jsonl", bare.Bytes())
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, evs[0].Payload, "", "  "); err != nil {
		t.Fatal(err)
	}
	pr := write("one.json", pretty.Bytes())
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{ev}, fmt.Sprintf("drift: %d payloads: no drift", len(evs))},
		{[]string{br, "--provider", "happycolis"}, fmt.Sprintf("drift: %d payloads: no drift", len(evs))},
		{[]string{pr, "--provider", "happycolis"}, "drift: 1 payload: no drift"},
	} {
		out, errOut, code := runCmd(t, "", append([]string{"drift"}, tt.args...)...)
		if code != exitOK || !strings.HasPrefix(out, tt.want) {
			t.Errorf("drift %v: exit %d: %.300s%s; want %q", tt.args, code, out, errOut, tt.want)
		}
	}
	broken := write("broken.jsonl", append(append([]byte(nil), bare.Bytes()[:bytes.IndexByte(bare.Bytes(), '\n')+1]...), []byte("{\"header\":\n")...))
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{br}, br + ":1: a bare payload, whose platform only --provider can tell (--provider phasio, happycolis or standard)"},
		{[]string{broken, "--provider", "happycolis"}, broken + ":2: not JSON"},
		{[]string{filepath.Join(dir, "none.jsonl")}, "none.jsonl"},
		{[]string{}, "one SOURCE at least is required"},
		{[]string{ev, "--event", "ORDER"}, "--event applies to bare Phasio payloads"},
		{[]string{ev, "-", "-"}, "- (stdin) can be named once"},
		{[]string{write("empty.jsonl", nil)}, "no payload in"},
		{[]string{ev, "--schema-overlay", write("bad-overlay.json", []byte("{\"version\": 1,\n \"patches\": {\"phasio/order\": [{\"op\": \"jump\"}]}}"))}, "bad-overlay.json:2"},
	} {
		_, errOut, code := runCmd(t, "", append([]string{"drift"}, tt.args...)...)
		if code != exitUsage || !strings.Contains(errOut, tt.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("drift %v: exit %d, stderr %q; want 2 with %q", tt.args, code, errOut, tt.want)
		}
	}
}

// happyColisEvents are HappyColis lifecycle events.
func happyColisEvents(t *testing.T) []*generator.Event {
	evs, err := corpus.Generate(generator.ProviderHappyColis, 40, 3, generator.WithScenario(mustLoadScenario(t, "happycolis/fulfilment")))
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func mustLoadScenario(t *testing.T, name string) *generator.Scenario {
	t.Helper()
	s, err := generator.LoadScenario(name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestDriftProviderFile: drift --provider-file compares a definition's
// payloads with its own schemas, from an events file, bare payloads and
// a capture store a receiver of the definition wrote; the injected
// deviations are reported with their counts, clean traffic has none.
func TestDriftProviderFile(t *testing.T) {
	t.Parallel() // after the sequential tests (the docs test changes directory)
	shop := shopDefinition(t)
	events, errOut, code := runCmd(t, "", "generate", "--provider-file", shop, "--orders", "20", "--seed", "4")
	if code != exitOK {
		t.Fatalf("generate: exit %d: %s", code, errOut)
	}
	dir := t.TempDir()
	evFile := filepath.Join(dir, "events.jsonl")
	if err := os.WriteFile(evFile, []byte(events), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCmd(t, "", "drift", "--provider-file", shop, evFile)
	if code != exitOK || !strings.HasPrefix(out, "drift: 20 payloads: no drift") {
		t.Fatalf("clean events: exit %d: %s%s", code, out, errOut)
	}
	// Bare payloads with an undocumented member, a value outside an enum
	// and an undocumented member of the items.
	var bare strings.Builder
	for i, line := range strings.Split(strings.TrimSpace(events), "\n") {
		var ev struct {
			Payload map[string]any `json:"payload"`
		}
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatal(err)
		}
		p := ev.Payload
		if i%4 == 0 {
			p["giftWrap"] = true
		}
		if i%5 == 0 {
			p["status"] = "refunded"
		}
		if items, _ := p["items"].([]any); i%10 == 0 && len(items) > 0 {
			items[0].(map[string]any)["colour"] = "red"
		}
		b, _ := json.Marshal(p)
		bare.Write(append(b, '\n'))
	}
	drifted := filepath.Join(dir, "drifted.jsonl")
	if err := os.WriteFile(drifted, []byte(bare.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = runCmd(t, "", "drift", "--provider-file", shop, "--event", "order_paid", drifted, "--json")
	if code != exitFailure {
		t.Fatalf("drifted payloads: exit %d: %s%s", code, out, errOut)
	}
	var r struct {
		Events []struct {
			Schema   string
			Findings []struct {
				Kind, Pointer string
				Deliveries    int
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, e := range r.Events {
		if e.Schema != "shop/order_paid" {
			t.Errorf("schema %q", e.Schema)
		}
		for _, f := range e.Findings {
			got[f.Kind+" "+f.Pointer] = f.Deliveries
		}
	}
	want := map[string]int{"undocumented /giftWrap": 5, "enum /status": 4}
	withItems := strings.Count(bare.String(), `"colour"`)
	if withItems > 0 {
		want["undocumented /items/*/colour"] = withItems
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("findings %v, want %v", got, want)
	}

	// A store written by a receiver of the definition.
	secret, errOut, code := runCmd(t, "", "secret", "new", "--provider-file", shop)
	if code != exitOK {
		t.Fatalf("secret new: exit %d: %s", code, errOut)
	}
	vars := map[string]string{"S": strings.TrimSpace(secret)}
	db := filepath.Join(dir, "shop.db")
	rcv := startReceive(t, vars, "--provider-file", shop, "--secret", "env:S", "--store", db)
	if _, errOut, code := runCmdEnv(t, context.Background(), "", vars, "emit", "--provider-file", shop, "--url", rcv.url,
		"--secret", "env:S", "--orders", "10", "--seed", "2"); code != exitOK {
		t.Fatalf("emit: exit %d: %s", code, errOut)
	}
	if code := rcv.stop(t); code != exitOK {
		t.Fatalf("receive: exit %d: %s", code, rcv.stderr)
	}
	out, errOut, code = runCmd(t, "", "drift", "--provider-file", shop, db)
	if code != exitOK || !strings.Contains(out, "payloads: no drift") || !strings.Contains(out, "shop order_created") {
		t.Errorf("store: exit %d: %s%s", code, out, errOut)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{evFile}, `unknown provider "shop"`},
		{[]string{drifted, "--provider-file", shop}, "a bare payload of shop, whose event only --event can tell"},
		{[]string{evFile, "--provider-file", shop, "--event", "order_lost"}, `--event "order_lost": not an event of --provider-file`},
		{[]string{evFile, "--provider-file", shop, "--overlay", filepath.Join(dir, "o.json")}, "--overlay applies to the built-in schemas"},
		{[]string{evFile, "--provider-file", shop, "--provider", "phasio"}, "--provider and --provider-file exclude each other"},
		{[]string{evFile, "--provider-file", filepath.Join(dir, "none.yaml")}, "none.yaml"},
	} {
		_, errOut, code := runCmd(t, "", append([]string{"drift"}, tt.args...)...)
		if code != exitUsage || !strings.Contains(errOut, tt.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("drift %v: exit %d, stderr %q; want 2 with %q", tt.args, code, errOut, tt.want)
		}
	}
}
