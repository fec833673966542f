package testkit

import (
	"bufio"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// Start starts cmd for a test: the returned scanner reads its standard
// output line by line, and its standard error is kept in the returned
// buffer (which stays empty when cmd.Stderr is already set). The process
// is killed and waited for when the test ends, if the test has not ended
// it.
func Start(t testing.TB, cmd *exec.Cmd) (*bufio.Scanner, *SyncBuffer) {
	t.Helper()
	stdout, stderr := start(t, cmd)
	return bufio.NewScanner(stdout), stderr
}

// StartServer starts cmd (as Start does), a server that says where it
// listens in the first line of its standard output, and returns that line
// and the standard error; the rest of the output is read and dropped. It
// fails t, showing the standard error, when the process ends before
// printing a line.
func StartServer(t testing.TB, cmd *exec.Cmd) (string, *SyncBuffer) {
	t.Helper()
	stdout, stderr := start(t, cmd)
	r := bufio.NewReader(stdout)
	first, err := r.ReadString('\n')
	if err != nil {
		_ = cmd.Wait()
		t.Fatalf("%s printed no line (%v); stderr: %s", strings.Join(cmd.Args, " "), err, stderr.String())
	}
	go func() { _, _ = io.Copy(io.Discard, r) }()
	return strings.TrimSuffix(first, "\n"), stderr
}

func start(t testing.TB, cmd *exec.Cmd) (io.Reader, *SyncBuffer) {
	t.Helper()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := new(SyncBuffer)
	if cmd.Stderr == nil {
		cmd.Stderr = stderr
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return stdout, stderr
}
