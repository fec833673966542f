// Package browserkit runs the browser tests: headless Chromium driven
// through the DevTools protocol (chromedp), one fresh profile per test,
// every console error, uncaught exception, refused or failed load and
// every request the page makes recorded, so a test can say "this page
// loaded nothing from elsewhere and reported no error". Only tests
// import it.
//
// Browser tests are slow (a browser per test), so they run only when
// asked: ORDERHOOKS_BROWSER=1 (`.ci/run` sets it, in a step of its own),
// or the variable a test names (ORDERHOOKS_SCREENSHOTS=1 for the
// screenshots of the documentation). Without it they skip with a message;
// with it and no browser they skip too, except under CI=true, where a
// missing browser fails the test.
package browserkit

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Env is the variable that turns the browser tests on.
const Env = "ORDERHOOKS_BROWSER"

// ChromiumEnv names a browser binary to use instead of the one found on
// PATH.
const ChromiumEnv = "ORDERHOOKS_CHROMIUM"

// Timeout bounds each step of a test in the browser (a navigation, a
// click, a script).
const Timeout = 15 * time.Second

// Width and Height are the window's size: a laptop screen.
const (
	Width  = 1280
	Height = 860
)

// Chromium returns the path of the browser: $ORDERHOOKS_CHROMIUM, or the
// first of chromium, chromium-browser, google-chrome found on PATH.
func Chromium() (string, error) {
	if p := os.Getenv(ChromiumEnv); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no Chromium found (install Debian's chromium: apt-get install -y chromium, or set %s)", ChromiumEnv)
}

// Browser is one headless Chromium with a fresh profile, shared by the
// tests of a package (each test opens its own tabs): starting Chromium
// takes seconds.
type Browser struct {
	ctx    context.Context
	cancel func()
	dir    string
	err    error
}

var (
	sharedMu sync.Mutex
	shared   *Browser
)

// Start returns the browser of the tests, started by the first call, or
// skips t unless the variable Env (or one of also, such as
// ORDERHOOKS_SCREENSHOTS) is set. With the variable set and no browser,
// t is skipped, or fails under CI=true. Call Close from TestMain.
func Start(t testing.TB, also ...string) *Browser {
	t.Helper()
	on := os.Getenv(Env) != ""
	for _, v := range also {
		on = on || os.Getenv(v) != ""
	}
	if !on {
		names := append([]string{Env}, also...)
		t.Skipf("a browser test: set %s=1 to run it in headless Chromium", strings.Join(names, "=1 or "))
	}
	path, err := Chromium()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared == nil {
		shared = launch(path)
	}
	if shared.err != nil {
		t.Fatalf("starting %s: %v", path, shared.err)
	}
	return shared
}

// launch starts Chromium with the flags it needs on a CI machine: no
// sandbox (CI runs as root), no GPU, no connection of its own to anywhere
// (background networking, component updates, sync, QUIC), and a fresh
// profile.
func launch(path string) *Browser {
	b := &Browser{}
	if b.dir, b.err = os.MkdirTemp("", "orderhooks-chromium-"); b.err != nil {
		return b
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(b.dir),
		chromedp.WindowSize(Width, Height),
	)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	b.ctx, b.cancel = ctx, func() { cancel(); acancel() }
	// The first run starts the browser; it lives as long as ctx.
	b.err = chromedp.Do(ctx)
	return b
}

// Close stops the browser, if one was started, and removes its profile.
func Close() {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared == nil {
		return
	}
	if shared.cancel != nil {
		shared.cancel()
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	shared = nil
}

// Page is a tab of the browser, recording what the page reports.
type Page struct {
	t   testing.TB
	ctx context.Context

	mu       sync.Mutex
	problems []string
	requests []string
}

// Page opens a new tab, closed when the test ends.
func (b *Browser) Page(t testing.TB) *Page {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	t.Cleanup(cancel)
	p := &Page{t: t, ctx: ctx}
	if err := chromedp.Listen(ctx, p.record); err != nil {
		t.Fatal(err)
	}
	return p
}

// record keeps the events a test asks about (it runs in the loop that
// reads the browser's messages: it only appends).
func (p *Page) record(ev any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var parts []string
			for _, a := range ev.Args {
				if a.Description != "" {
					parts = append(parts, a.Description)
				} else {
					parts = append(parts, string(a.Value))
				}
			}
			p.problems = append(p.problems, "console."+string(ev.Type)+": "+strings.Join(parts, " "))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg += " " + d.Exception.Description
		}
		p.problems = append(p.problems, fmt.Sprintf("uncaught exception at %s:%d: %s", d.URL, d.LineNumber+1, msg))
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning {
			p.problems = append(p.problems, fmt.Sprintf("%s %s: %s %s", ev.Entry.Source, ev.Entry.Level, ev.Entry.Text, ev.Entry.URL))
		}
	case *network.EventRequestWillBeSent:
		p.requests = append(p.requests, ev.Request.URL)
	case *network.EventLoadingFailed:
		if !ev.Canceled {
			p.problems = append(p.problems, fmt.Sprintf("load failed (%s %s): %s", ev.Type, ev.ErrorText, ev.BlockedReason))
		}
	}
}

// Problems returns the console errors and warnings, uncaught exceptions
// and failed loads seen so far.
func (p *Page) Problems() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.problems...)
}

// Requests returns the URLs of every request the page made so far.
func (p *Page) Requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.requests...)
}

// NoProblems fails the test for each problem the page reported.
func (p *Page) NoProblems() {
	p.t.Helper()
	for _, pr := range p.Problems() {
		p.t.Errorf("the page reported: %s", pr)
	}
}

// do runs actions with the step timeout.
func (p *Page) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, Timeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
}

// Navigate opens url and waits for it to load.
func (p *Page) Navigate(url string) {
	p.t.Helper()
	p.do("opening "+url, chromedp.Navigate(url))
}

// Click clicks the first element css selects (it must be visible) and
// waits for the page the click opens (a link, a form's submit button).
func (p *Page) Click(css string) {
	p.t.Helper()
	p.navigation("clicking "+css, chromedp.Click(chromedp.CSS(css), chromedp.NodeVisible))
}

// Choose sets the value of the form field css selects and fires its
// "change" event, as when a person picks an option, then waits for the
// page that opens (the list's filters submit themselves on change).
func (p *Page) Choose(css, value string) {
	p.t.Helper()
	js := fmt.Sprintf(`(() => { const el = document.querySelector(%s); el.value = %s; el.dispatchEvent(new Event("change", {bubbles: true})); })()`,
		jsString(css), jsString(value))
	p.navigation("choosing "+value+" in "+css, chromedp.Evaluate[chromedp.Void](js))
}

// navigation runs an action that opens a page, and waits for that page.
func (p *Page) navigation(what string, a chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, Timeout)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, a); err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
}

// jsString is s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// Type focuses the field css selects and types text (with "\r" for Enter).
func (p *Page) Type(css, text string) {
	p.t.Helper()
	p.do("typing into "+css, chromedp.SendKeys(chromedp.CSS(css), text, chromedp.NodeVisible))
}

// Viewport resizes the page's window (a phone: 390 by 844).
func (p *Page) Viewport(width, height int) {
	p.t.Helper()
	p.do("resizing", chromedp.EmulateViewport(int64(width), int64(height)))
}

// Screenshot returns a PNG of the whole page (beyond the window's height,
// up to maxHeight pixels), for the documentation's pictures.
func (p *Page) Screenshot(maxHeight int) []byte {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, Timeout)
	defer cancel()
	h, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollHeight`))
	if err != nil {
		p.t.Fatal(err)
	}
	h = min(max(h, Height), maxHeight)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(Width, int64(h))); err != nil {
		p.t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(Width, Height)); err != nil {
		p.t.Fatal(err)
	}
	return png
}

// Eval evaluates a JavaScript expression in the page (through the
// DevTools protocol, which the page's Content-Security-Policy does not
// restrict) and decodes its value.
func Eval[T any](p *Page, expr string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, Timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		p.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// WaitFor evaluates a JavaScript expression every 20 ms until it is true,
// and returns how long that took; it fails the test when it is still false
// after within.
func (p *Page) WaitFor(expr string, within time.Duration) time.Duration {
	p.t.Helper()
	start := time.Now()
	deadline := start.Add(within)
	for {
		ctx, cancel := context.WithTimeout(p.ctx, Timeout)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("Boolean("+expr+")"))
		cancel()
		if err != nil {
			p.t.Fatalf("evaluating %s: %v", expr, err)
		}
		if ok {
			return time.Since(start)
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("still false after %v: %s", within, expr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
