package main

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/contracts"
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
		{"unknown provider", []string{"verify", "--provider", "stripe", "--url", "http://x/", "--secret", "x"}, `"stripe"`},
		{"unset secret variable", []string{"verify", "--provider", "phasio", "--url", "http://x/", "--secret", "env:NOPE"}, "NOPE is empty or unset"},
		{"bad report spec", append(base, "--report", "xml=out.xml"), `--report "xml=out.xml"`},
		{"report without file", append(base, "--report", "json="), `--report "json="`},
		{"unknown check", append(base, "--only", "rejects-everything"), `"rejects-everything"`},
		{"bad pointer", append(base, "--compare", "orderId"), `"orderId"`},
		{"probe without key", append(base, "--probe", "/orders/1"), "{orderKey}"},
		{"bad slo", append(base, "--slo", "-1s"), "SLO"},
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
			"env secret and judged flags kept, reports dropped",
			[]string{"--provider", "happycolis", "--url", "http://h/x?a=1&b=2", "--secret", "env:HC_SECRET",
				"--probe", "http://h/orders/{orderKey}", "--compare", "/body/id,/body/state=/state", "--slo", "500ms",
				"--report", "json=r.json", "--seed", "3", "--only", "a,b"},
			"orderhooks verify --provider happycolis --url 'http://h/x?a=1&b=2' --secret env:HC_SECRET --probe 'http://h/orders/{orderKey}' --compare /body/id,/body/state=/state --slo 500ms --only rejects-bad-signature --seed 7",
		},
		{
			"file secret with a quote in the path",
			[]string{"--provider", "standard", "--url", "http://h/", "--secret", "file:/run/it's"},
			`orderhooks verify --provider standard --url http://h/ --secret 'file:/run/it'\''s' --only rejects-bad-signature --seed 7`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := verifyFlags()
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			if got := reproducer(fs)(contracts.CheckBadSignature, 7); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
