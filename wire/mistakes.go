package wire

import (
	"bytes"
	"crypto/hmac"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/orderhooks/orderhooks/internal/jsonform"
	"github.com/orderhooks/orderhooks/provider"
)

// Mistake is a way receivers commonly get a platform's signature wrong.
// MisSign signs a request the mistaken way: a receiver that accepts it,
// having rejected the request signed as documented, has the mistake.
type Mistake struct {
	// Name is stable, e.g. "decoded-key" or "node-reserialised".
	Name string
	// Signed says how MisSign signs, e.g. "signed with the decoded key bytes".
	Signed string
	// Receiver says what a receiver that accepts such a request does.
	Receiver string
}

// Names of the mistakes.
const (
	MistakeDecodedKey      = "decoded-key"
	MistakePadding         = "padding"
	MistakeWholeBody       = "whole-body"
	MistakePlaintext       = "plaintext"
	MistakeBase64Digest    = "base64-digest"
	MistakeHexDigest       = "hex-digest"
	MistakeSecretStringKey = "secret-string-key"
	MistakeUndecodedKey    = "undecoded-key"
	MistakeBodyOnly        = "body-only"
	MistakeNode            = "node-reserialised"
	MistakePython          = "python-reserialised"
	MistakeMilliseconds    = "timestamp-milliseconds"
)

// Mistakes lists the mistakes MisSign imitates for the built-in provider
// (nil for another name).
func Mistakes(provider string) []Mistake {
	def, err := builtin(provider)
	if err != nil {
		return nil
	}
	return mistakesOf(factsOf(def))
}

// Mistakes lists the mistakes MisSign imitates for the profile's
// definition, in the order they are worth trying: each applies to a fact
// of the definition (an HMAC keyed with the secret string can be keyed
// with its decoded bytes by mistake, a signed body can be re-serialised).
func (p *Compiled) Mistakes() []Mistake {
	f := factsOf(p.def)
	if len(p.signers) > 0 {
		f.setScheme(p.signers[0].scheme)
	}
	return mistakesOf(f)
}

// mistakeFacts are what the mistakes depend on.
type mistakeFacts struct {
	hmac       bool
	keyUTF8    bool
	secret     provider.SecretForm
	encoding   string
	bare       bool // one signature written alone: "{sig}"
	field      string
	encrypted  bool
	encField   string
	wholeBody  bool
	bodyOnly   bool // the content signs more than the body
	content    string
	unixHeader bool
}

func factsOf(def *provider.Definition) mistakeFacts {
	var f mistakeFacts
	s := def.Signing()
	if s == nil {
		return f
	}
	for i, sc := range s.Schemes {
		if sc.Algorithm == provider.AlgorithmEd25519 {
			continue
		}
		if cs, err := compileScheme(i, sc, def.Template(fmt.Sprintf("/signing/schemes/%d/signature", i))); err == nil {
			f.setScheme(cs)
			break
		}
	}
	if e := def.Encryption(); e != nil {
		f.encrypted, f.encField = true, e.Field
	}
	f.content = describeContent(def)
	content := def.Template("/signing/content")
	if content != nil {
		parts := content.Parts()
		for _, p := range parts {
			if p.Var == "body" && p.Arg == "" {
				f.wholeBody = true
			}
		}
		if only, ok := content.Only(); ok && only.Var == "body" && only.Arg != "" && len(only.Filters) == 0 {
			f.field = only.Arg
		}
		f.bodyOnly = f.wholeBody && len(parts) > 1
	}
	if ts := def.Timestamp(); ts != nil && ts.Header != "" && ts.Format == provider.TimeUnix {
		f.unixHeader = true
	}
	return f
}

func (f *mistakeFacts) setScheme(s *scheme) {
	f.hmac = !s.isEd25519()
	f.keyUTF8 = s.keyUTF8
	f.secret = s.secret
	f.encoding = s.enc.name
	f.bare = s.before == "" && s.after == ""
}

var (
	mistakeNode   = Mistake{MistakeNode, "signed over JSON.stringify(JSON.parse(body))", "verifies JSON.stringify(JSON.parse(body)) (Node style: numbers and escapes rewritten) instead of the raw bytes"}
	mistakePython = Mistake{MistakePython, "signed over json.dumps(json.loads(body))", `verifies json.dumps(json.loads(body)) (Python style: ", " and ": " separators, non-ASCII escaped, 80.00 written 80.0) instead of the raw bytes`}
)

// mistakesOf lists the mistakes that apply to f, in the order worth
// trying.
func mistakesOf(f mistakeFacts) []Mistake {
	if !f.hmac {
		return nil
	}
	var out []Mistake
	text := f.secret.Encoding == provider.EncodingText
	signedWhat := "the signed string"
	if f.field != "" && f.encrypted && f.field == f.encField {
		signedWhat = "the encrypted payload string"
	} else if f.field != "" {
		signedWhat = "the string at " + f.field
	}
	switch {
	case f.keyUTF8 && text:
		out = append(out, Mistake{MistakeDecodedKey, "signed with the decoded client secret", "keys the HMAC with the hex- or base64-decoded client secret instead of its UTF-8 bytes"})
	case f.keyUTF8:
		n := ""
		if f.secret.Bytes != nil && len(f.secret.Bytes.Exact) == 1 {
			n = fmt.Sprintf("%d ", f.secret.Bytes.Exact[0])
		}
		out = append(out, Mistake{MistakeDecodedKey, "signed with the decoded key bytes",
			fmt.Sprintf("keys the HMAC with the %s%s-decoded key bytes instead of the secret string's UTF-8 bytes", n, f.secret.Encoding)})
	case !text:
		out = append(out, Mistake{MistakeSecretStringKey, "signed with the whole secret string as the key",
			fmt.Sprintf("keys the HMAC with the whole secret string (%s…) instead of its %s-decoded bytes", f.secret.Prefix, f.secret.Encoding)})
		if f.secret.Prefix != "" {
			out = append(out, Mistake{MistakeUndecodedKey, "signed with the undecoded " + f.secret.Encoding + " text as the key",
				fmt.Sprintf("keys the HMAC with the %s text after %s without decoding it", f.secret.Encoding, f.secret.Prefix)})
		}
	}
	if f.keyUTF8 && (f.secret.Encoding == provider.EncodingBase64 || f.secret.Encoding == provider.EncodingBase64URL) {
		out = append(out, Mistake{MistakePadding, "signed with the secret string padded the other way", "keys the HMAC with the secret written with the other base64 padding (with or without the trailing =) than the webhook shows"})
	}
	if f.field != "" {
		out = append(out, Mistake{MistakeWholeBody, "signed over the whole body", "signs the whole body instead of " + signedWhat})
		if f.encrypted {
			out = append(out, Mistake{MistakePlaintext, "signed over the decrypted payload JSON", "signs the decrypted payload JSON instead of " + signedWhat})
		}
	}
	if f.bodyOnly {
		out = append(out, Mistake{MistakeBodyOnly, "signed over the body alone", fmt.Sprintf("signs the body alone instead of %q", f.content)})
	}
	if f.wholeBody {
		out = append(out, mistakeNode, mistakePython)
	}
	if f.bare && f.encoding == provider.EncodingHex {
		out = append(out, Mistake{MistakeBase64Digest, "with its digest in base64", "expects the digest in base64 instead of lowercase hex"})
	}
	if f.bare && f.encoding != provider.EncodingHex {
		out = append(out, Mistake{MistakeHexDigest, "with its digest in hex", "expects the digest in hex instead of " + f.encoding})
	}
	if f.unixHeader {
		out = append(out, Mistake{MistakeMilliseconds, "stamped in milliseconds", "reads the timestamp as milliseconds instead of seconds"})
	}
	return out
}

// MisSign returns req, a valid request built by p from secret, signed the
// way a receiver with the mistake named m computes the signature (the body
// unchanged, except in that it carries what the mistake reads). ok is false
// when the mistake cannot be told apart on this request: its signature
// would be the right one, the secret has no such form, or the mistake
// does not apply to the profile. The result never holds the secret.
func MisSign(p Profile, secret string, req *Request, m string) (out *Request, ok bool, err error) {
	c, isCompiled := p.(*Compiled)
	if !isCompiled {
		return nil, false, fmt.Errorf("%w: profile %s", ErrSign, p.Name())
	}
	applies := false
	for _, mk := range c.Mistakes() {
		applies = applies || mk.Name == m
	}
	if !applies || len(c.signers) == 0 || c.signers[0].scheme.isEd25519() {
		return nil, false, nil
	}
	out = &Request{Header: req.Header.Clone(), Body: req.Body, Plaintext: req.Plaintext}
	if ok, err = c.misSign(secret, out, m); !ok || err != nil {
		return nil, false, err
	}
	return out, true, nil
}

func (c *Compiled) misSign(secret string, out *Request, m string) (bool, error) {
	k := c.signers[0]
	s := k.scheme
	var field []byte
	if c.field != nil {
		var err error
		if field, err = c.bodyString(out.Body, c.field, c.fieldName); err != nil {
			return false, fmt.Errorf("%w: %w", ErrSign, err)
		}
	}
	in := signedInput{id: out.Header.Get(c.idHeader), ts: c.timestamp(out.Header, c.items(nil, out.Header)), body: out.Body, field: field,
		event: c.headerEvent(out.Header), hdr: out.Header, method: c.method}
	mac := func(key []byte) []byte {
		parts, err := c.input(nil, in)
		if err != nil {
			return nil
		}
		h := hmac.New(s.newHash, key)
		for _, p := range parts {
			h.Write(p)
		}
		return h.Sum(nil)
	}
	keyBytes := k.decoded
	if s.keyUTF8 {
		keyBytes = k.text
	}
	enc := s.enc
	var sum []byte
	switch m {
	case MistakeDecodedKey:
		var key []byte
		if s.secret.Encoding == provider.EncodingText {
			var err error
			if key, err = hex.DecodeString(secret); err != nil {
				if key, err = base64.StdEncoding.DecodeString(secret); err != nil {
					return false, nil // neither hex nor base64: nothing to decode
				}
			}
		} else {
			key = k.decoded
		}
		sum = mac(key)
	case MistakePadding:
		other := strings.TrimRight(secret, "=")
		if other == secret {
			other += strings.Repeat("=", (4-len(secret)%4)%4)
		}
		if other == secret {
			return false, nil // a length that needs no padding
		}
		sum = mac([]byte(other))
	case MistakeSecretStringKey:
		sum = mac([]byte(secret))
	case MistakeUndecodedKey:
		text, found := strings.CutPrefix(secret, s.secret.Prefix)
		if !found {
			return false, nil
		}
		sum = mac([]byte(text))
	case MistakeWholeBody:
		in.field = out.Body
		sum = mac(keyBytes)
	case MistakePlaintext:
		in.field = out.Plaintext
		sum = mac(keyBytes)
	case MistakeBodyOnly:
		h := hmac.New(s.newHash, keyBytes)
		h.Write(out.Body)
		sum = h.Sum(nil)
	case MistakeNode, MistakePython:
		again, err := reserialise(m, out.Body)
		if err != nil || bytes.Equal(again, out.Body) {
			return false, err
		}
		in.body = again
		sum = mac(keyBytes)
	case MistakeBase64Digest:
		sum, enc = mac(keyBytes), digestEncoding{name: provider.EncodingBase64, padded: true}
	case MistakeHexDigest:
		sum, enc = mac(keyBytes), digestEncoding{name: provider.EncodingHex}
	case MistakeMilliseconds:
		sec, err := strconv.ParseInt(in.ts, 10, 64)
		if err != nil {
			return false, fmt.Errorf("%w: %s %q", ErrSign, c.tsHeaderName, in.ts)
		}
		in.ts = strconv.FormatInt(sec*1000, 10)
		out.Header.Set(c.tsHeader, in.ts)
		sum = mac(keyBytes)
	default:
		return false, nil
	}
	if sum == nil {
		return false, fmt.Errorf("%w: the request has nothing to sign", ErrSign)
	}
	value := make([]byte, 0, 128)
	if c.tsItem {
		value = append(append(append(value, c.tsItemBefore...), in.ts...), c.tsItemAfter...)
		value = append(value, c.join...)
	}
	value = append(value, s.before...)
	value = enc.encode(value, sum)
	value = append(value, s.after...)
	out.Header.Set(c.sigHeader, string(value))
	return true, nil
}

// reserialise rewrites body as the mistake's runtime does.
func reserialise(m string, body []byte) ([]byte, error) {
	if m == MistakeNode {
		return jsonform.Node(body)
	}
	return jsonform.Python(body)
}
