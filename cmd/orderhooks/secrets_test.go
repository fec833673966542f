package main

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/redact"
	"github.com/orderhooks/orderhooks/internal/testkit"
)

// Every command line the tests run in-process (runCmd, runCmdEnv) is
// checked for the promise that secrets never print: its standard output,
// its standard error and every file it writes or changes (records,
// reports, saved failures, generated files) must hold no form of the
// secrets it was given (testkit.SecretForms: raw, base64, base64url, hex,
// byte lists): --secret and --token values (literal, env:NAME or
// file:PATH), the secrets of a --targets file, a password in a URL, the
// values of -H headers, the variables whose name holds SECRET, TOKEN or
// PASSWORD, the suite's fixed test secrets, and the secrets demo --dir
// saves (its .secret files are the one place a secret is meant to be).

// secretScan is what one command line is checked against.
type secretScan struct {
	secrets []string
	// roots are the files and directories the command may write: the
	// paths among its arguments (and the FILE of a KIND=FILE value).
	roots []string
	// before is each file's modification time and size before the run.
	before map[string]fileStamp
}

type fileStamp struct {
	mod  time.Time
	size int64
}

// maxScanned bounds the bytes read of one written file; minScanned is the
// shortest secret looked for (shorter ones, such as "short" for a bad
// secret, are ordinary words).
const (
	maxScanned = 32 << 20
	minScanned = 8
	maxWalked  = 10000
)

// beginSecretScan notes the secrets of a command line and the state of
// the files it may write.
func beginSecretScan(args []string, vars map[string]string) *secretScan {
	s := &secretScan{secrets: []string{testkit.PhasioSecret, testkit.HappyColisSecret, testkit.StandardSecret}, before: map[string]fileStamp{}}
	resolve := func(v string) string {
		switch {
		case strings.HasPrefix(v, "env:"):
			return vars[strings.TrimPrefix(v, "env:")]
		case strings.HasPrefix(v, "file:"):
			return strings.TrimSpace(readSmall(strings.TrimPrefix(v, "file:")))
		}
		return v
	}
	for name, v := range vars {
		if up := strings.ToUpper(name); strings.Contains(up, "SECRET") || strings.Contains(up, "TOKEN") || strings.Contains(up, "PASSWORD") {
			s.secrets = append(s.secrets, v)
		}
	}
	for i := 0; i < len(args); i++ {
		flag, value, inline := strings.Cut(args[i], "=")
		if !inline && i+1 < len(args) && strings.HasPrefix(flag, "-") {
			value = args[i+1]
		}
		switch flag {
		case "--secret", "--token":
			s.secrets = append(s.secrets, resolve(value))
		case "-H", "--header":
			if _, v, ok := strings.Cut(value, ":"); ok {
				v = strings.TrimSpace(v)
				s.secrets = append(s.secrets, v, v[strings.LastIndex(v, " ")+1:])
			}
		case "--targets":
			b := readSmall(value)
			for _, m := range targetSecret.FindAllStringSubmatch(b, -1) {
				s.secrets = append(s.secrets, resolve(m[1]))
			}
			s.secrets = append(s.secrets, passwords(b)...)
		}
		s.secrets = append(s.secrets, passwords(args[i])...)
		_, file, _ := strings.Cut(args[i], "=")
		for _, p := range []string{args[i], file} {
			if p != "" && strings.HasPrefix(filepath.Clean(p), filepath.Clean(os.TempDir())+string(filepath.Separator)) {
				s.roots = append(s.roots, p)
			}
		}
	}
	s.walk(func(path string, st fileStamp) { s.before[path] = st })
	return s
}

// targetSecret finds a targets file's secrets.
var targetSecret = regexp.MustCompile(`(?m)\bsecret:\s*["']?([^"'\s#]+)`)

var urlPattern = regexp.MustCompile(`[a-z][a-z0-9+.-]*://[^\s"'<>]+`)

// passwords returns the password of every URL in text.
func passwords(text string) []string {
	var out []string
	for _, m := range urlPattern.FindAllString(text, -1) {
		if u, err := url.Parse(m); err == nil && u.User != nil {
			if p, ok := u.User.Password(); ok {
				out = append(out, p)
			}
		}
	}
	return out
}

// readSmall returns the start of a regular file (not of a device, a
// pipe or a directory), "" when there is none.
func readSmall(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return ""
	}
	b, _ := io.ReadAll(io.LimitReader(f, maxScanned))
	return string(b)
}

// walk calls fn for every regular file under the roots that exist (the
// paths in the system's temporary directory: the tests' own), a bounded
// number of them.
func (s *secretScan) walk(fn func(path string, st fileStamp)) {
	n := 0
	for _, root := range s.roots {
		_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if n++; n > maxWalked {
				return filepath.SkipAll
			}
			if err != nil || !d.Type().IsRegular() {
				return nil
			}
			if info, err := d.Info(); err == nil {
				fn(path, fileStamp{info.ModTime(), info.Size()})
			}
			return nil
		})
	}
}

// leaks returns where outputs and the files the command wrote or changed
// show a secret, one line each.
func (s *secretScan) leaks(outputs map[string]string) []string {
	written := map[string]string{}
	s.walk(func(path string, st fileStamp) {
		if old, ok := s.before[path]; ok && old == st {
			return
		}
		if strings.HasSuffix(path, ".secret") { // demo --dir: where the secret is kept, mode 0600
			s.secrets = append(s.secrets, strings.TrimSpace(readSmall(path)))
			return
		}
		written[path] = readSmall(path)
	})
	var out []string
	var secrets []string
	for _, sec := range s.secrets {
		if len(sec) >= minScanned {
			secrets = append(secrets, sec)
		}
	}
	forms := testkit.SecretForms(secrets...)
	for _, texts := range []map[string]string{outputs, written} {
		for where, text := range texts {
			for _, f := range forms {
				if strings.Contains(text, f) {
					out = append(out, where+" shows a secret as "+f)
					break
				}
			}
		}
	}
	return out
}

// check fails t for every leak.
func (s *secretScan) check(t *testing.T, args []string, outputs map[string]string) {
	t.Helper()
	for _, l := range s.leaks(outputs) {
		t.Errorf("orderhooks %s: %s", strings.Join(args, " "), l)
	}
}

// TestSecretScanFinds: the scan of every command line can fail: it finds a
// secret's key bytes in base64 in a written report, in hex on
// standard output, a URL's password and an -H token, and leaves alone
// the files the command did not write.
func TestSecretScanFinds(t *testing.T) {
	dir := t.TempDir()
	input := filepath.Join(dir, "targets.yaml")
	if err := os.WriteFile(input, []byte("default:\n  url: http://u:pass-word-1@127.0.0.1:1/\n  secret: "+emitSecretQuote+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(dir, "r.json")
	args := []string{"verify", "--targets", input, "--report", "json=" + report, "-H", "Authorization: Bearer tok-123456789"}
	scan := beginSecretScan(args, nil)
	key := redact.Keys(emitSecretQuote)[0]
	if err := os.WriteFile(report, []byte(`{"note":"`+base64.StdEncoding.EncodeToString(key)+`"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	keys := redact.Keys(testkit.PhasioSecret)
	leaks := scan.leaks(map[string]string{
		"stdout": "key " + hex.EncodeToString(keys[0]),
		"stderr": "sent with tok-123456789 to http://u:pass-word-1@host",
		"clean":  "nothing to see",
	})
	if len(leaks) != 3 || !strings.Contains(strings.Join(leaks, "\n"), report) {
		t.Fatalf("leaks:\n%s", strings.Join(leaks, "\n"))
	}
}

// TestSecretsNeverShown runs the commands that send, judge and replay
// deliveries with every kind of secret (a --secret, a targets file's
// secrets, a URL's password, -H tokens) against a receiver that echoes
// the secret back in every encoding, with every report and record: the
// scan of each run (secretScan) checks the output and every file.
func TestSecretsNeverShown(t *testing.T) {
	t.Parallel() // after the sequential tests (the docs test changes directory)
	key, _ := base64.RawURLEncoding.DecodeString(emitSecret)
	echo := testServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, "your secret %s, its key %x, %s, %s\n", emitSecret, key, base64.StdEncoding.EncodeToString(key), r.Header.Get("Authorization"))
	})
	real := startVerifying(t, generator.ProviderPhasio, emitSecret)
	dir := t.TempDir()
	for _, srv := range []string{echo.URL, real.URL} {
		url := strings.Replace(srv, "http://", "http://alice:pass-word-1@", 1)
		targets := filepath.Join(dir, "targets.yaml")
		if err := os.WriteFile(targets, []byte("default:\n  url: "+url+"\n  secret: "+emitSecret+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		record := filepath.Join(dir, "sent.jsonl")
		hdr := []string{"-H", "Authorization: Bearer tok-0123456789", "-H", "X-Api-Key: key-0123456789"}
		for _, args := range [][]string{
			append([]string{"emit", "--provider", "phasio", "--url", url, "--secret", emitSecret, "--orders", "2", "--record", record, "--duplicate", "0.5", "--bad-signature", "0.5"}, hdr...),
			append([]string{"emit", "--provider", "phasio", "--targets", targets, "--orders", "1", "--record", record}, hdr...),
			append([]string{"replay", record, "--provider", "phasio", "--url", url, "--secret", emitSecret}, hdr...),
			{"verify", "--provider", "phasio", "--url", url, "--secret", emitSecret, "--timeout", "2s",
				"--report", "json=" + filepath.Join(dir, "r.json"), "--report", "junit=" + filepath.Join(dir, "r.xml"), "--report", "html=" + filepath.Join(dir, "r.html"),
				"--record", filepath.Join(dir, "verify.jsonl"), "--save-failures", filepath.Join(dir, "failures")},
			{"verify", "--provider", "phasio", "--targets", targets, "--only", "accepts-valid-lifecycle", "--timeout", "2s"},
		} {
			if _, errOut, code := runCmd(t, "", args...); code != exitOK && code != exitFailure {
				t.Errorf("%s: exit %d: %s", strings.Join(args, " "), code, errOut)
			}
		}
	}
	for _, f := range []string{"r.json", "r.xml", "r.html", "verify.jsonl", "sent.jsonl"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s was not written: %v", f, err)
		}
	}
}
