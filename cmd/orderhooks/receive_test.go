package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/wire"
)

// receiveRun is a running `orderhooks receive`.
type receiveRun struct {
	url            string
	stdout, stderr *testkit.SyncBuffer
	cancel         context.CancelFunc
	code           chan int
}

// startReceive runs receive in-process on a free loopback port and waits
// (bounded) for the URL it prints first.
func startReceive(t *testing.T, vars map[string]string, args ...string) *receiveRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &receiveRun{stdout: &testkit.SyncBuffer{}, stderr: &testkit.SyncBuffer{}, cancel: cancel, code: make(chan int, 1)}
	args = append([]string{"receive", "--listen", "127.0.0.1:0"}, args...)
	go func() {
		r.code <- run(ctx, args, &env{stdout: r.stdout, stderr: r.stderr, getenv: func(k string) string { return vars[k] }})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if line, ok := strings.CutSuffix(r.stdout.String(), "\n"); ok {
			r.url = strings.SplitN(line, "\n", 2)[0]
			return r
		}
		select {
		case code := <-r.code:
			t.Fatalf("receive exited %d: %s", code, r.stderr.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	cancel()
	t.Fatal("receive printed no URL within 10s")
	return nil
}

// stop cancels the command (as Ctrl-C does) and returns its exit code.
func (r *receiveRun) stop(t *testing.T) int {
	t.Helper()
	r.cancel()
	select {
	case code := <-r.code:
		return code
	case <-time.After(15 * time.Second):
		t.Fatal("receive did not stop within 15s")
		return -1
	}
}

// send posts one request and returns the status.
func send(t *testing.T, url string, req *wire.Request) int {
	t.Helper()
	hreq, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(req.Body))
	if err != nil {
		t.Fatal(err)
	}
	hreq.Header = req.Header
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(hreq)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// testEvents generates n single-order events.
func testEvents(t *testing.T, provider string, n int) []*generator.Event {
	t.Helper()
	return testkit.Generate(t, provider, generator.WithOrders(n), generator.WithSeed(3))
}

// TestReceiveSecretNeverShown runs receive for each profile with the
// secret given literally, as env:NAME and as file:PATH, sends valid and
// faulty deliveries, and checks the lines, the record and the summary,
// none of which may contain the secret.
func TestReceiveSecretNeverShown(t *testing.T) {
	dir := t.TempDir()
	phasioEvs := testEvents(t, generator.ProviderPhasio, 2)
	hcEvs := testEvents(t, generator.ProviderHappyColis, 2)
	tests := []struct {
		provider string
		events   []*generator.Event
		spec     func(secret string) (string, map[string]string)
	}{
		{generator.ProviderPhasio, phasioEvs, func(s string) (string, map[string]string) {
			return "env:HOOK_SECRET", map[string]string{"HOOK_SECRET": s}
		}},
		{generator.ProviderHappyColis, hcEvs, func(s string) (string, map[string]string) {
			p := filepath.Join(dir, "hc.secret")
			if err := os.WriteFile(p, []byte(s+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			return "file:" + p, nil
		}},
		{wire.ProviderStandard, phasioEvs, func(s string) (string, map[string]string) { return s, nil }},
	}
	for _, tt := range tests {
		t.Run(tt.provider, func(t *testing.T) {
			secret, err := wire.NewSecret(tt.provider, strings.NewReader(strings.Repeat("k", 64)))
			if err != nil {
				t.Fatal(err)
			}
			p, err := wire.New(tt.provider, []string{secret})
			if err != nil {
				t.Fatal(err)
			}
			spec, vars := tt.spec(secret)
			record := filepath.Join(dir, tt.provider+".jsonl")
			r := startReceive(t, vars, "--provider", tt.provider, "--secret", spec, "--print", "--record", record)
			faults := []wire.Fault{wire.FaultNone, wire.FaultBadSignature, wire.FaultWrongKey,
				wire.FaultMissingSignature, wire.FaultMalformedBody, wire.FaultNone}
			want := []int{200, 401, 401, 401, 400, 200}
			for i, fault := range faults {
				msg := &wire.Message{Event: tt.events[i%2], ID: "00000000-0000-4000-8000-00000000000" + string(rune('0'+i)), Time: time.Now()}
				req, err := p.Build(msg, fault)
				if err != nil {
					t.Fatal(err)
				}
				if got := send(t, r.url+"/webhook", req); got != want[i] {
					t.Fatalf("delivery %d (%s): %d, want %d", i, fault, got, want[i])
				}
			}
			if code := r.stop(t); code != exitOK {
				t.Fatalf("exit %d: %s", code, r.stderr)
			}
			out, errOut := r.stdout.String(), r.stderr.String()
			rec, err := os.ReadFile(record)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != 1+len(faults) || !strings.HasPrefix(lines[0], "http://127.0.0.1:") {
				t.Fatalf("stdout has %d lines, want the URL and %d deliveries:\n%s", len(lines), len(faults), out)
			}
			if !strings.Contains(lines[1], " 200 applied ") || !strings.Contains(lines[1], "{") {
				t.Errorf("first delivery line without its payload: %s", lines[1])
			}
			if !strings.Contains(lines[2], `401 rejected reason="signature mismatch"`) {
				t.Errorf("bad-signature line: %s", lines[2])
			}
			if n := bytes.Count(rec, []byte("\n")); n != len(faults) {
				t.Errorf("record has %d lines, want %d", n, len(faults))
			}
			if !strings.Contains(errOut, "received 6: 2 applied") {
				t.Errorf("summary: %s", errOut)
			}
			for name, text := range map[string]string{"stdout": out, "stderr": errOut, "record": string(rec)} {
				if strings.Contains(text, secret) {
					t.Errorf("the secret appears in %s", name)
				}
			}
		})
	}
}

// TestReceiveVectors: each invalid vector is answered 401 with its reason,
// shown on the delivery's line; a secret that is no key stops receive
// before it listens.
func TestReceiveVectors(t *testing.T) {
	for _, v := range loadPhasioVectors(t).Invalid {
		t.Run(v.Name, func(t *testing.T) {
			if v.EncryptedPayload == "" {
				_, errOut, code := runCmd(t, "", "receive", "--provider", "phasio", "--secret", v.Secret, "--listen", "127.0.0.1:0")
				if code != exitUsage || !strings.Contains(errOut, v.Expect) || strings.Contains(errOut, v.Secret) {
					t.Fatalf("exit %d, stderr %q; want 2 naming %q without the secret", code, errOut, v.Expect)
				}
				return
			}
			r := startReceive(t, nil, "--provider", "phasio", "--secret", v.Secret)
			h := http.Header{}
			h.Set(wire.PhasioSignatureHeader, v.PhasioSignature)
			status := send(t, r.url, &wire.Request{Header: h, Body: []byte(`{"payload":"` + v.EncryptedPayload + `"}`)})
			r.stop(t)
			sc := bufio.NewScanner(strings.NewReader(r.stdout.String()))
			sc.Scan() // the URL
			sc.Scan()
			var reason string
			if _, after, ok := strings.Cut(sc.Text(), "reason="); ok {
				_ = json.Unmarshal([]byte(after), &reason)
			}
			// The vector states its premise first ("signature valid but …");
			// the reason is what failed after it.
			want := strings.TrimPrefix(v.Expect, "signature valid but ")
			if status != http.StatusUnauthorized || reason != want {
				t.Fatalf("status %d, line %q; want 401 with reason %q", status, sc.Text(), want)
			}
		})
	}
}

// TestReceiveUsage covers flag errors (exit 2).
func TestReceiveUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no provider", []string{"--secret", "x"}, "--provider is required (or --provider-file or --spec)"},
		{"no secret", []string{"--provider", "phasio"}, "--secret is required"},
		{"unknown provider", []string{"--provider", "shopify", "--secret", "x"}, "receive: --provider shopify: not one of phasio, happycolis, standard\n"},
		{"unset env", []string{"--provider", "happycolis", "--secret", "env:NOPE"}, "NOPE"},
		{"trigger elsewhere", []string{"--provider", "happycolis", "--secret", "x", "--trigger", "ORDER"}, "--trigger only applies"},
		{"bad listen", []string{"--provider", "happycolis", "--secret", "x", "--listen", "256.0.0.1:x"}, "--listen"},
		{"argument", []string{"--provider", "happycolis", "--secret", "x", "extra"}, "unexpected argument"},
		{"record dir missing", []string{"--provider", "happycolis", "--secret", "x", "--listen", "127.0.0.1:0", "--record", "/nonexistent/dir/r.jsonl"}, "--record"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := runCmd(t, "", append([]string{"receive"}, tt.args...)...)
			if code != exitUsage || !strings.Contains(errOut, tt.want) {
				t.Fatalf("exit %d, stderr %q; want 2 with %q", code, errOut, tt.want)
			}
		})
	}
}

// TestReceiveListenKeepsRecord: a --listen that fails leaves an existing
// --record file as it was.
func TestReceiveListenKeepsRecord(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close() // the port stays taken for the test
	record := filepath.Join(t.TempDir(), "r.jsonl")
	const old = "{\"earlier\":\"session\"}\n"
	if err := os.WriteFile(record, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := runCmd(t, "", "receive", "--provider", "happycolis", "--secret", "x", "--listen", ln.Addr().String(), "--record", record)
	if code != exitUsage || !strings.Contains(errOut, "--listen") {
		t.Fatalf("exit %d, stderr %q; want 2 naming --listen", code, errOut)
	}
	if got, err := os.ReadFile(record); err != nil || string(got) != old {
		t.Fatalf("record now %q (%v), want it untouched", got, err)
	}
}
