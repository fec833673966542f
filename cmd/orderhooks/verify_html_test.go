package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVerifyHTMLReport: --report html=FILE writes one well-formed page
// naming every check run, beside the other formats, and leaves no
// temporary file behind.
func TestVerifyHTMLReport(t *testing.T) {
	srv := startVerifyReceiver(t)
	dir := t.TempDir()
	htmlPath := filepath.Join(dir, "report.html")
	if err := os.WriteFile(htmlPath, []byte("an older report"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := runCmd(t, "", "verify", "--provider", "happycolis", "--url", srv.URL, "--secret", verifySecret,
		"--report", "html="+htmlPath, "--report", "json="+filepath.Join(dir, "r.json"),
		"--only", "accepts-valid-lifecycle,rejects-tampered-payload")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	page, err := os.ReadFile(htmlPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(page, []byte("<!DOCTYPE html>")) || bytes.Contains(page, []byte(verifySecret)) {
		t.Fatalf("not the report, or it holds the secret:\n%.300s", page)
	}
	dec := xml.NewDecoder(bytes.NewReader(page))
	for {
		if _, err := dec.Token(); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("the report is not well-formed: %v", err)
		}
	}
	for _, name := range []string{"accepts-valid-lifecycle", "rejects-tampered-payload"} {
		if !strings.Contains(string(page), `id="check-`+name+`"`) {
			t.Errorf("check %s missing", name)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("files left in the report directory: %v", entries)
	}
}
