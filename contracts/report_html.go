package contracts

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/orderhooks/orderhooks/internal/textw"
)

//go:embed report_html.tmpl
var reportHTMLSource string

var reportHTML = template.Must(template.New("report").Funcs(template.FuncMap{
	"ms": func(d time.Duration) string { return formatMillis(d) },
}).Parse(reportHTMLSource))

// WriteHTML writes the report as one self-contained HTML page: the
// summary, every check with its verdict, evidence and reproducing
// command, the deliveries of each order in the order sent, and a
// histogram of the answers' latencies. Styles and drawings are inline
// (CSS and SVG); the page loads nothing and runs no script, so a CI job
// can publish it as an artifact and it reads the same offline, printed or
// on a phone. The markup is well-formed XML (XHTML syntax), so tools can
// parse it strictly. Like every report, it holds no secret: evidence and
// errors are redacted when the run records them.
func (r *Report) WriteHTML(w io.Writer) error {
	return reportHTML.Execute(w, newHTMLReport(r))
}

// statusClass is the CSS class and the label of a check status.
func statusClass(s Status) (class, label string) {
	switch s {
	case StatusPass:
		return "pass", "pass"
	case StatusFail:
		return "fail", "FAIL"
	case StatusWarn:
		return "warn", "warn"
	case StatusInconclusive:
		return "inconclusive", "inconclusive"
	case StatusInterrupted:
		return "interrupted", "interrupted"
	}
	return "skip", "skip"
}

type htmlTile struct {
	Label, Class string
	N            int
}

type htmlSegment struct {
	X, W         float64
	Class, Title string
}

type htmlSent struct {
	Offset, Event, Role, Fault, Note string
	Status                           int
	StatusClass                      string
	Latency, DeliveryID, Error       string
}

type htmlDot struct {
	X     float64
	Class string
	Title string
}

type htmlOrder struct {
	Key   string
	Rows  []htmlSent
	Strip []htmlDot
}

type htmlCheck struct {
	Result
	Class, Label, Anchor string
	Orders               []htmlOrder
	Open                 bool
}

type htmlBar struct {
	X, Y, W, H float64
	Label      string
	N          int
	LabelX     float64
}

type htmlHistogram struct {
	Bars                            []htmlBar
	N                               int
	P50, P90, P99, Max, Slowest     string
	Width, Height, Base, MaxY, BarW float64
}

type htmlReport struct {
	R                      *Report
	Failed                 bool
	Verdict                string
	Tiles                  []htmlTile
	Bar                    []htmlSegment
	Checks                 []htmlCheck
	Other                  []htmlOrder // preflight and diagnosis deliveries
	Hist                   htmlHistogram
	Sent, Orders, Answered int
	Duration               string
}

func newHTMLReport(r *Report) *htmlReport {
	h := &htmlReport{R: r, Failed: r.Failed(), Sent: len(r.Sent), Duration: formatMillis(r.Summary.Duration)}
	h.Verdict = "passed"
	switch {
	case r.Error != "":
		h.Verdict = "did not run"
	case h.Failed:
		h.Verdict = "failed"
	case r.Stopped != nil:
		h.Verdict = "interrupted"
	}
	s := r.Summary
	for _, t := range []htmlTile{{"passed", "pass", s.Passed}, {"failed", "fail", s.Failed}, {"warned", "warn", s.Warned},
		{"inconclusive", "inconclusive", s.Inconclusive}, {"interrupted", "interrupted", s.Interrupted}, {"skipped", "skip", s.Skipped}} {
		if t.N > 0 || t.Class == "pass" || t.Class == "fail" {
			h.Tiles = append(h.Tiles, t)
		}
	}
	if s.Total > 0 {
		x := 0.0
		for _, t := range h.Tiles {
			if t.N == 0 {
				continue
			}
			w := 1000 * float64(t.N) / float64(s.Total)
			h.Bar = append(h.Bar, htmlSegment{X: x, W: w, Class: t.Class, Title: strconv.Itoa(t.N) + " " + t.Label})
			x += w
		}
	}
	byCheck := map[string][]Sent{}
	keys := map[string]bool{}
	for _, d := range r.Sent {
		byCheck[d.Check] = append(byCheck[d.Check], d)
		if d.OrderKey != "" {
			keys[d.OrderKey] = true
		}
		if d.Status != 0 {
			h.Answered++
		}
	}
	h.Orders = len(keys)
	for _, c := range r.Checks {
		class, label := statusClass(c.Status)
		h.Checks = append(h.Checks, htmlCheck{Result: c, Class: class, Label: label, Anchor: "check-" + c.Name,
			Orders: orders(byCheck[c.Name]), Open: c.Status != StatusPass && c.Status != StatusSkip})
	}
	h.Other = orders(byCheck[""])
	h.Hist = histogram(r.Sent)
	return h
}

// orders groups deliveries by order, in the order each order was first
// sent, each order's deliveries by time.
func orders(ds []Sent) []htmlOrder {
	var out []htmlOrder
	var groups [][]Sent
	at := map[string]int{}
	for _, d := range ds {
		i, ok := at[d.OrderKey]
		if !ok {
			i = len(out)
			at[d.OrderKey] = i
			out = append(out, htmlOrder{Key: d.OrderKey})
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], d)
	}
	for i, g := range groups {
		slices.SortStableFunc(g, func(a, b Sent) int { return a.Time.Compare(b.Time) })
		first, last := g[0].Time, g[len(g)-1].Time
		span := last.Sub(first)
		for j, d := range g {
			row := htmlSent{Offset: "+" + formatMillis(d.Time.Sub(first)), Event: d.Event, Role: d.Role, Fault: string(d.Fault),
				Note: d.Note, Status: d.Status, StatusClass: httpClass(d.Status), Latency: formatMillis(d.Latency),
				DeliveryID: d.DeliveryID, Error: d.Error}
			if d.Time.Sub(first) == 0 {
				row.Offset = "+0"
			}
			out[i].Rows = append(out[i].Rows, row)
			x := 6.0
			switch {
			case span > 0:
				x = 6 + 288*float64(d.Time.Sub(first))/float64(span)
			case len(g) > 1:
				x = 6 + 288*float64(j)/float64(len(g)-1)
			}
			out[i].Strip = append(out[i].Strip, htmlDot{X: math.Round(x*10) / 10, Class: row.StatusClass,
				Title: fmt.Sprintf("%s %s %s", row.Offset, d.Event, statusText(d.Status))})
		}
	}
	return out
}

func statusText(status int) string {
	if status == 0 {
		return "no answer"
	}
	return strconv.Itoa(status)
}

// httpClass is the CSS class of an HTTP status.
func httpClass(status int) string {
	switch {
	case status == 0:
		return "none"
	case status < 300:
		return "s2"
	case status < 500:
		return "s4"
	}
	return "s5"
}

// latencyBuckets are the histogram's upper bounds (the last is open).
var latencyBuckets = []time.Duration{time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond,
	20 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2 * time.Second, 5 * time.Second}

// histogram counts the answered deliveries' latencies in logarithmic
// buckets and draws them as bars.
func histogram(ds []Sent) htmlHistogram {
	h := htmlHistogram{Width: 640, Height: 190, Base: 150}
	var lat []time.Duration
	counts := make([]int, len(latencyBuckets)+1)
	for _, d := range ds {
		if d.Status == 0 {
			continue
		}
		lat = append(lat, d.Latency)
		i, _ := slices.BinarySearch(latencyBuckets, d.Latency)
		counts[i]++
	}
	h.N = len(lat)
	if h.N == 0 {
		return h
	}
	slices.Sort(lat)
	q := func(p float64) string {
		return formatMillis(lat[min(len(lat)-1, int(math.Ceil(p*float64(len(lat))))-1)])
	}
	h.P50, h.P90, h.P99, h.Max = q(0.50), q(0.90), q(0.99), formatMillis(lat[len(lat)-1])
	top := slices.Max(counts)
	h.MaxY = float64(top)
	h.BarW = (h.Width - 20) / float64(len(counts))
	for i, n := range counts {
		label := "≤" + formatMillis(latencyBuckets[min(i, len(latencyBuckets)-1)])
		if i == len(latencyBuckets) {
			label = ">" + formatMillis(latencyBuckets[len(latencyBuckets)-1])
		}
		height := 0.0
		if n > 0 {
			height = math.Max(2, 130*float64(n)/float64(top))
		}
		x := 10 + float64(i)*h.BarW
		h.Bars = append(h.Bars, htmlBar{X: math.Round((x+2)*10) / 10, W: math.Round((h.BarW-4)*10) / 10,
			Y: math.Round((h.Base-height)*10) / 10, H: math.Round(height*10) / 10, Label: label, N: n,
			LabelX: math.Round((x+h.BarW/2)*10) / 10})
	}
	return h
}

// formatMillis shows a duration for people: 0 ms, 0.42 ms, 12 ms, 1.20 s.
func formatMillis(d time.Duration) string {
	if d <= 0 {
		return "0 ms"
	}
	return textw.Millis(d)
}
