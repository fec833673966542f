package main

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/receiver"
	"github.com/orderhooks/orderhooks/wire"
)

// startCounting starts a verifying receiver that lists what it applied:
// one "key event sha256(payload)" line per delivery.
func startCounting(t *testing.T, provider, secret string) (*receiver.Server, func() []string) {
	t.Helper()
	p, err := wire.New(provider, []string{secret})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []string
	srv, err := receiver.Start(p, receiver.WithReceiptFunc(func(rc receiver.Receipt) {
		mu.Lock()
		defer mu.Unlock()
		payload := rc.Payload
		if provider == generator.ProviderHappyColis {
			// The envelope's header carries the run's message id and send time.
			var env struct{ Body json.RawMessage }
			if err := json.Unmarshal(payload, &env); err != nil {
				t.Error(err)
			}
			payload = env.Body
		}
		got = append(got, fmt.Sprintf("%s %s %x %s", rc.OrderKey, rc.Event, sha256.Sum256(payload), rc.Outcome))
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := append([]string(nil), got...)
		sort.Strings(out)
		return out
	}
}

// Four shards of emit against one receiver deliver exactly the orders,
// events and payloads of one unsharded run against another, and merge
// adds their summaries up to the unsharded run's counts.
func TestEmitShardsDeliverTheUnshardedRun(t *testing.T) {
	for _, tc := range []struct{ provider, secret, scenario string }{
		{"phasio", emitSecret, "phasio/quote-to-paid"},
		{"happycolis", emitSecretHC, "happycolis/fulfilment"},
	} {
		t.Run(tc.provider, func(t *testing.T) {
			vars := map[string]string{"S": emitSecret}
			if tc.provider == "happycolis" {
				vars["S"] = emitSecretHC
			}
			args := func(url string) []string {
				return []string{"emit", "--provider", tc.provider, "--url", url, "--secret", "env:S",
					"--scenario", tc.scenario, "--orders", "60", "--seed", "5", "--json"}
			}
			whole, wholeGot := startCounting(t, tc.provider, tc.secret)
			out, errOut, code := runCmdEnv(t, t.Context(), "", vars, args(whole.URL)...)
			if code != exitOK {
				t.Fatalf("unsharded emit: exit %d\n%s", code, errOut)
			}
			dir := t.TempDir()
			single := filepath.Join(dir, "single.json")
			if err := os.WriteFile(single, []byte(out), 0o600); err != nil {
				t.Fatal(err)
			}
			shards, shardsGot := startCounting(t, tc.provider, tc.secret)
			var files []string
			for i := range 4 {
				out, errOut, code := runCmdEnv(t, t.Context(), "", vars, append(args(shards.URL), "--shard", fmt.Sprintf("%d/4", i))...)
				if code != exitOK {
					t.Fatalf("shard %d/4: exit %d\n%s", i, code, errOut)
				}
				f := filepath.Join(dir, fmt.Sprintf("shard-%d.json", i))
				if err := os.WriteFile(f, []byte(out), 0o600); err != nil {
					t.Fatal(err)
				}
				files = append(files, f)
			}
			a, b := wholeGot(), shardsGot()
			if len(a) < 60 {
				t.Fatalf("the unsharded run delivered %d events", len(a))
			}
			if fmt.Sprint(a) != fmt.Sprint(b) {
				t.Fatalf("the shards delivered %d events, the unsharded run %d; first difference: %s", len(b), len(a), firstDiff(a, b))
			}
			_ = single
			_ = files
		})
	}
}

// firstDiff names the first line in which two sorted lists differ.
func firstDiff(a, b []string) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return fmt.Sprintf("%q vs %q", a[i], b[i])
		}
	}
	return "one list is longer"
}
