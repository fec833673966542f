package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/internal/testkit"
)

// startInspect runs `orderhooks inspect` with args and returns its URL
// (the first line of its stdout), the process and its stderr.
func startInspect(t *testing.T, env []string, args ...string) (string, *exec.Cmd, *testkit.SyncBuffer) {
	t.Helper()
	cmd := exec.Command(orderhooksBinary(t), append([]string{"inspect"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	u, stderr := testkit.StartServer(t, cmd)
	if !regexp.MustCompile(`^http://127\.0\.0\.1:\d+/$`).MatchString(u) {
		t.Fatalf("first line %q is not the URL", u)
	}
	return u, cmd, stderr
}

func get(t *testing.T, u string, header http.Header) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestInspectServes runs the inspect command as a real process on a store:
// it prints its URL, serves the list (a 404 page for an unknown delivery
// or order), and Ctrl-C stops it at once, with a live feed open, exit 0.
func TestInspectServes(t *testing.T) {
	store := inspectStore(t)
	u, cmd, stderr := startInspect(t, nil, "--store", store, "--listen", "127.0.0.1:0")
	status, page := get(t, u, nil)
	if status != 200 || strings.Count(page, "<tr data-id=") < 10 {
		t.Fatalf("GET /: %d\n%.500s", status, page)
	}
	for _, p := range []string{"deliveries/424242", "orders/no-such-order", "deliveries/x"} {
		if status, page := get(t, u+p, nil); status != 404 || !strings.Contains(page, "Not found") {
			t.Errorf("GET /%s: %d, want the 404 page", p, status)
		}
	}
	if !strings.Contains(stderr.String(), "deliveries); this machine only; Ctrl-C stops") {
		t.Errorf("stderr %q", stderr.String())
	}
	// A live feed stays open until the process stops.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u+"events?after=0", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := bufio.NewReader(resp.Body).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := waitExit(t, cmd, 10*time.Second); code != 0 {
		t.Fatalf("exit %d after Ctrl-C; stderr: %s", code, stderr.String())
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("took %v to stop with a live feed open", took)
	}
	if !strings.HasSuffix(stderr.String(), "stopped\n") {
		t.Errorf("stderr %q", stderr.String())
	}
}

// TestInspectToken: with --ui-token every page needs the token (a browser
// signs in, a script sends it as a bearer), and it is printed nowhere.
func TestInspectToken(t *testing.T) {
	const token = "inspect-token-for-the-test-0123"
	store := inspectStore(t)
	u, cmd, stderr := startInspect(t, []string{"INSPECT_TOKEN=" + token}, "--store", store, "--listen", "127.0.0.1:0", "--ui-token", "env:INSPECT_TOKEN")
	if status, page := get(t, u, nil); status != 401 || !strings.Contains(page, `name="token"`) {
		t.Fatalf("without the token: %d, want 401 and the sign-in form", status)
	}
	if status, _ := get(t, u, http.Header{"Authorization": {"Bearer " + token}}); status != 200 {
		t.Fatalf("with the token: %d", status)
	}
	cmd.Process.Signal(syscall.SIGINT)
	if code := waitExit(t, cmd, 10*time.Second); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if strings.Contains(stderr.String(), token) || !strings.Contains(stderr.String(), "sign in with the --ui-token") {
		t.Errorf("stderr %q", stderr.String())
	}
}
