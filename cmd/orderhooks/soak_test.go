package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/generator"
)

// emit --duration sends fresh orders (no two deliveries of one order with
// the single-event default) until the time is up, paced at --rate, ends
// without interruption and writes its progress as a plain line off a
// terminal.
func TestEmitDuration(t *testing.T) {
	rcv, got := startCounting(t, generator.ProviderPhasio, emitSecret)
	vars := map[string]string{"S": emitSecret}
	out, errOut, code := runCmdEnv(t, t.Context(), "", vars, "emit", "--provider", "phasio", "--url", rcv.URL, "--secret", "env:S",
		"--duration", "1s", "--rate", "100", "--json")
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
	if sum.Deliveries < 50 || sum.Deliveries > 110 || sum.OK != sum.Deliveries || sum.Interrupted {
		t.Fatalf("%+v after 1s at 100/s", sum)
	}
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
