package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/capture"
	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/pii"
	"github.com/orderhooks/orderhooks/schemas"
)

// TestScenarioFromCapture: a lifecycle captured by receive --store becomes
// a scenario file that emit --scenario sends again to a receiver with
// another secret: every delivery accepted, the payloads those captured
// (redacted by default, with no personal value of the captured ones left;
// as captured with --raw), in the captured order. A recording of the
// same traffic gives the same scenario.
func TestScenarioFromCapture(t *testing.T) {
	t.Parallel() // after the sequential tests (the docs test changes directory)
	dir := t.TempDir()
	secret := testSecret(t, generator.ProviderHappyColis, 'h')
	vars := map[string]string{"S": secret}
	db := filepath.Join(dir, "capture.db")
	r := startReceive(t, vars, "--provider", "happycolis", "--secret", "env:S", "--store", db)
	sent := filepath.Join(dir, "sent.jsonl")
	if _, errOut, code := runCmdEnv(t, context.Background(), "", vars, "emit", "--provider", "happycolis", "--url", r.url,
		"--secret", "env:S", "--scenario", "happycolis/fulfilment", "--orders", "3", "--record", sent, "--duplicate", "0.3", "--seed", "4"); code != exitOK {
		t.Fatalf("emit: exit %d: %s", code, errOut)
	}
	r.stop(t)
	ds := listStore(t, db)
	key := ds[0].Key
	var captured [][]byte
	seen := map[string]bool{}
	for _, d := range ds {
		if d.Key == key && !seen[d.DeliveryID] {
			seen[d.DeliveryID] = true
			captured = append(captured, d.Payload)
		}
	}
	if len(captured) < 3 || len(seen) == len(ds) && len(ds) < 10 {
		t.Fatalf("%d deliveries of order %s captured", len(captured), key)
	}

	// Sent again with another secret, the scenario's payloads are what
	// was captured (envelope stamps excepted), in order.
	replayed := func(t *testing.T, scenario string) [][]byte {
		t.Helper()
		other := testSecret(t, generator.ProviderHappyColis, 'o')
		r2 := startReceive(t, map[string]string{"S": other}, "--provider", "happycolis", "--secret", "env:S")
		rec := filepath.Join(t.TempDir(), "again.jsonl")
		out, errOut, code := runCmdEnv(t, context.Background(), "", map[string]string{"S": other}, "emit", "--provider", "happycolis",
			"--url", r2.url, "--secret", "env:S", "--scenario", scenario, "--record", rec)
		r2.stop(t)
		if code != exitOK {
			t.Fatalf("emit --scenario: exit %d:\n%s%s", code, out, errOut)
		}
		f, err := os.Open(rec)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var got [][]byte
		if err := emitter.ReadRecords(f, func(rc *emitter.Record) error {
			got = append(got, rc.Event.Payload)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	body := func(t *testing.T, payload []byte) string {
		var env struct {
			Body json.RawMessage `json:"body"`
		}
		if err := json.Unmarshal(payload, &env); err != nil {
			t.Fatal(err)
		}
		var v any
		json.Unmarshal(env.Body, &v)
		b, _ := json.Marshal(v)
		return string(b)
	}

	t.Run("raw", func(t *testing.T) {
		file := filepath.Join(dir, "raw.yaml")
		if _, errOut, code := runCmd(t, "", "scenario", "from-capture", "--key", key, db, "--raw", "--out", file); code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		got := replayed(t, file)
		if len(got) != len(captured) {
			t.Fatalf("%d payloads sent again, %d captured", len(got), len(captured))
		}
		for i := range got {
			if body(t, got[i]) != body(t, captured[i]) {
				t.Errorf("payload %d differs from the captured one:\n%s\n%s", i, body(t, got[i]), body(t, captured[i]))
			}
		}
	})
	t.Run("redacted", func(t *testing.T) {
		out, errOut, code := runCmd(t, "", "scenario", "from-capture", "--key", key, db)
		if code != exitOK || !strings.HasPrefix(out, "# The captured lifecycle of order "+key) {
			t.Fatalf("exit %d: %s%.300s", code, errOut, out)
		}
		name, _ := schemas.ForEvent(generator.ProviderHappyColis, generator.HappyColisCreated, false)
		fields, _ := pii.Fields(name)
		checked := 0
		for _, p := range captured {
			var doc any
			json.Unmarshal(p, &doc)
			for _, f := range fields {
				for _, v := range testkit.StringsAt(doc, f.Pointer) {
					if len([]rune(v)) >= 6 {
						checked++
						if strings.Contains(out, v) {
							t.Errorf("the scenario keeps %q (%s)", v, f.Pointer)
						}
					}
				}
			}
		}
		if checked < 5 {
			t.Fatalf("only %d personal values checked", checked)
		}
		file := filepath.Join(dir, "redacted.yaml")
		if err := os.WriteFile(file, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := capture.OpenReadOnly(db)
		if err != nil {
			t.Fatal(err)
		}
		red, _ := s.Redactor()
		s.Close()
		got := replayed(t, file)
		for i := range got {
			want, _, _ := red.Redact(generator.ProviderHappyColis, generator.HappyColisCreated, captured[i])
			if body(t, got[i]) != body(t, want) {
				t.Errorf("payload %d is not the captured one redacted with the store's pseudonyms", i)
			}
		}
	})
	t.Run("from a recording", func(t *testing.T) {
		fromStore, _, _ := runCmd(t, "", "scenario", "from-capture", "--key", key, db, "--raw")
		fromRecord, errOut, code := runCmd(t, "", "scenario", "from-capture", "--key", key, sent, "--raw")
		// The comments name the sources; the spacing is the recording's
		// send times or the store's arrival times, a few ms apart.
		cut := func(s string) string {
			var keep []string
			for _, l := range strings.Split(s, "\n") {
				if !strings.HasPrefix(l, "#") && !strings.HasPrefix(strings.TrimSpace(l), "after:") {
					keep = append(keep, l)
				}
			}
			return strings.Join(keep, "\n")
		}
		if code != exitOK || cut(fromStore) != cut(fromRecord) {
			t.Errorf("exit %d: %s; the recording's scenario differs from the store's:\n%s\n---\n%s", code, errOut, fromRecord, fromStore)
		}
	})
	t.Run("usage", func(t *testing.T) {
		for _, tt := range []struct {
			args []string
			want string
		}{
			{[]string{"scenario"}, "the action is from-capture"},
			{[]string{"scenario", "from-capture", db}, "--key is required"},
			{[]string{"scenario", "from-capture", "--key", "nope", db}, db + `: no verified delivery of order "nope"`},
			{[]string{"scenario", "from-capture", "--key", key}, "from-capture reads one SOURCE"},
			{[]string{"scenario", "from-capture", "--key", key, db, "--provider", "standard"}, "--provider: the platform of the order's payloads"},
			{[]string{"scenario", "from-capture", "--key", key, filepath.Join(dir, "none.jsonl")}, "none.jsonl"},
			{[]string{"scenario", "from-capture", "--key", key, db, "--provider", "happycolsi"}, `--provider happycolsi: not one of phasio, happycolis, standard (did you mean "happycolis"?)`},
		} {
			_, errOut, code := runCmd(t, "", tt.args...)
			if code != exitUsage || !strings.Contains(errOut, tt.want) || strings.Count(errOut, "\n") != 1 {
				t.Errorf("%v: exit %d, stderr %q; want 2 with %q", tt.args, code, errOut, tt.want)
			}
		}
	})
}
