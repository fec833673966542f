package wire

import (
	"fmt"
	"strings"

	"github.com/orderhooks/orderhooks/provider"
)

// FormatOf describes the wire format of any provider definition (a
// definition file's, an imported document's; file names it) from its
// sections: the
// headers it sends, the secret's form, the key, the signed content, the
// digest and its encoding, how events are told apart, the entity key, the
// message id, the event time, the steps a receiver takes, and the
// definition's assumptions. The built-ins' curated descriptions are
// Formats'.
func FormatOf(def *provider.Definition, file string) Format {
	f := Format{Provider: def.Name(), Title: def.Title(), Source: def.Source(), File: file}
	if f.Source == "" {
		f.Source = "the provider definition " + def.Name()
	}
	ev := def.EventsSpec()
	sg := def.Signing()
	var accept []string
	accept = append(accept, "read the raw body")
	if sg != nil && len(sg.Schemes) > 0 {
		var digests, encodings []string
		for _, sc := range sg.Schemes {
			digests = append(digests, digestName(sc.Algorithm))
			encodings = append(encodings, fmt.Sprintf("%s as %q", sc.Encoding, sc.Signature))
		}
		f.Headers = append(f.Headers, Header{sg.Header, strings.Join(digests, " or ") + " signature, " + strings.Join(encodings, "; "), "always"})
		sc := sg.Schemes[0]
		f.Secret = secretForm(sc.Secret)
		f.Key = keyOf(sc)
		f.SignedInput = sg.Content
		f.Digest = strings.Join(digests, " or ")
		f.Encoding = strings.Join(encodings, "; ") + " in " + sg.Header
		accept = append(accept, fmt.Sprintf("compute %s of %s keyed with %s; compare its %s encoding with %s in constant time (401 when it differs or is missing)",
			digestName(sc.Algorithm), sg.Content, keyOf(sc), sc.Encoding, sg.Header))
	} else {
		f.Secret, f.Key, f.SignedInput, f.Digest, f.Encoding = "none", "none", "nothing: requests are not signed", "none", "none"
	}
	if ts := def.Timestamp(); ts != nil {
		if ts.Header != "" {
			f.Headers = append(f.Headers, Header{ts.Header, "the send time (" + orDefault(ts.Format, "unix") + ")", "always"})
		}
		tol := ts.Tolerance.D
		if tol == 0 {
			tol = provider.DefaultTolerance
		}
		accept = append(accept, fmt.Sprintf("refuse a timestamp more than %s from the receiver's clock (401)", tol))
	}
	id := def.ID()
	switch {
	case id.Header != "":
		f.Headers = append(f.Headers, Header{id.Header, "the message id, kept by redeliveries" + prefixed(id.Prefix), "always"})
		f.MessageID = id.Header
	case id.Pointer != "":
		f.MessageID = id.Pointer + " of the body"
	case id.TestHeader != "":
		f.Headers = append(f.Headers, Header{id.TestHeader, "the message id, kept by redeliveries", "by orderhooks, not by the provider"})
		f.MessageID = "none from the provider (orderhooks: " + id.TestHeader + ")"
	default:
		f.MessageID = "none"
	}
	if e := def.Encryption(); e != nil {
		f.Body = fmt.Sprintf("an envelope whose %s is the %s-sealed payload (%s)", e.Field, e.Algorithm, orDefault(e.Encoding, "base64url"))
		accept = append(accept, fmt.Sprintf("open %s with %s, keyed with the secret (%s)", e.Field, e.Algorithm, e.Key))
	} else {
		f.Body = "the event's payload, compact JSON"
	}
	var match []string
	for _, m := range ev.Match {
		switch {
		case m.URL:
			match = append(match, "one URL per event")
		case m.Header != "":
			match = append(match, "header "+m.Header)
			f.Headers = append(f.Headers, Header{m.Header, "the event's name on the wire", "always"})
		default:
			match = append(match, "the body's "+m.Pointer)
		}
	}
	if ev.TestHeader != "" {
		f.Headers = append(f.Headers, Header{ev.TestHeader, "the event's name", "by orderhooks, not by the provider"})
	}
	var names []string
	for _, n := range def.EventNames() {
		names = append(names, def.WireName(n))
	}
	list := strings.Join(names, ", ")
	if len(names) > 12 {
		list = strings.Join(names[:12], ", ") + fmt.Sprintf(", … (%d in all)", len(names))
	}
	f.Events = list
	if len(match) > 0 {
		f.Events = strings.Join(match, " and ") + ": " + list
	}
	f.OrderKey = "none"
	if len(ev.Key) > 0 {
		f.OrderKey = strings.Join(ev.Key, " or ")
	} else {
		for _, e := range def.Events() {
			if len(e.Key) > 0 {
				f.OrderKey = strings.Join(e.Key, " or ")
				break
			}
		}
	}
	switch t := ev.Time; {
	case t != nil && !t.None && t.Pointer != "":
		f.EventTime = t.Pointer + " (" + orDefault(t.Format, "rfc3339") + ")"
	case def.Timestamp() != nil && def.Timestamp().Header != "":
		f.EventTime = def.Timestamp().Header
	default:
		f.EventTime = "none: arrival order"
	}
	if f.MessageID != "none" {
		accept = append(accept, "parse the payload and deduplicate on the message id")
	} else {
		accept = append(accept, "parse the payload")
	}
	f.Accept = accept
	for _, a := range def.Assumptions() {
		f.Assumptions = append(f.Assumptions, Assumption{What: a.What, Default: a.Default, Option: a.Option})
	}
	return f
}

func digestName(alg string) string {
	switch alg {
	case provider.AlgorithmHMACSHA256:
		return "HMAC-SHA256"
	case provider.AlgorithmHMACSHA512:
		return "HMAC-SHA512"
	case provider.AlgorithmEd25519:
		return "Ed25519"
	}
	return alg
}

func secretForm(s provider.SecretForm) string {
	out := s.Encoding
	if s.Prefix != "" {
		out = `"` + s.Prefix + `" and ` + s.Encoding
	}
	if s.Hint != "" {
		out += " (" + s.Hint + ")"
	}
	return out
}

func keyOf(sc provider.Scheme) string {
	switch {
	case sc.Algorithm == provider.AlgorithmEd25519:
		return "the Ed25519 key of the secret"
	case sc.Key == provider.KeyDecoded && sc.Secret.Prefix != "":
		return "the " + sc.Secret.Encoding + "-decoded bytes after " + sc.Secret.Prefix
	case sc.Key == provider.KeyDecoded:
		return "the " + sc.Secret.Encoding + "-decoded secret"
	}
	return "the secret string's UTF-8 bytes"
}

func prefixed(p string) string {
	if p == "" {
		return ""
	}
	return ", " + p + " and a UUID"
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
