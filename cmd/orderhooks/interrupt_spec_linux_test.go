package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bigSpec writes an OpenAPI 3.1 document of about 16 MB: 1,000 webhooks,
// each with a payload schema of its own of 160 described properties, the
// whole some 2.5 seconds of CPU to import.
func bigSpec(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "big.json")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	const hooks, props = 1000, 160
	fmt.Fprint(w, `{"openapi": "3.1.0", "info": {"title": "Big", "version": "1"}, "webhooks": {`)
	for i := range hooks {
		if i > 0 {
			w.WriteString(",\n")
		}
		fmt.Fprintf(w, `"hook%d": {"post": {"operationId": "hook%d", "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Payload%d"}}}}}}`, i, i, i)
	}
	fmt.Fprint(w, `}, "components": {"schemas": {`)
	for i := range hooks {
		if i > 0 {
			w.WriteString(",\n")
		}
		fmt.Fprintf(w, `"Payload%d": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string", "format": "uuid"}`, i)
		for j := range props {
			fmt.Fprintf(w, `, "field%d": {"type": "string", "maxLength": 40, "description": "field %d of payload %d, a string"}`, j, j, i)
		}
		w.WriteString("}}")
	}
	w.WriteString("}}}\n")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// procCPU is the CPU time a running process has used (user and system),
// from /proc/PID/stat.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The fields after the command name, which is in parentheses: utime
	// and stime are the 12th and 13th, in clock ticks (100 a second).
	_, rest, ok := bytes.Cut(b, []byte(") "))
	f := strings.Fields(string(rest))
	if !ok || len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %q", pid, b)
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: %q", pid, b)
	}
	return time.Duration(u+s) * 10 * time.Millisecond, nil
}

// TestSpecLoadInterrupted stops commands with SIGINT or SIGTERM while they
// import a large --spec document (once they have used 100 ms of CPU: the
// whole document is read, decoded and checked under the command's context,
// and starting the process and parsing its flags take a few ms; the import
// alone takes seconds): each must exit within a second, with exit
// 1 and one line saying it was interrupted while reading the document,
// leaving no partial output (generate's --out, emit's --record) and, for
// verify, a --report that says why no check ran; receive must not start
// serving.
func TestSpecLoadInterrupted(t *testing.T) {
	bin := orderhooksBinary(t)
	spec := bigSpec(t)
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	tests := []struct {
		name   string
		sig    syscall.Signal
		args   func(dir string) []string
		absent []string // files the interrupted command must not leave
		check  func(t *testing.T, dir string)
	}{
		{"generate", syscall.SIGINT, func(dir string) []string {
			return []string{"generate", "--spec", spec, "--sign", "standard", "--orders", "5", "--out", filepath.Join(dir, "events.jsonl")}
		}, []string{"events.jsonl"}, nil},
		{"emit", syscall.SIGTERM, func(dir string) []string {
			return []string{"emit", "--spec", spec, "--sign", "standard", "--url", "http://127.0.0.1:9/", "--secret", secret, "--record", filepath.Join(dir, "record.jsonl")}
		}, []string{"record.jsonl"}, nil},
		{"receive", syscall.SIGINT, func(dir string) []string {
			return []string{"receive", "--spec", spec, "--sign", "standard", "--secret", secret, "--listen", "127.0.0.1:0", "--record", filepath.Join(dir, "record.jsonl")}
		}, []string{"record.jsonl"}, nil},
		{"verify", syscall.SIGTERM, func(dir string) []string {
			return []string{"verify", "--spec", spec, "--sign", "standard", "--url", "http://127.0.0.1:9/", "--secret", secret, "--report", "json=" + filepath.Join(dir, "r.json")}
		}, nil, func(t *testing.T, dir string) {
			r := readReport(t, filepath.Join(dir, "r.json"))
			if !strings.Contains(r.Error, "interrupted while reading") || len(r.Checks) != 0 {
				t.Errorf("report: error %q, %d checks; want the interruption and none", r.Error, len(r.Checks))
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command(bin, tc.args(dir)...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			deadline := time.Now().Add(60 * time.Second)
			for {
				cpu, err := procCPU(cmd.Process.Pid)
				if err != nil || time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatalf("the command ended or stalled before it had used 100 ms of CPU (%v): %v\n%s", cpu, err, stderr.String())
				}
				if cpu >= 100*time.Millisecond {
					break
				}
				time.Sleep(5 * time.Millisecond)
			}
			sent := time.Now()
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			var err error
			select {
			case err = <-done:
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("still running 30 s after %v", tc.sig)
			}
			took := time.Since(sent)
			t.Logf("exited %v after %v", took.Round(time.Millisecond), tc.sig)
			if took > time.Second {
				t.Errorf("exited %v after %v, want within 1 s", took.Round(time.Millisecond), tc.sig)
			}
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitFailure {
				t.Fatalf("exit: %v, want exit status 1\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
			}
			want := fmt.Sprintf("orderhooks %s: interrupted while reading %s\n", tc.name, spec)
			if stderr.String() != want || stdout.Len() != 0 {
				t.Errorf("stdout %q, stderr %q; want nothing and %q", stdout.String(), stderr.String(), want)
			}
			for _, f := range tc.absent {
				if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
					t.Errorf("%s was left behind", f)
				}
			}
			if tc.check != nil {
				tc.check(t, dir)
			}
		})
	}
}
