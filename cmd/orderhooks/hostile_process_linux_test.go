package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
)

// waitExit waits (bounded) for cmd and returns its exit code.
func waitExit(t *testing.T, cmd *exec.Cmd, within time.Duration) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(within):
		cmd.Process.Kill()
		<-done
		t.Fatalf("%s still running after %s", strings.Join(cmd.Args, " "), within)
		return -1
	}
}

// TestInterruptIdleStdin: Ctrl-C (SIGINT) stops a command waiting on a
// stdin that sends nothing, at once: emit --in -, replay -, validate and
// decrypt used to wait until the writer closed the pipe. validate skipping
// an endless line stops too. A command reading stdin is interrupted after
// it is blocked in that read (readingStdin), not after a fixed wait only:
// on a loaded machine the signal could come before the read, and the test
// pass without having interrupted one.
func TestInterruptIdleStdin(t *testing.T) {
	bin := orderhooksBinary(t)
	rcv := startVerifying(t, generator.ProviderPhasio, emitSecret)
	for _, tt := range []struct {
		name string
		args []string
		code int
		says string
		// stdin: the command reads its standard input, and is interrupted
		// in that read; otherwise after the wait.
		stdin bool
	}{
		{"emit", []string{"emit", "--provider", "phasio", "--url", rcv.URL, "--secret", emitSecret, "--in", "-"}, exitFailure, "interrupted", true},
		{"replay", []string{"replay", "-", "--provider", "phasio", "--url", rcv.URL, "--secret", emitSecret}, exitFailure, "interrupted", true},
		{"validate", []string{"validate", "--schema", "auto"}, exitFailure, "interrupted", true},
		{"decrypt", []string{"decrypt", "--secret", emitSecret}, exitFailure, "interrupted", true},
		// Not stdin, but as endless: the line over the limit is skipped for ever.
		{"validate endless line", []string{"validate", "--schema", "auto", "/dev/zero"}, exitFailure, "interrupted", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // each waits for its process, which waits on its input
			// A process killed by the signal (exit -1) may not have
			// reached its handler yet on a loaded machine: it is tried
			// again with a longer wait. One that never handles it fails
			// every time.
			waits := []time.Duration{100 * time.Millisecond, 300 * time.Millisecond, time.Second, 3 * time.Second}
			for i, wait := range waits {
				code, out := interruptAfter(t, bin, tt.args, wait, tt.stdin)
				if code == -1 && i < len(waits)-1 {
					t.Logf("killed by the signal after %s, before its handler was set: trying again with a longer wait", wait)
					continue
				}
				if code != tt.code || !strings.Contains(out, tt.says) {
					t.Fatalf("exit %d (want %d), output lacks %q:\n%s", code, tt.code, tt.says, out)
				}
				break
			}
		})
	}
}

// interruptAfter starts bin with args and an open, silent stdin, sends it
// SIGINT after wait (to let it reach the read; with inRead, wait after it
// is blocked reading its standard input: the read can start in the
// background before the command is done starting), and returns its exit
// code and output.
func interruptAfter(t *testing.T, bin string, args []string, wait time.Duration, inRead bool) (int, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close() // open, silent, until the end
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); inRead; time.Sleep(5 * time.Millisecond) {
		reading, err := readingStdin(cmd.Process.Pid)
		if err != nil {
			t.Logf("the wait only: %v", err) // a system that hides other processes' system calls
			break
		}
		if reading {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("orderhooks %s: not blocked reading its standard input after 10s:\n%s", args[0], out.String())
		}
	}
	time.Sleep(wait)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	code := waitExit(t, cmd, 10*time.Second)
	return code, out.String()
}

// readingStdin reports whether a thread of process pid is in the system
// call read(0, …): blocked reading its standard input, a pipe that sends
// nothing (/proc/PID/task/TID/syscall: the call's number, then its
// arguments in hex). The error is that of a file the system does not let
// this process read (a thread that ended is no error).
func readingStdin(pid int) (bool, error) {
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	for _, task := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/syscall", pid, task.Name()))
		if err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ESRCH) {
			return false, err
		}
		if f := strings.Fields(string(b)); err == nil && len(f) > 1 && f[0] == readSyscall && f[1] == "0x0" {
			return true, nil
		}
	}
	return false, nil
}

// readSyscall is read's number in /proc/PID/task/TID/syscall.
var readSyscall = strconv.Itoa(syscall.SYS_READ)

// TestAliasBombMemory: the 1.1 MB scenario of 2,000 aliases to a 1 MiB
// scalar (10 GB before the expansion was bounded) fails with exit 2 and a
// peak resident size under 100 MB. (Its time is BenchmarkScenarioAliasBomb's.)
func TestAliasBombMemory(t *testing.T) {
	t.Parallel() // it mostly waits for its process
	bin := orderhooksBinary(t)
	f := writeHostileFiles(t)
	cmd := exec.Command(bin, "generate", "--provider", "phasio", "--scenario", f.aliasBomb)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stop := watchPeakRSS(cmd.Process.Pid)
	code := waitExit(t, cmd, 60*time.Second)
	peak := stop()
	if code != exitUsage || !strings.Contains(out.String(), "scenario expansion limit") {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	if peak <= 0 || peak > 100<<20 {
		t.Fatalf("peak RSS %d MiB, want under 100", peak>>20)
	}
	t.Logf("peak RSS %d MiB", peak>>20)
}

// TestPreflightThroughProxy: with HTTP_PROXY set, emit's reachability
// check connects to the proxy, as its deliveries do, instead of refusing a
// host only the proxy can reach (it exited 3).
func TestPreflightThroughProxy(t *testing.T) {
	t.Parallel() // it mostly waits for its process
	bin := orderhooksBinary(t)
	var hits atomic.Int64
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Host != "receiver.test" { // absolute-form: the proxy is asked for the target
			http.Error(w, "not proxied: "+r.URL.String(), http.StatusBadGateway)
			return
		}
		hits.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer proxy.Close()
	cmd := exec.Command(bin, "emit", "--provider", "phasio", "--url", "http://receiver.test/hook", "--secret", emitSecret, "--orders", "3")
	cmd.Env = append(os.Environ(), "HTTP_PROXY="+proxy.URL, "http_proxy="+proxy.URL, "NO_PROXY=", "no_proxy=")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "deliveries 3: 3 ok") || hits.Load() != 3 {
		t.Fatalf("%v, %d requests through the proxy:\n%s", err, hits.Load(), out)
	}
}

// TestLongReceiveUnderAttack (ORDERHOOKS_LONG=1, run by .ci/run): a real
// receive process under 400 concurrent 4 MB requests, unsigned and then
// with forged signatures, stays under 300 MB resident and comes back
// near its baseline afterwards.
func TestLongReceiveUnderAttack(t *testing.T) {
	if os.Getenv("ORDERHOOKS_LONG") == "" {
		t.Skip("moves 3 GB over loopback; set ORDERHOOKS_LONG=1")
	}
	bin := orderhooksBinary(t)
	cmd := exec.Command(bin, "receive", "--provider", "phasio", "--secret", emitSecret, "--listen", "127.0.0.1:0")
	u, stderr := testkit.StartServer(t, cmd)
	addr := strings.TrimPrefix(u, "http://")
	time.Sleep(200 * time.Millisecond)
	base, _, err := procRSS(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	body := bytes.Repeat([]byte("x"), 4<<20)
	attack := func(header string) (answered int64) {
		var wg sync.WaitGroup
		var n atomic.Int64
		for range 400 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, err := net.DialTimeout("tcp", addr, 30*time.Second)
				if err != nil {
					return
				}
				defer c.Close()
				c.SetDeadline(time.Now().Add(60 * time.Second))
				fmt.Fprintf(c, "POST /hook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n%sContent-Length: %d\r\n\r\n", header, len(body))
				go c.Write(body) // the receiver may answer (and close) before reading it
				if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err == nil {
					io.Copy(io.Discard, resp.Body)
					n.Add(1)
				}
			}()
		}
		wg.Wait()
		return n.Load()
	}
	stop := watchPeakRSS(cmd.Process.Pid)
	unsigned := attack("")
	forged := attack("X-Phasio-Signature: 00\r\n")
	peak := stop()
	t.Logf("baseline %d MiB, peak %d MiB; answered %d unsigned, %d forged", base>>20, peak>>20, unsigned, forged)
	if peak > 300<<20 {
		t.Fatalf("peak RSS %d MiB under attack, want under 300", peak>>20)
	}
	if unsigned == 0 || forged == 0 {
		t.Fatalf("the receiver answered %d unsigned and %d forged requests", unsigned, forged)
	}
	var cur int64
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		if cur, _, _ = procRSS(cmd.Process.Pid); cur <= base+32<<20 {
			break
		}
	}
	if cur > base+32<<20 {
		t.Fatalf("RSS %d MiB after the attack, baseline %d MiB", cur>>20, base>>20)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	waitExit(t, cmd, 30*time.Second)
	if !strings.Contains(stderr.String(), "received") {
		t.Fatalf("no summary: %s", stderr.String())
	}

}
