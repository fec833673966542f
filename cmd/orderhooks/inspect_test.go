package main

import (
	"context"
	"database/sql"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/capture"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/internal/testkit/capturekit"
)

// inspectStore writes a store of capturekit.Mixed deliveries and returns
// its path.
func inspectStore(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "capture.db")
	s, err := capture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	capturekit.Put(t, s, capturekit.Mixed(t, capturekit.New(t))...)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestInspectRefuses: a missing, foreign or damaged store, an address
// other machines reach without a token, a short token or a token that
// cannot be read: one line naming the flag, exit 2, nothing served, and
// a damaged store left as it was.
func TestInspectRefuses(t *testing.T) {
	dir := t.TempDir()
	good := inspectStore(t)
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte("not a database at all\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Another application's SQLite database.
	foreign := filepath.Join(dir, "app.db")
	db, err := sql.Open("sqlite", foreign)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	// A store cut short, as a copy that stopped half-way.
	whole, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut.db")
	if err := os.WriteFile(cut, whole[:len(whole)/3], 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		vars map[string]string
		says []string
	}{
		{"missing", []string{"--store", filepath.Join(dir, "none.db")}, nil, []string{"--store ", "none.db: no such file", "receive --store"}},
		{"default missing", nil, nil, []string{"--store capture.db: no such file"}},
		{"garbage", []string{"--store", garbage}, nil, []string{"--store ", "garbage.db: not an orderhooks capture store"}},
		{"foreign", []string{"--store", foreign}, nil, []string{"--store ", "app.db: not an orderhooks capture store"}},
		{"cut short", []string{"--store", cut}, nil, []string{"--store ", "cut.db: "}},
		{"directory", []string{"--store", dir}, nil, []string{"--store "}},
		{"exposed", []string{"--store", good, "--listen", "0.0.0.0:0"}, nil, []string{"--listen 0.0.0.0:0: not a loopback address", "--ui-token"}},
		{"exposed, empty host", []string{"--store", good, "--listen", ":0"}, nil, []string{"--listen :0: not a loopback address"}},
		{"short token", []string{"--store", good, "--ui-token", "short"}, nil, []string{"--ui-token: too short: at least 16 characters"}},
		{"unset token", []string{"--store", good, "--ui-token", "env:INSPECT_TOKEN"}, nil, []string{"--ui-token: ", "INSPECT_TOKEN"}},
		{"bad address", []string{"--store", good, "--listen", "8790"}, nil, []string{"--listen 8790: want HOST:PORT"}},
		{"argument", []string{"--store", good, "extra"}, nil, []string{`unexpected argument "extra"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := os.ReadFile(cut)
			out, errOut, code := runCmdEnv(t, t.Context(), "", tc.vars, append([]string{"inspect"}, tc.args...)...)
			if code != exitUsage || out != "" || strings.Count(errOut, "\n") != 1 {
				t.Fatalf("exit %d, stdout %q, stderr %q: want exit 2 and one line", code, out, errOut)
			}
			for _, want := range tc.says {
				if !strings.Contains(errOut, want) {
					t.Errorf("%q lacks %q", errOut, want)
				}
			}
			if after, _ := os.ReadFile(cut); string(after) != string(before) {
				t.Error("the damaged store was changed")
			}
		})
	}
}

// TestInspectDefinition: inspect --provider-file (or --spec) gives the
// pages the definition, so its deliveries are offered, verified and
// re-signed as the built-ins' are (the inspector's own tests check the
// verifying); a definition that does not read is one line, exit 2. The
// memory limit inspect sets holds for its run only: the process's is the
// same again after it (the other tests of this binary ran against 48 MB,
// collecting all the time, once an inspect had run).
func TestInspectDefinition(t *testing.T) {
	store := inspectStore(t)
	limit := debug.SetMemoryLimit(-1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout, stderr := &testkit.SyncBuffer{}, &testkit.SyncBuffer{}
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"inspect", "--store", store, "--listen", "127.0.0.1:0", "--provider-file", shopDefinition(t)},
			&env{stdout: stdout, stderr: stderr, getenv: func(string) string { return "" }})
	}()
	var base string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && base == ""; time.Sleep(5 * time.Millisecond) {
		if line, ok := strings.CutSuffix(stdout.String(), "\n"); ok {
			base = strings.SplitN(line, "\n", 2)[0]
		}
		select {
		case c := <-code:
			t.Fatalf("inspect exited %d: %s", c, stderr)
		default:
		}
	}
	if base == "" {
		t.Fatal("inspect printed no URL")
	}
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), `<option value="shop"`) {
		t.Errorf("the pages do not offer the shop's deliveries")
	}
	if got := debug.SetMemoryLimit(-1); got != inspectMemoryLimit {
		t.Errorf("memory limit %d while inspect serves, want %d", got, inspectMemoryLimit)
	}
	cancel()
	if c := <-code; c != exitOK {
		t.Errorf("inspect exit %d: %s", c, stderr)
	}
	if got := debug.SetMemoryLimit(-1); got != limit {
		t.Errorf("memory limit %d after inspect, want the process's %d again", got, limit)
	}
	bad := writeFile(t, "bad.yaml", "format: 1\nname: x\n")
	_, errOut, c := runCmd(t, "", "inspect", "--store", store, "--provider-file", bad)
	if c != exitUsage || !strings.Contains(errOut, "bad.yaml:") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("a bad definition: exit %d %q", c, errOut)
	}
}

// TestInspectStopsWithSpareConnection: a connection opened without a
// request (browsers and HTTP clients dial spares) does not hold up the
// stop: http.Server.Shutdown waited for it until it was five seconds old,
// past the five seconds the stop allows, and inspect exited 1 ("stopping
// the pages: context deadline exceeded") with nothing left to answer.
func TestInspectStopsWithSpareConnection(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	go func() { done <- serveInspector(ctx, ln, h, &env{stdout: io.Discard, stderr: io.Discard}) }()
	// One request answered, then a spare connection that sends nothing.
	resp, err := http.Get("http://" + ln.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	spare, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer spare.Close()
	time.Sleep(50 * time.Millisecond) // accepted before the stop
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("stop: %v", err)
		}
		if el := time.Since(start); el > 3*time.Second {
			t.Errorf("the stop took %s with no request being answered", el)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serveInspector did not return within 20s")
	}
}
