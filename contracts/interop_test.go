package contracts_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/wire"
)

// startScript runs a receiver of testdata/receivers with interpreter, for
// every platform of providers (the secrets in RECEIVER_SECRET_{PLATFORM}),
// and returns the URL it prints first: one process serves them all, under
// /{platform}/{mode}. Without the interpreter the test is skipped, except
// under CI=true, where it fails: CI must run it.
func startScript(t *testing.T, interpreter, script string, providers []string) string {
	t.Helper()
	path, err := exec.LookPath(interpreter)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required under CI=true: %v", interpreter, err)
		}
		t.Skipf("%s not installed", interpreter)
	}
	cmd := exec.Command(path, filepath.Join("testdata", "receivers", script), "--secret-env", "RECEIVER_SECRET")
	cmd.Env = os.Environ()
	for _, p := range providers {
		cmd.Env = append(cmd.Env, "RECEIVER_SECRET_"+strings.ToUpper(p)+"="+testSecret(t, p))
	}
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill() // the receiver runs until the test ends
		_ = cmd.Wait()
	})
	first := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		first <- strings.TrimSpace(line)
	}()
	select {
	case url := <-first:
		if !strings.HasPrefix(url, "http://127.0.0.1:") {
			t.Fatalf("%s %s printed %q, want its URL", interpreter, script, url)
		}
		return url
	case <-time.After(30 * time.Second):
		t.Fatalf("%s %s did not start", interpreter, script)
	}
	return ""
}

// TestReceiversInOtherLanguages runs the whole suite, probe included,
// against receivers written from the platforms' documentation in Node.js
// (all three platforms) and Python (HappyColis and Standard Webhooks): the
// correct ones pass every check, verifies-raw-body included; the ones
// that verify a re-serialised body fail with that diagnosis. Each
// interpreter starts once and serves every platform in both modes, each
// with state of its own.
func TestReceiversInOtherLanguages(t *testing.T) {
	tests := []struct {
		interpreter, script string
		providers           []string
		cause               string // of the reserialise mode
	}{
		{"node", "receiver.mjs", []string{contracts.ProviderPhasio, contracts.ProviderHappyColis, contracts.ProviderStandard}, wire.MistakeNode},
		{"python3", "receiver.py", []string{contracts.ProviderHappyColis, contracts.ProviderStandard}, wire.MistakePython},
	}
	for _, tt := range tests {
		t.Run(tt.interpreter, func(t *testing.T) {
			t.Parallel()
			base := startScript(t, tt.interpreter, tt.script, tt.providers)
			for _, provider := range tt.providers {
				t.Run(provider, func(t *testing.T) {
					t.Parallel()
					r, err := contracts.Verify(context.Background(), contracts.URL(base+"/"+provider+"/correct/webhooks"), testProvider(t, provider),
						contracts.WithProbe("/"+provider+"/correct/orders/{orderKey}"))
					if err != nil {
						t.Fatal(err)
					}
					want := correctStatuses(provider)
					want[contracts.CheckResponseContract] = contracts.StatusSkip // no schema given
					diffStatuses(t, r, want)
					if len(r.Diagnosis) != 0 {
						t.Errorf("diagnosis of a correct receiver: %+v", r.Diagnosis)
					}
				})
				if provider == contracts.ProviderPhasio {
					continue // its signature covers a string, not the body
				}
				t.Run(provider+"/re-serialised body", func(t *testing.T) {
					t.Parallel()
					r, err := contracts.Verify(context.Background(), contracts.URL(base+"/"+provider+"/reserialise/webhooks"), testProvider(t, provider),
						contracts.WithOnly(contracts.CheckValidLifecycle, contracts.CheckRawBody))
					if err != nil {
						t.Fatal(err)
					}
					if !r.Failed() || len(r.Diagnosis) == 0 || r.Diagnosis[0].Cause != tt.cause {
						t.Fatalf("want a failed run diagnosed %s:\n%s", tt.cause, textOf(r))
					}
				})
			}
		})
	}
}
