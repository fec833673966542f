package testkit

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// TestVectors reads the vectors and refuses a copy with one byte changed.
func TestVectors(t *testing.T) {
	vs := Vectors(t)
	if len(vs["phasio"].Invalid) == 0 || vs["happycolis"].Valid[0].Key() != HappyColisSecret || vs["phasio"].Valid[0].Key() != PhasioSecret {
		t.Fatalf("vectors not as expected: %+v", vs["happycolis"].Valid[0])
	}
	dir := t.TempDir()
	src := filepath.Join(Root(t), "testdata", "vectors")
	for _, name := range []string{"SHA256SUMS", "phasio.json", "happycolis.json", "standard.json"} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if name == "standard.json" {
			b = []byte(strings.Replace(string(b), "basic", "Basic", 1))
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := readVectors(dir); err == nil || !strings.Contains(err.Error(), "standard.json changed") {
		t.Fatalf("a changed vector file was read: %v", err)
	}
}

func TestSyncBuffer(t *testing.T) {
	var b SyncBuffer
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				b.Write([]byte("x"))
				_ = b.String()
			}
		}()
	}
	wg.Wait()
	if n := len(b.String()); n != 800 {
		t.Fatalf("%d bytes, want 800", n)
	}
}

func TestSecretAndEvents(t *testing.T) {
	if Secret("phasio") != PhasioSecret || Secret("standard") != StandardSecret || Secret("other") != "" {
		t.Fatal("Secret")
	}
	evs := Events(t, "happycolis", 3)
	if len(evs) != 3 || evs[0].Provider != "happycolis" {
		t.Fatalf("%d events", len(evs))
	}
	if a, b := Rand(1).Uint64(), Rand(1).Uint64(); a != b {
		t.Fatal("Rand is not deterministic")
	}
}

// TestSignatures checks the independent signers against the vectors.
func TestSignatures(t *testing.T) {
	vs := Vectors(t)
	p := vs["phasio"].Valid[0]
	if got := SignPhasio(p.Secret, []byte(p.EncryptedPayload)); got != p.PhasioSignature {
		t.Errorf("phasio %s, want %s", got, p.PhasioSignature)
	}
	h := vs["happycolis"].Valid[0]
	if got := SignHappyColis(h.ClientSecret, []byte(h.Body)); got != h.HCSignature {
		t.Errorf("happycolis %s, want %s", got, h.HCSignature)
	}
	s := vs["standard"].Valid[0]
	if got := SignStandard(s.Secret, s.WebhookID, s.WebhookTimestamp, []byte(s.Body)); got != s.WebhookSignature {
		t.Errorf("standard %s, want %s", got, s.WebhookSignature)
	}
	body := []byte(h.Body)
	got := string(SetHeaderField(t, body, "messageId", "m-1"))
	if !strings.Contains(got, `"messageId":"m-1"`) || len(got) == len(body) || strings.Replace(got, `"m-1"`, `"e5f6a7b8-c9d0-1234-efab-456789012345"`, 1) != h.Body {
		t.Errorf("SetHeaderField: %s", got)
	}
}

func TestStringsAt(t *testing.T) {
	doc := map[string]any{"a/b": "slash", "lines": []any{
		map[string]any{"meta": "one"}, map[string]any{"meta": 2.0}, map[string]any{"meta": "three"},
	}}
	for ptr, want := range map[string][]string{
		"/lines/*/meta": {"one", "three"},
		"/a~1b":         {"slash"},
		"/lines":        nil,
		"/missing/x":    nil,
		"lines":         nil, // not a pointer
	} {
		if got := StringsAt(doc, ptr); !slices.Equal(got, want) {
			t.Errorf("StringsAt(%q) = %q, want %q", ptr, got, want)
		}
	}
}

// TestStartServer runs this test binary as a server that prints a line on
// stderr, its URL and more, then waits to be killed with its test.
func TestStartServer(t *testing.T) {
	if os.Getenv("TESTKIT_CHILD") != "" {
		fmt.Fprintln(os.Stderr, "listening")
		fmt.Println("http://127.0.0.1:1/")
		fmt.Println("more output")
		select {}
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestStartServer$")
	cmd.Env = append(os.Environ(), "TESTKIT_CHILD=1")
	var stderr *SyncBuffer
	t.Run("server", func(t *testing.T) {
		var u string
		u, stderr = StartServer(t, cmd)
		if u != "http://127.0.0.1:1/" {
			t.Errorf("first line %q", u)
		}
	})
	// The subtest's cleanup killed and reaped the child.
	if cmd.ProcessState == nil || cmd.ProcessState.Success() {
		t.Errorf("the child was not ended with its test: %v", cmd.ProcessState)
	}
	if stderr.String() != "listening\n" {
		t.Errorf("stderr %q", stderr.String())
	}
}
