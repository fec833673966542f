package contracts

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/orderhooks/orderhooks/internal/jsonform"
	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/wire"
)

// freeText is what verifies-raw-body writes into a free-text field of its
// delivery, so that every form has something to change: a slash,
// non-ASCII letters and an ampersand (which Go's encoding/json escapes).
const freeText = "PO/2025/0042 – Müller & Söhne 製造"

// rawForm is one form of the raw-body check's delivery and what it got.
type rawForm struct {
	form jsonform.Form
	d    *delivery
}

// runRawBody sends one valid delivery as the platform writes it (compact;
// its numbers in their shortest form, as runtimes write them back, and a
// free-text field with a slash and non-ASCII letters) and then, as new messages of the same event, in every other legal JSON
// form that changes its bytes (spaces, indentation, escapes, 12.50, key
// order, a trailing newline), each signed as sent: HappyColis and Standard
// sign the exact body, so each form is signed again; Phasio signs the
// encrypted payload string, so its forms vary the JSON around it. A
// receiver that checks the signature over the raw bytes (Phasio: over the
// payload string as JSON decodes it) accepts all of them. The canonical
// form is sent again after the others, as a control: a receiver that
// refuses it then refuses a repeated order, or has stopped accepting, and
// its rejections of the forms say nothing about their bytes. The same
// event with a wrong signature is sent last, as a negative control: a
// receiver that accepts it too proves nothing by accepting the forms.
func runRawBody(se *Session) Result {
	evs, err := se.generate("raw body", se.suite.provider.scenarios[0], false)
	if err != nil {
		return errorResult(err)
	}
	ev := *evs[0]
	// The free-text field is the definition's (Phasio's customReference,
	// HappyColis' body.comment); without one the payload keeps its text.
	if ptr, perr := jsonptr.Parse(se.suite.provider.freeText()); perr == nil && len(ptr) > 0 {
		ev.Payload, err = jsonform.SetString(ev.Payload, ptr, freeText)
	}
	if err == nil {
		ev.Payload, err = jsonform.ShortNumbers(ev.Payload)
	}
	if err != nil {
		return errorResult(fmt.Errorf("preparing the payload: %w", err))
	}
	g := se.ids("raw body")
	canonical := se.sendAs(roleControl, se.message(&ev, 0, g), wire.FaultNone)
	canonical.note = "as the platform writes it"
	var forms []rawForm
	for _, f := range jsonform.Forms {
		d, err := se.sendForm(se.message(&ev, 0, g), f)
		if err != nil {
			return errorResult(err)
		}
		if d != nil {
			forms = append(forms, rawForm{f, d})
		}
	}
	again := se.sendAs(roleControl, se.message(&ev, 0, g), wire.FaultNone)
	again.note = "as the platform writes it, sent again after the other forms"
	// The negative control: accepting every form proves something about
	// the signature check only if a wrong signature is rejected.
	forged := se.send(se.message(&ev, 0, g), wire.FaultBadSignature)
	r := se.judgeRawBody(canonical, forms)
	r.Deliveries += 2
	if r.Status == StatusFail && canonical.accepted() && !again.accepted() {
		r.Status = StatusInconclusive
		r.Message = fmt.Sprintf("inconclusive: the delivery as the platform writes it was accepted before the other forms but not when sent again after them (%s): the receiver refuses an order it has seen, or stopped accepting, so the forms it rejected say nothing about how it reads the body", again.got())
		r.Evidence = []Evidence{se.evidence(again, "2xx (a valid control delivery)", again.got())}
	}
	if r.Status == StatusPass && forged.accepted() {
		r.Status = StatusInconclusive
		r.Message = fmt.Sprintf("inconclusive: every form was accepted, but so was the same delivery with a wrong signature (%d), so this says nothing about how the receiver checks signatures", forged.status)
		r.Evidence = []Evidence{se.evidence(forged, "4xx (a wrong signature)", forged.got())}
	}
	return r
}

// sendForm builds msg's request, rewrites its body in form f and sends it
// signed as sent; nil when the form does not change the body.
func (se *Session) sendForm(msg *wire.Message, f jsonform.Form) (*delivery, error) {
	rt := se.route(msg.Event.Event)
	if rt == nil {
		return nil, fmt.Errorf("no target for event %s", msg.Event.Event)
	}
	req, err := rt.profile.Build(msg, wire.FaultNone)
	if err != nil {
		return nil, fmt.Errorf("building the request: %w", err)
	}
	body, err := f.Apply(req.Body)
	if err != nil {
		return nil, fmt.Errorf("form %s: %w", f.Name, err)
	}
	if bytes.Equal(body, req.Body) {
		return nil, nil
	}
	if req, err = wire.Resign(rt.profile, req, body); err != nil {
		return nil, fmt.Errorf("form %s: %w", f.Name, err)
	}
	d := &delivery{msg: msg, req: req, role: roleForm, note: "form " + f.Name, url: rt.url}
	se.post(d)
	return d, nil
}

// judgeRawBody passes when the canonical form and every other form were
// accepted, is inconclusive when none was, and otherwise names the forms
// the receiver rejected.
func (se *Session) judgeRawBody(canonical *delivery, forms []rawForm) Result {
	r := Result{Deliveries: 1 + len(forms)}
	var ok, bad []string
	var evidence []Evidence
	if canonical.accepted() {
		ok = append(ok, "canonical")
	} else {
		bad = append(bad, fmt.Sprintf("its canonical form, as the platform sends it (%s)", canonical.got()))
		evidence = append(evidence, se.evidence(canonical, "2xx", canonical.got()))
	}
	for _, f := range forms {
		if f.d.accepted() {
			ok = append(ok, f.form.Name)
			continue
		}
		bad = append(bad, fmt.Sprintf("%s: %s (%s)", f.form.Name, f.form.Description, f.d.got()))
		evidence = append(evidence, se.evidence(f.d, "2xx (a legal JSON form, signed as sent)", f.d.got()))
	}
	// A form answered 408 or 429, or not at all, was not refused for its
	// bytes: nothing can be said about the forms.
	if i := slices.IndexFunc(forms, func(f rawForm) bool {
		return !f.d.accepted() && (!f.d.answered() || f.d.status == 408 || f.d.status == 429)
	}); i >= 0 && len(ok) > 0 {
		d := forms[i].d
		r.Status = StatusInconclusive
		r.Message = fmt.Sprintf("inconclusive: the %s form got %s, which refuses nothing (a retry later, or no answer), so the forms cannot be compared", forms[i].form.Name, d.got())
		r.Evidence = []Evidence{se.evidence(d, "2xx (a legal JSON form, signed as sent)", d.got())}
		return r
	}
	switch {
	case len(bad) == 0:
		r.Status = StatusPass
		r.Message = fmt.Sprintf("the same delivery in %d other legal JSON forms (%s) answered 2xx, like its canonical form", len(forms), strings.Join(ok[1:], ", "))
		return r
	case len(ok) == 0:
		rr, _ := se.controlAccepted(canonical)
		rr.Deliveries = r.Deliveries
		return rr
	}
	r.Status = StatusFail
	what := "verifies a re-serialised body instead of the raw bytes"
	if se.suite.provider.encrypts() {
		what = "does not read the payload string as JSON decodes it (it signs or slices the body's bytes)"
	}
	r.Message = fmt.Sprintf("the receiver %s: it rejected %s; it accepted %s", what, strings.Join(bad, "; "), strings.Join(ok, ", "))
	r.Evidence = evidence
	return r
}
