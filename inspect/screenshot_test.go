package inspect_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/internal/testkit/browserkit"
	"github.com/orderhooks/orderhooks/internal/testkit/capturekit"
	"github.com/orderhooks/orderhooks/receiver"
	"github.com/orderhooks/orderhooks/wire"
)

// screenshotsEnv turns TestScreenshots on: it rewrites the pictures of
// the documentation.
const screenshotsEnv = "ORDERHOOKS_SCREENSHOTS"

// TestScreenshots takes the documentation's pictures in headless Chromium
// and writes them under docs/images: the deliveries list, a delivery with
// a schema violation, an order's timeline, and the HTML report of a run
// against a receiver that accepts unsigned deliveries. It runs only when
// asked (it rewrites files of the repository):
//
//	ORDERHOOKS_SCREENSHOTS=1 go test ./inspect -run TestScreenshots
func TestScreenshots(t *testing.T) {
	if os.Getenv(screenshotsEnv) == "" {
		t.Skip("rewrites docs/images: set " + screenshotsEnv + "=1")
	}
	b := browserkit.Start(t, screenshotsEnv)
	s := newSite(t)
	dir := filepath.Join(testkit.Root(t), "docs", "images")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	shoot := func(name, u string, maxHeight int) {
		t.Helper()
		p := b.Page(t)
		p.Navigate(u)
		p.NoProblems()
		png := p.Screenshot(maxHeight)
		if !bytes.HasPrefix(png, []byte("\x89PNG")) {
			t.Fatalf("%s: not a PNG", name)
		}
		if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("docs/images/%s: %d KiB", name, len(png)>>10)
	}
	shoot("inspect-list.png", s.URL+"/", 900)
	// A delivery whose violation is near the top of its payload, so
	// that the picture shows it marked in the tree.
	bad := capturekit.With(t, testkit.Events(t, generator.ProviderPhasio, 4)[3], "customerOrganisationId", "615")
	id := capturekit.Put(t, s.store, s.b.Delivery(t, "", bad, wire.FaultNone))[0]
	shoot("inspect-delivery.png", s.URL+"/deliveries/"+strconv.FormatInt(id, 10), 1500)
	ph := s.ds[0]
	shoot("inspect-timeline.png", s.URL+"/orders/"+url.PathEscape(ph.Key)+"?provider=phasio", 1500)

	// A receiver with the usual bug: it verifies signatures but lets a
	// request without one through.
	p, err := wire.New("phasio", []string{testkit.PhasioSecret})
	if err != nil {
		t.Fatal(err)
	}
	rcv, err := receiver.New(p)
	if err != nil {
		t.Fatal(err)
	}
	lax := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.Header.Get("X-Phasio-Signature") == "" {
			w.WriteHeader(http.StatusOK)
			w.Write([]byte(`{"ok":true}`))
			return
		}
		rcv.ServeHTTP(w, r)
	})
	srv := httptest.NewServer(lax)
	defer srv.Close()
	report, err := contracts.Verify(context.Background(), contracts.URL(srv.URL+"/webhooks/phasio"), contracts.Phasio(testkit.PhasioSecret),
		contracts.WithSeed(42), contracts.WithProbe(srv.URL+"/orders/{orderKey}"))
	if err != nil {
		t.Fatal(err)
	}
	var page bytes.Buffer
	if err := report.WriteHTML(&page); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(file, page.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	shoot("report.png", (&url.URL{Scheme: "file", Path: file}).String(), 1500)
}
