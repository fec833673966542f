package contracts_test

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit/browserkit"
	"github.com/orderhooks/orderhooks/internal/testkit/parallel"
)

// TestMain lets the parallel tests, which mostly wait out timeouts and
// receivers that never answer, run all at once (internal/testkit/parallel),
// and stops the browser the browser tests share.
func TestMain(m *testing.M) {
	parallel.Allow(8)
	browserkit.Main(m)
}

// TestBrowserHTMLReport opens HTML reports in headless Chromium
// (ORDERHOOKS_BROWSER=1): the report of a failing run and one with every
// verdict. Each opens from a file without a console error or failed load,
// requests nothing but itself, runs no script, shows every check's name,
// and fits a phone's width without scrolling sideways.
func TestBrowserHTMLReport(t *testing.T) {
	b := browserkit.Start(t)
	run := verify(t, contracts.Handler(newTestReceiver(testProfile(t, "standard"), generator.ProviderPhasio, always200)), "standard")
	for name, r := range map[string]*contracts.Report{"failing run": run, "every verdict": withSent(sampleReport())} {
		t.Run(name, func(t *testing.T) {
			var page bytes.Buffer
			if err := r.WriteHTML(&page); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "report.html")
			if err := os.WriteFile(path, page.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			u := (&url.URL{Scheme: "file", Path: path}).String()
			p := b.Page(t)
			p.Navigate(u)
			text := browserkit.Eval[string](p, `document.body.innerText`)
			for _, c := range r.Checks {
				if !bytes.Contains([]byte(text), []byte(c.Name)) {
					t.Errorf("check %s is not shown", c.Name)
				}
			}
			if n := browserkit.Eval[int](p, `document.scripts.length + document.querySelectorAll("iframe, object, embed, img, link").length`); n != 0 {
				t.Errorf("%d scripts, frames, images or links in the report", n)
			}
			if n := browserkit.Eval[int](p, `document.querySelectorAll("svg").length`); n == 0 {
				t.Error("no inline SVG (the latency histogram)")
			}
			p.Viewport(390, 844)
			if w := browserkit.Eval[int](p, `document.documentElement.scrollWidth`); w > 390 {
				wide := browserkit.Eval[[]string](p, `[...document.querySelectorAll("body *")].map(e => [e.getBoundingClientRect().right, e.scrollWidth, e]).sort((a, b) => b[1] - a[1]).slice(0, 6).map(([r, sw, e]) => Math.round(r) + " " + sw + " " + e.tagName + "." + e.className + ": " + e.outerHTML.slice(0, 100))`)
				t.Errorf("on a phone the page is %d px wide: it scrolls sideways (%q)", w, wide)
			}
			for _, req := range p.Requests() {
				if req != u {
					t.Errorf("the report requested %s", req)
				}
			}
			p.NoProblems()
			t.Logf("%d checks, %s bytes", len(r.Checks), strconv.Itoa(page.Len()))
		})
	}
}
