package inspect_test

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/capture"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/inspect"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/internal/testkit/capturekit"
	"github.com/orderhooks/orderhooks/internal/testkit/testrecv"
	"github.com/orderhooks/orderhooks/provider"
	"github.com/orderhooks/orderhooks/receiver"
	"github.com/orderhooks/orderhooks/wire"
)

// site is an inspector over a store filled with capturekit.Mixed.
type site struct {
	*httptest.Server
	store *capture.Store
	ds    []*capture.Delivery
	ids   []int64
	b     *capturekit.Builder
	// stop ends the live feeds and closes the server (at the test's end).
	stop func()
}

func newSite(t *testing.T, opts ...inspect.Option) *site {
	t.Helper()
	s, err := capture.Open(filepath.Join(t.TempDir(), "capture.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	b := capturekit.New(t)
	ds := capturekit.Mixed(t, b)
	ids := capturekit.Put(t, s, ds...)
	in, err := inspect.New(s, "127.0.0.1:0", opts...)
	if err != nil {
		t.Fatal(err)
	}
	// A live feed lives as long as its request's context: ending the
	// server's base context first ends the feeds a test (or a browser tab
	// still closing) left open, as `orderhooks inspect` does on Ctrl-C;
	// httptest.Server.Close alone waits for them for ever.
	base, endFeeds := context.WithCancel(context.Background())
	srv := httptest.NewUnstartedServer(in)
	srv.Config.BaseContext = func(net.Listener) context.Context { return base }
	srv.Start()
	st := &site{Server: srv, store: s, ds: ds, ids: ids, b: b}
	st.stop = func() {
		endFeeds()
		srv.Close()
	}
	t.Cleanup(st.stop)
	return st
}

// get fetches a page and returns its status and body.
func (s *site) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := s.Client().Get(s.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// csrf reads the form token of a page.
func csrf(t *testing.T, page string) string {
	t.Helper()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no CSRF token on the page")
	}
	return m[1]
}

func (s *site) post(t *testing.T, path string, form url.Values, header http.Header) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// rowIDs are the delivery ids of a list page, in order.
func rowIDs(page string) []int64 {
	var out []int64
	for _, m := range regexp.MustCompile(`<tr data-id="(\d+)"`).FindAllStringSubmatch(page, -1) {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		out = append(out, n)
	}
	return out
}

func TestList(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	status, page := s.get(t, "/")
	if status != 200 {
		t.Fatalf("GET /: %d\n%s", status, page)
	}
	ids := rowIDs(page)
	if len(ids) != len(s.ds) {
		t.Fatalf("rows: got %d, want %d", len(ids), len(s.ds))
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] >= ids[i-1] {
			t.Fatalf("not newest first: %v", ids)
		}
	}
	count := func(keep func(*capture.Delivery) bool) int {
		n := 0
		for _, d := range s.ds {
			if keep(d) {
				n++
			}
		}
		return n
	}
	hcKey := s.ds[len(s.ds)-5].Key
	for _, tc := range []struct {
		query string
		keep  func(*capture.Delivery) bool
	}{
		{"provider=happycolis", func(d *capture.Delivery) bool { return d.Provider == "happycolis" }},
		{"event=ORDER_UPDATED", func(d *capture.Delivery) bool { return d.Event == "ORDER_UPDATED" }},
		{"key=" + url.QueryEscape(hcKey), func(d *capture.Delivery) bool { return d.Key == hcKey }},
		{"verdict=signature", func(d *capture.Delivery) bool { return d.Signature != capture.SignatureOK }},
		{"verdict=signature-missing", func(d *capture.Delivery) bool { return d.Signature == capture.SignatureMissing }},
		{"verdict=schema-invalid", func(d *capture.Delivery) bool { return d.Verdict() == capture.VerdictSchemaInvalid }},
		{"status=4xx", func(d *capture.Delivery) bool { return d.Status/100 == 4 }},
		{"status=401", func(d *capture.Delivery) bool { return d.Status == 401 }},
		{"app=error", func(d *capture.Delivery) bool { return d.Forward != nil }},
		{"provider=phasio&status=2xx", func(d *capture.Delivery) bool { return d.Provider == "phasio" && d.Status/100 == 2 }},
	} {
		t.Run(tc.query, func(t *testing.T) {
			status, page := s.get(t, "/?"+tc.query)
			want := count(tc.keep)
			if got := len(rowIDs(page)); status != 200 || got != want || want == 0 || want == len(s.ds) {
				t.Fatalf("status %d, %d rows, want %d (of %d)", status, got, want, len(s.ds))
			}
			if !strings.Contains(page, `<span id="count">`+strconv.Itoa(want)+`</span>`) {
				t.Errorf("the count does not say %d", want)
			}
		})
	}
	for q, want := range map[string]string{
		"status=abc":       `status &#34;abc&#34;: want a status such as 503`,
		"status=9xx":       `status &#34;9xx&#34;: want a status such as 503`,
		"status=99":        `status 99: an HTTP status between 100 and 599`,
		"verdict=nonsense": `verdict nonsense: not a verdict (ok, signature`,
		"verdict=malformd": `(did you mean &#34;malformed&#34;?)`,
	} {
		status, page := s.get(t, "/?"+q)
		if status != 400 || !strings.Contains(page, `class="problem"`) || !strings.Contains(page, want) {
			t.Errorf("/?%s: status %d, want 400 with the problem said (%s)", q, status, want)
		}
	}
}

func TestListPages(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	var seen []int64
	next := "/?limit=4"
	for pages := 0; next != ""; pages++ {
		if pages > len(s.ds) {
			t.Fatal("pagination does not end")
		}
		status, page := s.get(t, next)
		if status != 200 {
			t.Fatalf("%s: %d", next, status)
		}
		ids := rowIDs(page)
		if len(ids) > 4 || len(ids) == 0 {
			t.Fatalf("%s: %d rows", next, len(ids))
		}
		seen = append(seen, ids...)
		live := strings.Contains(page, "data-live=")
		if live != (pages == 0) {
			t.Errorf("page %d: live %v (only the first page is live)", pages, live)
		}
		next = ""
		if m := regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(page); m != nil {
			next = strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	if len(seen) != len(s.ds) {
		t.Fatalf("pages hold %d deliveries, want %d", len(seen), len(s.ds))
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] >= seen[i-1] {
			t.Fatalf("pages not newest first without repeats: %v", seen)
		}
	}
}

// find returns the id of the first delivery keep selects.
func (s *site) find(t *testing.T, keep func(*capture.Delivery) bool) (int64, *capture.Delivery) {
	t.Helper()
	for i, d := range s.ds {
		if keep(d) {
			return s.ids[i], d
		}
	}
	t.Fatal("no such delivery in the fixture")
	return 0, nil
}

func TestDelivery(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	id, d := s.find(t, func(d *capture.Delivery) bool { return d.Verdict() == capture.VerdictSchemaInvalid })
	status, page := s.get(t, fmt.Sprintf("/deliveries/%d", id))
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	for _, want := range []string{
		"X-Phasio-Signature", d.Header.Get("X-Phasio-Signature"), // headers
		`class="raw"`,                          // raw body
		`<details open id="n0">`,               // the payload as a tree
		"HMAC-SHA256",                          // the signature explained
		"the encrypted payload string",         // what is signed
		"UTF-8 bytes of the secret string",     // the key derivation
		`<code>/quoteNumber</code></a>`,        // the violation, linked
		`class="leaf bad"`,                     // and marked in the tree
		d.Violations[0].Message,                // with its message
		`{&#34;ok&#34;:false,&#34;error&#34;:`, // the receiver's answer
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for p, secret := range map[string]string{"phasio": testkit.PhasioSecret, "happycolis": testkit.HappyColisSecret, "standard": testkit.StandardSecret} {
		if strings.Contains(page, secret) {
			t.Errorf("the page shows the %s secret", p)
		}
	}
	// The violation's line is the one marked.
	m := regexp.MustCompile(`<a href="#n(\d+)"><code>/quoteNumber</code>`).FindStringSubmatch(page)
	if m == nil || !regexp.MustCompile(`<div id="n`+m[1]+`" class="leaf bad"><span class="k">"quoteNumber"</span>`).MatchString(page) {
		t.Error("the violation does not link to the marked line of /quoteNumber")
	}

	fwdID, _ := s.find(t, func(d *capture.Delivery) bool { return d.Forward != nil })
	_, page = s.get(t, fmt.Sprintf("/deliveries/%d", fwdID))
	if !strings.Contains(page, "database is locked") || !strings.Contains(page, "http://127.0.0.1:3000/webhooks") {
		t.Error("the forwarded app's answer is not shown")
	}
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	for _, p := range []string{"/deliveries/999999", "/deliveries/0", "/deliveries/-3", "/deliveries/abc", "/deliveries/99999999999999999999",
		"/deliveries/999999/body", "/orders/no-such-order", "/orders/no-such-order/scenario", "/nowhere", "/static/nothing.css",
		"/static/..%2f..%2finspect.go", "/static/../inspect.go", "/deliveries/1/nothing"} {
		status, page := s.get(t, p)
		if status != 404 {
			t.Errorf("%s: status %d, want 404", p, status)
		}
		if p != "/static/../inspect.go" && !strings.Contains(page, "Not found") {
			t.Errorf("%s: not the 404 page", p)
		}
		if strings.Contains(page, "package inspect") {
			t.Errorf("%s: served a source file", p)
		}
	}
}

func TestEscaping(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	id, _ := s.find(t, func(d *capture.Delivery) bool { return strings.Contains(string(d.Payload), "__xss") })
	_, page := s.get(t, fmt.Sprintf("/deliveries/%d", id))
	if !strings.Contains(page, `&lt;script&gt;window.__xss=1&lt;/script&gt;`) {
		t.Error("the customer name is not shown as escaped text")
	}
	if strings.Contains(page, "<script>window") || strings.Contains(page, "<img src=x") {
		t.Error("the customer name reaches the page as markup")
	}
	resp, err := s.Client().Get(s.URL + fmt.Sprintf("/deliveries/%d", id))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	// Bodies are downloads, never pages.
	resp, err = s.Client().Get(s.URL + fmt.Sprintf("/deliveries/%d/payload", id))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("payload served as %q, %q", resp.Header.Get("Content-Type"), cd)
	}
}

func TestTimeline(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ph := s.ds[0]
	status, page := s.get(t, "/orders/"+url.PathEscape(ph.Key)+"?provider=phasio")
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	n := 0
	for _, d := range s.ds {
		if d.Key == ph.Key && d.Provider == "phasio" {
			n++
		}
	}
	if got := strings.Count(page, `<li class="snap`); got != n {
		t.Errorf("%d snapshots, want %d", got, n)
	}
	if !strings.Contains(page, `<span class="badge warn mark">duplicate</span>`) {
		t.Error("the redelivery is not marked duplicate")
	}
	// A quote-to-paid lifecycle moves the order across the Kanban board.
	if !regexp.MustCompile(`<tr class="c-changed"><th><code>/kanbanColumnName</code></th><td class="old">[^<]*</td><td class="arrow">→</td><td class="new">&#34;[^<]+&#34;</td>`).MatchString(page) {
		t.Error("no change of /kanbanColumnName shown")
	}

	hc := s.ds[len(s.ds)-5]
	_, page = s.get(t, "/orders/"+url.PathEscape(hc.Key))
	if !strings.Contains(page, `<span class="badge bad mark">out of order</span>`) {
		t.Error("the swapped HappyColis snapshot is not marked out of order")
	}
}

func TestHostHeader(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	for host, want := range map[string]int{
		"localhost:8790": 200, "127.0.0.1": 200, "[::1]:8790": 200, "app.localhost:1": 200,
		"evil.example:8790": 421, "127.0.0.1.evil.example": 421, "localhost.evil.example": 421,
	} {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/", nil)
		req.Host = host
		resp, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %q: %d, want %d", host, resp.StatusCode, want)
		}
	}
}

func TestPostNeedsToken(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	recv := testrecv.Start(t, "phasio", testkit.PhasioSecret)
	id := s.ids[0]
	_, page := s.get(t, fmt.Sprintf("/deliveries/%d", id))
	token := csrf(t, page)
	form := url.Values{"url": {recv.URL + "/hooks"}}
	for name, tc := range map[string]struct {
		form   url.Values
		header http.Header
	}{
		"no token":         {form, nil},
		"wrong token":      {with(form, "csrf", "x"+token), nil},
		"cross-site":       {with(form, "csrf", token), http.Header{"Sec-Fetch-Site": {"cross-site"}}},
		"other origin":     {with(form, "csrf", token), http.Header{"Origin": {"http://evil.example"}}},
		"null origin":      {with(form, "csrf", token), http.Header{"Origin": {"null"}}},
		"same-site is not": {with(form, "csrf", token), http.Header{"Sec-Fetch-Site": {"same-site"}}},
	} {
		status, _ := s.post(t, fmt.Sprintf("/deliveries/%d/replay", id), tc.form, tc.header)
		if status != 403 {
			t.Errorf("%s: status %d, want 403", name, status)
		}
	}
	if got := recv.Stats().Received; got != 0 {
		t.Fatalf("refused forms sent %d deliveries", got)
	}
	status, page := s.post(t, fmt.Sprintf("/deliveries/%d/replay", id), with(form, "csrf", token),
		http.Header{"Sec-Fetch-Site": {"same-origin"}, "Origin": {s.URL}})
	if status != 200 || !strings.Contains(page, `id="replay-status">200<`) || recv.Stats().Received != 1 {
		t.Fatalf("a same-origin form with its token: status %d, received %d\n%s", status, recv.Stats().Received, page)
	}
	// GET cannot act.
	if status, _ := s.get(t, fmt.Sprintf("/deliveries/%d/replay", id)); status != 404 && status != 405 {
		t.Errorf("GET replay: %d", status)
	}
	req, _ := http.NewRequest(http.MethodDelete, s.URL+"/", nil)
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 {
		t.Errorf("DELETE: %d", resp.StatusCode)
	}
}

func with(v url.Values, k, val string) url.Values {
	out := url.Values{}
	for kk, vv := range v {
		out[kk] = vv
	}
	out.Set(k, val)
	return out
}

func TestReplay(t *testing.T) {
	t.Parallel()
	other := map[string]string{}
	for _, p := range []string{"phasio", "happycolis"} {
		sec, err := wire.NewSecret(p, strings.NewReader(strings.Repeat("r", 64)))
		if err != nil {
			t.Fatal(err)
		}
		other[p] = sec
	}
	s := newSite(t, inspect.WithGetenv(func(name string) string {
		if name == "HC_SECRET" {
			return other["happycolis"]
		}
		return ""
	}))
	for _, tc := range []struct {
		name, provider, secret, field string
	}{
		{"phasio as captured", "phasio", testkit.PhasioSecret, ""},
		{"happycolis as captured", "happycolis", testkit.HappyColisSecret, ""},
		{"phasio re-signed, typed in", "phasio", other["phasio"], other["phasio"]},
		{"happycolis re-signed, env", "happycolis", other["happycolis"], "env:HC_SECRET"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recv := testrecv.Start(t, tc.provider, tc.secret)
			id, _ := s.find(t, func(d *capture.Delivery) bool { return d.Provider == tc.provider && d.Verdict() == capture.VerdictOK })
			_, page := s.get(t, fmt.Sprintf("/deliveries/%d", id))
			status, page := s.post(t, fmt.Sprintf("/deliveries/%d/replay", id),
				url.Values{"csrf": {csrf(t, page)}, "url": {recv.URL + "/hooks"}, "secret": {tc.field}}, nil)
			if status != 200 || !strings.Contains(page, `id="replay-status">200<`) {
				t.Fatalf("status %d\n%s", status, page)
			}
			if st := recv.Stats(); st.Applied != 1 {
				t.Fatalf("receiver: %+v", st)
			}
			if strings.Contains(page, tc.secret) {
				t.Fatal("the result page shows the secret")
			}
		})
	}
	id := s.ids[0]
	_, page := s.get(t, fmt.Sprintf("/deliveries/%d", id))
	token := csrf(t, page)
	for field, want := range map[string]string{
		"env:NOT_SET":      "NOT_SET",
		"file:/etc/passwd": "file: is not read from the page",
	} {
		status, page := s.post(t, fmt.Sprintf("/deliveries/%d/replay", id), url.Values{"csrf": {token}, "url": {"http://127.0.0.1:1/"}, "secret": {field}}, nil)
		if status != 400 || !strings.Contains(page, want) {
			t.Errorf("secret %q: status %d, want 400 saying %q", field, status, want)
		}
	}
	for _, target := range []string{"", "ftp://127.0.0.1/", "javascript:alert(1)", "127.0.0.1:80"} {
		status, _ := s.post(t, fmt.Sprintf("/deliveries/%d/replay", id), url.Values{"csrf": {token}, "url": {target}}, nil)
		if status != 400 {
			t.Errorf("target %q: status %d, want 400", target, status)
		}
	}
	// A target that refuses: the page says so.
	status, page := s.post(t, fmt.Sprintf("/deliveries/%d/replay", id), url.Values{"csrf": {token}, "url": {"http://127.0.0.1:1/"}}, nil)
	if status != 200 || !strings.Contains(page, `class="problem"`) {
		t.Errorf("refused target: status %d", status)
	}
}

// TestCurl runs the page's curl commands against receivers: the command
// as captured, and re-signed with another secret.
func TestCurl(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("curl"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("curl is needed")
		}
		t.Skip("no curl")
	}
	other, err := wire.NewSecret("happycolis", strings.NewReader(strings.Repeat("c", 64)))
	if err != nil {
		t.Fatal(err)
	}
	s := newSite(t)
	for _, provider := range []string{"phasio", "happycolis"} {
		id, _ := s.find(t, func(d *capture.Delivery) bool { return d.Provider == provider && d.Verdict() == capture.VerdictOK })
		_, page := s.get(t, fmt.Sprintf("/deliveries/%d", id))
		captured := unescape(regexp.MustCompile(`(?s)<pre class="raw small" id="curl-captured">(.*?)</pre>`).FindStringSubmatch(page)[1])
		recv := testrecv.Start(t, provider, testkit.Secret(provider))
		// As captured it goes to the captured address: point it here.
		captured = strings.Replace(captured, "http://hooks.example/webhooks/"+provider, recv.URL+"/hooks", 1)
		runCurl(t, captured)
		if recv.Stats().Applied != 1 {
			t.Fatalf("%s: the captured curl command was not applied: %+v", provider, recv.Stats())
		}
	}
	id, _ := s.find(t, func(d *capture.Delivery) bool { return d.Provider == "happycolis" && d.Verdict() == capture.VerdictOK })
	recv := testrecv.Start(t, "happycolis", other)
	_, page := s.get(t, fmt.Sprintf("/deliveries/%d", id))
	status, page := s.post(t, fmt.Sprintf("/deliveries/%d/curl", id), url.Values{"csrf": {csrf(t, page)}, "url": {recv.URL + "/x"}, "secret": {other}}, nil)
	m := regexp.MustCompile(`(?s)<pre class="raw small" id="curl-signed">(.*?)</pre>`).FindStringSubmatch(page)
	if status != 200 || m == nil {
		t.Fatalf("status %d, no signed command", status)
	}
	if strings.Contains(page, other) {
		t.Fatal("the page shows the secret")
	}
	runCurl(t, unescape(m[1]))
	if recv.Stats().Applied != 1 {
		t.Fatalf("the re-signed curl command was not applied: %+v", recv.Stats())
	}
}

func unescape(s string) string {
	return strings.NewReplacer("&#39;", "'", "&#34;", `"`, "&lt;", "<", "&gt;", ">", "&amp;", "&", "&#43;", "+").Replace(s)
}

func runCurl(t *testing.T, cmd string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "sh", "-c", cmd).CombinedOutput()
	if err != nil || !strings.Contains(string(out), `"ok":true`) {
		t.Fatalf("%v: %s\ncommand:\n%s", err, out, cmd)
	}
}

func TestVerifyWithSecret(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	id, _ := s.find(t, func(d *capture.Delivery) bool { return d.Signature == capture.SignatureBad })
	_, page := s.get(t, fmt.Sprintf("/deliveries/%d", id))
	token := csrf(t, page)
	_, page = s.post(t, fmt.Sprintf("/deliveries/%d/verify", id), url.Values{"csrf": {token}, "secret": {testkit.PhasioSecret}}, nil)
	if !strings.Contains(page, "signature mismatch with this secret") {
		t.Error("a forged signature is not called a mismatch")
	}
	okID, _ := s.find(t, func(d *capture.Delivery) bool { return d.Provider == "phasio" && d.Verdict() == capture.VerdictOK })
	_, page = s.post(t, fmt.Sprintf("/deliveries/%d/verify", okID), url.Values{"csrf": {token}, "secret": {testkit.PhasioSecret}}, nil)
	if !strings.Contains(page, "valid with this secret") || strings.Contains(page, testkit.PhasioSecret) {
		t.Error("a valid signature is not confirmed, or the secret is shown")
	}
	// A body signed with the decoded key bytes: the usual mistake is named.
	ev := testkit.Events(t, generator.ProviderPhasio, 1)[0]
	p := s.b.Profile("phasio")
	req, err := p.Build(&wire.Message{Event: ev, ID: "m"}, wire.FaultNone)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range wire.Mistakes("phasio") {
		bad, ok, err := wire.MisSign(p, testkit.PhasioSecret, req, m.Name)
		if err != nil || !ok {
			continue
		}
		d := s.b.Received(t, "phasio", bad.Header, bad.Body, testkit.Time)
		if d.Signature != capture.SignatureBad {
			continue
		}
		mid := capturekit.Put(t, s.store, d)[0]
		_, page = s.post(t, fmt.Sprintf("/deliveries/%d/verify", mid), url.Values{"csrf": {token}, "secret": {testkit.PhasioSecret}}, nil)
		if !strings.Contains(page, m.Signed) {
			t.Errorf("mistake %s is not named", m.Name)
		}
	}
}

func TestLiveFeed(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	last := s.ids[len(s.ids)-1]
	hc := s.ds[len(s.ds)-5]
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/events?provider=happycolis&after="+strconv.FormatInt(last, 10), nil)
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	ph := s.ds[0]
	// A Phasio delivery the filter leaves out, then a HappyColis one.
	newIDs := capturekit.Put(t, s.store, ph, hc)
	r := bufio.NewReader(resp.Body)
	var lines []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("feed ended: %v after %q", err, lines)
		}
		lines = append(lines, line)
		if strings.HasPrefix(line, "data: ") {
			if !strings.Contains(line, `"id":`+strconv.FormatInt(newIDs[1], 10)) || !strings.Contains(line, `\u003ctr data-id=\"`+strconv.FormatInt(newIDs[1], 10)) {
				t.Fatalf("first event is not the HappyColis delivery's row: %s", line)
			}
			break
		}
	}
	if !strings.Contains(strings.Join(lines, ""), "id: "+strconv.FormatInt(newIDs[1], 10)+"\n") {
		t.Errorf("the event has no id for reconnection: %q", lines)
	}
}

// TestSiteEndsOpenFeeds: the test site stops while a live feed is open
// (a browser tab that is still closing holds one): stop returns at once and
// the feed's response ends, instead of httptest.Server.Close waiting for
// the feed for ever.
func TestSiteEndsOpenFeeds(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/events", nil)
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	// Closing the body (at the latest when the test fails) ends the feed
	// from the client's side, so that a stop still waiting returns.
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	if line, err := r.ReadString('\n'); err != nil || line != ": live\n" {
		t.Fatalf("the feed did not open: %q, %v", line, err)
	}
	stopped := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(stopped)
		s.stop()
	}()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("the site is still stopping 10 s after it was asked, a live feed open")
	}
	ended := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, r)
		ended <- err
	}()
	select {
	case err := <-ended:
		t.Logf("stopped in %v; the feed ended (%v)", time.Since(start).Round(time.Millisecond), err)
	case <-time.After(10 * time.Second):
		t.Fatal("the feed is still open after the site stopped")
	}
}

func TestScenarioExport(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ph := s.ds[0]
	for _, raw := range []bool{false, true} {
		path := "/orders/" + url.PathEscape(ph.Key) + "/scenario?provider=phasio"
		if raw {
			path += "&raw=1"
		}
		resp, err := s.Client().Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("status %d, %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
		}
		sc, err := generator.ParseScenario(b, "export")
		if err != nil {
			t.Fatalf("the export is not a scenario: %v\n%s", err, b)
		}
		if len(sc.Steps) < 5 {
			t.Fatalf("%d steps", len(sc.Steps))
		}
		name := "Apextech"
		if strings.Contains(string(ph.Payload), `"customerOrganisationName":"`) {
			name = strings.SplitN(strings.SplitN(string(ph.Payload), `"customerOrganisationName":"`, 2)[1], `"`, 2)[0]
		}
		if got := strings.Contains(string(b), name); got != raw {
			t.Errorf("raw %v: customer name %q in the export: %v", raw, name, got)
		}
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	s, err := capture.Open(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, tc := range []struct {
		addr  string
		opts  []inspect.Option
		err   error
		valid bool
	}{
		{addr: "127.0.0.1:8790", valid: true},
		{addr: "localhost:0", valid: true},
		{addr: "[::1]:8790", valid: true},
		{addr: "127.0.0.2:8790", valid: true},
		{addr: "0.0.0.0:8790", err: inspect.ErrExposed},
		{addr: ":8790", err: inspect.ErrExposed},
		{addr: "192.0.2.10:8790", err: inspect.ErrExposed},
		{addr: "0.0.0.0:8790", opts: []inspect.Option{inspect.WithToken("0123456789abcdef")}, valid: true},
		{addr: "0.0.0.0:8790", opts: []inspect.Option{inspect.WithToken("short")}, err: inspect.ErrToken},
		{addr: "8790", err: inspect.ErrAddr},
	} {
		_, err := inspect.New(s, tc.addr, tc.opts...)
		if tc.valid && err != nil || !tc.valid && !errors.Is(err, tc.err) {
			t.Errorf("%s: %v, want %v", tc.addr, err, tc.err)
		}
	}
}

func TestToken(t *testing.T) {
	t.Parallel()
	const token = "a-long-enough-token-for-tests"
	s, err := capture.Open(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	in, err := inspect.New(s, "0.0.0.0:0", inspect.WithToken(token))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(in)
	defer srv.Close()
	status := func(c *http.Client, req *http.Request) (int, string) {
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	get := func(path string) *http.Request { r, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil); return r }
	for _, p := range []string{"/", "/deliveries/1", "/events", "/orders/1"} {
		if st, page := status(srv.Client(), get(p)); st != 401 || !strings.Contains(page, `name="token"`) {
			t.Errorf("%s without the token: %d, want 401 with the sign-in form", p, st)
		}
	}
	if st, _ := status(srv.Client(), get("/static/style.css")); st != 200 {
		t.Errorf("the stylesheet of the sign-in page: %d", st)
	}
	r := get("/")
	r.Header.Set("Authorization", "Bearer "+token)
	if st, _ := status(srv.Client(), r); st != 200 {
		t.Errorf("bearer token: %d", st)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	_, page := status(c, get("/login"))
	login := func(tok string) int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/login", strings.NewReader(url.Values{"csrf": {csrf(t, page)}, "token": {tok}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		st, _ := status(c, req)
		return st
	}
	if st := login("wrong-token-wrong-token"); st != 401 {
		t.Errorf("wrong token: %d", st)
	}
	if st := login(token); st != 200 { // 303 to /, followed
		t.Errorf("right token: %d", st)
	}
	if st, _ := status(c, get("/")); st != 200 {
		t.Errorf("signed in: %d", st)
	}
	for _, ck := range jar.Cookies(mustURL(srv.URL)) {
		if strings.Contains(ck.Value, token) {
			t.Error("the cookie holds the token")
		}
	}
}

func mustURL(s string) *url.URL { u, _ := url.Parse(s); return u }

func TestHugeBody(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	d := *s.ds[0]
	d.Body = []byte(strings.Repeat("<script>x</script>", 300000)) // 5.4 MB
	id := capturekit.Put(t, s.store, &d)[0]
	status, page := s.get(t, fmt.Sprintf("/deliveries/%d", id))
	if status != 200 || len(page) > 1<<20 || !strings.Contains(page, "first 64.0 KiB shown") {
		t.Fatalf("status %d, page %d bytes", status, len(page))
	}
	if strings.Contains(page, "<script>x") {
		t.Fatal("the body reaches the page as markup")
	}
}

// TestLiveFeedOutlivesServerTimeouts: a live feed stays open, and goes on
// sending what another process stores, past the read and write timeouts of
// the server it is served by (the CLI's server reads a request for at most
// 30 seconds; net/http ends a handler's context when that read deadline
// passes, which ended every feed after 30 seconds and lost what a feed was
// still to send). The deliveries are stored through a second handle on the
// file, as a receiver in another process stores them: nothing in this
// process announces them.
func TestLiveFeedOutlivesServerTimeouts(t *testing.T) {
	t.Parallel()
	const timeout = 200 * time.Millisecond
	for _, tc := range []struct {
		name string
		set  func(*http.Server)
	}{
		{"ReadTimeout", func(s *http.Server) { s.ReadTimeout = timeout }},
		{"WriteTimeout", func(s *http.Server) { s.WriteTimeout = timeout }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			liveFeedPastTimeout(t, timeout, tc.set)
		})
	}
}

func liveFeedPastTimeout(t *testing.T, timeout time.Duration, set func(*http.Server)) {
	path := filepath.Join(t.TempDir(), "capture.db")
	w, err := capture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ds := capturekit.Mixed(t, capturekit.New(t))
	last := capturekit.Put(t, w, ds[0])[0]
	r, err := capture.OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	in, err := inspect.New(r, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(in)
	set(srv.Config)
	srv.Start()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/events?after="+strconv.FormatInt(last, 10), nil)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	// The server has read the request: both deadlines are set, and
	// end before opened+timeout.
	opened := time.Now()
	defer resp.Body.Close()
	events := make(chan string)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			if id, ok := strings.CutPrefix(sc.Text(), "id: "); ok {
				events <- id
			}
		}
	}()
	// One delivery before the timeouts pass, then two after them.
	want := capturekit.Put(t, w, ds[1])
	next := func() string {
		select {
		case id, ok := <-events:
			if !ok {
				t.Fatalf("the feed ended (want %v)", want)
			}
			return id
		case <-ctx.Done():
			t.Fatalf("no event in time (want %v)", want)
		}
		return ""
	}
	if got := next(); got != strconv.FormatInt(want[0], 10) {
		t.Fatalf("first event %s, want %d", got, want[0])
	}
	// Well past the deadlines (the first event took a poll of the store,
	// WatchInterval, which may be as long).
	time.Sleep(time.Until(opened.Add(3 * timeout)))
	later := capturekit.Put(t, w, ds[2], ds[3])
	for _, id := range later {
		if got := next(); got != strconv.FormatInt(id, 10) {
			t.Fatalf("event %s, want %d", got, id)
		}
	}
}

// TestDamagedStore: a store whose pages of deliveries are damaged after
// it opened (checking every page of a large store on opening would take
// minutes) answers with the error page, 500 and what is wrong, not a
// crash; pages that need no delivery go on being served.
func TestDamagedStore(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "capture.db")
	w, err := capture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	capturekit.Put(t, w, capturekit.Mixed(t, capturekit.New(t))...)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	// Everything into the file itself (a closed store may leave its
	// write-ahead log beside it).
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	// The schema and meta pages (the first eight) stay; the deliveries'
	// pages after them are overwritten.
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := f.Stat()
	junk := []byte(strings.Repeat("\xa5", int(st.Size())-8*4096))
	if len(junk) < 4096 {
		t.Fatalf("the store is only %d bytes", st.Size())
	}
	if _, err := f.WriteAt(junk, 8*4096); err != nil {
		t.Fatal(err)
	}
	f.Close()
	s, err := capture.OpenReadOnly(path)
	if err != nil {
		t.Fatalf("the damage is found on opening (%v): move it further", err)
	}
	defer s.Close()
	in, err := inspect.New(s, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(in)
	defer srv.Close()
	site := &site{Server: srv, store: s}
	status, page := site.get(t, "/")
	if status != http.StatusInternalServerError || !strings.Contains(page, "The store could not be read") || !strings.Contains(page, "damaged") {
		t.Errorf("the list of a damaged store: %d %d rows", status, len(rowIDs(page)))
	}
	if status, _ := site.get(t, "/static/style.css"); status != 200 {
		t.Errorf("the stylesheet: %d after a damaged page", status)
	}
}

// TestDefinitionDeliveries: given the definition (WithDefinitions), the
// pages verify a provider definition's delivery with a secret, name the
// definition in the list's filters, and replay the delivery re-signed
// with another secret to a receiver of that definition, as they do a
// built-in's.
func TestDefinitionDeliveries(t *testing.T) {
	t.Parallel()
	def, err := provider.Load(filepath.Join("..", "testdata", "providers", "shop.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := wire.NewDefinitionSecret(def, "", strings.NewReader(strings.Repeat("s", 64)))
	other, _ := wire.NewDefinitionSecret(def, "", strings.NewReader(strings.Repeat("o", 64)))
	prof, err := wire.Compile(def, secret)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := generator.FromDefinition(def, 1, "event:order_paid", 1, false)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	req, err := prof.Build(&wire.Message{Event: evs[0], ID: "evt_1", Time: now}, wire.FaultNone)
	if err != nil {
		t.Fatal(err)
	}
	got, err := prof.Verify(req.Header, req.Body)
	if err != nil {
		t.Fatal(err)
	}
	d := &capture.Delivery{ReceivedAt: now, Method: http.MethodPost, Host: "hooks.example", Path: "/hooks", Header: req.Header,
		Body: req.Body, Provider: def.Name(), Signature: capture.SignatureOK, Event: got.Event, DeliveryID: got.ID,
		Payload: got.Payload, Key: evs[0].OrderKey, Status: http.StatusOK, Outcome: "applied", Answer: []byte(`{"ok":true}`)}
	s := newSite(t, inspect.WithDefinitions(def))
	id := capturekit.Put(t, s.store, d)[0]
	_, page := s.get(t, "/")
	if !strings.Contains(page, `<option value="shop"`) || !strings.Contains(page, `<option value="order_paid">`) {
		t.Error("the list's filters do not offer the definition and its events")
	}
	_, page = s.get(t, fmt.Sprintf("/deliveries/%d", id))
	token := csrf(t, page)
	_, page = s.post(t, fmt.Sprintf("/deliveries/%d/verify", id), url.Values{"csrf": {token}, "secret": {secret}}, nil)
	if !strings.Contains(page, "valid with this secret") {
		t.Errorf("the shop's delivery is not verified with its secret:\n%s", page)
	}
	_, page = s.post(t, fmt.Sprintf("/deliveries/%d/verify", id), url.Values{"csrf": {token}, "secret": {other}}, nil)
	if !strings.Contains(page, "signature mismatch with this secret") {
		t.Error("another secret is not called a mismatch")
	}
	otherProf, _ := wire.Compile(def, other)
	recv, err := receiver.Start(otherProf)
	if err != nil {
		t.Fatal(err)
	}
	defer recv.Close()
	status, page := s.post(t, fmt.Sprintf("/deliveries/%d/replay", id),
		url.Values{"csrf": {token}, "url": {recv.URL + "/hooks"}, "secret": {other}}, nil)
	if status != 200 || !strings.Contains(page, `id="replay-status">200<`) || recv.Stats().Applied != 1 {
		t.Fatalf("re-signed replay: status %d, receiver %+v\n%s", status, recv.Stats(), page)
	}
}
