package wire

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/jsonform"
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

var (
	mistakeNode   = Mistake{MistakeNode, "signed over JSON.stringify(JSON.parse(body))", "verifies JSON.stringify(JSON.parse(body)) (Node style: numbers and escapes rewritten) instead of the raw bytes"}
	mistakePython = Mistake{MistakePython, "signed over json.dumps(json.loads(body))", `verifies json.dumps(json.loads(body)) (Python style: ", " and ": " separators, non-ASCII escaped, 80.00 written 80.0) instead of the raw bytes`}
)

// mistakes are each profile's, in the order MisSign is worth trying.
var mistakes = map[string][]Mistake{
	generator.ProviderPhasio: {
		{MistakeDecodedKey, "signed with the decoded key bytes", "keys the HMAC with the 32 base64url-decoded key bytes instead of the secret string's UTF-8 bytes"},
		{MistakePadding, "signed with the secret string padded the other way", "keys the HMAC with the secret written with the other base64 padding (with or without the trailing =) than the webhook shows"},
		{MistakeWholeBody, "signed over the whole body", "signs the whole body instead of the encrypted payload string"},
		{MistakePlaintext, "signed over the decrypted order JSON", "signs the decrypted order JSON instead of the encrypted payload string"},
		{MistakeBase64Digest, "with its digest in base64", "expects the digest in base64 instead of lowercase hex"},
	},
	generator.ProviderHappyColis: {
		{MistakeDecodedKey, "signed with the decoded client secret", "keys the HMAC with the hex- or base64-decoded client secret instead of its UTF-8 bytes"},
		mistakeNode, mistakePython,
		{MistakeHexDigest, "with its digest in hex", "expects the digest in hex instead of standard base64"},
	},
	ProviderStandard: {
		{MistakeSecretStringKey, "signed with the whole secret string as the key", "keys the HMAC with the whole secret string (whsec_…) instead of its base64-decoded bytes"},
		{MistakeUndecodedKey, "signed with the undecoded base64 text as the key", "keys the HMAC with the base64 text after whsec_ without decoding it"},
		{MistakeBodyOnly, "signed over the body alone", `signs the body alone instead of "<webhook-id>.<webhook-timestamp>.<body>"`},
		mistakeNode, mistakePython,
		{MistakeMilliseconds, "stamped in milliseconds", "reads webhook-timestamp as milliseconds instead of seconds"},
	},
}

// Mistakes lists the mistakes MisSign imitates for provider.
func Mistakes(provider string) []Mistake {
	return append([]Mistake(nil), mistakes[provider]...)
}

// MisSign returns req, a valid request built by p from secret, signed the
// way a receiver with the mistake named m computes the signature (the body
// unchanged, except in that it carries what the mistake reads). ok is false
// when the mistake cannot be told apart on this request: its signature
// would be the right one, or the secret has no such form. The result
// never holds the secret.
func MisSign(p Profile, secret string, req *Request, m string) (out *Request, ok bool, err error) {
	out = &Request{Header: req.Header.Clone(), Body: req.Body, Plaintext: req.Plaintext}
	switch p := p.(type) {
	case *Phasio:
		ok, err = p.misSign(secret, out, m)
	case *HappyColis:
		ok, err = p.misSign(secret, out, m)
	case *Standard:
		ok, err = p.misSign(secret, out, m)
	default:
		return nil, false, fmt.Errorf("%w: profile %s", ErrSign, p.Name())
	}
	if !ok || err != nil {
		return nil, false, err
	}
	return out, true, nil
}

func (p *Phasio) misSign(secret string, out *Request, m string) (bool, error) {
	payload, err := p.field(out.Body)
	if err != nil {
		return false, fmt.Errorf("%w: %w", ErrSign, err)
	}
	var sum []byte
	switch m {
	case MistakeDecodedKey:
		key, err := decodePhasioSecret(secret)
		if err != nil {
			return false, err
		}
		sum = hmacSHA256(key, payload)
	case MistakePadding:
		other := strings.TrimRight(secret, "=")
		if other == secret {
			other += strings.Repeat("=", (4-len(secret)%4)%4)
		}
		if other == secret {
			return false, nil // a length that needs no padding
		}
		sum = hmacSHA256([]byte(other), payload)
	case MistakeWholeBody:
		sum = hmacSHA256([]byte(secret), out.Body)
	case MistakePlaintext:
		sum = hmacSHA256([]byte(secret), out.Plaintext)
	case MistakeBase64Digest:
		out.Header.Set(PhasioSignatureHeader, base64.StdEncoding.EncodeToString(hmacSHA256([]byte(secret), payload)))
		return true, nil
	default:
		return false, nil
	}
	out.Header.Set(PhasioSignatureHeader, hex.EncodeToString(sum))
	return true, nil
}

func (p *HappyColis) misSign(secret string, out *Request, m string) (bool, error) {
	var sum []byte
	switch m {
	case MistakeDecodedKey:
		key, err := hex.DecodeString(secret)
		if err != nil {
			if key, err = base64.StdEncoding.DecodeString(secret); err != nil {
				return false, nil // neither hex nor base64: nothing to decode
			}
		}
		sum = hmacSHA256(key, out.Body)
	case MistakeNode, MistakePython:
		again, err := reserialise(m, out.Body)
		if err != nil || bytes.Equal(again, out.Body) {
			return false, err
		}
		sum = hmacSHA256(p.key, again)
	case MistakeHexDigest:
		out.Header.Set(HappyColisSignatureHeader, hex.EncodeToString(hmacSHA256(p.key, out.Body)))
		return true, nil
	default:
		return false, nil
	}
	out.Header.Set(HappyColisSignatureHeader, base64.StdEncoding.EncodeToString(sum))
	return true, nil
}

func (p *Standard) misSign(secret string, out *Request, m string) (bool, error) {
	id, ts := out.Header.Get(StandardIDHeader), out.Header.Get(StandardTimestampHeader)
	key := p.keys[0]
	var sum []byte
	switch m {
	case MistakeSecretStringKey:
		sum = p.sign([]byte(secret), id, ts, out.Body)
	case MistakeUndecodedKey:
		text, found := strings.CutPrefix(secret, standardSecretPrefix)
		if !found {
			return false, nil
		}
		sum = p.sign([]byte(text), id, ts, out.Body)
	case MistakeBodyOnly:
		sum = hmacSHA256(key, out.Body)
	case MistakeNode, MistakePython:
		again, err := reserialise(m, out.Body)
		if err != nil || bytes.Equal(again, out.Body) {
			return false, err
		}
		sum = p.sign(key, id, ts, again)
	case MistakeMilliseconds:
		sec, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			return false, fmt.Errorf("%w: webhook-timestamp %q", ErrSign, ts)
		}
		ts = strconv.FormatInt(sec*1000, 10)
		out.Header.Set(StandardTimestampHeader, ts)
		sum = p.sign(key, id, ts, out.Body)
	default:
		return false, nil
	}
	out.Header.Set(StandardSignatureHeader, "v1,"+base64.StdEncoding.EncodeToString(sum))
	return true, nil
}

// reserialise rewrites body as the mistake's runtime does.
func reserialise(m string, body []byte) ([]byte, error) {
	if m == MistakeNode {
		return jsonform.Node(body)
	}
	return jsonform.Python(body)
}
