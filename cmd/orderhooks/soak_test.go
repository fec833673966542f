package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit/sweep"
	"github.com/orderhooks/orderhooks/receiver"
	"github.com/orderhooks/orderhooks/wire"
)

// emit --duration sends fresh orders (no two deliveries of one order with
// the single-event default) until the time is up and not before, paced at
// --rate (never more than it allows), ends without interruption and writes
// its progress as a plain line off a terminal. How many a busy machine
// sends in the time is not tested: the floor is low.
func TestEmitDuration(t *testing.T) {
	t.Parallel() // it mostly waits (a duration, timeouts): beside the others, after the sequential tests
	rcv, got := startCounting(t, generator.ProviderPhasio, emitSecret)
	vars := map[string]string{"S": emitSecret}
	start := time.Now()
	out, errOut, code := runCmdEnv(t, t.Context(), "", vars, "emit", "--provider", "phasio", "--url", rcv.URL, "--secret", "env:S",
		"--duration", "1s", "--rate", "100", "--json")
	took := time.Since(start)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	var sum struct {
		Deliveries, OK int
		Interrupted    bool
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatal(err)
	}
	// At most 100 (110 with some slack); some (5) even on 2 busy
	// cores.
	if sum.Deliveries < 5 || sum.Deliveries > 110 || sum.OK != sum.Deliveries || sum.Interrupted || took < time.Second {
		t.Fatalf("%+v in %v for --duration 1s at 100/s", sum, took)
	}
	t.Logf("%d deliveries in %v", sum.Deliveries, took.Round(time.Millisecond))
	keys := map[string]bool{}
	for _, line := range got(sum.Deliveries) {
		keys[strings.Fields(line)[0]] = true
	}
	if len(keys) != sum.Deliveries {
		t.Errorf("%d deliveries to %d orders: the keys repeat", sum.Deliveries, len(keys))
	}
	if !strings.Contains(errOut, "sent ") || !strings.Contains(errOut, "0s left\n") || strings.Contains(errOut, "\r") {
		t.Errorf("progress off a terminal:\n%q", errOut)
	}
	for _, bad := range [][]string{{"--duration", "-1s"}, {"--duration", "soon"}} {
		if _, errOut, code := runCmdEnv(t, t.Context(), "", vars, append([]string{"emit", "--provider", "phasio", "--url", rcv.URL, "--secret", "env:S"}, bad...)...); code != exitUsage || !strings.Contains(errOut, "--duration") {
			t.Errorf("%v: exit %d\n%s", bad, code, errOut)
		}
	}
}

// emit --reconcile against a receiver that acknowledges 1 % of the
// deliveries without applying them names exactly those orders as lost
// (exit 1, in the text and in --json); against the same receiver applying
// everything, none (exit 0). The default run sends 300 orders and drops
// 5 %; ORDERHOOKS_LONG=1 (.ci/run) 1,000 and 1 %.
func TestEmitReconcile(t *testing.T) {
	t.Parallel() // after the sequential tests (the docs test changes directory)
	orders := sweep.N(300, 1000)
	for _, drop := range []float64{float64(sweep.N(5, 1)) / 100, 0} {
		t.Run(fmt.Sprint(drop), func(t *testing.T) {
			profile, err := wire.New(generator.ProviderPhasio, []string{emitSecret})
			if err != nil {
				t.Fatal(err)
			}
			rcv, err := receiver.New(profile)
			if err != nil {
				t.Fatal(err)
			}
			r := rand.New(rand.NewPCG(3, uint64(drop*100)))
			var mu sync.Mutex
			dropped := map[string]bool{}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				if req.Method == http.MethodPost {
					body, _ := io.ReadAll(req.Body)
					got, err := profile.Verify(req.Header, body)
					if err != nil {
						http.Error(w, err.Error(), http.StatusUnauthorized)
						return
					}
					var order struct{ OrderID json.Number }
					if err := json.Unmarshal(got.Payload, &order); err != nil {
						http.Error(w, err.Error(), http.StatusBadRequest)
						return
					}
					mu.Lock()
					drop := r.Float64() < drop
					if drop {
						dropped[order.OrderID.String()] = true
					}
					mu.Unlock()
					if drop {
						return // 200, never applied
					}
					req.Body = io.NopCloser(bytes.NewReader(body))
				}
				rcv.ServeHTTP(w, req)
			}))
			defer srv.Close()
			out, errOut, code := runCmdEnv(t, t.Context(), "", map[string]string{"S": emitSecret}, "emit", "--provider", "phasio",
				"--url", srv.URL, "--secret", "env:S", "--orders", fmt.Sprint(orders), "--reconcile", "/orders/{orderKey}", "--json")
			var rep struct {
				OK             int
				Reconciliation contracts.Reconciliation
			}
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("%v\n%s", err, errOut)
			}
			var lost []string
			for _, d := range rep.Reconciliation.Lost {
				lost = append(lost, d.Key)
			}
			want := slices.Sorted(maps.Keys(dropped))
			if !slices.Equal(lost, want) || rep.Reconciliation.Agree != orders-len(want) || len(rep.Reconciliation.Misapplied)+len(rep.Reconciliation.Unverified) > 0 {
				t.Fatalf("lost %v, %d agree; dropped %v", lost, rep.Reconciliation.Agree, want)
			}
			if wantCode := map[bool]int{true: exitFailure, false: exitOK}[len(want) > 0]; code != wantCode || rep.OK != orders {
				t.Fatalf("exit %d, want %d; %d ok\n%s", code, wantCode, rep.OK, errOut)
			}
			if drop > 0 && len(want) == 0 {
				t.Fatal("nothing dropped: the test proves nothing")
			}
		})
	}
}

// An interrupted soak (Ctrl-C: the command's context ends) prints the
// complete summary of what was sent and its record holds every attempt:
// exit 1, as for any interrupted run. verify and generate refuse a shard
// outside the count.
func TestEmitDurationInterrupted(t *testing.T) {
	t.Parallel() // it mostly waits (a duration, timeouts): beside the others, after the sequential tests
	rcv, _ := startCounting(t, generator.ProviderPhasio, emitSecret)
	record := filepath.Join(t.TempDir(), "soak.jsonl")
	ctx, cancel := context.WithTimeout(t.Context(), 700*time.Millisecond)
	defer cancel()
	out, errOut, code := runCmdEnv(t, ctx, "", map[string]string{"S": emitSecret}, "emit", "--provider", "phasio", "--url", rcv.URL,
		"--secret", "env:S", "--duration", "1m", "--rate", "200", "--record", record, "--json")
	var sum struct {
		Deliveries, Attempts int
		Interrupted          bool
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	data, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	if code != exitFailure || !sum.Interrupted || sum.Deliveries < 20 || bytes.Count(data, []byte("\n")) != sum.Attempts ||
		!strings.Contains(errOut, "interrupted; the summary and record cover what was sent") {
		t.Fatalf("exit %d, %+v, %d record lines\n%s", code, sum, bytes.Count(data, []byte("\n")), errOut)
	}
	for _, args := range [][]string{
		{"verify", "--provider", "phasio", "--url", rcv.URL, "--secret", "env:S", "--shard", "4/4"},
		{"generate", "--provider", "phasio", "--shard", "1/0"},
	} {
		if _, errOut, code := runCmdEnv(t, t.Context(), "", map[string]string{"S": emitSecret}, args...); code != exitUsage || !strings.Contains(errOut, "--shard") {
			t.Errorf("%v: exit %d\n%s", args, code, errOut)
		}
	}
}
