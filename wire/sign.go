package wire

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/ids"
	"github.com/orderhooks/orderhooks/provider"
)

// ErrSign is wrapped by Sign and Resign for input they cannot sign.
var ErrSign = errors.New("wire: cannot sign")

// SignOptions fix what Sign would otherwise draw, so its output is
// reproducible (a receiver author compares against it byte for byte).
type SignOptions struct {
	// Nonce is the AES-GCM nonce of encrypted requests (Phasio:
	// DefaultPhasioNonceSize bytes; default random).
	Nonce []byte
	// ID is the message id: HappyColis header.messageId (default: the
	// payload's own, or a fresh UUID when it has none) or Standard
	// webhook-id (default a fresh UUID). Phasio requests carry no id.
	ID string
	// Timestamp is the signed timestamp, e.g. Standard webhook-timestamp
	// (default now).
	Timestamp time.Time
	// Event is the event's name, for definitions that name it in a header
	// or the envelope (default none).
	Event string
}

// Signed is a request exactly as a platform sends it, with the steps that
// made it: the key derivation, what was signed, the digest and its
// encoding. No step ever holds the secret.
type Signed struct {
	Header http.Header
	Body   []byte
	Steps  []Step
}

// Step is one step of building a signed request.
type Step struct {
	// Name says what the step makes, e.g. "HMAC key" or "signed input".
	Name string
	// Detail says how and shows the (public) result, e.g. its first bytes
	// and length.
	Detail string
}

// Sign builds the request provider's platform sends for payload, as its
// built-in definition says (SignDefinition), with no orderhooks header:
//
//   - phasio: payload is the order JSON; it is sealed with AES-256-GCM
//     under the base64url-decoded secret, sent as {"payload":"<base64url
//     nonce||ciphertext||tag>"}, and X-Phasio-Signature is the hex
//     HMAC-SHA256 of that encrypted payload string keyed with the secret
//     string's UTF-8 bytes.
//   - happycolis: payload is the {header, body} envelope; header.messageId
//     is stamped and x-happycolis-webhook-signature is the padded standard
//     base64 HMAC-SHA256 of the exact body bytes keyed with the client
//     secret's UTF-8 bytes.
//   - standard: payload is the body, signed as given: webhook-signature is
//     "v1," and the base64 HMAC-SHA256 of "<id>.<timestamp>.<body>" keyed
//     with the base64-decoded whsec_ secret.
//
// Errors wrap ErrBadSecret (never showing the secret), ErrSign or
// ErrUnknownProvider.
func Sign(provider, secret string, payload []byte, o SignOptions) (*Signed, error) {
	def, err := builtin(provider)
	if err != nil {
		return nil, err
	}
	return SignDefinition(def, secret, payload, o)
}

// SignDefinition builds the request def's provider sends for payload,
// without the headers orderhooks adds for test receivers: payload is
// sealed when the definition encrypts, stamped when it stamps; with an
// envelope, payload is the whole body, signed as given.
func SignDefinition(def *provider.Definition, secret string, payload []byte, o SignOptions) (*Signed, error) {
	if !json.Valid(payload) {
		return nil, fmt.Errorf("%w: the payload is not JSON", ErrSign)
	}
	var opts []Option
	enc := def.Encryption()
	if o.Nonce != nil {
		if enc == nil {
			return nil, fmt.Errorf("%w: %s requests carry no nonce", ErrSign, def.Title())
		}
		if len(o.Nonce) != enc.Nonce.Size {
			return nil, fmt.Errorf("%w: the nonce must be %d bytes, got %d", ErrSign, enc.Nonce.Size, len(o.Nonce))
		}
		opts = append(opts, WithRand(bytes.NewReader(o.Nonce)))
	}
	p, err := compile(def, []string{secret}, newConfig(opts))
	if err != nil {
		return nil, err
	}
	if o.ID != "" && !p.needID {
		return nil, fmt.Errorf("%w: %s requests carry no message id", ErrSign, def.Title())
	}
	if !o.Timestamp.IsZero() && !p.hasTS {
		return nil, fmt.Errorf("%w: %s requests carry no timestamp", ErrSign, def.Title())
	}
	id := ""
	if p.needID {
		id = o.ID
		if id == "" && p.idPtr != nil {
			id, _, _ = (&lazyDoc{raw: payload}).stringAt(p.idPtr)
		}
		if id == "" {
			id = def.ID().Prefix + ids.New()
		}
	}
	at := o.Timestamp
	if at.IsZero() {
		at = time.Now()
	}
	msg := &Message{Event: &generator.Event{Provider: def.Name(), Event: o.Event, Payload: payload}, ID: id, Time: at}
	var req *Request
	if p.env != nil {
		base := &Request{Header: p.header(msg, def.WireName(o.Event), formatTimestamp(at, p.tsFormat), "")}
		if req, err = Resign(p, base, payload); err != nil {
			return nil, err
		}
	} else {
		if len(p.stamps) > 0 {
			fields := make([]stampField, len(p.stamps))
			for i, st := range p.stamps {
				fields[i].ptr = st.ptr
			}
			if _, err := stampPayload(payload, fields); err != nil {
				return nil, fmt.Errorf("%w: not a %s payload: %s", ErrSign, def.Title(), strings.TrimPrefix(err.Error(), "payload: "))
			}
		}
		if req, err = p.Build(msg, FaultNone); err != nil {
			return nil, err
		}
	}
	for _, h := range []string{p.eventTestHeaderRead, p.idTestHeaderRead} {
		if h != "" {
			req.Header.Del(h)
		}
	}
	return &Signed{Header: req.Header, Body: req.Body, Steps: p.explain(secret, msg, req)}, nil
}

// head shows the first bytes of b and its length, for explanations.
func head(b []byte) string {
	const n = 48
	if len(b) <= n {
		return fmt.Sprintf("%q (%d bytes)", b, len(b))
	}
	return fmt.Sprintf("%q… (%d bytes)", b[:n], len(b))
}

// explain says how p built req, step by step, without the secret.
func (p *Compiled) explain(secret string, msg *Message, req *Request) []Step {
	var steps []Step
	if !p.signs {
		return []Step{{"signing", "none: " + p.def.Title() + " requests are not signed"}}
	}
	k := p.signers[0]
	s := k.scheme
	form := s.secret
	if p.seal != nil {
		padding := "unpadded"
		if strings.HasSuffix(secret, "=") {
			padding = "padded"
		}
		sealed, _ := p.bodyString(req.Body, p.seal.fieldPtr, p.seal.field)
		raw, _ := decodeBytes(p.seal.encoding, string(sealed))
		ns := min(p.seal.nonceSize, len(raw))
		keyDesc := fmt.Sprintf("the secret %s-decoded: %d bytes", encodingName(form.Encoding), len(k.decoded))
		if p.seal.keyUTF8 {
			keyDesc = fmt.Sprintf("the secret string's UTF-8 bytes: %d bytes", len(k.text))
		}
		layout := "nonce || ciphertext || 16-byte tag"
		if p.seal.atEnd {
			layout = "ciphertext || 16-byte tag || nonce"
		}
		steps = append(steps,
			Step{"secret", fmt.Sprintf("%s, %d characters (%s), as the webhook shows it; not printed", encodingName(form.Encoding), len(secret), padding)},
			Step{"AES-256 key", keyDesc},
			Step{"nonce", fmt.Sprintf("%d bytes: %x", p.seal.nonceSize, raw[:ns])},
			Step{"plaintext", "the payload JSON as given: " + head(msg.Event.Payload)},
			Step{"sealed", fmt.Sprintf("AES-256-GCM(key, nonce, plaintext), no associated data: %s = %d bytes", layout, len(raw))},
			Step{"encrypted payload string", p.seal.describe() + " of the sealed bytes: " + head(sealed)},
			Step{"body", fmt.Sprintf("the encrypted payload string at %s, compact: %s", p.seal.field, head(req.Body))},
		)
	} else if len(p.stamps) > 0 {
		var set []string
		for _, st := range p.stamps {
			v, _ := st.tmpl.Render(sendVars{msg: msg}.lookup)
			set = append(set, st.ptr.String()+" "+v)
		}
		steps = append(steps, Step{"body", "the payload, compact, with " + strings.Join(set, ", ") + ": " + head(req.Body)})
	}
	switch {
	case s.isEd25519():
		steps = append(steps, Step{"Ed25519 key", fmt.Sprintf("the secret without its %q prefix, %s-decoded: the %d-byte private key; not printed", form.Prefix, encodingName(form.Encoding), len(k.decoded))})
	case s.keyUTF8 && form.Encoding == provider.EncodingText:
		steps = append(steps, Step{"HMAC key", fmt.Sprintf("the secret's UTF-8 bytes as given (%d bytes), not hex- or base64-decoded; not printed", len(k.text))})
	case s.keyUTF8:
		steps = append(steps, Step{"HMAC key", fmt.Sprintf("the UTF-8 bytes of the secret string as shown (%d bytes), not the decoded key", len(k.text))})
	case form.Prefix != "":
		steps = append(steps, Step{"HMAC key", fmt.Sprintf("the secret without its %q prefix, %s-decoded: %d bytes (not the secret string); not printed", form.Prefix, encodingName(form.Encoding), len(k.decoded))})
	default:
		steps = append(steps, Step{"HMAC key", fmt.Sprintf("the secret %s-decoded: %d bytes (not the secret string); not printed", encodingName(form.Encoding), len(k.decoded))})
	}
	input := p.signedInputOf(req)
	steps = append(steps, Step{"signed input", p.describeContent() + ": " + head(input)})
	value := req.Header.Get(p.sigHeader)
	digest := value
	if items := p.items(nil, req.Header); len(items) > 0 {
		for _, it := range items {
			if strings.HasPrefix(it, s.before) && strings.HasSuffix(it, s.after) && len(it) >= len(s.before)+len(s.after) {
				if raw, err := s.enc.decode(it[len(s.before) : len(it)-len(s.after)]); err == nil {
					digest = hex.EncodeToString(raw)
					break
				}
			}
		}
	}
	steps = append(steps, Step{"digest", s.digestName() + ": " + digest})
	written := s.enc.describe()
	if s.before != "" || s.after != "" {
		written = fmt.Sprintf("%q, %s", s.before, written)
		if s.after != "" {
			written += fmt.Sprintf(", %q", s.after)
		}
	}
	if s.enc.name == provider.EncodingHex {
		written += fmt.Sprintf(", %d characters", 2*s.digestSize())
	}
	steps = append(steps, Step{"encoding", written + ", in " + p.sigName + ": " + value})
	return steps
}

// describe says how the sealed bytes are written.
func (s *sealer) describe() string {
	padding := "without padding"
	if s.padded {
		padding = "with padding"
	}
	if s.encoding == provider.EncodingHex {
		return "lowercase hex"
	}
	return s.encoding + " " + padding
}

// describeContent writes the signed content's template with its variables
// named: "<webhook-id>.<webhook-timestamp>.<body>".
func (p *Compiled) describeContent() string {
	if p.field != nil && p.seal != nil && p.fieldName == p.seal.field {
		return "the encrypted payload string, not the body"
	}
	return describeContent(p.def)
}

// describeContent describes a definition's signed content.
func describeContent(def *provider.Definition) string {
	t := def.Template("/signing/content")
	if t == nil {
		return "nothing"
	}
	if only, ok := t.Only(); ok && only.Var == "body" && len(only.Filters) == 0 {
		if only.Arg == "" {
			return "the exact body bytes"
		}
		if e := def.Encryption(); e != nil && e.Field == only.Arg {
			return "the encrypted payload string, not the body"
		}
		return "the string at " + only.Arg + " of the body, not the body"
	}
	var b strings.Builder
	for _, c := range t.Parts() {
		switch c.Var {
		case "":
			b.WriteString(c.Lit)
		case "id":
			b.WriteString("<" + nonEmpty(def.ID().Header, "message id") + ">")
		case "timestamp":
			name := "timestamp"
			if ts := def.Timestamp(); ts != nil && ts.Header != "" {
				name = ts.Header
			}
			b.WriteString("<" + name + ">")
		case "body":
			if c.Arg != "" {
				b.WriteString("<" + dotted(c.Arg) + ">")
			} else {
				b.WriteString("<body>")
			}
		case "header":
			b.WriteString("<" + strings.ToLower(c.Arg) + ">")
		default:
			b.WriteString("<" + c.Var + ">")
		}
	}
	return b.String()
}

func nonEmpty(s, or string) string {
	if s == "" {
		return or
	}
	return s
}

// signedInputOf is the signed input of a built request.
func (p *Compiled) signedInputOf(req *Request) []byte {
	var field []byte
	if p.field != nil {
		field, _ = p.bodyString(req.Body, p.field, p.fieldName)
	}
	in := signedInput{id: req.Header.Get(p.idHeader), ts: p.timestamp(req.Header, p.items(nil, req.Header)), body: req.Body,
		field: field, event: p.headerEvent(req.Header), hdr: req.Header, method: p.method}
	parts, err := p.input(nil, in)
	if err != nil {
		return nil
	}
	return bytes.Join(parts, nil)
}

// Resign returns req with body in place of its body, signed as p signs:
// profiles that sign the exact body bytes (HappyColis, Standard
// Webhooks) sign body again, keeping req's id and timestamp; profiles
// that sign a string of the body (Phasio's encrypted payload string)
// need body to carry req's string (in any JSON form, e.g. indented or
// with escapes) and keep the headers. It makes the same message in
// another legal JSON form.
func Resign(p Profile, req *Request, body []byte) (*Request, error) {
	c, ok := p.(*Compiled)
	if !ok {
		return nil, fmt.Errorf("%w: profile %s", ErrSign, p.Name())
	}
	out := &Request{Header: req.Header.Clone(), Body: body, Plaintext: req.Plaintext, Fault: req.Fault}
	if !c.signs {
		return out, nil
	}
	if c.field != nil {
		was, err := c.bodyString(req.Body, c.field, c.fieldName)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrSign, err)
		}
		now, err := c.bodyString(body, c.field, c.fieldName)
		if err != nil || !bytes.Equal(was, now) {
			return nil, fmt.Errorf("%w: a %s body must keep its signed string %s", ErrSign, c.def.Title(), dotted(c.fieldName))
		}
		return out, nil
	}
	if len(c.signers) == 0 {
		return nil, badSecret("%s: a public key verifies but cannot sign", c.name)
	}
	id := req.Header.Get(c.idHeader)
	ts := c.timestamp(req.Header, c.items(nil, req.Header))
	if c.needIDHeaders && ((c.idHeader != "" && id == "") || (c.hasTS && ts == "")) {
		return nil, fmt.Errorf("%w: no %s to sign", ErrSign, strings.Join(nonEmptyOf(c.def.ID().Header, c.tsHeaderName), " or "))
	}
	in := signedInput{id: id, ts: ts, body: body, event: c.headerEvent(req.Header), hdr: req.Header, method: c.method}
	parts, err := c.input(nil, in)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSign, err)
	}
	value := make([]byte, 0, 128)
	if c.tsItem {
		value = append(append(append(value, c.tsItemBefore...), ts...), c.tsItemAfter...)
	}
	for i, k := range c.signers {
		if i > 0 || c.tsItem {
			value = append(value, c.join...)
		}
		value = append(value, k.scheme.before...)
		value = k.scheme.enc.encode(value, k.sign(nil, parts...))
		value = append(value, k.scheme.after...)
	}
	out.Header.Set(c.sigHeader, string(value))
	return out, nil
}

func nonEmptyOf(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// VectorError is a documented example a definition does not reproduce:
// its index in the definition's vectors and what differs.
type VectorError struct {
	Index   int
	Name    string
	Message string
}

func (e *VectorError) Error() string { return fmt.Sprintf("vector %q: %s", e.Name, e.Message) }

// CheckVectors signs every documented example of def (provider.Vector:
// its secret, id, timestamp, nonce, event and payload or body) and
// compares the request with the expected headers and body, byte for
// byte. Examples of a refusal (expect.error) are not replayed.
func CheckVectors(def *provider.Definition) []*VectorError {
	var out []*VectorError
	for i, v := range def.Vectors() {
		bad := func(format string, args ...any) {
			out = append(out, &VectorError{Index: i, Name: v.Name, Message: fmt.Sprintf(format, args...)})
		}
		if v.Expect.Error != "" {
			continue
		}
		o := SignOptions{ID: v.ID, Event: v.Event}
		if v.Nonce != "" {
			nonce, err := hex.DecodeString(v.Nonce)
			if err != nil {
				bad("nonce is not hex")
				continue
			}
			o.Nonce = nonce
		}
		if v.Timestamp != "" {
			ts := def.Timestamp()
			if ts == nil {
				bad("the definition has no timestamp")
				continue
			}
			at, err := parseTimestamp(v.Timestamp, ts.Format)
			if err != nil {
				bad("timestamp %q is not %s", v.Timestamp, timestampFormatName(ts.Format))
				continue
			}
			o.Timestamp = at
		}
		payload := v.PayloadBytes()
		if v.Body != "" {
			payload = []byte(v.Body)
		}
		s, err := SignDefinition(def, v.Secret, payload, o)
		if err != nil {
			bad("%s", Reason(err))
			continue
		}
		for name, want := range v.Expect.Headers {
			if got := s.Header.Get(name); got != want {
				bad("header %s is %q, the example says %q", name, got, want)
			}
		}
		if v.Expect.Body != "" && string(s.Body) != v.Expect.Body {
			bad("the body differs from the example's:\n got %s\nwant %s", head(s.Body), head([]byte(v.Expect.Body)))
		}
	}
	return out
}
