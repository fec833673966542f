package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/generator"
)

func TestReplayCommand(t *testing.T) {
	rcv := startVerifying(t, generator.ProviderHappyColis, emitSecretHC)
	dir := t.TempDir()
	record := filepath.Join(dir, "record.jsonl")
	if _, errOut, code := runCmd(t, "", "emit", "--provider", "happycolis", "--url", rcv.URL, "--secret", emitSecretHC,
		"--scenario", "happycolis/fulfilment", "--orders", "2", "--record", record); code != exitOK {
		t.Fatalf("emit: exit %d: %s", code, errOut)
	}
	data, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	var first *emitter.Record
	total := 0
	if err := emitter.ReadRecords(strings.NewReader(string(data)), func(r *emitter.Record) error {
		if first == nil {
			first = r
		}
		total++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	hc := []string{"--provider", "happycolis", "--url", rcv.URL, "--secret", emitSecretHC}
	tests := []struct {
		name     string
		args     []string
		code     int
		contains string
	}{
		// The receiver has seen every message id: a replay is answered 200 as duplicates.
		{"fresh", append([]string{record}, hc...), exitOK, "deliveries " + strconv.Itoa(total) + ": " + strconv.Itoa(total) + " ok"},
		{"exact without secret", []string{record, "--exact", "--url", rcv.URL}, exitOK, " ok, 0 failed"},
		{"order filter", append([]string{record, "--order", first.Event.OrderKey, "--json"}, hc...), exitOK, `"deliveries": `},
		// Filters that match nothing are usage errors (see TestNoSilentNoOp).
		{"event filter", append([]string{record, "--event", "no/such-event"}, hc...), exitUsage, `--event "no/such-event": not a happycolis order event`},
		{"from seq", append([]string{record, "--from-seq", "1000000"}, hc...), exitUsage, "--from-seq 1000000: no event of "},
		{"no file", hc, exitUsage, "one FILE"},
		{"missing file", append([]string{filepath.Join(dir, "none.jsonl")}, hc...), exitUsage, "none.jsonl"},
		{"no provider", []string{record, "--url", rcv.URL}, exitUsage, "--provider"},
		{"speed", append([]string{record, "--speed", "-1"}, hc...), exitUsage, "--speed"},
		{"unreachable", []string{record, "--exact", "--url", closedPort(t)}, exitUnreachable, "unreachable"},
		{"unknown provider", []string{record, "--provider", "nope", "--url", rcv.URL, "--secret", emitSecret}, exitUsage,
			"replay: --provider nope: not one of phasio, happycolis, standard\n"},
		{"bad url", []string{record, "--provider", "happycolis", "--url", "ftp://x", "--secret", emitSecretHC}, exitUsage, "replay: --url ftp://x: needs http"},
		{"other platform", []string{record, "--provider", "phasio", "--url", rcv.URL, "--secret", emitSecret}, exitUsage,
			record + ":1: a happycolis event, but --provider phasio\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCmd(t, "", append([]string{"replay"}, tt.args...)...)
			if code != tt.code || !strings.Contains(out+errOut, tt.contains) {
				t.Fatalf("exit %d (want %d), output lacks %q:\n%s%s", code, tt.code, tt.contains, out, errOut)
			}
			checkNoSecret(t, out, errOut)
		})
	}
	if st := rcv.Stats(); st.Duplicates == 0 || st.Unauthorized != 0 {
		t.Fatalf("receiver %+v: replays keep message ids (duplicates) and verify", st)
	}
}
