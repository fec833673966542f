package inspect

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/orderhooks/orderhooks/capture"
	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/internal/redact"
	"github.com/orderhooks/orderhooks/internal/shell"
	"github.com/orderhooks/orderhooks/wire"
)

// errSecret is wrapped by the secret problems shown on the page.
var errSecret = errors.New("secret")

// secretFrom resolves a secret given in a form: the value itself, or
// env:NAME read from the inspector's environment. A file is not read on a
// page's behalf. It returns how the secret was given, for the page
// ("env:NAME" or "typed in"), never the value.
func (in *Inspector) secretFrom(spec string) (secret, given string, err error) {
	spec = strings.TrimSpace(spec)
	switch {
	case spec == "":
		return "", "", nil
	case strings.HasPrefix(spec, "file:"):
		return "", "", fmt.Errorf("%w: file: is not read from the page; use env:NAME or the secret itself", errSecret)
	case strings.HasPrefix(spec, "env:"):
		s, err := wire.ResolveSecret(spec, in.cfg.getenv)
		if err != nil {
			return "", "", fmt.Errorf("%w: %s", errSecret, wire.Reason(err))
		}
		return s, spec, nil
	}
	return spec, "typed in", nil
}

// rebuild builds the delivery's request again with secret: the same event,
// payload and message id, signed (and, for Phasio, encrypted) with the
// secret, stamped now.
func (in *Inspector) rebuild(d *capture.Delivery, secret string) (*wire.Request, error) {
	ev := d.GeneratorEvent()
	if ev == nil {
		return nil, errors.New("nothing was verified of this delivery (no payload): it can only be sent as captured")
	}
	p, err := in.profile(d.Provider, secret)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", errSecret, wire.Reason(err))
	}
	return p.Build(&wire.Message{Event: ev, ID: d.DeliveryID, Time: in.cfg.now()}, wire.FaultNone)
}

// request is the request an action sends or shows: as captured without a
// secret, rebuilt with one.
func (in *Inspector) request(d *capture.Delivery, secret string) (*wire.Request, error) {
	if secret == "" {
		return &wire.Request{Header: wire.MessageHeaders(d.Header), Body: d.Body}, nil
	}
	req, err := in.rebuild(d, secret)
	if err != nil {
		return nil, err
	}
	req.Header = wire.MessageHeaders(req.Header)
	return req, nil
}

// checkURL accepts an http or https URL with a host.
func checkURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("target %s: want an http:// or https:// URL", strconv.Quote(raw))
	}
	return raw, nil
}

type resultPage struct {
	base
	D         *capture.Delivery
	URL       string
	Secret    string
	Status    int
	Class     string
	Latency   string
	Answer    string
	Truncated bool
	Error     string
}

// replay sends a delivery to a URL: as captured, or rebuilt with a secret.
func (in *Inspector) replay(w http.ResponseWriter, r *http.Request) {
	d, ok := in.postedDelivery(w, r)
	if !ok {
		return
	}
	p := &resultPage{base: in.base("Replay of delivery "+strconv.FormatInt(d.ID, 10), "delivery"), D: d}
	target, err := checkURL(r.PostFormValue("url"))
	if err != nil {
		p.Error = err.Error()
		in.render(w, r, http.StatusBadRequest, "result", p)
		return
	}
	p.URL = redact.URL(target)
	secret, given, err := in.secretFrom(r.PostFormValue("secret"))
	p.Secret = given
	var req *wire.Request
	if err == nil {
		req, err = in.request(d, secret)
	}
	if err != nil {
		p.Error = err.Error()
		in.render(w, r, http.StatusBadRequest, "result", p)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), in.cfg.replayTimeout)
	defer cancel()
	resp, err := emitter.Deliver(ctx, in.cfg.client, target, req)
	if resp != nil {
		p.Latency = millis(resp.Latency)
	}
	if err != nil {
		p.Error = redact.Secrets(redact.Text(err.Error()), secret)
	} else {
		p.Status, p.Class, p.Truncated = resp.Status, statusClass(resp.Status), resp.Truncated
		p.Answer, _ = showBytes(resp.Body)
		p.Answer = redact.Secrets(p.Answer, secret)
	}
	in.render(w, r, http.StatusOK, "result", p)
}

// postedDelivery checks a POSTed action's form and returns its delivery.
func (in *Inspector) postedDelivery(w http.ResponseWriter, r *http.Request) (*capture.Delivery, bool) {
	if err := r.ParseForm(); err != nil {
		in.errorPage(w, r, http.StatusRequestEntityTooLarge, "Form refused", "The form could not be read: "+err.Error())
		return nil, false
	}
	if !in.checkCSRF(r) {
		in.errorPage(w, r, http.StatusForbidden, "Form refused", "The form carries no valid token (it expired when the inspector restarted, or another site sent it): reload the page and try again.")
		return nil, false
	}
	return in.deliveryID(w, r)
}

// curl shows the delivery as a curl command, re-signed with a secret.
func (in *Inspector) curl(w http.ResponseWriter, r *http.Request) {
	d, ok := in.postedDelivery(w, r)
	if !ok {
		return
	}
	p := in.deliveryPage(d)
	p.Form.Action = "curl"
	status := http.StatusOK
	target := deliveryURL(d)
	if v := strings.TrimSpace(r.PostFormValue("url")); v != "" {
		target = v
	}
	target, err := checkURL(target)
	var secret string
	if err == nil {
		secret, p.Form.Secret, err = in.secretFrom(r.PostFormValue("secret"))
	}
	var req *wire.Request
	if err == nil {
		req, err = in.request(d, secret)
	}
	if err != nil {
		p.Form.Problem, status = err.Error(), http.StatusBadRequest
	} else {
		p.Form.URL = redact.URL(target)
		file := ""
		if secret == "" {
			file = bodyFile(d) // as captured: the download has the same bytes
		}
		if p.Form.Curl, p.Form.Problem = curlCommand(target, req, file); p.Form.Curl == "" {
			status = http.StatusBadRequest
		}
	}
	in.render(w, r, status, "delivery", p)
}

// verify checks the captured signature with a secret given on the page
// and, when it does not match, looks for the usual signing mistake that
// explains it.
func (in *Inspector) verify(w http.ResponseWriter, r *http.Request) {
	d, ok := in.postedDelivery(w, r)
	if !ok {
		return
	}
	p := in.deliveryPage(d)
	p.Form.Action = "verify"
	secret, given, err := in.secretFrom(r.PostFormValue("secret"))
	p.Form.Secret = given
	if err == nil && secret == "" {
		err = fmt.Errorf("%w: give the secret, or env:NAME", errSecret)
	}
	var prof wire.Profile
	if err == nil {
		prof, err = in.profile(d.Provider, secret)
		if err != nil {
			err = fmt.Errorf("%w: %s", errSecret, wire.Reason(err))
		}
	}
	if err != nil {
		p.Form.Problem = err.Error()
		in.render(w, r, http.StatusBadRequest, "delivery", p)
		return
	}
	if _, verr := prof.Verify(d.Header, d.Body); verr == nil {
		p.Form.Verdict, p.Form.Class = "valid with this secret", "ok"
		p.Form.Detail = "The signature and the body are what the platform sends for this secret."
	} else {
		p.Form.Verdict, p.Form.Class = wire.Reason(verr)+" with this secret", "bad"
		p.Form.Detail = mistakeBehind(prof, secret, d)
	}
	in.render(w, r, http.StatusOK, "delivery", p)
}

// mistakeBehind names the signing mistake whose signature equals the one
// captured, if one does.
func mistakeBehind(p wire.Profile, secret string, d *capture.Delivery) string {
	req := &wire.Request{Header: d.Header.Clone(), Body: d.Body, Plaintext: d.Payload}
	if ph, ok := p.(*wire.Compiled); ok && ph.Definition().Encryption() != nil && req.Plaintext == nil {
		req.Plaintext, _ = ph.Open(d.Body, "") // the order JSON, to compare a signature over it
	}
	mistakes := wire.Mistakes(d.Provider)
	if c, ok := p.(*wire.Compiled); ok {
		mistakes = c.Mistakes()
	}
	for _, m := range mistakes {
		out, ok, err := wire.MisSign(p, secret, req, m.Name)
		if err != nil || !ok || !bytes.Equal(out.Body, d.Body) {
			continue
		}
		if sameSignature(p, out.Header, d.Header) {
			return "The captured signature is the one " + m.Signed + ": the sender " + strings.TrimPrefix(m.Receiver, "a receiver that ") + "."
		}
	}
	return "No usual signing mistake explains it: the sender used another secret, or the body changed after it was signed."
}

// sameSignature compares the signature headers of two requests: p's
// definition's, or the built-ins'.
func sameSignature(p wire.Profile, a, b http.Header) bool {
	names := []string{wire.PhasioSignatureHeader, wire.HappyColisSignatureHeader, wire.StandardSignatureHeader}
	if c, ok := p.(*wire.Compiled); ok && c.Definition().Signing() != nil {
		names = []string{c.Definition().Signing().Header}
	}
	for _, name := range names {
		if av := a.Get(name); av != "" && av == b.Get(name) {
			return true
		}
	}
	return false
}

// curlCommand writes req as a curl command to target. A body that is not
// printable text travels base64-encoded through base64 -d, so the command
// sends exactly its bytes; a body too long for a page is read from the
// file the raw body's download saves (bodyFile), "" when there is none.
func curlCommand(target string, req *wire.Request, bodyFile string) (string, string) {
	var b strings.Builder
	large := len(req.Body) > maxBodyShown
	if large && bodyFile == "" {
		return "", "The body is " + byteSize(len(req.Body)) + ": too long for a command on a page. Replay it instead."
	}
	text := utf8.Valid(req.Body) && !bytes.ContainsFunc(req.Body, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' && r != '\r' })
	if !text && !large {
		b.WriteString("printf %s " + shell.Quote(base64.StdEncoding.EncodeToString(req.Body)) + " | base64 -d |\n  ")
	}
	b.WriteString("curl -sS -X POST " + shell.Quote(target))
	names := make([]string, 0, len(req.Header))
	for k := range wire.MessageHeaders(req.Header) {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		for _, v := range req.Header[k] {
			b.WriteString(" \\\n  -H " + shell.Quote(k+": "+v))
		}
	}
	note := ""
	switch {
	case large:
		b.WriteString(" \\\n  --data-binary @" + shell.Quote(bodyFile))
		note = "The body is " + byteSize(len(req.Body)) + ": download the raw body as " + bodyFile + " and run the command beside it."
	case text:
		b.WriteString(" \\\n  --data-binary " + shell.Quote(string(req.Body)))
	default:
		b.WriteString(" \\\n  --data-binary @-")
	}
	return b.String(), note
}

// bodyFile is the name the raw body's download is saved as.
func bodyFile(d *capture.Delivery) string { return fmt.Sprintf("delivery-%d-body.bin", d.ID) }

// scenario serves an order's captured lifecycle as a scenario file,
// redacted unless raw is asked for.
func (in *Inspector) scenario(w http.ResponseWriter, r *http.Request) {
	key, provider := r.PathValue("key"), r.URL.Query().Get("provider")
	raw := r.URL.Query().Get("raw") != ""
	s, err := in.store.Scenario(r.Context(), provider, key, raw)
	if err != nil {
		if errors.Is(err, capture.ErrScenario) {
			in.notFound(w, r, "No scenario can be made of order "+strconv.Quote(key)+": "+strings.TrimPrefix(err.Error(), "capture: cannot make a scenario: "))
			return
		}
		in.storeError(w, r, err)
		return
	}
	comment := "Captured lifecycle of order " + key + " (" + orDash(provider) + ") from " + in.base("", "").Store
	if raw {
		comment += ", personal data as captured."
	} else {
		comment += ", redacted with the store's pseudonyms."
	}
	comment += "\nStep 1 sets every field of the first payload; later steps set or remove what changed.\n" +
		"orderhooks emit --scenario FILE sends it again with fresh ids, nonces and timestamps."
	var buf bytes.Buffer
	if err := capture.WriteScenario(&buf, s, comment); err != nil {
		in.storeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+fileName("order-"+key)+`.yaml"`)
	w.Write(buf.Bytes())
}

// fileName keeps the characters of s a file name can always hold.
func fileName(s string) string {
	out := []rune{}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			out = append(out, r)
		default:
			out = append(out, '_')
		}
		if len(out) == 100 {
			break
		}
	}
	return string(out)
}

// profile builds the profile of a delivery's provider with secret: the
// definition of that name given WithDefinitions, else the built-in.
func (in *Inspector) profile(name, secret string) (wire.Profile, error) {
	for _, d := range in.cfg.defs {
		if d.Name() == name {
			return wire.NewFromDefinition(d, []string{secret})
		}
	}
	return wire.New(name, []string{secret})
}
