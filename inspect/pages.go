package inspect

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log"
	"net/http"
	"net/url"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/orderhooks/orderhooks/capture"
	"github.com/orderhooks/orderhooks/internal/errs"
	"github.com/orderhooks/orderhooks/internal/platform"
	"github.com/orderhooks/orderhooks/internal/textw"
)

//go:embed ui
var uiFS embed.FS

// pages are the page templates, each parsed with the layout, on first
// use: parsing them at package initialisation made every start of the
// orderhooks command (most of which serve no page) some 7 ms slower.
var pages = sync.OnceValue(func() map[string]*template.Template {
	layout := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(uiFS, "ui/layout.html", "ui/row.html"))
	out := map[string]*template.Template{}
	for _, name := range []string{"list", "delivery", "timeline", "result", "error", "login"} {
		out[name] = template.Must(template.Must(layout.Clone()).ParseFS(uiFS, "ui/"+name+".html"))
	}
	return out
})

// rowTemplate is the row template alone, for the live feed.
func rowTemplate() *template.Template { return pages()["list"].Lookup("row") }

// static are the embedded assets, served by exact name only.
var static = func() map[string][]byte {
	out := map[string][]byte{}
	entries, _ := fs.ReadDir(uiFS, "ui/static")
	for _, e := range entries {
		b, _ := fs.ReadFile(uiFS, "ui/static/"+e.Name())
		out[e.Name()] = b
	}
	return out
}()

var funcs = template.FuncMap{
	"when": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000") },
	"ms":   millis,
}

// millis shows a duration in milliseconds, with a precision that suits
// it; nothing for none.
func millis(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return textw.Millis(d)
}

func (in *Inspector) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /{$}", in.list)
	m.HandleFunc("GET /events", in.events)
	m.HandleFunc("GET /deliveries/{id}", in.delivery)
	m.HandleFunc("GET /deliveries/{id}/body", in.download)
	m.HandleFunc("GET /deliveries/{id}/payload", in.download)
	m.HandleFunc("POST /deliveries/{id}/replay", in.replay)
	m.HandleFunc("POST /deliveries/{id}/curl", in.curl)
	m.HandleFunc("POST /deliveries/{id}/verify", in.verify)
	m.HandleFunc("GET /orders/{key}", in.timeline)
	m.HandleFunc("GET /orders/{key}/scenario", in.scenario)
	m.HandleFunc("GET /static/{name}", in.static)
	m.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) { in.login(w, r, http.StatusOK, "") })
	m.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) { in.login(w, r, http.StatusOK, "") })
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		in.notFound(w, r, "There is no page at this address.")
	})
	in.mux = m
}

// base is what every page's layout needs.
type base struct {
	Title string
	Store string
	CSRF  string
	Nav   string // list, timeline, delivery
}

func (in *Inspector) base(title, nav string) base {
	return base{Title: title, Store: path.Base(in.store.Path()), CSRF: in.csrf, Nav: nav}
}

// render executes a page into a buffer first, so that a template error
// becomes a clean 500 instead of half a page.
func (in *Inspector) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	if lp, ok := data.(*loginPage); ok {
		lp.base = in.base("Sign in", "")
	}
	var buf bytes.Buffer
	if err := pages()[page].ExecuteTemplate(&buf, "layout.html", data); err != nil {
		log.Printf("inspect: rendering %s: %v", page, err)
		in.plainError(w, http.StatusInternalServerError, "the page could not be rendered")
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}

type loginPage struct {
	base
	Problem string
}

type errorPage struct {
	base
	Status  int
	Heading string
	Message string
}

func (in *Inspector) notFound(w http.ResponseWriter, r *http.Request, msg string) {
	in.errorPage(w, r, http.StatusNotFound, "Not found", msg)
}

func (in *Inspector) errorPage(w http.ResponseWriter, r *http.Request, status int, heading, msg string) {
	in.render(w, r, status, "error", &errorPage{base: in.base(heading, ""), Status: status, Heading: heading, Message: msg})
}

// storeError answers a failed read of the store.
func (in *Inspector) storeError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	log.Printf("inspect: %s %s: %v", r.Method, r.URL.Path, err)
	in.errorPage(w, r, http.StatusInternalServerError, "The store could not be read", err.Error())
}

// plainError answers without a template (the checks before routing).
func (in *Inspector) plainError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintln(w, msg)
}

func (in *Inspector) static(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	b, ok := static[name]
	if !ok {
		in.notFound(w, r, "There is no such file.")
		return
	}
	switch path.Ext(name) {
	case ".css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case ".js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	case ".svg":
		w.Header().Set("Content-Type", "image/svg+xml")
	}
	w.Header().Set("Cache-Control", "no-cache")
	if r.Method != http.MethodHead {
		w.Write(b)
	}
}

// filterForm is the list's filter as the page shows it.
type filterForm struct {
	Provider, Event, Key, Verdict, Status string
	App                                   bool
}

// parse reads the filter from a query and checks it.
func (f *filterForm) parse(q url.Values) (capture.Filter, error) {
	f.Provider, f.Event, f.Key = strings.TrimSpace(q.Get("provider")), strings.TrimSpace(q.Get("event")), strings.TrimSpace(q.Get("key"))
	f.Verdict, f.Status, f.App = q.Get("verdict"), strings.TrimSpace(q.Get("status")), q.Get("app") != ""
	cf := capture.Filter{Provider: f.Provider, Event: f.Event, Key: f.Key, Verdict: capture.Verdict(f.Verdict), AppError: f.App}
	switch s := strings.ToLower(f.Status); {
	case s == "":
	case len(s) == 3 && strings.HasSuffix(s, "xx") && s[0] >= '1' && s[0] <= '5':
		cf.StatusClass = int(s[0] - '0')
	default:
		n, err := strconv.Atoi(s)
		if err != nil || n == 0 {
			return cf, fmt.Errorf("status %q: want a status such as 503, or a class such as 5xx", f.Status)
		}
		cf.Status = n
	}
	var oe *capture.OptionError
	if err := cf.Validate(); errors.As(err, &oe) {
		return cf, fmt.Errorf("%s %s: %s", strings.ToLower(oe.Field), errs.Shown(oe.Value), oe.Detail())
	} else if err != nil {
		return cf, err
	}
	return cf, nil
}

// values is the filter as a query (empty fields left out).
func (f *filterForm) values() url.Values {
	v := url.Values{}
	for _, kv := range [][2]string{{"provider", f.Provider}, {"event", f.Event}, {"key", f.Key}, {"verdict", f.Verdict}, {"status", f.Status}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	if f.App {
		v.Set("app", "error")
	}
	return v
}

// verdicts are the verdict filter's choices, with what each means.
var verdicts = []struct{ Value, Label string }{
	{"", "any verdict"},
	{string(capture.VerdictOK), "ok"},
	{string(capture.VerdictSignature), "signature bad, missing or stale"},
	{string(capture.VerdictSignatureBad), "signature bad"},
	{string(capture.VerdictSignatureMissing), "signature missing"},
	{string(capture.VerdictSignatureStale), "signature stale"},
	{string(capture.VerdictDecryptionFailed), "decryption failed"},
	{string(capture.VerdictMalformed), "malformed body"},
	{string(capture.VerdictSchemaInvalid), "schema violation"},
	{string(capture.VerdictRejected), "rejected otherwise"},
}

// matches reports whether a delivery belongs to the list f selects, for
// the live feed (the store's List applies the same rules in SQL).
func matches(f capture.Filter, s *capture.Summary) bool {
	switch {
	case f.Provider != "" && s.Provider != f.Provider,
		f.Event != "" && s.Event != f.Event,
		f.Key != "" && s.Key != f.Key,
		f.Status != 0 && s.Status != f.Status,
		f.StatusClass != 0 && s.Status/100 != f.StatusClass,
		f.AppError && s.AppError == "" && s.AppStatus < 400:
		return false
	case f.Verdict == capture.VerdictSignature:
		return strings.HasPrefix(string(s.Verdict), "signature-")
	case f.Verdict != "":
		return s.Verdict == f.Verdict
	}
	return true
}

// row is one delivery of the list.
type row struct {
	ID            int64
	URL, KeyURL   string
	At            time.Time
	Provider      string
	Event, Key    string
	Sig, SigClass string
	Schema        string
	SchemaClass   string
	Status        int
	StatusClass   string
	Outcome       string
	Latency       string
	App, AppClass string
	Verdict       string
}

func newRow(s *capture.Summary) row {
	r := row{ID: s.ID, URL: "/deliveries/" + strconv.FormatInt(s.ID, 10), At: s.ReceivedAt, Provider: s.Provider,
		Event: s.Event, Key: s.Key, Status: s.Status, Outcome: s.Outcome, Latency: millis(s.Handled), Verdict: string(s.Verdict)}
	if s.Key != "" {
		r.KeyURL = orderURL(s.Provider, s.Key)
	}
	r.Sig, r.SigClass = signatureText(s.Signature, s.Decryption)
	switch {
	case s.Violations > 0:
		r.Schema, r.SchemaClass = textw.Count(s.Violations, "violation", "violations"), "bad"
	case s.SchemaChecked:
		r.Schema, r.SchemaClass = "valid", "ok"
	default:
		r.Schema, r.SchemaClass = "not checked", "muted"
	}
	r.StatusClass = statusClass(s.Status)
	switch {
	case s.AppError != "":
		r.App, r.AppClass = "app: no answer", "bad"
	case s.AppStatus != 0:
		r.App, r.AppClass = "app "+strconv.Itoa(s.AppStatus)+" "+millis(s.AppLatency), statusClass(s.AppStatus)
	}
	return r
}

func signatureText(sig capture.Signature, dec capture.Decryption) (string, string) {
	switch {
	case sig == capture.SignatureOK && dec == capture.DecryptionFailed:
		return "ok, not decrypted", "bad"
	case sig == capture.SignatureOK:
		return "ok", "ok"
	case sig == "":
		return "not checked", "muted"
	}
	return string(sig), "bad"
}

func statusClass(status int) string {
	switch {
	case status == 0:
		return "muted"
	case status < 300:
		return "ok"
	case status < 500:
		return "warn"
	}
	return "bad"
}

// orderURL is the timeline page of an order.
func orderURL(provider, key string) string {
	u := "/orders/" + url.PathEscape(key)
	if provider != "" {
		u += "?provider=" + url.QueryEscape(provider)
	}
	return u
}

type listPage struct {
	base
	Filter    filterForm
	Verdicts  []struct{ Value, Label string }
	Providers []string
	Events    []string
	Rows      []row
	Count     int64
	Limit     int
	Older     string // the next page's URL, "" on the last page
	Newest    string // the first page's URL, "" on the first page
	Live      bool
	LiveURL   string
	Problem   string
}

// list serves the deliveries, newest first.
func (in *Inspector) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := &listPage{base: in.base("Deliveries", "list"), Verdicts: verdicts, Providers: platform.Providers(), Limit: DefaultPageSize}
	for _, name := range platform.Providers() {
		p.Events = append(p.Events, platform.Events(name)...)
	}
	for _, d := range in.cfg.defs {
		if !slices.Contains(p.Providers, d.Name()) {
			p.Providers = append(slices.Clone(p.Providers), d.Name())
		}
		p.Events = append(p.Events, d.EventNames()...)
	}
	p.Events = dedupe(p.Events)
	f, err := p.Filter.parse(q)
	if err != nil {
		p.Problem = err.Error()
		in.render(w, r, http.StatusBadRequest, "list", p)
		return
	}
	if v := q.Get("limit"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			p.Limit = min(n, MaxPageSize)
		}
	}
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	page, err := in.store.List(r.Context(), f, capture.ListOptions{Before: max(before, 0), Limit: p.Limit})
	if err != nil {
		in.storeError(w, r, err)
		return
	}
	if p.Count, err = in.store.Count(r.Context(), f); err != nil {
		in.storeError(w, r, err)
		return
	}
	for i := range page.Deliveries {
		p.Rows = append(p.Rows, newRow(&page.Deliveries[i]))
	}
	vals := p.Filter.values()
	if p.Limit != DefaultPageSize {
		vals.Set("limit", strconv.Itoa(p.Limit))
	}
	if page.Next != 0 {
		older := cloneValues(vals)
		older.Set("before", strconv.FormatInt(page.Next, 10))
		p.Older = "/?" + older.Encode()
	}
	if before > 0 {
		p.Newest = "/?" + vals.Encode()
	} else {
		p.Live = true
		last := int64(0)
		if len(page.Deliveries) > 0 {
			last = page.Deliveries[0].ID
		} else if last, err = in.store.LastID(r.Context()); err != nil {
			in.storeError(w, r, err)
			return
		}
		live := cloneValues(p.Filter.values())
		live.Set("after", strconv.FormatInt(last, 10))
		p.LiveURL = "/events?" + live.Encode()
	}
	in.render(w, r, http.StatusOK, "list", p)
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	out := s[:0]
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

// deliveryID reads the {id} of a path, or answers 404.
func (in *Inspector) deliveryID(w http.ResponseWriter, r *http.Request) (*capture.Delivery, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		in.notFound(w, r, "There is no delivery "+strconv.Quote(r.PathValue("id"))+" in this store: delivery ids are numbers from 1.")
		return nil, false
	}
	d, err := in.store.Get(r.Context(), id)
	if errors.Is(err, capture.ErrNotFound) {
		in.notFound(w, r, "There is no delivery "+strconv.FormatInt(id, 10)+" in this store.")
		return nil, false
	}
	if err != nil {
		in.storeError(w, r, err)
		return nil, false
	}
	return d, true
}

// download serves a delivery's raw body or payload as a file: never as a
// page, so a body holding HTML cannot run in the inspector's origin.
func (in *Inspector) download(w http.ResponseWriter, r *http.Request) {
	d, ok := in.deliveryID(w, r)
	if !ok {
		return
	}
	b, name, ctype := d.Body, bodyFile(d), "application/octet-stream"
	if strings.HasSuffix(r.URL.Path, "/payload") {
		if d.Payload == nil {
			in.notFound(w, r, "Delivery "+strconv.FormatInt(d.ID, 10)+" has no verified payload.")
			return
		}
		b, name, ctype = d.Payload, fmt.Sprintf("delivery-%d-payload.json", d.ID), "application/json"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	if r.Method != http.MethodHead {
		w.Write(b)
	}
}
