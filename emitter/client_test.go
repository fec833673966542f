package emitter

import (
	"context"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/wire"
)

func TestDeliverOverLoopback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		handler   http.HandlerFunc
		status    int
		bodyLen   int
		truncated bool
	}{
		{"ok", func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			if string(b) != `{"a":1}` || r.Header.Get("X-Test") != "yes" || r.Method != http.MethodPost ||
				r.Header.Get("Content-Type") != "application/json" {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			io.WriteString(w, "fine")
		}, 200, 4, false},
		{"large body is cut at the limit", func(w http.ResponseWriter, r *http.Request) {
			w.Write(make([]byte, DefaultMaxResponseBody*3))
		}, 200, DefaultMaxResponseBody, true},
		{"redirect is reported, not followed", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		}, 302, -1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			c, err := NewClient(ClientOptions{Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			resp, err := Deliver(context.Background(), c, srv.URL, &wire.Request{
				Header: http.Header{"X-Test": {"yes"}}, Body: []byte(`{"a":1}`)})
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != tt.status || (tt.bodyLen >= 0 && len(resp.Body) != tt.bodyLen) || resp.Truncated != tt.truncated {
				t.Fatalf("status %d body %d truncated %v", resp.Status, len(resp.Body), resp.Truncated)
			}
			if resp.Latency <= 0 {
				t.Fatal("no latency measured")
			}
		})
	}
}

func TestDeliverTimeoutAndRefused(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	c, _ := NewClient(ClientOptions{Timeout: 100 * time.Millisecond})
	if _, err := Deliver(context.Background(), c, slow.URL, &wire.Request{Body: []byte("{}")}); err == nil {
		t.Fatal("a request slower than the timeout succeeded")
	}

	closed := httptest.NewServer(http.NotFoundHandler())
	url := closed.URL
	closed.Close()
	if _, err := Deliver(context.Background(), c, url, &wire.Request{Body: []byte("{}")}); err == nil {
		t.Fatal("a closed port accepted the delivery")
	}
}

func TestNewClientVerifiesTLS(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	ctx := context.Background()
	req := &wire.Request{Body: []byte("{}")}

	c, _ := NewClient(ClientOptions{})
	if _, err := Deliver(ctx, c, srv.URL, req); err == nil {
		t.Fatal("a self-signed certificate was trusted by default")
	}
	c, _ = NewClient(ClientOptions{Insecure: true})
	if resp, err := Deliver(ctx, c, srv.URL, req); err != nil || resp.Status != 200 {
		t.Fatalf("--insecure: %v", err)
	}
	// --ca-file with the server's certificate: verified and trusted.
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pemCert(srv), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := NewClient(ClientOptions{CAFile: ca})
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := Deliver(ctx, c, srv.URL, req); err != nil || resp.Status != 200 {
		t.Fatalf("--ca-file: %v", err)
	}
	if _, err := NewClient(ClientOptions{CAFile: filepath.Join(t.TempDir(), "missing.pem")}); !errors.Is(err, ErrClientConfig) {
		t.Fatalf("missing CA file: %v", err)
	}
	empty := filepath.Join(t.TempDir(), "empty.pem")
	os.WriteFile(empty, []byte("not a certificate"), 0o600)
	if _, err := NewClient(ClientOptions{CAFile: empty}); !errors.Is(err, ErrClientConfig) || !strings.Contains(err.Error(), empty) {
		t.Fatalf("CA file without certificates: %v", err)
	}
}

func TestHandlerClientServesInProcess(t *testing.T) {
	t.Parallel()
	var got string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = r.URL.Path + " " + string(b)
		w.WriteHeader(http.StatusAccepted)
	})
	resp, err := Deliver(context.Background(), HandlerClient(h), "http://receiver.invalid/hook", &wire.Request{Body: []byte(`{"x":1}`)})
	if err != nil || resp.Status != http.StatusAccepted || got != `/hook {"x":1}` {
		t.Fatalf("status %v err %v handler saw %q", resp, err, got)
	}
	panicky := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })
	if _, err := Deliver(context.Background(), HandlerClient(panicky), "http://x/", &wire.Request{}); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("panic not reported: %v", err)
	}
}

func pemCert(srv *httptest.Server) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
}
