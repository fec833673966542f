package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	_ "modernc.org/sqlite" // the test writes foreign and newer SQLite files

	"github.com/orderhooks/orderhooks/capture"
	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/provider"
	"github.com/orderhooks/orderhooks/receiver"
	"github.com/orderhooks/orderhooks/wire"
)

// testSecret is a fixed secret of provider (the letter makes it another
// one: the platform's, the app's).
func testSecret(t *testing.T, provider string, letter byte) string {
	t.Helper()
	s, err := wire.NewSecret(provider, bytes.NewReader(bytes.Repeat([]byte{letter}, 64)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// listStore returns every delivery of a store, oldest first.
func listStore(t *testing.T, path string) []*capture.Delivery {
	t.Helper()
	s, err := capture.OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var ds []*capture.Delivery
	if err := s.Each(context.Background(), capture.Filter{}, func(d *capture.Delivery) error {
		ds = append(ds, d)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return ds
}

// TestReceiveStore: emit (with forged deliveries) to receive --store,
// then read the store with capture list, show and export, and replay it
// straight from the store to another receiver, byte for byte.
func TestReceiveStore(t *testing.T) {
	t.Parallel() // after the sequential tests (the docs test changes directory)
	dir := t.TempDir()
	db := filepath.Join(dir, "capture.db")
	secret := testSecret(t, generator.ProviderPhasio, 's')
	vars := map[string]string{"S": secret}
	r := startReceive(t, vars, "--provider", "phasio", "--secret", "env:S", "--store", db)
	_, errOut, code := runCmdEnv(t, context.Background(), "", vars, "emit", "--provider", "phasio", "--url", r.url+"/hooks/phasio",
		"--secret", "env:S", "--scenario", "phasio/quote-to-paid", "--orders", "6", "--bad-signature", "0.2", "--seed", "5")
	if code != exitOK {
		t.Fatalf("emit exit %d: %s", code, errOut)
	}
	if code := r.stop(t); code != exitOK {
		t.Fatalf("receive exit %d: %s", code, r.stderr)
	}
	ds := listStore(t, db)
	lines := strings.Split(strings.TrimSpace(r.stdout.String()), "\n")[1:]
	if len(ds) < 20 || len(lines) != len(ds) {
		t.Fatalf("%d deliveries stored, %d lines printed", len(ds), len(lines))
	}
	if !strings.Contains(r.stderr.String(), fmt.Sprintf("stored %d in %s", len(ds), db)) {
		t.Errorf("summary: %s", r.stderr)
	}
	ok, forged := 0, 0
	for _, d := range ds {
		switch d.Verdict() {
		case capture.VerdictOK:
			ok++
			if d.Status != 200 || d.Payload == nil || d.Event == "" || d.Key == "" || d.Decryption != capture.DecryptionOK {
				t.Errorf("delivery %d: %+v", d.ID, d)
			}
		case capture.VerdictSignatureBad:
			forged++
		default:
			t.Errorf("delivery %d: verdict %s", d.ID, d.Verdict())
		}
	}
	if forged == 0 || ok == 0 {
		t.Fatalf("%d ok, %d forged", ok, forged)
	}
	for _, l := range lines {
		if !strings.Contains(l, " sig ok → 200 applied #") && !strings.Contains(l, " sig bad → 401 signature mismatch #") {
			t.Errorf("line %q", l)
		}
	}

	out, errOut, code := runCmd(t, "", "capture", "list", "--store", db, "--verdict", "signature-bad", "--json")
	var page capture.Page
	if code != exitOK || json.Unmarshal([]byte(out), &page) != nil || len(page.Deliveries) != forged {
		t.Fatalf("capture list: exit %d, %d deliveries (want %d): %s%s", code, len(page.Deliveries), forged, out, errOut)
	}
	out, _, code = runCmd(t, "", "capture", "list", "--store", db, "--limit", "3")
	if code != exitOK || strings.Count(out, "\n") != 5 || !strings.Contains(out, "older deliveries: --before") || !strings.HasPrefix(out, "ID") {
		t.Errorf("capture list --limit 3: exit %d:\n%s", code, out)
	}
	first := ds[0]
	for _, d := range ds {
		if d.Status == 200 {
			first = d
			break
		}
	}
	out, _, code = runCmd(t, "", "capture", "show", "--store", db, fmt.Sprint(first.ID))
	if code != exitOK || !strings.Contains(out, "signature ok, decryption ok, schema valid") || !strings.Contains(out, `"orderId"`) {
		t.Errorf("capture show: exit %d:\n%s", code, out)
	}
	body, _, code := runCmd(t, "", "capture", "show", "--store", db, fmt.Sprint(first.ID), "--body")
	if code != exitOK || body != string(first.Body) {
		t.Errorf("capture show --body: exit %d, %d bytes, want the %d stored", code, len(body), len(first.Body))
	}

	export := filepath.Join(dir, "export.jsonl")
	_, errOut, code = runCmd(t, "", "capture", "export", "--store", db, "--out", export)
	if code != exitOK || !strings.Contains(errOut, fmt.Sprintf("exported %d deliveries; %d left out", ok, forged)) {
		t.Fatalf("capture export: exit %d: %s", code, errOut)
	}
	f, err := os.Open(export)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	err = emitter.ReadRecords(f, func(rec *emitter.Record) error {
		n++
		if rec.Request == nil || rec.Event == nil || rec.Response == nil || rec.Response.Status != 200 {
			t.Errorf("record %+v", rec)
		}
		return nil
	})
	f.Close()
	if err != nil || n != ok {
		t.Fatalf("export read back: %d records (%v), want %d", n, err, ok)
	}

	// Replayed straight from the store, byte for byte, to a receiver with
	// the same secret: every verified delivery is accepted.
	r2 := startReceive(t, vars, "--provider", "phasio", "--secret", "env:S")
	out, errOut, code = runCmd(t, "", "replay", db, "--exact", "--url", r2.url+"/again")
	if code != exitOK || !strings.Contains(out, fmt.Sprintf("deliveries %d: %d ok", ok, ok)) {
		t.Errorf("replay of the store: exit %d:\n%s%s", code, out, errOut)
	}
	r2.stop(t)
	if !strings.Contains(r2.stderr.String(), fmt.Sprintf("received %d: %d applied", ok, ok)) {
		t.Errorf("the second receiver: %s", r2.stderr)
	}
}

// TestCaptureUsage: wrong command lines of capture exit 2 with one line
// naming the flag, file or argument.
func TestCaptureUsage(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	s, err := capture.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"capture"}, "a subcommand is required"},
		{[]string{"capture", "lst", "--store", db}, `unknown subcommand "lst"`},
		{[]string{"capture", "list"}, "--store is required"},
		{[]string{"capture", "list", "--store", filepath.Join(dir, "none.db")}, "none.db: not an orderhooks capture store: no such file"},
		{[]string{"capture", "show", "--store", db}, "one delivery ID is required"},
		{[]string{"capture", "show", "--store", db, "x"}, `"x" is not a delivery id`},
		{[]string{"capture", "show", "--store", db, "7"}, "no delivery 7 in " + db},
		{[]string{"capture", "show", "--store", db, "1", "--redact"}, "--redact does not apply to capture show"},
		{[]string{"capture", "list", "--store", db, "--verdict", "bad"}, `--verdict bad: not a verdict (ok, signature, `},
		{[]string{"capture", "list", "--store", db, "--verdict", "signature-bda"}, `(did you mean "signature-bad"?)`},
		{[]string{"capture", "list", "--store", db, "--status", "0"}, `--status 0: an HTTP status between 100 and 599`},
		{[]string{"capture", "export", "--store", db, "--status", "600"}, `--status 600: an HTTP status between 100 and 599`},
		{[]string{"capture", "list", "--store", db, "--limit", "0"}, "--limit 0: must be between 1 and 1000"},
		{[]string{"capture", "list", "--store", db, "--provider", "shopify"}, `--provider shopify: no delivery of this provider in the store`},
		{[]string{"capture", "list", "--store", db, "--event", "ORDER_CRATED"}, `--event ORDER_CRATED: no delivery of this event in the store`},
		{[]string{"capture", "export", "--store", db, "--event", "ORDER"}, `--event ORDER: no delivery of this event in the store`},
		{[]string{"capture", "export", "--store", db, "--secret", "x"}, "--secret needs --provider"},
		{[]string{"capture", "export", "--store", db, "--provider-file", shopDefinition(t)}, "give --secret"},
		{[]string{"capture", "export", "--store", db, "--provider-file", shopDefinition(t), "--secret", "env:ORDERHOOKS_TEST_NEVER_SET"}, "capture: --secret: environment variable ORDERHOOKS_TEST_NEVER_SET is empty or unset\n"},
		{[]string{"capture", "list", "--store", db, "--provider-file", shopDefinition(t)}, "--provider-file does not apply to capture list"},
		{[]string{"receive", "--provider", "phasio", "--secret", "x", "--redact"}, "--redact needs --store"},
		{[]string{"receive", "--provider", "phasio", "--secret", "x", "--forward-secret", "y"}, "--forward-secret needs --forward-to"},
		{[]string{"receive", "--provider", "happycolis", "--secret", "x", "--listen", "127.0.0.1:0", "--forward-to", "localhost:3000"}, `--forward-to "localhost:3000": want an http:// or https:// URL`},
		{[]string{"receive", "--provider", "happycolis", "--secret", "x", "--listen", "127.0.0.1:0", "--store", filepath.Join(dir, "no", "dir.db")}, "its directory does not exist"},
		{[]string{"replay", db, "--exact", "--url", "http://127.0.0.1:1", "--redact"}, ""},
		{[]string{"replay", filepath.Join("testdata", "missing.jsonl"), "--exact", "--url", "http://127.0.0.1:1", "--redact"}, "--redact applies to a capture store"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, errOut, code := runCmd(t, "", tt.args...)
			if tt.want == "" {
				if code == exitUsage {
					t.Errorf("exit 2: %s", errOut)
				}
				return
			}
			if code != exitUsage || !strings.Contains(errOut, tt.want) || strings.Count(errOut, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want 2 and one line with %q", code, errOut, tt.want)
			}
		})
	}
}

// TestStoreRefusesForeignFiles: a file that is not a capture store (text,
// another application's SQLite database, a store cut short, one written by
// a newer orderhooks) is refused by receive --store, capture and replay
// with a line naming the file and the problem, and left byte for byte as
// it was.
func TestStoreRefusesForeignFiles(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{}
	write := func(name string, b []byte) {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		files[name] = p
	}
	write("text.db", []byte("order_id,total\n1,2\n"))
	sqliteFile := func(name string, stmts ...string) {
		p := filepath.Join(dir, name)
		db, err := sql.Open("sqlite", p)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range stmts {
			if _, err := db.Exec(s); err != nil {
				t.Fatal(err)
			}
		}
		db.Close()
		files[name] = p
	}
	sqliteFile("other-app.db", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)", "INSERT INTO users VALUES (1, 'a@b.example')")
	newer := filepath.Join(dir, "newer.db")
	s, err := capture.Open(newer)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	sqliteFile("newer.db", fmt.Sprintf("PRAGMA user_version = %d", capture.SchemaVersion+1))
	b, _ := os.ReadFile(newer)
	write("cut.db", b[:60])
	want := map[string]string{
		"text.db":      "not an orderhooks capture store: not an SQLite database",
		"other-app.db": "not an orderhooks capture store: an SQLite database of another application (tables: users)",
		"newer.db":     fmt.Sprintf("the store was written by a newer orderhooks: store version %d", capture.SchemaVersion+1),
		"cut.db":       "the store is damaged: the database header is cut short",
	}
	for name, path := range files {
		before, _ := os.ReadFile(path)
		for _, args := range [][]string{
			{"receive", "--provider", "happycolis", "--secret", "x", "--listen", "127.0.0.1:0", "--store", path},
			{"capture", "list", "--store", path},
			{"capture", "export", "--store", path},
			{"replay", path, "--exact", "--url", "http://127.0.0.1:1/"},
		} {
			_, errOut, code := runCmd(t, "", args...)
			if code != exitUsage || !strings.Contains(errOut, path+": "+want[name]) || strings.Count(errOut, "\n") != 1 {
				if !(args[0] == "replay" && name == "text.db") { // not SQLite: replay reads it as a recording
					t.Errorf("%s %s: exit %d, stderr %q; want 2 with %q", args[0], name, code, errOut, path+": "+want[name])
				}
			}
		}
		after, _ := os.ReadFile(path)
		if !bytes.Equal(before, after) {
			t.Errorf("%s was changed", name)
		}
		for _, side := range []string{"-wal", "-shm", "-journal"} {
			if _, err := os.Stat(path + side); err == nil {
				t.Errorf("%s%s was created", name, side)
			}
		}
	}
}

// TestReceiveStoreUnwritable: a store that is full (its size cap) or a
// read-only file makes deliveries answer 503, the lines and the summary
// say so, and receive exits 1.
func TestReceiveStoreUnwritable(t *testing.T) {
	t.Parallel() // after the sequential tests (the docs test changes directory)
	secret := testSecret(t, generator.ProviderHappyColis, 'h')
	p, err := wire.New(generator.ProviderHappyColis, []string{secret})
	if err != nil {
		t.Fatal(err)
	}
	evs := testEvents(t, generator.ProviderHappyColis, 40)
	for _, tt := range []struct {
		name  string
		setup func(t *testing.T, path string) []string
		want  string
	}{
		{"full", func(t *testing.T, path string) []string { return []string{"--store-max-bytes", "65536"} }, "the store is full"},
		{"read-only", func(t *testing.T, path string) []string {
			s, err := capture.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
			t.Cleanup(makeImmutable(t, path))
			return nil
		}, "the store is read-only"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.db")
			extra := tt.setup(t, path)
			r := startReceive(t, nil, append([]string{"--provider", "happycolis", "--secret", secret, "--store", path}, extra...)...)
			statuses := map[int]int{}
			for i, ev := range evs {
				req, err := p.Build(&wire.Message{Event: ev, ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), Time: ev.At}, wire.FaultNone)
				if err != nil {
					t.Fatal(err)
				}
				statuses[send(t, r.url, req)]++
			}
			code := r.stop(t)
			if statuses[http.StatusServiceUnavailable] == 0 || statuses[http.StatusServiceUnavailable]+statuses[200] != len(evs) {
				t.Fatalf("statuses %v: want 503 for what could not be stored", statuses)
			}
			errOut := r.stderr.String()
			if code != exitFailure || !strings.Contains(errOut, fmt.Sprintf("%d NOT STORED, answered 503 for the platform to retry: %s: %s", statuses[503], path, tt.want)) {
				t.Errorf("exit %d, stderr:\n%s", code, errOut)
			}
			if !strings.Contains(r.stdout.String(), " → 503 not stored, retry: ") {
				t.Errorf("no 503 line:\n%s", r.stdout)
			}
			if tt.name == "full" {
				if ds := listStore(t, path); len(ds) != statuses[200] {
					t.Errorf("%d stored, %d answered 200", len(ds), statuses[200])
				}
			}
		})
	}
}

// makeImmutable makes a file unwritable even for root (chattr +i), or by
// its mode for other users, and returns the undo.
func makeImmutable(t *testing.T, path string) func() {
	t.Helper()
	if os.Geteuid() != 0 {
		if err := os.Chmod(path, 0o444); err != nil {
			t.Fatal(err)
		}
		return func() {}
	}
	if out, err := exec.Command("chattr", "+i", path).CombinedOutput(); err != nil {
		t.Skipf("cannot make the file read-only as root here (chattr: %v %s)", err, out)
	}
	return func() { exec.Command("chattr", "-i", path).Run() }
}

// TestReceiveRedact: with --redact no stored delivery holds a customer's
// e-mail address or name as sent, and every payload still validates.
func TestReceiveRedact(t *testing.T) {
	t.Parallel() // after the sequential tests (the docs test changes directory)
	secret := testSecret(t, generator.ProviderHappyColis, 'h')
	p, err := wire.New(generator.ProviderHappyColis, []string{secret})
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "c.db")
	r := startReceive(t, nil, "--provider", "happycolis", "--secret", secret, "--store", db, "--redact")
	evs := testEvents(t, generator.ProviderHappyColis, 30)
	var personal []string
	for i, ev := range evs {
		var doc struct {
			Body struct {
				Buyer *struct {
					Fullname string `json:"fullname"`
					Email    string `json:"email"`
				} `json:"buyer"`
			} `json:"body"`
		}
		if err := json.Unmarshal(ev.Payload, &doc); err != nil {
			t.Fatal(err)
		}
		if b := doc.Body.Buyer; b != nil && len(b.Email) > 5 && len(b.Fullname) > 5 {
			personal = append(personal, b.Email, b.Fullname)
		}
		req, err := p.Build(&wire.Message{Event: ev, ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), Time: ev.At}, wire.FaultNone)
		if err != nil {
			t.Fatal(err)
		}
		if st := send(t, r.url, req); st != 200 {
			t.Fatalf("status %d", st)
		}
	}
	if code := r.stop(t); code != exitOK {
		t.Fatalf("exit %d: %s", code, r.stderr)
	}
	if len(personal) < 20 {
		t.Fatalf("only %d names and e-mails in the sample", len(personal))
	}
	ds := listStore(t, db)
	all, _ := json.Marshal(ds)
	for _, v := range personal {
		if bytes.Contains(all, []byte(v)) {
			t.Errorf("the store keeps %q", v)
		}
	}
	for _, d := range ds {
		if !d.Redacted || !d.SchemaChecked || len(d.Violations) > 0 {
			t.Errorf("delivery %d: redacted %v, violations %v", d.ID, d.Redacted, d.Violations)
		}
		if _, err := p.Verify(d.Header, d.Body); err != nil {
			t.Errorf("delivery %d: the rebuilt body does not verify: %v", d.ID, err)
		}
	}
}

// forwardApp is a test app: it verifies what it gets with its profile
// (nil: no check) and keeps the bodies.
type forwardApp struct {
	mu      sync.Mutex
	bodies  [][]byte
	profile wire.Profile
}

func (a *forwardApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	a.mu.Lock()
	a.bodies = append(a.bodies, b)
	a.mu.Unlock()
	if a.profile != nil {
		if _, err := a.profile.Verify(r.Header, b); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
	}
	fmt.Fprint(w, `{"received":true}`)
}

// TestReceiveForward: --forward-to passes every accepted delivery on,
// byte for byte or re-signed with --forward-secret (the app verifies it
// with its own secret); the lines show the app's answer and the store
// keeps it.
func TestReceiveForward(t *testing.T) {
	t.Parallel() // after the sequential tests (the docs test changes directory)
	secret := testSecret(t, generator.ProviderPhasio, 's')
	local := testSecret(t, generator.ProviderPhasio, 'l')
	appProfile, _ := wire.New(generator.ProviderPhasio, []string{local})
	for _, tt := range []struct {
		name  string
		args  []string
		app   *forwardApp
		exact bool
	}{
		{"exact", nil, &forwardApp{}, true},
		{"re-signed", []string{"--forward-secret", "env:LOCAL"}, &forwardApp{profile: appProfile}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			app := httptest.NewServer(tt.app)
			defer app.Close()
			db := filepath.Join(t.TempDir(), "c.db")
			vars := map[string]string{"S": secret, "LOCAL": local}
			r := startReceive(t, vars, append([]string{"--provider", "phasio", "--secret", "env:S", "--store", db,
				"--forward-to", app.URL + "/webhooks"}, tt.args...)...)
			record := filepath.Join(t.TempDir(), "sent.jsonl")
			_, errOut, code := runCmdEnv(t, context.Background(), "", vars, "emit", "--provider", "phasio", "--url", r.url,
				"--secret", "env:S", "--orders", "12", "--bad-signature", "0.25", "--seed", "3", "--record", record)
			if code != exitOK {
				t.Fatalf("emit exit %d: %s", code, errOut)
			}
			if code := r.stop(t); code != exitOK {
				t.Fatalf("receive exit %d: %s", code, r.stderr)
			}
			ds := listStore(t, db)
			accepted := 0
			for _, d := range ds {
				if d.Status != 200 {
					if d.Forward != nil {
						t.Errorf("delivery %d (%d) was forwarded", d.ID, d.Status)
					}
					continue
				}
				accepted++
				if d.Forward == nil || d.Forward.Status != 200 || string(d.Forward.Answer) != `{"received":true}` || d.Forward.Latency <= 0 {
					t.Errorf("delivery %d: app answer %+v", d.ID, d.Forward)
				}
			}
			if accepted == 0 || accepted == len(ds) || len(tt.app.bodies) != accepted {
				t.Fatalf("%d accepted of %d; the app got %d", accepted, len(ds), len(tt.app.bodies))
			}
			if tt.exact {
				got := map[string]bool{}
				for _, b := range tt.app.bodies {
					got[string(b)] = true
				}
				for _, d := range ds {
					if d.Status == 200 && !got[string(d.Body)] {
						t.Errorf("delivery %d: the app did not get its bytes", d.ID)
					}
				}
			}
			if n := strings.Count(r.stdout.String(), " sig ok → app 200 "); n != accepted {
				t.Errorf("%d lines with the app's answer, want %d:\n%s", n, accepted, r.stdout)
			}
			if !strings.Contains(r.stderr.String(), fmt.Sprintf("forwarded %d: %d answered 2xx, 0 failed", accepted, accepted)) {
				t.Errorf("summary: %s", r.stderr)
			}
			out, _, _ := runCmd(t, "", "capture", "list", "--store", db, "--app-errors")
			if out != "no deliveries\n" {
				t.Errorf("capture list --app-errors:\n%s", out)
			}
			if strings.Contains(r.stdout.String()+r.stderr.String(), local) || strings.Contains(r.stdout.String()+r.stderr.String(), secret) {
				t.Error("a secret is printed")
			}
		})
	}
}

// TestForwardFailuresResent: receive does not retry a delivery its app
// refused (as stripe listen and the Hookdeck CLI do not); the store keeps
// the failures, capture export --app-errors writes them and replay
// --exact sends them to the app again, byte for byte.
func TestForwardFailuresResent(t *testing.T) {
	secret := testSecret(t, generator.ProviderPhasio, 's')
	var up sync.Mutex
	fixed := false
	var got [][]byte
	var calls int
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		up.Lock()
		defer up.Unlock()
		calls++
		if !fixed {
			http.Error(w, "bug", http.StatusInternalServerError)
			return
		}
		got = append(got, b)
	}))
	defer app.Close()
	db := filepath.Join(t.TempDir(), "c.db")
	vars := map[string]string{"S": secret}
	r := startReceive(t, vars, "--provider", "phasio", "--secret", "env:S", "--store", db, "--forward-to", app.URL+"/webhooks")
	if _, errOut, code := runCmdEnv(t, context.Background(), "", vars, "emit", "--provider", "phasio", "--url", r.url,
		"--secret", "env:S", "--orders", "3", "--seed", "5"); code != exitOK {
		t.Fatalf("emit exit %d: %s", code, errOut)
	}
	if code := r.stop(t); code != exitOK {
		t.Fatalf("receive exit %d: %s", code, r.stderr)
	}
	ds := listStore(t, db)
	if len(ds) == 0 || calls != len(ds) {
		t.Fatalf("%d deliveries stored, the app was called %d times (once each, no retry)", len(ds), calls)
	}
	for _, d := range ds {
		if d.Forward == nil || d.Forward.Status != http.StatusInternalServerError {
			t.Fatalf("delivery %d: app answer %+v", d.ID, d.Forward)
		}
	}
	failed := filepath.Join(t.TempDir(), "failed.jsonl")
	if _, errOut, code := runCmd(t, "", "capture", "export", "--store", db, "--app-errors", "--out", failed); code != exitOK {
		t.Fatalf("capture export --app-errors: exit %d: %s", code, errOut)
	}
	up.Lock()
	fixed = true
	up.Unlock()
	if out, errOut, code := runCmd(t, "", "replay", failed, "--exact", "--url", app.URL+"/webhooks"); code != exitOK {
		t.Fatalf("replay --exact: exit %d: %s%s", code, out, errOut)
	}
	if len(got) != len(ds) {
		t.Fatalf("the fixed app got %d deliveries, want %d", len(got), len(ds))
	}
	resent := map[string]bool{}
	for _, b := range got {
		resent[string(b)] = true
	}
	for _, d := range ds {
		if !resent[string(d.Body)] {
			t.Errorf("delivery %d: the app did not get its bytes again", d.ID)
		}
	}
}

// TestReceiveForwardStopped: stopped while its app answers nothing,
// receive still answered every delivery at once, and the store says of
// each accepted one why its forward failed: the app's timeout, or that it
// was still queued (or cancelled) when receive stopped.
func TestReceiveForwardStopped(t *testing.T) {
	t.Parallel() // it mostly waits (the app holds every forward until --forward-timeout)
	secret := testSecret(t, generator.ProviderPhasio, 's')
	held := make(chan struct{})
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-held }))
	defer app.Close()
	defer close(held) // before the app closes
	db := filepath.Join(t.TempDir(), "c.db")
	vars := map[string]string{"S": secret}
	r := startReceive(t, vars, "--provider", "phasio", "--secret", "env:S", "--store", db,
		"--forward-to", app.URL+"/webhooks", "--forward-timeout", "1s")
	if _, errOut, code := runCmdEnv(t, context.Background(), "", vars, "emit", "--provider", "phasio", "--url", r.url,
		"--secret", "env:S", "--orders", "12", "--seed", "3"); code != exitOK {
		t.Fatalf("emit exit %d: %s", code, errOut)
	}
	if code := r.stop(t); code != exitOK {
		t.Fatalf("receive exit %d: %s", code, r.stderr)
	}
	ds := listStore(t, db)
	stopped := 0
	for _, d := range ds {
		switch {
		case d.Status != 200:
			t.Errorf("delivery %d answered %d", d.ID, d.Status)
		case d.Forward == nil || d.Forward.Status != 0:
			t.Errorf("delivery %d: app answer %+v", d.ID, d.Forward)
		case d.Forward.Error == receiver.ErrNotForwarded.Error():
			stopped++
			// Never sent: no time taken to show.
			out, _, _ := runCmd(t, "", "capture", "show", "--store", db, fmt.Sprint(d.ID))
			if want := "\napp        " + app.URL + "/webhooks: error: not forwarded: receive stopped\n"; !strings.Contains(out, want) {
				t.Errorf("capture show %d:\n%s\nwant the line %q", d.ID, out, want)
			}
		case d.Forward.Error == "":
			t.Errorf("delivery %d: no app error", d.ID) // the app timed out, or receive stopped first
		}
	}
	if stopped == 0 || len(ds) < 12 {
		t.Errorf("%d of %d deliveries stored as %q", stopped, len(ds), receiver.ErrNotForwarded)
	}
	if n := strings.Count(r.stdout.String(), " → app error: not forwarded: receive stopped"); n != stopped {
		t.Errorf("%d lines say the delivery was not forwarded, want %d:\n%s", n, stopped, r.stdout)
	}
	if want := "stopping: the forwards under way have up to 1s (--forward-timeout) to end\nreceived "; !strings.Contains(r.stderr.String(), want) {
		t.Errorf("stderr %q, want %q", r.stderr, want)
	}
	if want := fmt.Sprintf("forwarded %d: 0 answered 2xx, %d failed", len(ds), len(ds)); !strings.Contains(r.stderr.String(), want) {
		t.Errorf("summary %q, want %q", r.stderr, want)
	}
}

// TestReceiveForwardDefinition: receive keeps and forwards, re-signed,
// the deliveries of a provider definition file and of an imported
// document as it does a built-in's: the app verifies each with its own
// secret through the same definition, and capture list finds them by the
// definition's name.
func TestReceiveForwardDefinition(t *testing.T) {
	t.Parallel() // after the sequential tests (the docs test changes directory)
	spec := filepath.Join(testkit.Root(t), "testdata", "specs", "oai-webhook-example.yaml")
	for _, tt := range []struct {
		name string
		args []string
		load func() (*provider.Definition, error)
	}{
		{"provider file", []string{"--provider-file", shopDefinition(t)}, func() (*provider.Definition, error) { return provider.Load(shopDefinition(t)) }},
		{"imported document", []string{"--spec", spec, "--sign", "standard", "--entity-key", "/id"},
			func() (*provider.Definition, error) { return provider.FromSpec(spec, nil, provider.WithKey("/id")) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			def, err := tt.load()
			if err != nil {
				t.Fatal(err)
			}
			secret, _ := wire.NewDefinitionSecret(def, "", testkit.Rand(1))
			local, _ := wire.NewDefinitionSecret(def, "", testkit.Rand(2))
			appProfile, err := wire.Compile(def, local)
			if err != nil {
				t.Fatal(err)
			}
			app := &forwardApp{profile: appProfile}
			srv := httptest.NewServer(app)
			defer srv.Close()
			db := filepath.Join(t.TempDir(), "c.db")
			vars := map[string]string{"S": secret, "LOCAL": local}
			r := startReceive(t, vars, append(tt.args, "--secret", "env:S", "--store", db,
				"--forward-to", srv.URL+"/webhooks", "--forward-secret", "env:LOCAL")...)
			_, errOut, code := runCmdEnv(t, context.Background(), "", vars, append(append([]string{"emit"}, tt.args...),
				"--url", r.url, "--secret", "env:S", "--orders", "8", "--bad-signature", "0.25", "--seed", "3")...)
			if code != exitOK {
				t.Fatalf("emit exit %d: %s", code, errOut)
			}
			if code := r.stop(t); code != exitOK {
				t.Fatalf("receive exit %d: %s", code, r.stderr)
			}
			ds := listStore(t, db)
			accepted := 0
			for _, d := range ds {
				if d.Provider != def.Name() {
					t.Errorf("delivery %d: provider %q, want %q", d.ID, d.Provider, def.Name())
				}
				if d.Status != 200 {
					continue
				}
				accepted++
				if prefix := def.ID().Prefix; !strings.HasPrefix(d.DeliveryID, prefix) {
					t.Errorf("delivery %d: message id %q, want the definition's prefix %q", d.ID, d.DeliveryID, prefix)
				}
				if d.Forward == nil || d.Forward.Status != 200 {
					t.Errorf("delivery %d: the app answered %+v (it verifies with its own secret)", d.ID, d.Forward)
				}
				if d.Event == "" || d.Payload == nil {
					t.Errorf("delivery %d: event %q, payload %s", d.ID, d.Event, d.Payload)
				}
			}
			if accepted == 0 || accepted == len(ds) || len(app.bodies) != accepted {
				t.Fatalf("%d accepted of %d; the app got %d", accepted, len(ds), len(app.bodies))
			}
			out, errOut, code := runCmd(t, "", "capture", "list", "--store", db, "--provider", def.Name(), "--json")
			var page capture.Page
			if code != exitOK || json.Unmarshal([]byte(out), &page) != nil || len(page.Deliveries) != len(ds) {
				t.Fatalf("capture list --provider %s: exit %d, %d deliveries of %d: %s", def.Name(), code, len(page.Deliveries), len(ds), errOut)
			}
			// exported re-signed with the app's secret through the same
			// definition, and replayed to the app's own receiver
			export := filepath.Join(t.TempDir(), "export.jsonl")
			_, errOut, code = runCmdEnv(t, context.Background(), "", vars, append(append([]string{"capture", "export", "--store", db}, tt.args...),
				"--secret", "env:LOCAL", "--out", export)...)
			if code != exitOK || !strings.Contains(errOut, fmt.Sprintf("exported %d deliveries", accepted)) {
				t.Fatalf("capture export with the definition: exit %d: %s", code, errOut)
			}
			appSrv, err := receiver.Start(appProfile)
			if err != nil {
				t.Fatal(err)
			}
			defer appSrv.Close()
			out, errOut, code = runCmd(t, "", "replay", export, "--exact", "--url", appSrv.URL+"/again")
			if code != exitOK || appSrv.Stats().Applied == 0 || !strings.Contains(out, fmt.Sprintf("deliveries %d: %d ok", accepted, accepted)) {
				t.Errorf("replay of the re-signed export: exit %d %+v:\n%s%s", code, appSrv.Stats(), out, errOut)
			}
		})
	}
}

// TestReceiveSync: --sync full reaches the store (its writer's connection
// flushes every commit, and the summary says so); normal is the default;
// a bad value or --sync without --store is a usage error.
func TestReceiveSync(t *testing.T) {
	t.Parallel() // after the sequential tests (the docs test changes directory)
	secret := testSecret(t, generator.ProviderPhasio, 's')
	vars := map[string]string{"S": secret}
	for _, tt := range []struct {
		args []string
		full bool
	}{{nil, false}, {[]string{"--sync", "normal"}, false}, {[]string{"--sync", "full"}, true}} {
		db := filepath.Join(t.TempDir(), "capture.db")
		r := startReceive(t, vars, append([]string{"--provider", "phasio", "--secret", "env:S", "--store", db}, tt.args...)...)
		_, errOut, code := runCmdEnv(t, context.Background(), "", vars, "emit", "--provider", "phasio", "--url", r.url+"/hooks/phasio",
			"--secret", "env:S", "--orders", "3", "--seed", "5")
		if code != exitOK {
			t.Fatalf("emit exit %d: %s", code, errOut)
		}
		if code := r.stop(t); code != exitOK {
			t.Fatalf("receive exit %d: %s", code, r.stderr)
		}
		said := strings.Contains(r.stderr.String(), fmt.Sprintf("stored 3 in %s, every commit flushed to the disk", db))
		if said != tt.full || !strings.Contains(r.stderr.String(), fmt.Sprintf("stored 3 in %s", db)) {
			t.Errorf("%v: summary %q", tt.args, r.stderr)
		}
	}
	for _, tt := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--store", filepath.Join(t.TempDir(), "c.db"), "--sync", "fast"}, "--sync fast: normal or full"},
		{[]string{"--sync", "full"}, "--sync needs --store"},
	} {
		_, errOut, code := runCmdEnv(t, context.Background(), "", vars, append([]string{"receive", "--provider", "phasio", "--secret", "env:S", "--listen", "127.0.0.1:0"}, tt.args...)...)
		if code != exitUsage || !strings.Contains(errOut, tt.msg) {
			t.Errorf("%v: exit %d, %q; want %d, %q", tt.args, code, errOut, exitUsage, tt.msg)
		}
	}
}
