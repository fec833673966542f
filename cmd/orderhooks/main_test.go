package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

// runCmd runs one orderhooks command line in-process and returns what it
// printed and its exit code. stdin may be "".
func runCmd(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runCmdEnv(t, context.Background(), stdin, nil, args...)
}

// runCmdEnv is runCmd with a context and environment variables. Every
// run is checked for the secrets it was given (secretScan): in its
// output and in every file it writes.
func runCmdEnv(t *testing.T, ctx context.Context, stdin string, vars map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	scan := beginSecretScan(args, vars)
	defer func() { scan.check(t, args, map[string]string{"stdout": stdout, "stderr": stderr}) }()
	var out, errb bytes.Buffer
	var in io.Reader = strings.NewReader(stdin)
	code = run(ctx, args, &env{
		stdin:  in,
		stdout: &out,
		stderr: &errb,
		getenv: func(k string) string { return vars[k] },
	})
	return out.String(), errb.String(), code
}

func TestHelpAndVersion(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		contains string
	}{
		{[]string{"--version"}, exitOK, "orderhooks "},
		{[]string{"help"}, exitOK, "Commands:"},
		{[]string{}, exitUsage, "Usage:"},
		{[]string{"no-such-command"}, exitUsage, `unknown command "no-such-command"`},
		{[]string{"help", "no-such-command"}, exitUsage, `unknown command "no-such-command"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, errOut, code := runCmd(t, "", tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d (stderr %q)", code, tt.code, errOut)
			}
			if !strings.Contains(out+errOut, tt.contains) {
				t.Fatalf("output %q does not contain %q", out+errOut, tt.contains)
			}
		})
	}
}

// TestEveryCommandHasHelp checks that each command documents itself.
func TestEveryCommandHasHelp(t *testing.T) {
	for _, c := range allCommands() {
		name := c.name
		for _, u := range c.usage() {
			if c.summary == "" || !strings.HasPrefix(u, "orderhooks "+name) {
				t.Errorf("command %s: summary %q, usage %q", name, c.summary, u)
			}
		}
		out, _, code := runCmd(t, "", "help", name)
		if code != exitOK || !strings.Contains(out, strings.Join(c.usage(), "\n  ")) {
			t.Errorf("help %s: exit %d, output %q", name, code, out)
		}
	}
}
