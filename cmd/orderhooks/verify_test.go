package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit/testrecv"
	"github.com/orderhooks/orderhooks/receiver"
	"github.com/orderhooks/orderhooks/schemas"
	"github.com/orderhooks/orderhooks/wire"
)

func TestVerifyList(t *testing.T) {
	out, errOut, code := runCmd(t, "", "verify", "--list")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	checks := contracts.Checks()
	if len(lines) != len(checks) {
		t.Fatalf("%d lines for %d checks:\n%s", len(lines), len(checks), out)
	}
	for i, c := range checks {
		if !strings.HasPrefix(lines[i], c.Name+" ") || !strings.Contains(lines[i], c.Description) {
			t.Errorf("line %d = %q, want %s and its description", i, lines[i], c.Name)
		}
		if c.NeedsProbe != strings.Contains(lines[i], "(needs --probe)") {
			t.Errorf("line %q: probe note wrong", lines[i])
		}
	}
}

func TestVerifyUsageErrors(t *testing.T) {
	const secret = "c2VjcmV0LXRoYXQtbXVzdC1uZXZlci1sZWFrLTMyYiE" // a valid 32-byte Phasio key
	base := []string{"verify", "--provider", "phasio", "--url", "http://127.0.0.1:1/", "--secret", secret}
	tests := []struct {
		name     string
		args     []string
		contains string
	}{
		{"no provider", []string{"verify", "--url", "http://x/", "--secret", "x"}, "--provider is required"},
		{"no url", []string{"verify", "--provider", "phasio", "--secret", "x"}, "--url is required"},
		{"no secret", []string{"verify", "--provider", "phasio", "--url", "http://x/"}, "--secret is required"},
		{"unknown provider", []string{"verify", "--provider", "stripe", "--url", "http://x/", "--secret", "x"}, `--provider stripe: not one of phasio, happycolis, standard`},
		{"unset secret variable", []string{"verify", "--provider", "phasio", "--url", "http://x/", "--secret", "env:NOPE"}, "NOPE is empty or unset"},
		{"bad report spec", append(base, "--report", "xml=out.xml"), `--report "xml=out.xml"`},
		{"report without file", append(base, "--report", "json="), `--report "json="`},
		{"unknown check", append(base, "--only", "rejects-everything"), `--only rejects-everything: not a check (orderhooks verify --list prints the checks)`},
		{"check name with a typo", append(base, "--only", "rejects-bad-signatur"), `(did you mean "rejects-bad-signature"?)`},
		{"check that cannot run for the provider", append(base, "--only", "rejects-stale-timestamp"), "--only: rejects-stale-timestamp"},
		{"state check without a probe", append(base, "--only", "state-matches-snapshot"), "(--probe)"},
		{"unknown skipped check", append(base, "--skip", "nope"), `--skip nope: not a check (orderhooks verify --list prints the checks)`},
		{"misspelt check", append(base, "--only", "rejects-tamperd"), `--only rejects-tamperd: not a check (did you mean "rejects-tampered-payload"?)`},
		{"bad pointer", append(base, "--compare", "orderId"), `--compare orderId: must be empty or start with /`},
		{"bad probe-side pointer", append(base, "--compare", "/a=b"), `--compare /a=b: "b": must be empty or start with /`},
		{"probe without key", append(base, "--probe", "/orders/1"), "{orderKey}"},
		{"bad slo", append(base, "--slo", "-1s"), "--slo -1s: must be positive"},
		{"zero timeout", append(base, "--timeout", "0"), "--timeout 0: must be positive"},
		{"save-failures not a directory", append(base, "--save-failures", "verify_test.go/x"), "--save-failures"},
		{"missing response schema", append(base, "--response-schema", "/nonexistent/schema.json"), "--response-schema"},
		{"extra argument", append(base, "extra"), `"extra"`},
		{"unknown flag", append(base, "--nope"), "--nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCmd(t, "", tt.args...)
			if code != exitUsage {
				t.Fatalf("exit %d, want %d (stderr %q)", code, exitUsage, errOut)
			}
			if !strings.Contains(errOut, tt.contains) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
				t.Errorf("stderr %q: want one line containing %q", errOut, tt.contains)
			}
			if strings.Contains(out+errOut, secret) {
				t.Errorf("the secret was printed")
			}
		})
	}
}

func TestVerifyUnreachable(t *testing.T) {
	srv := httptest.NewServer(nil)
	url := srv.URL
	srv.Close()
	_, errOut, code := runCmd(t, "", "verify", "--provider", "happycolis", "--url", url+"/webhooks", "--secret", "client-secret", "--timeout", "2s")
	if code != exitUnreachable {
		t.Fatalf("exit %d, want %d (stderr %q)", code, exitUnreachable, errOut)
	}
	if !strings.Contains(errOut, "unreachable") || strings.Contains(errOut, "client-secret") {
		t.Errorf("stderr %q", errOut)
	}
}

func TestReproducer(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{
			"literal secret replaced",
			[]string{"--provider", "phasio", "--url", "http://127.0.0.1:8080/hook", "--secret", "AAECAwQF-literal"},
			"orderhooks verify --provider phasio --url http://127.0.0.1:8080/hook --secret $SECRET --only rejects-bad-signature --seed 7",
		},
		{
			"env secret and judged flags kept, reports and flags the check does not use dropped",
			[]string{"--provider", "happycolis", "--url", "http://h/x?a=1&b=2", "--secret", "env:HC_SECRET",
				"--probe", "http://h/orders/{orderKey}", "--compare", "/body/id,/body/state=/state", "--slo", "500ms",
				"--timeout", "3s", "--report", "json=r.json", "--seed", "3", "--only", "a,b"},
			"orderhooks verify --provider happycolis --url 'http://h/x?a=1&b=2' --secret env:HC_SECRET --probe 'http://h/orders/{orderKey}' --timeout 3s --only rejects-bad-signature --seed 7",
		},
		{
			"file secret with a quote in the path",
			[]string{"--provider", "standard", "--url", "http://h/", "--secret", "file:/run/it's"},
			`orderhooks verify --provider standard --url http://h/ --secret 'file:/run/it'\''s' --only rejects-bad-signature --seed 7`,
		},
		{
			"provider file kept",
			[]string{"--provider-file", "defs/acme.yaml", "--url", "http://h/", "--secret", "literal"},
			"orderhooks verify --provider-file defs/acme.yaml --url http://h/ --secret $SECRET --only rejects-bad-signature --seed 7",
		},
		{
			"spec with its signing, keys and remote refs kept",
			[]string{"--spec", "std api.yaml", "--sign", "standard", "--entity-key", "/data/orderId", "--entity-key", "/data/id",
				"--allow-remote-refs", "--url", "http://h/", "--secret", "env:S"},
			"orderhooks verify --spec 'std api.yaml' --sign standard --entity-key /data/orderId --entity-key /data/id --allow-remote-refs --url http://h/ --secret env:S --only rejects-bad-signature --seed 7",
		},
		{
			"spec signed as a provider file",
			[]string{"--spec", "api.yaml", "--provider-file", "acme.yaml", "--url", "http://h/", "--secret", "env:S"},
			"orderhooks verify --spec api.yaml --provider-file acme.yaml --url http://h/ --secret env:S --only rejects-bad-signature --seed 7",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, o := newVerifyFlags()
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			got := o.reproducer()(contracts.CheckBadSignature, 7)
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			// The printed flags parse back to the same provider flags.
			again, ao := newVerifyFlags()
			if err := again.Parse(shellWords(t, got)[2:]); err != nil {
				t.Fatalf("%s: %v", got, err)
			}
			if !reflect.DeepEqual(ao.provider, o.provider) {
				t.Errorf("%s: provider flags %+v, want %+v", got, ao.provider, o.provider)
			}
		})
	}
}

// TestReproducerRunsAlone: the command printed to rerun a check alone,
// from a run with every option flag set, is a command verify accepts for
// every check (of Standard Webhooks, where each applies): it keeps the flags the check uses and drops the others,
// which verify would refuse as changing nothing.
func TestReproducerRunsAlone(t *testing.T) {
	schema := filepath.Join(t.TempDir(), "ack.json")
	if err := os.WriteFile(schema, []byte(`{"type":"object"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	fs, o := newVerifyFlags()
	if err := fs.Parse([]string{"--provider", "standard", "--url", "http://127.0.0.1:1/hook", "--secret", "env:STD_SECRET",
		"--probe", "/orders/{orderKey}", "--compare", "/body/id", "--slo", "500ms", "--timeout", "3s",
		"--response-schema", schema, "--save-failures", t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	for _, c := range contracts.Checks() {
		cmd := o.reproducer()(c.Name, 7)
		again, ao := newVerifyFlags()
		if err := again.Parse(shellWords(t, cmd)[2:]); err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		opts, err := ao.options()
		if err == nil {
			var p contracts.Provider
			if p, err = contracts.NewProvider("standard", "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="); err == nil {
				_, err = contracts.New(p, opts...)
			}
		}
		if err != nil {
			t.Errorf("%s: %v", cmd, err)
		}
		for _, flag := range []string{"--timeout 3s", "--only " + c.Name, "--seed 7"} {
			if !strings.Contains(cmd, flag) {
				t.Errorf("%s: want %s", cmd, flag)
			}
		}
		// The state checks read and compare the receiver's state; the
		// rejects-* checks probe that a rejected forgery was not applied.
		reads := c.NeedsProbe || c.Name == contracts.CheckDuplicates
		probes := reads || strings.HasPrefix(c.Name, "rejects-")
		if probes != strings.Contains(cmd, "--probe") || reads != strings.Contains(cmd, "--compare") {
			t.Errorf("%s: want --probe for the checks that read the receiver's state or probe a forgery, --compare for the state checks", cmd)
		}
	}
}

// TestReproducerKeepsEveryFlag: every flag of verify is either written
// by the reproducing command as given (for a check that uses it) or named
// in reproduceOwn with the reason it is not: a new flag that changes what
// is generated or judged cannot be forgotten. The flags kept parse back
// to the values given.
func TestReproducerKeepsEveryFlag(t *testing.T) {
	// A value for each flag the command keeps.
	given := map[string]string{
		"probe":           "/orders/{orderKey}",
		"compare":         "/id,/status",
		"slo":             "750ms",
		"timeout":         "3s",
		"response-schema": "ack.json",
		"save-failures":   "failures",
		"insecure":        "true",
		"ca-file":         "ca.pem",
		"schema-overlay":  "overlay.json",
		"shard":           "1/4",
	}
	fs, _ := newVerifyFlags()
	fs.VisitAll(func(f *pflag.Flag) {
		_, own := reproduceOwn[f.Name]
		_, kept := given[f.Name]
		if own == kept {
			t.Errorf("--%s: name it in reproduceOwn with why the reproducing command leaves it out, or give it a value here to keep (own %v, kept %v)", f.Name, own, kept)
		}
	})
	for name := range reproduceOwn {
		if fs.Lookup(name) == nil {
			t.Errorf("reproduceOwn names --%s, which verify does not have", name)
		}
	}
	for name, value := range given {
		t.Run(name, func(t *testing.T) {
			fs, o := newVerifyFlags()
			if err := fs.Parse([]string{"--provider", "standard", "--url", "http://h/", "--secret", "env:S", "--" + name + "=" + value}); err != nil {
				t.Fatal(err)
			}
			keptBy := 0
			for _, c := range contracts.Checks() {
				cmd := o.reproducer()(c.Name, 7)
				if !strings.Contains(cmd, " --"+name) {
					if !isContractsOption("--" + name) {
						t.Errorf("%s: --%s dropped, though no check's options depend on it", cmd, name)
					}
					continue
				}
				keptBy++
				again, _ := newVerifyFlags()
				if err := again.Parse(shellWords(t, cmd)[2:]); err != nil {
					t.Fatalf("%s: %v", cmd, err)
				}
				if got, want := again.Lookup(name).Value.String(), fs.Lookup(name).Value.String(); got != want {
					t.Errorf("%s: --%s reads back as %q, want %q", cmd, name, got, want)
				}
			}
			if keptBy == 0 {
				t.Errorf("--%s=%s: no check's reproducing command keeps it", name, value)
			}
		})
	}
}

// shellWords splits a command reproducer printed (words quoted with '…').
func shellWords(t *testing.T, cmd string) []string {
	t.Helper()
	var words []string
	var w strings.Builder
	quoted, started := false, false
	for i := 0; i < len(cmd); i++ {
		switch c := cmd[i]; {
		case c == '\'':
			quoted, started = !quoted, true
		case c == ' ' && !quoted:
			if started {
				words = append(words, w.String())
				w.Reset()
				started = false
			}
		default:
			w.WriteByte(c)
			started = true
		}
	}
	if started {
		words = append(words, w.String())
	}
	return words
}

// verifySecret is a fixed HappyColis client secret for the verify tests.
const verifySecret = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

// startVerifyReceiver starts the project's verifying receiver for
// HappyColis on 127.0.0.1 with verifySecret.
func startVerifyReceiver(t *testing.T) *receiver.Server {
	t.Helper()
	return testrecv.Start(t, generator.ProviderHappyColis, verifySecret)
}

var (
	portRE     = regexp.MustCompile(`127\.0\.0\.1:\d+`)
	uuidRE     = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	durationRE = regexp.MustCompile(`(p99|in) [0-9.]+(ns|µs|ms|s)\b`)
)

// normalize replaces what changes between runs (port, delivery ids,
// timings) so the verify output can be compared with a golden file.
func normalize(s string) string {
	s = portRE.ReplaceAllString(s, "127.0.0.1:PORT")
	s = uuidRE.ReplaceAllString(s, "UUID")
	return durationRE.ReplaceAllString(s, "$1 DURATION")
}

// progressLineRE is one finished check off a terminal.
var progressLineRE = regexp.MustCompile(`^\[\d+/\d+\] (pass|FAIL|warn|skip|INCONCLUSIVE|interrupted) [a-z-]+: .+ \([0-9.]+(ns|µs|ms|s)\)$`)

func TestVerifyGolden(t *testing.T) {
	t.Parallel() // after the sequential tests (the docs test changes directory)
	good := startVerifyReceiver(t)
	// answers 200 {"ok":true} to everything and stores nothing
	yes := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"ok":true}`)
	}))
	defer yes.Close()
	tests := []struct {
		name string
		code int
		vars map[string]string
		args []string
	}{
		{"pass", exitOK, nil, []string{"--url", good.URL + "/webhooks", "--secret", verifySecret, "--probe", "/orders/{orderKey}"}},
		{"fail", exitFailure, map[string]string{"HC_SECRET": verifySecret}, []string{"--url", yes.URL + "/webhooks", "--secret", "env:HC_SECRET", "--probe", "/orders/{orderKey}", "--skip", "accepts-edge-cases", "--seed", "7"}},
		{"fail-literal-secret", exitFailure, nil, []string{"--url", yes.URL, "--secret", verifySecret, "--only", "rejects-bad-signature,rejects-wrong-key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"verify", "--provider", "happycolis"}, tt.args...)
			out, errOut, code := runCmdEnv(t, context.Background(), "", tt.vars, args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %q\n%s", code, tt.code, errOut, out)
			}
			if strings.Contains(out+errOut, verifySecret) {
				t.Fatalf("the secret was printed:\n%s%s", out, errOut)
			}
			if strings.ContainsAny(out+errOut, "\x1b\r") {
				t.Errorf("colour or live progress without a terminal: stderr %q", errOut)
			}
			// Off a terminal: the preflight, then one plain line per check.
			lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
			if !strings.HasPrefix(lines[0], "preflight: POST ") {
				t.Errorf("first stderr line %q, want the preflight", lines[0])
			}
			for i, l := range lines[1:] {
				if !progressLineRE.MatchString(l) || !strings.HasPrefix(l, fmt.Sprintf("[%d/%d] ", i+1, len(lines)-1)) {
					t.Errorf("stderr line %d %q is not the progress line of check %d of %d", i+2, l, i+1, len(lines)-1)
				}
			}
			golden(t, "TestVerifyGolden_"+tt.name+".golden.txt", normalize(out))
		})
	}
}

func TestVerifyReports(t *testing.T) {
	srv := startVerifyReceiver(t)
	dir := t.TempDir()
	jsonPath, junitPath := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.xml")
	_, errOut, code := runCmd(t, "", "verify", "--provider", "happycolis", "--url", srv.URL, "--secret", verifySecret,
		"--report", "json="+jsonPath, "--report", "junit="+junitPath, "--only", "accepts-valid-lifecycle,rejects-tampered-payload")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	js, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := schemas.MustCompile("contracts/report", contracts.ReportSchema).ValidateJSON(js); err != nil {
		t.Errorf("JSON report: %v", err)
	}
	var rep contracts.Report
	if err := json.Unmarshal(js, &rep); err != nil || len(rep.Checks) != 2 || rep.Summary.Passed != 2 {
		t.Errorf("JSON report %v: %s", err, js)
	}
	x, err := os.ReadFile(junitPath)
	if err != nil {
		t.Fatal(err)
	}
	var suites struct {
		Tests int `xml:"tests,attr"`
		Cases []struct {
			Name string `xml:"name,attr"`
		} `xml:"testsuite>testcase"`
	}
	if err := xml.Unmarshal(x, &suites); err != nil || suites.Tests != 2 || len(suites.Cases) != 2 || suites.Cases[1].Name != "rejects-tampered-payload" {
		t.Errorf("JUnit report %v %+v:\n%s", err, suites, x)
	}
}

func TestVerifyColourOnlyOnATerminal(t *testing.T) {
	srv := startVerifyReceiver(t)
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"verify", "--provider", "happycolis", "--url", srv.URL, "--secret", verifySecret, "--only", "rejects-bad-signature"},
		&env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }, tty: true})
	if code != exitOK || !strings.Contains(out.String(), "\x1b[32mpass") || !strings.Contains(errOut.String(), "[1/1] rejects-bad-signature") {
		t.Errorf("exit %d, stdout %q, stderr %q: want green pass and progress", code, out.String(), errOut.String())
	}
}

// TestVerifyTLS: a self-signed receiver is unreachable (exit 3) until its
// certificate is trusted with --ca-file or checking is off with --insecure.
func TestVerifyTLS(t *testing.T) {
	p, err := wire.NewHappyColis(verifySecret)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(newReceiver(t, p))
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(ca, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"verify", "--provider", "happycolis", "--url", srv.URL, "--secret", verifySecret, "--only", "rejects-bad-signature"}
	for _, tt := range []struct {
		name  string
		extra []string
		code  int
	}{
		{"verified by default", nil, exitUnreachable},
		{"ca-file", []string{"--ca-file", ca}, exitOK},
		{"insecure", []string{"--insecure"}, exitOK},
		{"ca-file without certificates", []string{"--ca-file", filepath.Join("testdata", "TestVerifyGolden_pass.golden.txt")}, exitUsage},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := runCmd(t, "", append(slices.Clone(base), tt.extra...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d: %s", code, tt.code, errOut)
			}
		})
	}
}
