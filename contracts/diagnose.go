package contracts

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/orderhooks/orderhooks/internal/redact"
	"github.com/orderhooks/orderhooks/wire"
)

// Diagnosis is one root cause behind a run's failures, said once: what
// the answers show about the receiver and what to change.
type Diagnosis struct {
	// Cause is a stable identifier: one of the Cause constants, or the
	// name of an wire.Mistake (e.g. "decoded-key", "node-reserialised")
	// when a delivery signed that mistaken way was accepted.
	Cause string `json:"cause"`
	// Message says it in one or two sentences.
	Message string `json:"message"`
}

// Causes a diagnosis names besides the wire.Mistake names.
const (
	// CauseWrongURL: every valid delivery got 404.
	CauseWrongURL = "wrong-url"
	// CauseWrongMethod: every valid delivery got 405 or 501.
	CauseWrongMethod = "wrong-method"
	// CauseSignatureRejected: every valid delivery was rejected and no
	// usual mistake explains it (a wrong secret or provider, most often).
	CauseSignatureRejected = "signature-rejected"
	// CauseValidFails: every valid delivery got a 5xx.
	CauseValidFails = "valid-deliveries-fail"
	// CauseClockSkew: valid deliveries were rejected for their timestamp
	// only (Standard Webhooks).
	CauseClockSkew = "clock-skew"
	// CauseEventRouting: the deliveries of some events were all rejected,
	// those of the others all accepted.
	CauseEventRouting = "event-routing"
	// CauseReserialisedBody: legal forms of a valid delivery were rejected
	// while others were accepted.
	CauseReserialisedBody = "reserialised-body"
	// CauseNoSignatureCheck: forged deliveries were accepted.
	CauseNoSignatureCheck = "no-signature-check"
	// CauseServerErrorOnRejection: deliveries that must be rejected got a
	// 5xx, which platforms retry.
	CauseServerErrorOnRejection = "server-error-on-rejection"
	// CauseRateLimited: valid deliveries got 429 (too many requests).
	CauseRateLimited = "rate-limited"
	// CauseStoppedAccepting: the valid deliveries were accepted up to some
	// point of the run and none after it.
	CauseStoppedAccepting = "stopped-accepting"
	// CauseRepeatRefused: every valid delivery of an order after its first
	// accepted one was refused.
	CauseRepeatRefused = "repeat-refused"
	// CauseMalformedBodyAccepted: a body that is not the documented JSON
	// shape (signed as HappyColis and Standard Webhooks sign any body) was
	// acknowledged with a 2xx.
	CauseMalformedBodyAccepted = "malformed-body-accepted"
)

// documented says how each platform signs, for messages.
var documented = map[string]string{
	ProviderPhasio:     "Phasio's (hex HMAC-SHA256 of the payload string, keyed with the secret's UTF-8 bytes)",
	ProviderHappyColis: "HappyColis' (base64 HMAC-SHA256 of the exact body bytes, keyed with the client secret's UTF-8 bytes)",
	ProviderStandard:   `Standard Webhooks' (base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>", keyed with the base64-decoded whsec_ secret)`,
}

// howSigned says how each platform signs, as a sentence.
var howSigned = map[string]string{
	ProviderPhasio:     "Phasio signs the encrypted payload string with HMAC-SHA256 keyed with the secret string's UTF-8 bytes, in lowercase hex.",
	ProviderHappyColis: "HappyColis signs the exact body bytes with HMAC-SHA256 keyed with the client secret's UTF-8 bytes, in standard base64.",
	ProviderStandard:   `Standard Webhooks signs "<webhook-id>.<webhook-timestamp>.<body>" with HMAC-SHA256 keyed with the base64-decoded whsec_ secret, in base64 after "v1,".`,
}

// signatureHeader names each platform's signature header, for messages.
var signatureHeader = map[string]string{
	ProviderPhasio:     wire.PhasioSignatureHeader,
	ProviderHappyColis: strings.ToLower(wire.HappyColisSignatureHeader),
	ProviderStandard:   strings.ToLower(wire.StandardSignatureHeader),
}

// variant is one diagnostic delivery: the same event signed the way a
// mistaken receiver expects.
type variant struct {
	mistake wire.Mistake
	d       *delivery
}

// clockProbe is what deliveries stamped at other times got, when a
// receiver of signed timestamps (Standard Webhooks') rejected valid
// deliveries for their time.
type clockProbe struct {
	rejected           *delivery // stamped as the lifecycle stamps
	now, ahead, behind *delivery // stamped now, and clockOffset either side
	rejectedSkew       time.Duration
}

// clockOffset is how far ahead of and behind our clock the clock probe
// stamps deliveries: inside the 5-minute tolerance either way.
const clockOffset = 4*time.Minute + 30*time.Second

// validRole reports whether a delivery's role is a valid delivery as the
// platform sends it, which the receiver must accept.
func validRole(role string) bool {
	return role == rolePreflight || role == roleValid || role == roleControl
}

// suspicious reports whether a valid delivery's answer is one the
// diagnosis can learn from: a rejection or a server error (not a wrong
// URL or method, nor a request to retry).
func suspicious(d *delivery) bool {
	return d.answered() && (isRejection(d.status) || d.status/100 == 5)
}

// probeMistakes runs at most once per session, after the preflight or a
// check in which a valid delivery was rejected: it sends the rejected
// delivery's event again, signed the ways receivers commonly get the
// signature wrong (wire.Mistakes) until one is accepted, and, for
// Standard Webhooks, stamped now and a few minutes either side first.
// These deliveries belong to no check; the diagnosis reads them.
func (se *Session) probeMistakes() {
	if se.probed || se.stop != nil || se.ctx.Err() != nil {
		return
	}
	i := slices.IndexFunc(se.log, func(d *delivery) bool { return validRole(d.role) && suspicious(d) })
	if i < 0 {
		return
	}
	se.probed = true
	rejected := se.log[i]
	rt := se.route(rejected.msg.Event.Event)
	if rt == nil {
		return
	}
	current := se.current
	se.current = ""
	defer func() { se.current = current }()
	g := se.ids("diagnosis")
	stamped := func(at time.Time, note string) *delivery {
		msg := se.message(rejected.msg.Event, 0, g)
		msg.Time = at
		d := se.sendAs(roleVariant, msg, wire.FaultNone)
		d.note = note
		return d
	}
	if se.suite.provider.signsTimestamp() {
		now := se.suite.cfg.clock()
		cp := &clockProbe{rejected: rejected, rejectedSkew: now.Sub(rejected.msg.Time)}
		cp.now = stamped(now, "stamped now")
		cp.ahead = stamped(now.Add(clockOffset), "stamped "+clockOffset.String()+" ahead")
		cp.behind = stamped(now.Add(-clockOffset), "stamped "+clockOffset.String()+" behind")
		if cp.now.accepted() || cp.ahead.accepted() || cp.behind.accepted() {
			se.clock = cp
			return
		}
	}
	if rt.secret == "" {
		return // a profile without its secret: mistakes cannot be signed
	}
	for _, m := range profileMistakes(rt.profile, se.suite.provider.name) {
		if se.stop != nil || se.ctx.Err() != nil {
			return
		}
		msg := se.message(rejected.msg.Event, 0, g)
		req, err := rt.profile.Build(msg, wire.FaultNone)
		if err != nil {
			return
		}
		mis, ok, err := wire.MisSign(rt.profile, rt.secret, req, m.Name)
		if err != nil || !ok {
			continue
		}
		d := &delivery{msg: msg, req: mis, role: roleVariant, note: m.Signed, url: rt.url}
		se.post(d)
		se.variants = append(se.variants, variant{m, d})
		if d.accepted() {
			return
		}
	}
}

// diagnose names the root causes the run's deliveries show, most telling
// first; each says what to change.
func (se *Session) diagnose() []Diagnosis {
	var out []Diagnosis
	add := func(cause, format string, args ...any) {
		out = append(out, Diagnosis{Cause: cause, Message: fmt.Sprintf(format, args...)})
	}
	var valid, rejected []*delivery
	for _, d := range se.log {
		if validRole(d.role) && d.answered() {
			valid = append(valid, d)
			if !d.accepted() {
				rejected = append(rejected, d)
			}
		}
	}
	if len(valid) > 0 && len(rejected) == len(valid) {
		switch st := statusSet(rejected); {
		case allStatus(rejected, 3):
			add(CauseWrongURL, "every valid delivery got %s, a redirect (to %s), which platforms do not follow: give the URL deliveries end at (%s)",
				st, se.redact(redact.URL(rejected[0].resp.Header.Get("Location"))), se.urls(rejected))
			return out
		case st == "404":
			add(CauseWrongURL, "every valid delivery got 404 (not found): the URL's path is wrong, so no verdict on the receiver itself could be reached (%s)", se.urls(rejected))
			return out
		case st == "405" || st == "501":
			add(CauseWrongMethod, "every valid delivery got %s: the URL does not take POST requests; check it is the webhook endpoint (%s)", st, se.urls(rejected))
			return out
		}
	}
	found := false
	if cp := se.clock; cp != nil {
		found = true
		add(CauseClockSkew, "%s", cp.message())
	}
	for _, v := range se.variants {
		if v.d.accepted() {
			found = true
			add(v.mistake.Name, "valid deliveries got %s, but the same delivery %s was accepted: your receiver %s. %s",
				statusSet(rejected), v.d.note, v.mistake.Receiver, se.suite.provider.howSigned())
		}
	}
	if !found && len(valid) > 0 && len(rejected) == len(valid) {
		found = true
		st := statusSet(rejected)
		tried := make([]string, 0, len(se.variants))
		for _, v := range se.variants {
			tried = append(tried, v.mistake.Name)
		}
		unexplained := ""
		if len(tried) > 0 {
			unexplained = fmt.Sprintf("; none of the usual mistakes tried (%s) explains it", strings.Join(tried, ", "))
		}
		auth := !slices.ContainsFunc(rejected, func(d *delivery) bool { return d.status != 401 && d.status != 403 })
		switch {
		case allStatus(rejected, 5):
			add(CauseValidFails, "every valid delivery got %s: your receiver fails on the deliveries it should accept (see the responses in the evidence)", st)
		case !auth:
			add(CauseValidFails, "every valid delivery got %s: your receiver refuses what the platform sends (see the responses in the evidence)%s", st, unexplained)
		default:
			add(CauseSignatureRejected, "every valid delivery got %s: your receiver's signature check disagrees with %s%s: check the secret, and that the receiver expects %s deliveries",
				st, se.suite.provider.documentedSigning(), unexplained, se.suite.provider.title())
		}
	}
	if !found {
		if d, ok := se.rateLimited(); ok {
			found = true
			out = append(out, d)
		}
	}
	if !found {
		if d, ok := se.stoppedAccepting(); ok {
			found = true
			out = append(out, d)
		}
	}
	if !found {
		refused, repeat := se.repeatsRefused()
		switch d, ok := se.routing(); {
		case ok && repeat:
			d.Message += fmt.Sprintf("; or it refuses an order it already has: each of those deliveries came after an accepted one of the same order (%s)", statusSet(refused))
			found = true
			out = append(out, d)
		case ok:
			found = true
			out = append(out, d)
		case repeat:
			found = true
			add(CauseRepeatRefused, "every valid delivery of an order after its first accepted one was refused (%s, %d deliveries): your receiver refuses orders it already has; platforms send an order's full state again on every change, so update the stored order and answer 2xx",
				statusSet(refused), len(refused))
		}
	}
	if !found {
		if r := se.result(CheckRawBody); r != nil && r.Status == StatusFail {
			add(CauseReserialisedBody, "%s", strings.TrimPrefix(r.Message, "the receiver "))
		}
	}
	out = append(out, se.forgeryDiagnoses()...)
	return out
}

// statusSet lists the distinct statuses of ds: "401" or "400 and 401".
func statusSet(ds []*delivery) string {
	seen := map[int]bool{}
	for _, d := range ds {
		seen[d.status] = true
	}
	var s []string
	for _, st := range slices.Sorted(maps.Keys(seen)) {
		s = append(s, fmt.Sprint(st))
	}
	if len(s) > 1 {
		return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
	}
	return strings.Join(s, "")
}

// allStatus reports whether every delivery of ds got a status of class
// (3 for 3xx, 5 for 5xx).
func allStatus(ds []*delivery, class int) bool {
	return !slices.ContainsFunc(ds, func(d *delivery) bool { return d.status/100 != class })
}

// urls names the URLs of ds, redacted, for messages.
func (se *Session) urls(ds []*delivery) string {
	seen := map[string]bool{}
	var out []string
	for _, d := range ds {
		if u := "POST " + se.redact(redact.URL(d.url)); !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	return strings.Join(out, ", ")
}

// message words what the clock probe found.
func (cp *clockProbe) message() string {
	var ok, bad []string
	for _, d := range []*delivery{cp.now, cp.ahead, cp.behind} {
		if d.accepted() {
			ok = append(ok, d.note)
		} else {
			bad = append(bad, fmt.Sprintf("%s (%s)", d.note, d.got()))
		}
	}
	s := fmt.Sprintf("valid deliveries stamped %s before our clock got %d, but the same delivery %s was accepted", cp.rejectedSkew.Round(time.Second), cp.rejected.status, strings.Join(ok, " and "))
	if len(bad) > 0 {
		s += " (not " + strings.Join(bad, ", ") + ")"
	}
	switch {
	case cp.ahead.accepted() && !cp.behind.accepted():
		s += ": your receiver's clock runs ahead of real time (by a minute or more)"
	case cp.behind.accepted() && !cp.ahead.accepted():
		s += ": your receiver's clock runs behind real time"
	default:
		s += ": your receiver's timestamp tolerance is too short"
	}
	return s + "; Standard Webhooks receivers must accept a webhook-timestamp within 5 minutes of their (synchronised) clock"
}

// rateLimited finds valid deliveries answered 429.
func (se *Session) rateLimited() (Diagnosis, bool) {
	var limited []*delivery
	for _, d := range se.log {
		if validRole(d.role) && d.status == 429 {
			limited = append(limited, d)
		}
	}
	if len(limited) == 0 {
		return Diagnosis{}, false
	}
	retry := ""
	if ra := limited[0].resp.Header.Get("Retry-After"); ra != "" {
		retry = ", Retry-After " + ra
	}
	return Diagnosis{CauseRateLimited, fmt.Sprintf("%d valid deliveries got 429 (too many requests%s): your receiver, or a proxy in front of it, rate-limits the test traffic (%d requests in %s), so the checks that needed those deliveries could not be judged; allow it for the test and run again",
		len(limited), retry, len(se.log), time.Since(se.started).Round(time.Millisecond))}, true
}

// stoppedAccepting finds a point of the run before which every answered
// valid delivery was accepted and after which none was (at least two).
func (se *Session) stoppedAccepting() (Diagnosis, bool) {
	var valid []*delivery
	for _, d := range se.log {
		if validRole(d.role) && d.answered() {
			valid = append(valid, d)
		}
	}
	cut := slices.IndexFunc(valid, func(d *delivery) bool { return !d.accepted() })
	if cut <= 0 || len(valid)-cut < 2 || slices.ContainsFunc(valid[cut:], (*delivery).accepted) {
		return Diagnosis{}, false
	}
	from := describe(valid[cut])
	if c := valid[cut].check; c != "" {
		from += " of " + c
	}
	return Diagnosis{CauseStoppedAccepting, fmt.Sprintf("the first %d valid deliveries were accepted, then every one of the %d after them got %s, from %s on: your receiver stopped accepting mid-run (a crash, a full disk or queue, a limit), so the checks after that say nothing about it",
		cut, len(valid)-cut, statusSet(valid[cut:]), from)}, true
}

// repeatsRefused reports whether, for every order, the valid deliveries
// after its first accepted delivery (of any role) were all refused and none
// came before it, with at least one refused: a receiver that refuses an
// order it already has. It returns the refused deliveries.
func (se *Session) repeatsRefused() ([]*delivery, bool) {
	accepted := map[string]bool{}
	var refused []*delivery
	for _, d := range se.log {
		if !d.answered() || d.role == roleVariant || d.role == roleRedelivery || d.role == roleShrink || d.fault == wire.FaultMalformedBody {
			continue // (a malformed body does not tell the receiver its order)
		}
		key := d.msg.Event.OrderKey
		considered := validRole(d.role) || d.role == roleForm
		switch {
		case d.accepted() && accepted[key] && considered:
			return nil, false // a later delivery of the order was accepted
		case d.accepted():
			accepted[key] = true
		case !considered:
		case !accepted[key]:
			return nil, false // refused before any delivery of the order was accepted
		default:
			refused = append(refused, d)
		}
	}
	return refused, len(refused) > 0
}

// routing finds events whose valid deliveries were all rejected while
// those of other events were all accepted.
func (se *Session) routing() (Diagnosis, bool) {
	accepted, rejected := map[string]int{}, map[string]int{}
	var statuses []*delivery
	for _, d := range se.log {
		if !validRole(d.role) || !d.answered() {
			continue
		}
		if d.accepted() {
			accepted[d.msg.Event.Event]++
		} else {
			rejected[d.msg.Event.Event]++
			statuses = append(statuses, d)
		}
	}
	var bad, good []string
	for ev := range rejected {
		if accepted[ev] > 0 {
			return Diagnosis{}, false // mixed within one event: not routing
		}
		bad = append(bad, ev)
	}
	good = slices.Collect(maps.Keys(accepted))
	if len(bad) == 0 || len(good) == 0 {
		return Diagnosis{}, false
	}
	slices.Sort(bad)
	slices.Sort(good)
	msg := fmt.Sprintf("the deliveries of %s were all rejected (%s) while those of %s were all accepted: your receiver routes events wrongly or does not handle %s",
		strings.Join(bad, ", "), statusSet(statuses), strings.Join(good, ", "), strings.Join(bad, ", "))
	if statusSet(statuses) == "404" {
		msg = fmt.Sprintf("the deliveries of %s all got 404 (not found) while those of %s were accepted: nothing answers %s at %s",
			strings.Join(bad, ", "), strings.Join(good, ", "), strings.Join(bad, ", "), se.urls(statuses))
	}
	if se.suite.provider.urlMatched() && se.routes == nil {
		msg += "; if this URL is the webhook of one trigger, give each trigger its own webhook (URL and secret) in a targets file"
	}
	return Diagnosis{Cause: CauseEventRouting, Message: msg}, true
}

// forgeryDiagnoses reads the faulted deliveries: those accepted (a
// signature fault through the signature check, a malformed body through
// the receiver's parsing) and those answered 5xx; each fault is named once.
func (se *Session) forgeryDiagnoses() []Diagnosis {
	var out []Diagnosis
	var accepted, serverErrors []wire.Fault
	status := map[wire.Fault]int{}
	for _, d := range se.log {
		if d.role != roleForgery || !d.answered() {
			continue
		}
		switch {
		case d.accepted() && !slices.Contains(accepted, d.fault):
			accepted = append(accepted, d.fault)
			status[d.fault] = d.status
		case d.status/100 == 5 && !slices.Contains(serverErrors, d.fault):
			serverErrors = append(serverErrors, d.fault)
			status[d.fault] = d.status
		}
	}
	var signatureFaults []string
	forged := 0
	for _, f := range accepted {
		switch f {
		case wire.FaultMalformedBody:
			continue // said below
		case wire.FaultMissingSignature, wire.FaultBadSignature, wire.FaultWrongKey:
			forged++
		}
		signatureFaults = append(signatureFaults, faultText[f])
	}
	switch {
	case forged == 3:
		out = append(out, Diagnosis{CauseNoSignatureCheck, fmt.Sprintf("your receiver accepts deliveries whatever their signature (%s): it does not check %s, so anyone who finds the URL can send it orders",
			strings.Join(signatureFaults, "; "), se.suite.provider.signatureHeaderName())})
	case len(signatureFaults) > 0:
		out = append(out, Diagnosis{CauseNoSignatureCheck, fmt.Sprintf("your receiver accepted deliveries it must reject (%s): its check of %s lets them through",
			strings.Join(signatureFaults, "; "), se.suite.provider.signatureHeaderName())})
	}
	if f := wire.FaultMalformedBody; slices.Contains(accepted, f) {
		out = append(out, Diagnosis{CauseMalformedBodyAccepted, fmt.Sprintf("your receiver acknowledged (%d) %s: it answers 2xx before parsing and validating the payload, so a delivery it cannot read is lost instead of refused with a 400",
			status[f], faultText[f])})
	}
	if len(serverErrors) > 0 {
		var what []string
		for _, f := range serverErrors {
			what = append(what, fmt.Sprintf("%s (%d)", faultText[f], status[f]))
		}
		out = append(out, Diagnosis{CauseServerErrorOnRejection, fmt.Sprintf("your receiver answers 5xx to deliveries it should reject (%s): platforms retry a 5xx; answer 400, 401 or 403",
			strings.Join(what, "; "))})
	}
	return out
}

// result returns the result of the check called name so far, or nil.
func (se *Session) result(name string) *Result {
	for i := range se.results {
		if se.results[i].Name == name {
			return &se.results[i]
		}
	}
	return nil
}

// profileMistakes are the signing mistakes of a profile's definition.
func profileMistakes(p wire.Profile, name string) []wire.Mistake {
	if c, ok := p.(*wire.Compiled); ok {
		return c.Mistakes()
	}
	return wire.Mistakes(name)
}
