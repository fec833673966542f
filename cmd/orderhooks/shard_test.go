package main

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit/sweep"
	"github.com/orderhooks/orderhooks/receiver"
	"github.com/orderhooks/orderhooks/wire"
)

// startCounting starts a verifying receiver that lists what it applied:
// one "key event sha256(payload)" line per delivery.
func startCounting(t *testing.T, provider, secret string) (*receiver.Server, func(n int) []string) {
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
	// Receipts are reported once the answer has reached the connection,
	// which can be just after the sender has read it: wait for n.
	return srv, func(n int) []string {
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			mu.Lock()
			out := append([]string(nil), got...)
			mu.Unlock()
			if len(out) >= n || time.Now().After(deadline) {
				sort.Strings(out)
				return out
			}
		}
	}
}

// Four shards of emit against one receiver deliver exactly the orders,
// events and payloads of one unsharded run against another, and merge
// adds their summaries up to the unsharded run's counts: 20 lifecycles of
// each platform by default, 60 under ORDERHOOKS_LONG=1 (.ci/run).
func TestEmitShardsDeliverTheUnshardedRun(t *testing.T) {
	t.Parallel() // after the sequential tests (the docs test changes directory)
	orders := sweep.N(20, 60)
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
					"--scenario", tc.scenario, "--orders", fmt.Sprint(orders), "--seed", "5", "--json"}
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
			var sent struct{ Deliveries int }
			if err := json.Unmarshal([]byte(out), &sent); err != nil {
				t.Fatal(err)
			}
			a, b := wholeGot(sent.Deliveries), shardsGot(sent.Deliveries)
			if len(a) < orders {
				t.Fatalf("the unsharded run delivered %d events", len(a))
			}
			if fmt.Sprint(a) != fmt.Sprint(b) {
				t.Fatalf("the shards delivered %d events, the unsharded run %d; first difference: %s", len(b), len(a), firstDiff(a, b))
			}
			checkMerge(t, single, files)
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

// checkMerge merges the shards' summaries with the merge command and
// checks the combined summary: every count the exact sum of the shards'
// (and, for what does not depend on timing, the unsharded run's), the
// latency histogram holding every shard's attempts, percentiles between
// the shards' own; a missing shard is exit 1, a shard given twice or a
// file that is no summary exit 2.
func checkMerge(t *testing.T, single string, files []string) {
	t.Helper()
	read := func(path string) *emitter.Summary {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var s emitter.Summary
		if err := json.Unmarshal(data, &s); err != nil {
			t.Fatal(err)
		}
		return &s
	}
	out, errOut, code := runCmd(t, "", append([]string{"merge", "--json"}, files...)...)
	if code != exitOK {
		t.Fatalf("merge: exit %d\n%s", code, errOut)
	}
	var m emitter.Summary
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	var deliveries, attempts, ok, latencies int
	statuses := map[int]int{}
	p50lo, p50hi := time.Duration(1<<62), time.Duration(0)
	for _, f := range files {
		s := read(f)
		deliveries += s.Deliveries
		attempts += s.Attempts
		ok += s.OK
		latencies += int(s.Latency.Count())
		for k, v := range s.Statuses {
			statuses[k] += v
		}
		p50lo, p50hi = min(p50lo, s.P50), max(p50hi, s.P50)
	}
	whole := read(single)
	if m.Deliveries != deliveries || m.Attempts != attempts || m.OK != ok || fmt.Sprint(m.Statuses) != fmt.Sprint(statuses) ||
		m.Deliveries != whole.Deliveries || m.OK != whole.OK || fmt.Sprint(m.Statuses) != fmt.Sprint(whole.Statuses) {
		t.Errorf("merged %d deliveries (%d ok, statuses %v, %d attempts); shards %d (%d, %v, %d); unsharded run %d (%d, %v)",
			m.Deliveries, m.OK, m.Statuses, m.Attempts, deliveries, ok, statuses, attempts, whole.Deliveries, whole.OK, whole.Statuses)
	}
	if int(m.Latency.Count()) != latencies || m.P50 < p50lo-p50lo/1000 || m.P50 > p50hi+p50hi/1000 || m.P99 < m.P50 || m.Max < m.P99 {
		t.Errorf("merged latency: %d attempts, p50 %s (shards' p50 %s to %s), p99 %s, max %s", m.Latency.Count(), m.P50, p50lo, p50hi, m.P99, m.Max)
	}
	if fmt.Sprint(m.Shards) != "[0/4 1/4 2/4 3/4]" {
		t.Errorf("merged shards %v", m.Shards)
	}
	text, _, code := runCmd(t, "", append([]string{"merge"}, files...)...)
	if code != exitOK || !strings.Contains(text, fmt.Sprintf("deliveries %d: %d ok", deliveries, ok)) || !strings.Contains(text, "merged 4 summaries (shards 0/4, 1/4, 2/4, 3/4)") {
		t.Errorf("merge: exit %d\n%s", code, text)
	}
	if _, errOut, code := runCmd(t, "", "merge", files[0], files[2]); code != exitFailure || !strings.Contains(errOut, "shard 1/4, 3/4 missing: the combined summary covers 2 of 4 shards") {
		t.Errorf("merge of two shards: exit %d\n%s", code, errOut)
	}
	if _, errOut, code := runCmd(t, "", "merge", files[0], files[0]); code != exitUsage || !strings.Contains(errOut, "shard 0/4 is given twice") {
		t.Errorf("merge of a shard twice: exit %d\n%s", code, errOut)
	}
	if _, errOut, code := runCmd(t, "", "merge", files[0], "shard_test.go"); code != exitUsage || !strings.Contains(errOut, "shard_test.go: not a summary written by emit --json") {
		t.Errorf("merge of a Go file: exit %d\n%s", code, errOut)
	}
}
