package contracts_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/wire"
)

// withSent adds the deliveries of a small run to the sample report: two
// orders of the failing check (one unanswered), the preflight.
func withSent(r *contracts.Report) *contracts.Report {
	at := time.Date(2025, 6, 15, 8, 0, 0, 0, time.UTC)
	r.Sent = []contracts.Sent{
		{Role: "preflight", Event: "ORDER", OrderKey: "12000", DeliveryID: "p-1", Time: at, Status: 200, Latency: 3 * time.Millisecond},
		{Check: contracts.CheckValidLifecycle, Role: "valid", Event: "ORDER", OrderKey: "12001", Time: at.Add(time.Second), Status: 200, Latency: 1500 * time.Microsecond},
		{Check: contracts.CheckValidLifecycle, Role: "valid", Event: "ORDER_UPDATED", OrderKey: "12001", Time: at.Add(2 * time.Second), Status: 200, Latency: 42 * time.Millisecond},
		{Check: contracts.CheckBadSignature, Role: "control", Event: "ORDER", OrderKey: "12345", Time: at.Add(3 * time.Second), Status: 200, Latency: 7 * time.Millisecond},
		{Check: contracts.CheckBadSignature, Role: "forgery", Event: "ORDER", OrderKey: "12345", Fault: wire.FaultBadSignature, Time: at.Add(3100 * time.Millisecond), Status: 200, Latency: 6 * time.Millisecond, Note: `body "<&>"`},
		{Check: contracts.CheckEdgeCases, Role: "valid", Event: "ORDER", OrderKey: "12400", Time: at.Add(4 * time.Second), Latency: 2 * time.Second, Error: "timeout awaiting response headers"},
	}
	return r
}

func TestWriteHTML(t *testing.T) {
	r := withSent(sampleReport())
	var b bytes.Buffer
	if err := r.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	checkHTMLReport(t, b.Bytes(), r)
	testkit.Golden(t, "TestWriteHTML.golden.html", b.Bytes())
	page := b.String()
	for _, want := range []string{
		"verdict failed", // the run failed
		"http://127.0.0.1:8080/webhooks?a=1&amp;b=&lt;2&gt;",         // escaped target
		`{&#34;ok&#34;:true,&#34;note&#34;:&#34;&lt;&amp;&gt;&#34;}`, // escaped evidence
		"--only rejects-bad-signature --seed 42",                     // reproduce command
		"5 answered", ">p50 <b>",                                     // histogram of the answered deliveries
		"order 12345", "(bad-signature)", "no answer", // order timelines
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	for _, s := range []string{"pass", "FAIL", "warn", "skip", "inconclusive", "interrupted"} {
		if !strings.Contains(page, `">`+s+`</span>`) {
			t.Errorf("no %s badge", s)
		}
	}
}

// checkHTMLReport holds an HTML report to what the format promises: one
// well-formed document (parsed as strict XML), nothing loaded from
// anywhere (no script, stylesheet link, image, frame or object; every href
// a fragment of the page itself, no src; no url() or @import in the
// styles), and every check of the report named.
func checkHTMLReport(t *testing.T, doc []byte, r *contracts.Report) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(doc))
	dec.Strict = true
	ids := map[string]bool{}
	var hrefs []string
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			switch strings.ToLower(tok.Name.Local) {
			case "script", "link", "img", "iframe", "object", "embed", "image", "use", "base", "form":
				t.Errorf("the report has a <%s> element", tok.Name.Local)
			}
			for _, a := range tok.Attr {
				switch strings.ToLower(a.Name.Local) {
				case "href":
					hrefs = append(hrefs, a.Value)
				case "src", "srcset", "action", "formaction", "poster", "data":
					t.Errorf("<%s %s=%q>", tok.Name.Local, a.Name.Local, a.Value)
				case "id":
					ids[a.Value] = true
				}
				if strings.HasPrefix(strings.ToLower(a.Name.Local), "on") {
					t.Errorf("event handler attribute %s", a.Name.Local)
				}
			}
		case xml.CharData:
			text.Write(tok)
		}
	}
	for _, h := range hrefs {
		if !strings.HasPrefix(h, "#") || !ids[h[1:]] {
			t.Errorf("href %q is not a fragment of the page", h)
		}
	}
	css := string(doc[bytes.Index(doc, []byte("<style>")):bytes.Index(doc, []byte("</style>"))])
	if strings.Contains(css, "url(") || strings.Contains(css, "@import") {
		t.Error("the styles load something")
	}
	all := text.String()
	for _, c := range r.Checks {
		if !strings.Contains(all, c.Name) {
			t.Errorf("check %s is not named", c.Name)
		}
	}
	if len(r.Checks) > 0 && !strings.Contains(all, fmt.Sprint(r.Summary.Total)) {
		t.Error("the summary does not count the checks")
	}
}
