package inspect

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/orderhooks/orderhooks/capture"
	"github.com/orderhooks/orderhooks/internal/textw"
	"github.com/orderhooks/orderhooks/wire"
)

// maxBodyShown bounds the raw body shown on the page (the download has
// it all).
const maxBodyShown = 64 << 10

type header struct{ Name, Value string }

// explanation says what a signature verdict means for this delivery: what
// the platform signs and how its key is derived (from the wire format,
// never the secret), and what this request carried.
type explanation struct {
	Verdict, Class string
	Summary        string
	Steps          []header
}

type violation struct {
	Pointer, Message string
	Anchor           string // "#n12", "" when the payload is not shown
}

type answer struct {
	Status      int
	StatusClass string
	Text        string
	Latency     string
	Error       string
	URL         string
}

type deliveryPage struct {
	base
	D          *capture.Delivery
	KeyURL     string
	Headers    []header
	Body       string
	BodyNote   string
	Tree       jsonTree
	Violations []violation
	Sig        explanation
	Receiver   answer
	App        *answer
	Curl       string
	CurlNote   string
	// Form holds what a POSTed action returned to the page (a curl
	// command re-signed, a signature checked), never the secret.
	Form formResult
}

// formResult is the outcome of an action shown on the detail page.
type formResult struct {
	Action  string // curl, verify
	URL     string
	Secret  string // how the secret was given: "env:NAME" or "typed in" (never the value)
	Problem string
	Curl    string
	Verdict string
	Class   string
	Detail  string
}

func (in *Inspector) delivery(w http.ResponseWriter, r *http.Request) {
	d, ok := in.deliveryID(w, r)
	if !ok {
		return
	}
	in.render(w, r, http.StatusOK, "delivery", in.deliveryPage(d))
}

func (in *Inspector) deliveryPage(d *capture.Delivery) *deliveryPage {
	p := &deliveryPage{D: d, base: in.base("Delivery "+strconv.FormatInt(d.ID, 10), "delivery")}
	if d.Key != "" {
		p.KeyURL = orderURL(d.Provider, d.Key)
	}
	for name, vs := range d.Header {
		for _, v := range vs {
			p.Headers = append(p.Headers, header{name, v})
		}
	}
	sort.SliceStable(p.Headers, func(i, j int) bool { return p.Headers[i].Name < p.Headers[j].Name })
	p.Body, p.BodyNote = showBytes(d.Body)
	if d.Payload != nil {
		p.Tree = buildTree(d.Payload, d.Violations)
	}
	for _, v := range d.Violations {
		vv := violation{Pointer: v.Pointer, Message: v.Message}
		if n := p.Tree.lineOf(v.Pointer); n >= 0 {
			vv.Anchor = "#n" + strconv.Itoa(n)
		}
		p.Violations = append(p.Violations, vv)
	}
	p.Sig = explain(d)
	p.Receiver = answer{Status: d.Status, StatusClass: statusClass(d.Status), Latency: millis(d.Handled), Text: string(d.Answer)}
	if d.Forward != nil {
		f := d.Forward
		p.App = &answer{Status: f.Status, StatusClass: statusClass(f.Status), Latency: millis(f.Latency), Text: string(f.Answer),
			Error: f.Error, URL: f.URL}
		if f.Error != "" {
			p.App.StatusClass = "bad"
		}
	}
	var size string
	p.Curl, size = curlCommand(deliveryURL(d), &wire.Request{Header: d.Header, Body: d.Body}, bodyFile(d))
	switch {
	case d.Signature == capture.SignatureOK && d.Provider == wire.ProviderStandard:
		p.CurlNote = "As captured: the signature is valid for the receiver's secret, but its webhook-timestamp is the original one; re-sign below for a fresh one."
	case d.Signature == capture.SignatureOK:
		p.CurlNote = "As captured: the signature is valid for the receiver's secret."
	default:
		p.CurlNote = "As captured, with the signature it arrived with (" + string(d.Verdict()) + "); re-sign below with a secret for a valid one."
	}
	if size != "" {
		p.CurlNote += " " + size
	}
	return p
}

// showBytes returns the body as text for the page, cut to maxBodyShown,
// and a note on what was left out or escaped.
func showBytes(b []byte) (string, string) {
	note := ""
	if len(b) > maxBodyShown {
		b = b[:maxBodyShown]
		note = "first " + byteSize(maxBodyShown) + " shown"
	}
	if utf8.Valid(b) || len(b) == maxBodyShown && utf8.Valid(b[:len(b)-utf8.UTFMax]) {
		return strings.ToValidUTF8(string(b), "\uFFFD"), note
	}
	if note != "" {
		note += "; "
	}
	return strconv.Quote(string(b)), note + "not UTF-8: shown as a quoted string"
}

// deliveryURL is where the delivery was sent, as the platform addressed it.
func deliveryURL(d *capture.Delivery) string {
	if d.Host == "" {
		return "http://127.0.0.1:8787" + d.Path
	}
	scheme := "http"
	if d.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + d.Host + d.Path
}

// formatOf returns the wire format of a provider.
func formatOf(provider string) (wire.Format, bool) {
	for _, f := range wire.Formats() {
		if f.Provider == provider {
			return f, true
		}
	}
	return wire.Format{}, false
}

// explain describes a delivery's signature verdict: the platform's rule
// (what is signed, with which key) and what this request carried. The
// secret is never known here: the receiver checked it.
func explain(d *capture.Delivery) explanation {
	e := explanation{}
	e.Verdict, e.Class = signatureText(d.Signature, d.Decryption)
	f, ok := formatOf(d.Provider)
	if !ok {
		e.Summary = "No wire format is known for provider " + strconv.Quote(d.Provider) + "."
		return e
	}
	sigHeader := f.Headers[0].Name
	switch d.Signature {
	case capture.SignatureOK:
		e.Summary = "The receiver computed the " + f.Digest + " of the signed input with its secret and it equals the " + sigHeader + " header."
		if d.Decryption == capture.DecryptionFailed {
			e.Summary += " The payload could not be decrypted with the secret's key, though: the body was sealed under another key or is damaged."
		}
	case capture.SignatureBad:
		e.Summary = "The " + sigHeader + " header does not match the " + f.Digest + " the receiver computed with its secret: the sender used another secret, signed other bytes (a re-serialised body, a decoded key), or the body changed on the way. Check it with a secret below to tell which."
	case capture.SignatureMissing:
		e.Summary = "The request has no " + sigHeader + " header: whoever sent it did not sign it."
	case capture.SignatureStale:
		e.Summary = "The signature matches, but its timestamp is outside the receiver's tolerance: a replay of an old message, or a sender's clock far off."
	default:
		e.Summary = "The receiver did not check the signature (" + orDash(d.Reason) + ")."
	}
	e.Steps = []header{
		{"key", f.Key},
		{"signed input", f.SignedInput},
		{"digest", f.Digest + ", " + f.Encoding},
		{"received " + sigHeader, orDash(d.Header.Get(sigHeader))},
	}
	if input := signedInput(d); input != "" {
		e.Steps = append(e.Steps, header{"signed input of this request", input})
	}
	return e
}

// signedInput shows the beginning of the bytes this request's signature
// covers, as the platform's rule defines them.
func signedInput(d *capture.Delivery) string {
	switch d.Provider {
	case wire.ProviderPhasio:
		var body struct {
			Payload string `json:"payload"`
		}
		if json.Unmarshal(d.Body, &body) == nil && body.Payload != "" {
			return head([]byte(body.Payload))
		}
	case wire.ProviderHappyColis:
		return head(d.Body)
	case wire.ProviderStandard:
		id, ts := d.Header.Get(wire.StandardIDHeader), d.Header.Get(wire.StandardTimestampHeader)
		return head(append([]byte(id+"."+ts+"."), d.Body...))
	}
	return ""
}

// head shows the first bytes of b and its length.
func head(b []byte) string {
	const n = 64
	if len(b) <= n {
		return strconv.Quote(string(b)) + " (" + textw.Count(len(b), "byte", "bytes") + ")"
	}
	return strconv.Quote(string(b[:n])) + "… (" + textw.Count(len(b), "byte", "bytes") + ")"
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
