package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/internal/testkit/lessgc"
	"github.com/orderhooks/orderhooks/internal/testkit/parallel"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

// binName is the name under which this test binary runs as the orderhooks
// command.
const binName = "orderhooks"

// parallelTests is how many parallel tests run at once: most of them wait
// (on processes, timeouts, --duration runs, receivers that hold their
// answers), which one per CPU would queue. Tests that touch what the
// process shares (the working directory, the environment, inspect's
// memory limit) are not parallel; emit's collector target is lessgc's.
const parallelTests = 8

// TestMain runs the command when this test binary is started under the
// name orderhooks (the process tests' link to it: no go build, no second
// link of the whole program), and otherwise the tests, with the collector
// running less often (internal/testkit/lessgc; the command keeps the
// default: tests measure its memory) and up to parallelTests parallel
// tests at once (internal/testkit/parallel); then it removes the link the
// process tests share.
func TestMain(m *testing.M) {
	if filepath.Base(os.Args[0]) == binName {
		main()
		return
	}
	lessgc.Set()
	parallel.Allow(parallelTests)
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// orderhooksBinary returns the path of the command for the tests that run
// it as a real process (signals, pipes, the README's shell lines): a link
// named orderhooks to this test binary, whose TestMain runs main under
// that name. The test binary holds the same package main, compiled from
// the same tree, as go build would.
func orderhooksBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the orderhooks command as a process")
	}
	binOnce.Do(func() {
		self, err := os.Executable()
		if err != nil {
			binErr = err
			return
		}
		if binDir, binErr = os.MkdirTemp("", "orderhooks-bin-"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, binName)
		binErr = os.Symlink(self, binPath)
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// slowServer is a receiver that answers status to each request after
// 20 ms, slow enough that a run is still going when a test signals it;
// started is closed at its nth request. It is closed when the test ends.
func slowServer(t *testing.T, n int64, status int) (srv *httptest.Server, started <-chan struct{}) {
	var hits atomic.Int64
	reached := make(chan struct{})
	var once sync.Once
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == n {
			once.Do(func() { close(reached) })
		}
		select {
		case <-time.After(20 * time.Millisecond):
		case <-r.Context().Done():
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv, reached
}

// TestEmitSIGTERM stops a real emit process with SIGTERM in the middle of
// a run against a slow receiver: it must exit 1 after printing its summary,
// leave a record whose every line is complete JSON, and never print the
// secret.
func TestEmitSIGTERM(t *testing.T) {
	t.Parallel() // it mostly waits for its process
	bin := orderhooksBinary(t)
	srv, started := slowServer(t, 20, http.StatusNoContent)
	dir := t.TempDir()
	record := filepath.Join(dir, "record.jsonl")
	secret := "c2VjcmV0LWtleS1vZi10aGlydHktdHdvLWJ5dGVzISE"
	cmd := exec.Command(bin, "emit", "--provider", "phasio", "--url", srv.URL, "--secret", "env:SIGTERM_SECRET",
		"--orders", "5000", "--concurrency", "4", "--record", record)
	cmd.Env = append(os.Environ(), "SIGTERM_SECRET="+secret)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-started:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("no deliveries after 30s; stderr: %s", stderr.String())
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("emit still running 30s after SIGTERM")
	}
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitFailure {
		t.Fatalf("exit: %v, want exit status 1; stderr: %s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "deliveries") || !strings.Contains(stdout.String()+stderr.String(), "interrupted") {
		t.Errorf("no summary of the interrupted run:\nstdout: %s\nstderr: %s", stdout.String(), stderr.String())
	}
	if strings.Contains(stdout.String()+stderr.String(), secret) {
		t.Error("the secret appears in the output")
	}
	lines := jsonLines(t, record)
	if lines < 20 || lines >= 5000 {
		t.Errorf("%d records, want the deliveries made before SIGTERM (20 or more, fewer than 5000)", lines)
	}
	data, _ := os.ReadFile(record)
	if !bytes.HasSuffix(data, []byte("\n")) || bytes.Contains(data, []byte(secret)) {
		t.Error("record does not end with a complete line, or contains the secret")
	}
}

// TestDemoKeep runs demo --keep as a real process, uses one of the
// commands it prints against its still-running receiver, then stops it
// with Ctrl-C.
func TestDemoKeep(t *testing.T) {
	t.Parallel() // it mostly waits for its processes
	bin := orderhooksBinary(t)
	cmd := exec.Command(bin, "demo", "--keep", "--dir", t.TempDir())
	sc, _ := testkit.Start(t, cmd)
	lines := make(chan string, 1024)
	go func() {
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var emitLine string
	deadline := time.After(60 * time.Second)
	for emitLine == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("demo --keep exited before printing its commands")
			}
			if s := strings.TrimSpace(l); strings.HasPrefix(s, "orderhooks emit --provider phasio") {
				emitLine = s
			}
		case <-deadline:
			t.Fatal("demo --keep printed no emit command within 60s")
		}
	}
	args := strings.Fields(emitLine)[1:]
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", emitLine, err, out)
	}
	if !strings.Contains(string(out), "deliveries") {
		t.Errorf("%s printed no summary:\n%s", emitLine, out)
	}
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("demo --keep after Ctrl-C: %v, want exit 0", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("demo --keep still running 20s after Ctrl-C")
	}
}

// TestVerifySIGINT interrupts a real verify process with SIGINT while a
// check sends (every request answered 2xx): the running check is reported
// interrupted, never failed, in the JSON and JUnit reports, exit 1.
func TestVerifySIGINT(t *testing.T) {
	t.Parallel() // it mostly waits for its process
	bin := orderhooksBinary(t)
	srv, started := slowServer(t, 5, http.StatusOK) // the 5th request is inside accepts-valid-lifecycle
	dir := t.TempDir()
	cmd := exec.Command(bin, "verify", "--provider", "happycolis", "--url", srv.URL, "--secret", "env:HC_SECRET",
		"--report", "json="+filepath.Join(dir, "r.json"), "--report", "junit="+filepath.Join(dir, "r.xml"))
	cmd.Env = append(os.Environ(), "HC_SECRET="+verifySecret)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-started:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("verify never reached the receiver")
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitFailure {
		t.Fatalf("exit %v, want 1\n%s%s", err, stdout.String(), stderr.String())
	}
	r := readReport(t, filepath.Join(dir, "r.json"))
	if r.Summary.Failed != 0 || r.Summary.Interrupted != 1 || r.Checks[0].Status != "interrupted" {
		t.Errorf("JSON report: summary %+v, first check %s", r.Summary, r.Checks[0].Status)
	}
	x, err := os.ReadFile(filepath.Join(dir, "r.xml"))
	if err != nil || !strings.Contains(string(x), `type="interrupted"`) || strings.Contains(string(x), "<failure") {
		t.Errorf("JUnit report %v:\n%s", err, x)
	}
	if strings.Contains(stdout.String()+stderr.String(), verifySecret) {
		t.Error("the secret was printed")
	}
}
