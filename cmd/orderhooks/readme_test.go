package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/localrecv"
)

const readmePath = "../../README.md"

// Markers around the CLI reference in the README.
const (
	refStart = "<!-- cli-reference:start -->"
	refEnd   = "<!-- cli-reference:end -->"
)

// cliReference renders every command's help, as `orderhooks help CMD`
// prints it, for the README.
func cliReference() string {
	var b strings.Builder
	b.WriteString("\n### orderhooks help\n\n```\n")
	printHelp(&b)
	b.WriteString("```\n")
	for _, c := range sortedCommands() {
		fmt.Fprintf(&b, "\n### orderhooks %s\n\n```\n", c.name)
		printCommandHelp(&b, c)
		b.WriteString("```\n")
	}
	return b.String()
}

// TestREADMEReference keeps the README's CLI reference identical to the
// commands' help; -update rewrites it.
func TestREADMEReference(t *testing.T) {
	data, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	i, j := strings.Index(text, refStart), strings.Index(text, refEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md has no %s … %s section", refStart, refEnd)
	}
	got := text[:i+len(refStart)] + "\n" + cliReference() + text[j:]
	if *update {
		if err := os.WriteFile(readmePath, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got != text {
		t.Errorf("README.md's CLI reference differs from 'orderhooks help' (run go test ./cmd/orderhooks -run TestREADMEReference -update)")
	}
	for _, c := range sortedCommands() {
		if !strings.Contains(text, "orderhooks "+c.name) {
			t.Errorf("README.md never mentions orderhooks %s", c.name)
		}
	}
}

// readmeCommand is one command line of a ```sh block.
type readmeCommand struct {
	line int
	text string
	code int // expected exit code: 0, or the "# exit N" comment's N
}

var exitComment = regexp.MustCompile(`#\s*exit (\d)\s*$`)

// readmeCommands returns every command of the README's ```sh blocks,
// joining continuation lines.
func readmeCommands(t *testing.T, readme []byte) []readmeCommand {
	t.Helper()
	var cmds []readmeCommand
	in, cont := false, ""
	start := 0
	sc := bufio.NewScanner(bytes.NewReader(readme))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case !in && strings.HasPrefix(line, "```sh"):
			in = true
			continue
		case in && strings.HasPrefix(line, "```"):
			in = false
			continue
		case !in:
			continue
		}
		if cont == "" {
			start = n
		}
		if strings.HasSuffix(line, `\`) {
			cont += strings.TrimSuffix(line, `\`)
			continue
		}
		text := strings.TrimSpace(cont + line)
		cont = ""
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		c := readmeCommand{line: start, text: text}
		if m := exitComment.FindStringSubmatch(text); m != nil {
			c.code, _ = strconv.Atoi(m[1])
		}
		cmds = append(cmds, c)
	}
	return cmds
}

// skippedCommand says why a README command is not run here, or "".
func skippedCommand(text string) string {
	switch {
	case strings.HasPrefix(text, "go test "):
		return "the test suite itself (run by .ci/run)"
	case strings.HasPrefix(text, "go install "):
		return "downloads the published module; this test builds the same package from the work tree"
	case strings.HasPrefix(text, "export "):
		return "the test sets these variables to a receiver it starts"
	}
	return ""
}

// isServer reports whether a command runs until interrupted.
func isServer(text string) bool {
	return strings.HasPrefix(text, "orderhooks receive ") || strings.Contains(text, " --keep")
}

// TestREADMECommands runs every command of the README's ```sh blocks with
// the orderhooks binary built from this tree, against receivers the test
// starts on 127.0.0.1 (RECEIVER_URL, PROBE_URL, PHASIO_SECRET), in a
// scratch directory that sees the repository's files. Servers (receive,
// demo --keep) run in the background until their block's commands are done.
func TestREADMECommands(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs the README's commands")
	}
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	cmds := readmeCommands(t, readme)
	if len(cmds) < 10 {
		t.Fatalf("found only %d commands in README.md's sh blocks", len(cmds))
	}
	bin := filepath.Dir(orderhooksBinary(t))
	work := scratchRepo(t)
	recv, _, secret, err := localrecv.Start(generator.ProviderPhasio)
	if err != nil {
		t.Fatal(err)
	}
	defer recv.Close()
	environ := append(os.Environ(),
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"RECEIVER_URL="+recv.URL+"/webhooks/phasio",
		"PROBE_URL="+recv.URL+"/orders/{orderKey}",
		"PHASIO_SECRET="+secret,
	)
	// The README's local receiver listens on 127.0.0.1:8787; the test moves
	// it to a free port so that a receiver a reader left running there (as
	// Guide 3 suggests) does not fail the suite.
	port := freePort(t)
	var servers []*exec.Cmd
	defer func() {
		for _, s := range servers {
			stopServer(t, s)
		}
	}()
	for _, c := range cmds {
		if why := skippedCommand(c.text); why != "" {
			t.Logf("README.md:%d: not run: %s: %s", c.line, c.text, why)
			continue
		}
		text := strings.Replace(c.text, "go run ./cmd/orderhooks", "orderhooks", 1)
		text = strings.ReplaceAll(text, "127.0.0.1:8787", port)
		if !strings.HasPrefix(text, "orderhooks ") {
			t.Errorf("README.md:%d: %q: not an orderhooks command; say how to run it in skippedCommand", c.line, c.text)
			continue
		}
		if isServer(text) {
			servers = append(servers, startServer(t, c, text, work, environ))
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		cmd := exec.CommandContext(ctx, "bash", "-c", text)
		cmd.Dir, cmd.Env = work, environ
		out, err := cmd.CombinedOutput()
		cancel()
		code := 0
		if err != nil {
			code = -1
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			}
		}
		if code != c.code {
			t.Errorf("README.md:%d: %s\nexit %d, want %d; output:\n%s", c.line, c.text, code, c.code, out)
		}
		if strings.Contains(string(out), secret) {
			t.Errorf("README.md:%d: the secret appears in the output", c.line)
		}
	}
}

// freePort returns a 127.0.0.1 address nothing listens on right now.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// scratchRepo is a temporary directory with links to the repository's
// top-level entries, so commands can read its files and write their own.
func scratchRepo(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if err := os.Symlink(filepath.Join(root, e.Name()), filepath.Join(dir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// startServer starts a long-running command and waits for its first line
// of output, which says it is listening.
func startServer(t *testing.T, c readmeCommand, text, dir string, environ []string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("bash", "-c", "exec "+text)
	cmd.Dir, cmd.Env = dir, environ
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatalf("README.md:%d: %v", c.line, err)
	}
	ready := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		ready <- line
		io.Copy(io.Discard, r)
	}()
	select {
	case line := <-ready:
		if line == "" {
			t.Fatalf("README.md:%d: %s: exited before printing anything", c.line, c.text)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("README.md:%d: %s: not ready after 30s", c.line, c.text)
	}
	return cmd
}

// stopServer interrupts a server as Ctrl-C would and checks it exits
// cleanly.
func stopServer(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() > 1 {
				t.Errorf("%s: after Ctrl-C: %v", cmd.Args, err)
			}
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Errorf("%s: still running 20s after Ctrl-C", cmd.Args)
	}
}
