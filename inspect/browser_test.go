package inspect_test

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/capture"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/internal/testkit/browserkit"
	"github.com/orderhooks/orderhooks/internal/testkit/capturekit"
	"github.com/orderhooks/orderhooks/internal/testkit/parallel"
	"github.com/orderhooks/orderhooks/internal/testkit/testrecv"
	"github.com/orderhooks/orderhooks/wire"
)

// The browser tests drive the inspector's pages in headless Chromium
// (ORDERHOOKS_BROWSER=1; see package browserkit): what a person sees and
// does, with the page's own script and Content-Security-Policy in force.

// rowsJS counts the rows of the deliveries table.
const rowsJS = `document.querySelectorAll("table.deliveries tbody tr[data-id]").length`

// open starts a browser and opens path of the site in a tab.
func (s *site) open(t *testing.T, path string) *browserkit.Page {
	t.Helper()
	p := browserkit.Start(t).Page(t)
	p.Navigate(s.URL + path)
	return p
}

func TestBrowserList(t *testing.T) {
	browserkit.Start(t) // skips before the site is built when the browser tests are off
	s := newSite(t)
	p := s.open(t, "/")
	if got := browserkit.Eval[int](p, rowsJS); got != len(s.ds) {
		t.Fatalf("%d rows, want %d", got, len(s.ds))
	}
	// Newest first, each row with its columns filled.
	ids := browserkit.Eval[[]int64](p, `[...document.querySelectorAll("tbody tr[data-id]")].map(r => Number(r.dataset.id))`)
	if ids[0] != s.ids[len(s.ids)-1] || ids[len(ids)-1] != s.ids[0] {
		t.Errorf("rows %v: not newest first", ids)
	}
	cells := browserkit.Eval[[]string](p, `[...document.querySelector("tbody tr[data-id]").cells].map(c => c.innerText.trim())`)
	if len(cells) != 8 || cells[0] != "#"+strconv.FormatInt(ids[0], 10) || !strings.Contains(cells[2], "phasio") {
		t.Errorf("first row %q", cells)
	}
	if got := browserkit.Eval[string](p, `document.getElementById("count").textContent`); got != strconv.Itoa(len(s.ds)) {
		t.Errorf("count %q", got)
	}
	// The page's stylesheet applied (the header is laid out as a bar).
	if disp := browserkit.Eval[string](p, `getComputedStyle(document.querySelector("header.top")).display`); disp != "flex" && disp != "grid" {
		t.Errorf("header display %q: the stylesheet did not apply", disp)
	}
	p.WaitFor(`document.getElementById("live").dataset.state === "open"`, 5*time.Second)
	p.NoProblems()
	for _, u := range p.Requests() {
		if !strings.HasPrefix(u, s.URL+"/") {
			t.Errorf("the page requested %s", u)
		}
	}
}

// TestBrowserLive: a delivery stored while the list is open appears at
// its top within 2 s, without reload; one the filter leaves out does not.
func TestBrowserLive(t *testing.T) {
	browserkit.Start(t) // skips before the site is built when the browser tests are off
	s := newSite(t)
	p := s.open(t, "/?provider=phasio")
	p.WaitFor(`document.getElementById("live").dataset.state === "open"`, 5*time.Second)
	before := browserkit.Eval[int](p, rowsJS)
	browserkit.Eval[bool](p, `window.__sameDocument = true`)

	hc := s.b.Delivery(t, "", testkit.Events(t, generator.ProviderHappyColis, 1)[0], wire.FaultNone)
	ph := s.b.Delivery(t, "", testkit.Events(t, generator.ProviderPhasio, 4)[3], wire.FaultNone)
	start := time.Now()
	ids := capturekit.Put(t, s.store, hc, ph)
	took := p.WaitFor(fmt.Sprintf(`document.querySelector("tbody tr:first-child").dataset.id === "%d"`, ids[1]), 2*time.Second)
	t.Logf("the delivery appeared %v after it was stored (%v after the page was asked)", time.Since(start).Round(time.Millisecond), took.Round(time.Millisecond))
	if !browserkit.Eval[bool](p, `window.__sameDocument === true`) {
		t.Fatal("the page was reloaded")
	}
	if got := browserkit.Eval[int](p, rowsJS); got != before+1 {
		t.Errorf("%d rows, want %d: the HappyColis delivery the filter leaves out was added", got, before+1)
	}
	if got := browserkit.Eval[string](p, `document.getElementById("count").textContent`); got != strconv.Itoa(before+1) {
		t.Errorf("count %q, want %d", got, before+1)
	}
	if cls := browserkit.Eval[string](p, `document.querySelector("tbody tr:first-child").className`); cls != "new" {
		t.Errorf("the new row's class is %q", cls)
	}
	p.NoProblems()
}

// TestBrowserFilters: picking a provider submits the filter by itself;
// typing an order key and Enter narrows further; the verdict and status
// filters select what they say.
func TestBrowserFilters(t *testing.T) {
	browserkit.Start(t) // skips before the site is built when the browser tests are off
	s := newSite(t)
	p := s.open(t, "/")
	all := browserkit.Eval[int](p, rowsJS)

	p.Choose(`select[name="provider"]`, "happycolis")
	n := 0
	for _, d := range s.ds {
		if d.Provider == "happycolis" {
			n++
		}
	}
	if got := browserkit.Eval[int](p, rowsJS); got != n || n == 0 || n >= all {
		t.Fatalf("provider happycolis: %d rows, want %d (of %d)", got, n, all)
	}
	if !browserkit.Eval[bool](p, `[...document.querySelectorAll("tbody tr[data-id] .provider")].every(e => e.textContent === "happycolis")`) {
		t.Error("a row of another provider is listed")
	}
	if got := browserkit.Eval[string](p, `location.search`); !strings.Contains(got, "provider=happycolis") {
		t.Errorf("the address %q does not keep the filter", got)
	}

	key := s.ds[len(s.ds)-5].Key
	p.Type(`input[name="key"]`, key+"\r")
	n = 0
	for _, d := range s.ds {
		if d.Provider == "happycolis" && d.Key == key {
			n++
		}
	}
	// The filtered page replaces the list: wait for its address and for
	// its rows (the old page's rows, or none while it loads, are no answer).
	p.WaitFor(`new URLSearchParams(location.search).get("key") !== null && document.readyState === "complete" && `+rowsJS+` === `+strconv.Itoa(n), 5*time.Second)
	if got := browserkit.Eval[int](p, rowsJS); got != n || n == 0 {
		t.Fatalf("key %s: %d rows, want %d", key, got, n)
	}
	if !browserkit.Eval[bool](p, `[...document.querySelectorAll("tbody tr[data-id] td.key")].every(e => e.innerText.trim() === `+strconv.Quote(key)+`)`) {
		t.Error("a row of another order is listed")
	}

	p.Navigate(s.URL + "/")
	p.Choose(`select[name="verdict"]`, string(capture.VerdictSignature))
	n = 0
	for _, d := range s.ds {
		if d.Signature != capture.SignatureOK {
			n++
		}
	}
	if got := browserkit.Eval[int](p, rowsJS); got != n || n == 0 {
		t.Fatalf("bad signatures: %d rows, want %d", got, n)
	}
	p.Click(`form.filters a.button.quiet`) // Clear
	if got := browserkit.Eval[int](p, rowsJS); got != all {
		t.Errorf("after Clear: %d rows, want %d", got, all)
	}
	p.NoProblems()
}

// TestBrowserTimeline: an order delivered twice, its Kanban column and
// total changed in between: the timeline shows both snapshots and the
// changed fields with their old and new values.
func TestBrowserTimeline(t *testing.T) {
	browserkit.Start(t) // skips before the site is built when the browser tests are off
	s := newSite(t)
	ev := testkit.Events(t, generator.ProviderPhasio, 6)[5] // an order of its own
	first := capturekit.With(t, ev, "kanbanColumnName", "In Production")
	second := capturekit.With(t, first, "kanbanColumnName", "Shipped")
	second.Event, second.At = generator.PhasioOrderUpdated, first.At.Add(time.Hour)
	ids := capturekit.Put(t, s.store, s.b.Delivery(t, "", first, wire.FaultNone), s.b.Delivery(t, "", second, wire.FaultNone))
	d, err := s.store.Get(t.Context(), ids[0])
	if err != nil {
		t.Fatal(err)
	}

	p := s.open(t, "/deliveries/"+strconv.FormatInt(ids[1], 10))
	// From the delivery to its order, as a person would.
	p.Click(`a[href^="/orders/"]`)
	if got := browserkit.Eval[string](p, `location.pathname`); got != "/orders/"+url.PathEscape(d.Key) {
		t.Fatalf("the order link led to %s", got)
	}
	if got := browserkit.Eval[int](p, `document.querySelectorAll("ol.timeline > li.snap").length`); got != 2 {
		t.Fatalf("%d snapshots, want 2", got)
	}
	changes := browserkit.Eval[[][]string](p, `[...document.querySelectorAll("ol.timeline > li.snap:nth-child(2) table.changes tr")].map(r => [...r.cells].map(c => c.innerText.trim()))`)
	found := false
	for _, c := range changes {
		if len(c) == 4 && c[0] == "/kanbanColumnName" {
			found = true
			if c[1] != `"In Production"` || c[3] != `"Shipped"` {
				t.Errorf("the change reads %q", c)
			}
		} else if len(c) == 4 && c[0] != "/lastModifiedDate" && !strings.HasSuffix(c[0], "Date") {
			t.Errorf("a field that did not change is shown: %q", c)
		}
	}
	if !found {
		t.Fatalf("no change of /kanbanColumnName among %q", changes)
	}
	if !browserkit.Eval[bool](p, `document.querySelector("ol.timeline > li.snap:nth-child(2) table.changes tr.c-changed") !== null`) {
		t.Error("the change is not marked as one")
	}
	p.NoProblems()
}

// TestBrowserScriptStaysText: a customer name and an order key holding
// <script> and an onerror handler are shown as text on every page, and
// nothing of them runs.
func TestBrowserScriptStaysText(t *testing.T) {
	browserkit.Start(t) // skips before the site is built when the browser tests are off
	s := newSite(t)
	ev := capturekit.With(t, testkit.Events(t, generator.ProviderPhasio, 2)[1], "customerOrganisationName", capturekit.Script)
	d := s.b.Delivery(t, "", ev, wire.FaultNone)
	d.Key = capturekit.Script // as a receiver that trusts the payload's id would store it
	id := capturekit.Put(t, s.store, d)[0]

	b := browserkit.Start(t)
	for _, path := range []string{"/", "/deliveries/" + strconv.FormatInt(id, 10), "/orders/" + url.PathEscape(d.Key)} {
		t.Run(path, func(t *testing.T) {
			p := b.Page(t)
			p.Navigate(s.URL + path)
			p.WaitFor(`document.readyState === "complete"`, 5*time.Second)
			time.Sleep(100 * time.Millisecond) // an image's onerror would have fired
			if got := browserkit.Eval[string](p, `String(window.__xss)`); got != "undefined" {
				t.Fatalf("the injected script ran: window.__xss = %s", got)
			}
			if !browserkit.Eval[bool](p, `document.body.innerText.includes(`+strconv.Quote(capturekit.Script)+`)`) {
				t.Error("the payload is not shown as text")
			}
			scripts := browserkit.Eval[[]string](p, `[...document.scripts].map(s => s.src)`)
			if len(scripts) != 1 || scripts[0] != s.URL+"/static/app.js" {
				t.Errorf("scripts on the page: %q", scripts)
			}
			if n := browserkit.Eval[int](p, `document.querySelectorAll("img[onerror], [onerror]").length`); n != 0 {
				t.Errorf("%d elements with an onerror handler", n)
			}
			p.NoProblems()
		})
	}
	// The timeline of the live feed's row: rendered by the same template.
	t.Run("live", func(t *testing.T) {
		p := b.Page(t)
		p.Navigate(s.URL + "/")
		p.WaitFor(`document.getElementById("live").dataset.state === "open"`, 5*time.Second)
		again := *d
		newID := capturekit.Put(t, s.store, &again)[0]
		p.WaitFor(fmt.Sprintf(`document.querySelector('tr[data-id="%d"]') !== null`, newID), 2*time.Second)
		time.Sleep(100 * time.Millisecond)
		if got := browserkit.Eval[string](p, `String(window.__xss)`); got != "undefined" {
			t.Fatalf("the injected script ran from the live feed: window.__xss = %s", got)
		}
		if !browserkit.Eval[bool](p, fmt.Sprintf(`document.querySelector('tr[data-id="%d"] td.key').innerText.includes("<script>")`, newID)) {
			t.Error("the live row does not show the key as text")
		}
		p.NoProblems()
	})
}

// TestBrowserReplay: a person replays a delivery from its page to a
// receiver on 127.0.0.1; the form's CSRF token and the browser's own
// Origin and Sec-Fetch-Site headers pass, the receiver applies it, and the
// page shows its answer.
func TestBrowserReplay(t *testing.T) {
	browserkit.Start(t) // skips before the site is built when the browser tests are off
	s := newSite(t)
	recv := testrecv.Start(t, "phasio", testkit.PhasioSecret)
	id, _ := s.find(t, func(d *capture.Delivery) bool { return d.Provider == "phasio" && d.Verdict() == capture.VerdictOK })
	p := s.open(t, "/deliveries/"+strconv.FormatInt(id, 10))
	p.Type(`form[action$="/replay"] input[name="url"]`, recv.URL+"/hooks")
	p.Click(`form[action$="/replay"] button[type="submit"]`)
	if got := browserkit.Eval[string](p, `(document.getElementById("replay-status") || {}).textContent || document.body.innerText`); got != "200" {
		t.Fatalf("the page shows %q, not the receiver's 200", got)
	}
	if st := recv.Stats(); st.Received != 1 || st.Applied != 1 {
		t.Fatalf("the receiver got %+v", st)
	}
	p.NoProblems()
}

// TestMain lets the parallel tests run all at once (the live feed tests
// wait on the store's polls, which then overlap the tests that compute)
// and stops the browser the browser tests share.
func TestMain(m *testing.M) {
	parallel.Allow(32)
	browserkit.Main(m)
}
