package testkit

import (
	"os"
	"path/filepath"
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
