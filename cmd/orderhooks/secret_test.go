package main

import (
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/wire"
)

// TestSecretNew prints a fresh secret each profile accepts, different on
// every run; bad usage exits 2.
func TestSecretNew(t *testing.T) {
	for _, provider := range []string{"phasio", "happycolis", "standard"} {
		t.Run(provider, func(t *testing.T) {
			out, errOut, code := runCmd(t, "", "secret", "new", "--provider", provider)
			again, _, _ := runCmd(t, "", "secret", "new", "--provider", provider)
			if code != exitOK || errOut != "" || !strings.HasSuffix(out, "\n") || out == again {
				t.Fatalf("exit %d, stdout %q (then %q), stderr %q", code, out, again, errOut)
			}
			if _, err := wire.New(provider, []string{strings.TrimSuffix(out, "\n")}); err != nil {
				t.Fatalf("the profile rejects it: %v", err)
			}
		})
	}
	for _, args := range [][]string{{"secret"}, {"secret", "rotate", "--provider", "phasio"}, {"secret", "new"}, {"secret", "new", "--provider", "shopify"}} {
		if _, errOut, code := runCmd(t, "", args...); code != exitUsage || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2", args, code, errOut)
		}
	}
}
