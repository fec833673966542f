package specexport

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/orderhooks/orderhooks/internal/jsontree"
	"github.com/orderhooks/orderhooks/provider"
)

// header is one request header of an event.
type header struct {
	name, description string
	required          bool
	// shared: every event's requests carry it alike.
	shared bool
	schema *jsontree.Object
}

// headers are the headers a request of ev carries: the signature, the
// message id, the timestamp, the header that names the event, and the
// definition's fixed and per-event headers. orderhooks' own test headers
// are not the provider's and are left out.
func headers(d *provider.Definition, ev *event) []header {
	var out []header
	if s := d.Signing(); s != nil && !s.None && s.Header != "" {
		out = append(out, header{name: s.Header, required: true, shared: true, description: signingText(d),
			schema: obj("type", "string")})
	}
	if h := d.ID().Header; h != "" {
		s := obj("type", "string")
		if p := d.ID().Prefix; p != "" {
			s.Set("pattern", "^"+regexp.QuoteMeta(p))
		}
		out = append(out, header{name: h, required: true, shared: true, schema: s,
			description: "The message id: the same on every redelivery of a message, so receivers deduplicate on it."})
	}
	if ts := d.Timestamp(); ts != nil && ts.Header != "" {
		out = append(out, header{name: ts.Header, required: true, shared: true, schema: timestampSchema(ts.Format),
			description: "When the message was sent (" + timeFormatText(ts.Format) + "), signed with it: receivers refuse a timestamp more than " + tolerance(ts) + " away from their clock."})
	}
	for _, m := range d.EventsSpec().Match {
		if m.Header == "" {
			continue
		}
		v := ev.wire
		if ev.own != nil {
			if mv, ok := ev.own.Match[m.Header]; ok && mv != "" {
				v = mv
			}
		}
		out = append(out, header{name: m.Header, required: true, schema: obj("type", "string", "const", v),
			description: "The event's name."})
	}
	req := d.Request().Headers
	for i, name := range req.Keys {
		h := templateHeader(name, req.Vals[i])
		h.shared = true
		out = append(out, h)
	}
	if ev.own != nil {
		for i, name := range ev.own.Headers.Keys {
			out = append(out, templateHeader(name, ev.own.Headers.Vals[i]))
		}
	}
	return out
}

// templateHeader is a header the definition writes from a template: a
// constant, or a string made at send time.
func templateHeader(name, tmpl string) header {
	t, err := provider.ParseTemplate(tmpl, provider.ContextSend)
	if err == nil && len(t.Parts()) == 1 && t.Parts()[0].Var == "" {
		return header{name: name, required: true, schema: obj("type", "string", "const", t.Parts()[0].Lit)}
	}
	return header{name: name, required: true, schema: obj("type", "string"), description: "Sent as " + tmpl + "."}
}

func timestampSchema(format string) *jsontree.Object {
	if format == provider.TimeRFC3339 {
		return obj("type", "string", "format", "date-time")
	}
	return obj("type", "string", "pattern", "^[0-9]+$")
}

func timeFormatText(format string) string {
	switch format {
	case provider.TimeUnixMS:
		return "Unix milliseconds"
	case provider.TimeRFC3339:
		return "RFC 3339"
	}
	return "Unix seconds"
}

func tolerance(ts *provider.Timestamp) string {
	t := ts.Tolerance.D
	if t == 0 {
		t = provider.DefaultTolerance
	}
	return duration(t)
}

// duration writes d as the definition files do: 5m, 2h, 1m30s, 500ms.
func duration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// signingText says in words how a request is signed: the signed content,
// each scheme's algorithm, key and encoding, and how signatures are
// written in the header. It names the secret's form, never a secret.
func signingText(d *provider.Definition) string {
	s := d.Signing()
	var b strings.Builder
	fmt.Fprintf(&b, "The request's signature. Signed content: %s", s.Content)
	if legend := contentLegend(d); legend != "" {
		fmt.Fprintf(&b, " (%s)", legend)
	}
	b.WriteString(".")
	for i, sc := range s.Schemes {
		b.WriteString(" ")
		if len(s.Schemes) > 1 {
			name := sc.Name
			if name == "" {
				name = fmt.Sprintf("scheme %d", i+1)
			}
			b.WriteString(name + ": ")
		}
		b.WriteString(schemeText(sc))
	}
	if s.TimestampItem != "" {
		fmt.Fprintf(&b, " The header also carries the timestamp, as %s.", s.TimestampItem)
	}
	switch {
	case s.Join == provider.JoinNone:
		b.WriteString(" One signature, one secret per webhook.")
	case s.Join == "" || s.Join == " ":
		b.WriteString(` Several signatures (one per key while keys rotate) are separated by a space; a receiver accepts the request when one of them verifies.`)
	default:
		fmt.Fprintf(&b, " Several signatures (one per key while keys rotate) are separated by %q; a receiver accepts the request when one of them verifies.", s.Join)
	}
	return b.String()
}

// contentLegend says what the variables of the signed content are.
func contentLegend(d *provider.Definition) string {
	t := d.Template("/signing/content")
	if t == nil {
		return ""
	}
	var out []string
	seen := map[string]bool{}
	for _, p := range t.Parts() {
		if p.Var == "" || seen[p.Var+p.Arg] {
			continue
		}
		seen[p.Var+p.Arg] = true
		var s string
		switch p.Var {
		case "id":
			s = "{id} is the message id"
			if h := d.ID().Header; h != "" {
				s += " (the " + h + " header)"
			} else if ptr := d.ID().Pointer; ptr != "" {
				s += " (at " + ptr + " of the body)"
			}
		case "timestamp":
			s = "{timestamp} is the timestamp"
			if ts := d.Timestamp(); ts != nil && ts.Header != "" {
				s += " (the " + ts.Header + " header)"
			} else if d.Signing().TimestampItem != "" {
				s += " (also in the signature header)"
			}
		case "body":
			if p.Arg != "" {
				s = "{body:" + p.Arg + "} is the string at " + p.Arg + " of the body, as sent"
			} else {
				s = "{body} is the raw request body, byte for byte"
			}
		case "header":
			s = "{header:" + p.Arg + "} is the " + p.Arg + " header"
		case "url":
			s = "{url} is the URL the request is sent to"
		case "method":
			s = "{method} is the request's method"
		case "event":
			s = "{event} is the event's name"
		default:
			continue
		}
		out = append(out, s)
	}
	return strings.Join(out, ", ")
}

// schemeText describes one signature scheme.
func schemeText(sc provider.Scheme) string {
	alg := map[string]string{provider.AlgorithmHMACSHA256: "HMAC-SHA256", provider.AlgorithmHMACSHA512: "HMAC-SHA512",
		provider.AlgorithmEd25519: "Ed25519"}[sc.Algorithm]
	if alg == "" {
		alg = sc.Algorithm
	}
	var key string
	switch {
	case sc.Algorithm == provider.AlgorithmEd25519:
		key = "signed with the private key (" + secretText(sc.Secret) + ")"
		if sc.Public != nil {
			key += " and verified with the public key (" + secretText(*sc.Public) + ")"
		}
	case sc.Key == provider.KeyUTF8:
		key = "keyed with the secret string's UTF-8 bytes as given (" + secretText(sc.Secret) + ")"
	default:
		key = "keyed with the secret's decoded bytes (" + secretText(sc.Secret) + ")"
	}
	return fmt.Sprintf("%s of the signed content, %s; the signature %s-encoded and written as %s.", alg, key, sc.Encoding, sc.Signature)
}

// secretText describes a secret's form (never a value).
func secretText(f provider.SecretForm) string {
	s := f.Encoding
	if s == provider.EncodingText {
		s = "text"
	}
	if f.Prefix != "" {
		s = f.Prefix + " then " + s
	}
	return s
}

// deliveryText describes how the provider delivers.
func deliveryText(d *provider.Definition) string {
	dl := d.Delivery()
	var parts []string
	switch dl.Ordering {
	case provider.OrderingPerKey:
		parts = append(parts, "messages of one entity are sent in order")
	case provider.OrderingFIFO:
		parts = append(parts, "messages are sent one at a time, in order")
	case provider.OrderingNone:
		parts = append(parts, "messages may arrive in any order")
	}
	if t := dl.Timeout.D; t > 0 {
		parts = append(parts, "an answer is awaited "+duration(t))
	}
	switch {
	case dl.OnFailure == provider.OnFailureBlock:
		parts = append(parts, "a failed delivery blocks the ones after it")
	case dl.Retry != nil && !dl.Retry.None:
		if w := dl.Retry.Waits(); len(w) > 0 {
			parts = append(parts, "a delivery not answered 2xx is retried after "+waits(w))
		}
	}
	if dl.Duplicates != "" {
		parts = append(parts, "delivery is "+dl.Duplicates)
	}
	if len(parts) == 0 {
		return ""
	}
	s := strings.Join(parts, "; ") + "."
	return strings.ToUpper(s[:1]) + s[1:]
}

func waits(w []time.Duration) string {
	s := make([]string, len(w))
	for i, d := range w {
		s[i] = duration(d)
	}
	return strings.Join(s, ", ")
}

// infoText is the document's description.
func infoText(d *provider.Definition) string {
	var parts []string
	if s := d.Source(); s != "" {
		parts = append(parts, "The webhooks of "+d.Title()+", as orderhooks describes them (from: "+s+").")
	} else {
		parts = append(parts, "The webhooks of "+d.Title()+", as orderhooks describes them.")
	}
	if s := d.Signing(); s != nil && !s.None && s.Header != "" {
		parts = append(parts, "Every request is signed in the "+s.Header+" header (see its description).")
	}
	if d.Encryption() != nil {
		parts = append(parts, "The payload is encrypted: the body carries it sealed (see the body's schema); the payload schemas are under components/schemas.")
	}
	if t := deliveryText(d); t != "" {
		parts = append(parts, t)
	}
	return strings.Join(parts, " ")
}
