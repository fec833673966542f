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
//
// Every wait on the browser is bounded (Timeout, then Grace): a browser that
// stops answering fails the test in one line naming the step and the page,
// instead of holding it until go test's own timeout.
package browserkit

import (
	"context"
	"encoding/json"
	"errors"
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

	"github.com/orderhooks/orderhooks/internal/ctxrun"
)

// Env is the variable that turns the browser tests on.
const Env = "ORDERHOOKS_BROWSER"

// ChromiumEnv names a browser binary to use instead of the one found on
// PATH.
const ChromiumEnv = "ORDERHOOKS_CHROMIUM"

// Timeout bounds each step of a test in the browser (starting it, opening
// a tab, a navigation, a click, a script): a busy CI machine answers
// within it.
const Timeout = 20 * time.Second

// Grace is how much longer than Timeout a step is waited for once given
// up: a call that does not heed its context's end (a browser that stopped
// answering) cannot hold a test longer than Timeout + Grace.
const Grace = 5 * time.Second

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
	// timeout and grace are Timeout and Grace (shorter in this package's
	// own tests).
	timeout, grace time.Duration
}

var (
	sharedMu sync.Mutex
	shared   *Browser
)

// Start returns the browser of the tests, started by the first call, or
// skips t unless the variable Env (or one of also, such as
// ORDERHOOKS_SCREENSHOTS) is set. With the variable set and no browser,
// t is skipped, or fails under CI=true. The package's TestMain calls Main,
// which stops it.
func Start(t testing.TB, also ...string) *Browser {
	t.Helper()
	path := chromium(t, also...)
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared == nil {
		shared = launch(path, Timeout, Grace)
	}
	if shared.err != nil {
		t.Fatalf("browser: starting %s: %s", path, oneLine(shared.err))
	}
	return shared
}

// chromium returns the path of the browser, or skips t as Start says.
func chromium(t testing.TB, also ...string) string {
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
	return path
}

// launch starts Chromium with the flags it needs on a CI machine: no
// sandbox (CI runs as root), no GPU, no connection of its own to anywhere
// (background networking, component updates, sync, QUIC), and a fresh
// profile. Each step waits at most timeout, then grace.
func launch(path string, timeout, grace time.Duration) *Browser {
	b := &Browser{timeout: timeout, grace: grace}
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
	// The first run starts the browser, which lives as long as ctx: ctx
	// has no deadline, and a start that does not answer in time stops it.
	_, b.err = within(timeout, grace, func() { go b.cancel() }, func() (struct{}, error) {
		return struct{}{}, chromedp.Do(ctx)
	})
	return b
}

// close stops the browser (its process ends) and removes its profile,
// waiting for the process at most the step's bounds.
func (b *Browser) close() error {
	var err error
	if b.cancel != nil {
		_, err = within(b.timeout, b.grace, func() {}, func() (struct{}, error) {
			b.cancel()
			return struct{}{}, nil
		})
	}
	if b.dir != "" {
		os.RemoveAll(b.dir)
	}
	return err
}

// Main runs the tests of a package whose browser tests share the
// browser (its TestMain calls it), then stops the browser, if one was
// started, and removes its profile.
func Main(m *testing.M) {
	code := m.Run()
	closeShared()
	os.Exit(code)
}

// closeShared stops the browser, if one was started, and removes its
// profile.
func closeShared() {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared == nil {
		return
	}
	if err := shared.close(); err != nil {
		fmt.Fprintf(os.Stderr, "browser: stopping Chromium: %s\n", oneLine(err))
	}
	shared = nil
}

// within runs f and returns what it returns, waiting for it at most
// timeout, then, having called stop (which must end f's context), at most
// grace more. A call that heeds neither is left behind in its goroutine,
// and within says so in its error.
func within[T any](timeout, grace time.Duration, stop func(), f func() (T, error)) (T, error) {
	call := ctxrun.Go(f)
	wait := func(d time.Duration) (bool, T, error) {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		defer cancel()
		return call.Wait(ctx)
	}
	if ok, v, err := wait(timeout); ok {
		return v, err
	}
	stop()
	ok, v, err := wait(grace)
	switch {
	case !ok:
		return v, fmt.Errorf("no answer within %v, nor %v after it was given up", timeout, grace)
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return v, fmt.Errorf("no answer within %v", timeout)
	case err != nil:
		return v, fmt.Errorf("no answer within %v: %w", timeout, err)
	}
	return v, nil
}

// Page is a tab of the browser, recording what the page reports.
type Page struct {
	t              testing.TB
	ctx            context.Context
	timeout, grace time.Duration

	mu       sync.Mutex
	problems []string
	requests []string
	// url is the address last opened (by Navigate or a click), named
	// when a step fails and the page cannot say where it is.
	url string
}

// Page opens a new tab, closed when the test ends.
func (b *Browser) Page(t testing.TB) *Page {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	p := &Page{t: t, ctx: ctx, timeout: b.timeout, grace: b.grace, url: "about:blank"}
	t.Cleanup(func() {
		// Closing waits until the browser has closed the tab.
		if _, err := within(p.timeout, p.grace, func() {}, func() (struct{}, error) {
			cancel()
			return struct{}{}, nil
		}); err != nil {
			t.Errorf("browser: closing the tab (last at %s): %s", p.lastURL(), oneLine(err))
		}
	})
	// Listening opens the tab, which lives as long as ctx: ctx has no
	// deadline, and a tab that does not open in time is closed.
	if _, err := within(p.timeout, p.grace, func() { go cancel() }, func() (struct{}, error) {
		return struct{}{}, chromedp.Listen(ctx, p.record)
	}); err != nil {
		t.Fatalf("browser: opening a tab: %s", oneLine(err))
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

// step runs f with a context that ends after the step's timeout (see
// within), and fails the test in one line naming what and the page when f
// fails or does not return.
func step[T any](p *Page, what string, f func(ctx context.Context) (T, error)) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, p.timeout)
	defer cancel()
	v, err := within(p.timeout, p.grace, cancel, func() (T, error) { return f(ctx) })
	if err != nil && errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
		err = fmt.Errorf("no answer within %v", p.timeout)
	}
	if err != nil {
		p.t.Fatalf("browser: %s (page %s): %s", what, p.where(), oneLine(err))
	}
	return v
}

// where is the page's address as the page tells it, or the address last
// opened when the page does not answer at once.
func (p *Page) where() string {
	const quick = 2 * time.Second
	ctx, cancel := context.WithTimeout(p.ctx, quick)
	defer cancel()
	href, err := within(quick, time.Second, cancel, func() (string, error) {
		return chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`))
	})
	if err != nil || href == "" {
		return p.lastURL() + ", last opened: the page does not answer"
	}
	return href
}

// opened notes the address a navigation ended on.
func (p *Page) opened(url string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.url = url
}

// lastURL is the address last opened.
func (p *Page) lastURL() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.url
}

// oneLine is err's message on one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// short is a script on one line, cut to what a failure's line can hold.
func short(expr string) string {
	expr = strings.Join(strings.Fields(expr), " ")
	if len(expr) > 120 {
		return expr[:117] + "..."
	}
	return expr
}

// do runs actions as one step.
func (p *Page) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	step(p, what, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, chromedp.Do(ctx, actions...)
	})
}

// Navigate opens url and waits for it to load.
func (p *Page) Navigate(url string) {
	p.t.Helper()
	p.opened(url)
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
	resp := step(p, what, func(ctx context.Context) (*network.Response, error) {
		return chromedp.RunResponse(ctx, a)
	})
	if resp != nil {
		p.opened(resp.URL)
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
	h := Eval[int](p, `document.documentElement.scrollHeight`)
	h = min(max(h, Height), maxHeight)
	p.do("resizing for the screenshot", chromedp.EmulateViewport(Width, int64(h)))
	png := step(p, "taking a screenshot", func(ctx context.Context) ([]byte, error) {
		return chromedp.Run(ctx, chromedp.CaptureScreenshot())
	})
	p.do("resizing back", chromedp.EmulateViewport(Width, Height))
	return png
}

// Eval evaluates a JavaScript expression in the page (through the
// DevTools protocol, which the page's Content-Security-Policy does not
// restrict) and decodes its value.
func Eval[T any](p *Page, expr string) T {
	p.t.Helper()
	return step(p, "evaluating "+short(expr), func(ctx context.Context) (T, error) {
		return chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	})
}

// WaitFor evaluates a JavaScript expression every 20 ms until it is true,
// and returns how long that took; it fails the test when it is still false
// after limit.
func (p *Page) WaitFor(expr string, limit time.Duration) time.Duration {
	p.t.Helper()
	start := time.Now()
	deadline := start.Add(limit)
	for {
		if Eval[bool](p, "Boolean("+expr+")") {
			return time.Since(start)
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("browser: still false after %v (page %s): %s", limit, p.where(), short(expr))
		}
		time.Sleep(20 * time.Millisecond)
	}
}
