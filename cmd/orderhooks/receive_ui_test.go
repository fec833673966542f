package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/generator"
)

// TestReceiveUI: receive --store --ui serves the inspector from the
// receiving process on its own loopback listener: a delivery received
// reaches an open live feed at once, the list shows every stored delivery,
// the receiver's port serves no page, and Ctrl-C stops both (exit 0).
func TestReceiveUI(t *testing.T) {
	db := filepath.Join(t.TempDir(), "capture.db")
	secret := testSecret(t, generator.ProviderPhasio, 'u')
	vars := map[string]string{"S": secret}
	r := startReceive(t, vars, "--provider", "phasio", "--secret", "env:S", "--store", db, "--ui", "--ui-listen", "127.0.0.1:0")
	var ui string
	for deadline := time.Now().Add(10 * time.Second); ui == "" && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if m := regexp.MustCompile(`inspector: (http://127\.0\.0\.1:\d+/)\n`).FindStringSubmatch(r.stderr.String()); m != nil {
			ui = m[1]
		}
	}
	if ui == "" {
		t.Fatalf("no inspector address on stderr: %q", r.stderr.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ui+"events?after=0", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	feed := bufio.NewReader(resp.Body)
	if line, err := feed.ReadString('\n'); err != nil || line != ": live\n" {
		t.Fatalf("feed: %q %v", line, err)
	}
	sent := time.Now()
	_, errOut, code := runCmdEnv(t, context.Background(), "", vars, "emit", "--provider", "phasio", "--url", r.url+"/hooks/phasio",
		"--secret", "env:S", "--scenario", "phasio/quote-to-paid", "--orders", "1", "--seed", "3")
	if code != exitOK {
		t.Fatalf("emit exit %d: %s", code, errOut)
	}
	for {
		line, err := feed.ReadString('\n')
		if err != nil {
			t.Fatalf("feed ended: %v", err)
		}
		if strings.HasPrefix(line, "data: ") {
			if !strings.Contains(line, `data-id=\"1\"`) {
				t.Fatalf("first event %s", line)
			}
			break
		}
	}
	t.Logf("the first delivery reached the feed %v after emit started", time.Since(sent).Round(time.Millisecond))
	stored := len(listStore(t, db))
	get := func(u string) (int, string) {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, page := get(ui); status != 200 || strings.Count(page, "<tr data-id=") != stored || stored < 5 {
		t.Errorf("the list: %d, %d rows, %d stored", status, strings.Count(page, "<tr data-id="), stored)
	}
	if _, page := get(r.url + "/"); strings.Contains(page, "<tr data-id=") {
		t.Error("the receiver's port serves the pages")
	}
	if code := r.stop(t); code != exitOK {
		t.Fatalf("receive exit %d: %s", code, r.stderr)
	}
}

func TestReceiveUIRefuses(t *testing.T) {
	db := filepath.Join(t.TempDir(), "capture.db")
	base := []string{"receive", "--provider", "phasio", "--secret", goldenPhasioSecret, "--listen", "127.0.0.1:0"}
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"--ui"}, "--ui needs --store"},
		{[]string{"--store", db, "--ui-token", "0123456789abcdef0"}, "--ui-listen and --ui-token need --ui"},
		{[]string{"--store", db, "--ui", "--ui-listen", "0.0.0.0:0"}, "--ui-listen 0.0.0.0:0: not a loopback address"},
		{[]string{"--store", db, "--ui", "--ui-token", "short"}, "--ui-token: too short"},
	} {
		out, errOut, code := runCmd(t, "", append(append([]string(nil), base...), tc.args...)...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, tc.says) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, %q%q; want exit 2 saying %q", tc.args, code, out, errOut, tc.says)
		}
	}
	if m, _ := filepath.Glob(db + "*"); len(m) != 0 {
		t.Errorf("a refused command created %v", m)
	}
}
