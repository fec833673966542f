package wire

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/orderhooks/orderhooks/internal/mdtext"
	"github.com/orderhooks/orderhooks/internal/platform"
)

// Format describes one profile's wire format: what a receiver must know to
// accept its requests. It is the one source of `orderhooks help wire` and
// of the wire formats page of the documentation; header names come from
// the constants Build uses, so the description cannot drift from the
// requests.
type Format struct {
	// Provider is the profile's name ("phasio"); Title the platform's.
	Provider, Title string
	// File is the definition file described (FormatOf), "" for a built-in.
	File string
	// Source names the documentation the facts come from, by title.
	Source string
	// Headers are the request's headers besides Content-Type.
	Headers []Header
	// Body is the body's shape.
	Body string
	// Secret is what the secret looks like.
	Secret string
	// Key says which bytes key the HMAC (and, for Phasio, the cipher).
	Key string
	// SignedInput is what is signed.
	SignedInput string
	// Digest and Encoding: the MAC and how it is written in its header.
	Digest, Encoding string
	// Events are the event names, and where a receiver reads them.
	Events string
	// OrderKey, MessageID and EventTime are where a receiver finds the
	// order's key, the id it deduplicates on and the time that orders
	// snapshots.
	OrderKey, MessageID, EventTime string
	// Accept are the steps a receiver takes to accept a request.
	Accept []string
	// Assumptions are what the documentation leaves open: orderhooks'
	// default and the option that changes it.
	Assumptions []Assumption
}

// Header is one request header of a wire format.
type Header struct {
	// Name as orderhooks sends it; HTTP header names are case-insensitive.
	Name string
	// Value's shape, e.g. "lowercase hex, 64 characters".
	Value string
	// Sent says when: "always", or the condition.
	Sent string
}

// Assumption is something the platform's documentation leaves open.
type Assumption struct {
	What, Default, Option string
}

// Formats returns the wire format of every profile, Phasio, HappyColis,
// then Standard Webhooks.
func Formats() []Format {
	ph, _ := platform.Get(platform.Phasio)
	hc, _ := platform.Get(platform.HappyColis)
	return []Format{
		{
			Provider: ProviderPhasio, Title: "Phasio",
			Source: "Phasio documentation, Webhooks: Order Created, Order Updated, Quote Converted",
			Headers: []Header{
				{PhasioSignatureHeader, "lowercase hex HMAC-SHA256, 64 characters", "always"},
				{TriggerHeader, "the trigger, e.g. " + DefaultPhasioTrigger, "by orderhooks, not documented by Phasio; off with WithTriggerHeader(false)"},
				{DeliveryHeader, "the message id, kept by redeliveries", "by orderhooks, not documented by Phasio; off with WithDeliveryHeader(false)"},
			},
			Body:        `{"payload":"<encrypted payload string>"}, compact JSON; the string is base64url of nonce || ciphertext || tag (AES-256-GCM)`,
			Secret:      "base64url (padded or not) of a 32-byte AES-256 key, one per webhook",
			Key:         "the HMAC is keyed with the UTF-8 bytes of the secret string as shown; the cipher with the 32 base64url-decoded bytes",
			SignedInput: "the encrypted payload string, not the body",
			Digest:      "HMAC-SHA256",
			Encoding:    "lowercase hex in " + PhasioSignatureHeader,
			Events:      "one webhook per trigger (" + strings.Join(ph.EventNames(), ", ") + "); the receiver knows it from the webhook it configured",
			OrderKey:    "orderId of the decrypted order",
			MessageID:   "none from Phasio (orderhooks: " + DeliveryHeader + ")",
			EventTime:   "none: arrival order",
			Accept: []string{
				`read the raw body and take the "payload" string of {"payload":"…"}`,
				"compute HMAC-SHA256 of that string keyed with the secret string's UTF-8 bytes; compare its lowercase hex with " + PhasioSignatureHeader + " in constant time (401 when it differs or is missing)",
				"base64url-decode the string (padded or not): a 12-byte nonce, the ciphertext and a 16-byte tag",
				"open it with AES-256-GCM, the key being the secret base64url-decoded (32 bytes), no associated data",
				"parse the plaintext: the order (schema " + platform.SchemaPhasioOrder + ")",
			},
			Assumptions: []Assumption{
				{"nonce size", "12 bytes, random per request", "WithNonceSize"},
				{"layout of the sealed bytes", "nonce || ciphertext || tag", "WithLayout(LayoutNonceLast)"},
				{"base64url padding", "none (decoding accepts both)", "WithPadding(true)"},
				{"body field", DefaultPhasioBodyField, "WithBodyField"},
				{"HMAC key", "the secret string's UTF-8 bytes (as documented)", "WithHMACKey(HMACKeyDecoded)"},
				{"trigger of a request without " + TriggerHeader, DefaultPhasioTrigger, "WithDefaultTrigger"},
			},
		},
		{
			Provider: ProviderHappyColis, Title: "HappyColis",
			Source: "HappyColis documentation, order/updated, and its webhook guide",
			Headers: []Header{
				{HappyColisSignatureHeader, "standard base64 (padded) HMAC-SHA256, 44 characters", "always"},
			},
			Body:        `the compact JSON envelope {"header":{"organizationId","messageId","webhookId","type","date"},"body":{…the order…}}`,
			Secret:      "the application's client secret, any non-empty string",
			Key:         "the client secret's UTF-8 bytes (not hex- or base64-decoded)",
			SignedInput: "the exact body bytes, before any JSON parsing",
			Digest:      "HMAC-SHA256",
			Encoding:    "standard base64 with padding in " + strings.ToLower(HappyColisSignatureHeader),
			Events:      "header.type: " + strings.Join(hc.EventNames(), ", "),
			OrderKey:    "body.id",
			MessageID:   "header.messageId, kept by redeliveries",
			EventTime:   "header.date",
			Accept: []string{
				"read the raw body",
				"compute HMAC-SHA256 of the body bytes keyed with the client secret's UTF-8 bytes; compare its base64 with " + strings.ToLower(HappyColisSignatureHeader) + " in constant time (401 when it differs or is missing)",
				"parse the envelope (schema " + platform.SchemaHappyColisOrderEvent + ") and deduplicate on header.messageId",
			},
			Assumptions: []Assumption{
				{"header.organizationId and header.webhookId", "as generated", "WithOrganizationID, WithWebhookID"},
			},
		},
		{
			Provider: ProviderStandard, Title: "Standard Webhooks",
			Source: "Standard Webhooks specification (standardwebhooks.com)",
			Headers: []Header{
				{StandardIDHeader, "the message id, kept by redeliveries", "always"},
				{StandardTimestampHeader, "Unix seconds of the send time", "always"},
				{StandardSignatureHeader, `"v1,<base64 HMAC-SHA256>" per whsec_ secret, "v1a,<base64 Ed25519>" per whsk_ key, space-separated (several while keys rotate)`, "always"},
			},
			Body:        `{"type":"<event type>","timestamp":"<RFC 3339>","data":<the platform's payload>}; the type is the event name lower-cased, "/" and "_" turned into "." (ORDER_UPDATED → order.updated)`,
			Secret:      `symmetric: "whsec_" and the standard base64 of the key bytes; asymmetric: an Ed25519 key pair, "whsk_" and the base64 of the 32-byte seed (the sender's), "whpk_" and the base64 of the public key (the receiver's)`,
			Key:         "v1: the base64-decoded bytes after whsec_, not the secret string; v1a: the Ed25519 key of the seed after whsk_, verified with the public key after whpk_",
			SignedInput: "<webhook-id>.<webhook-timestamp>.<body>",
			Digest:      "HMAC-SHA256 (v1) or Ed25519 (v1a)",
			Encoding:    `"v1," or "v1a," and standard base64 with padding in ` + strings.ToLower(StandardSignatureHeader),
			Events:      "the body's type: " + strings.Join(standardTypes(), ", "),
			OrderKey:    "data.orderId, data.body.id or data.id",
			MessageID:   strings.ToLower(StandardIDHeader),
			EventTime:   strings.ToLower(StandardTimestampHeader),
			Accept: []string{
				"read the raw body and the three webhook-* headers",
				"compute HMAC-SHA256 of <webhook-id>.<webhook-timestamp>.<body> keyed with the decoded secret and accept when one v1 signature matches, in constant time; or, given a whpk_ public key, accept when one v1a signature is a valid Ed25519 signature of that input (401 otherwise)",
				fmt.Sprintf("refuse a webhook-timestamp more than %d minutes from the receiver's clock (401)", int(DefaultTolerance.Minutes())),
				"parse the body and deduplicate on webhook-id",
			},
			Assumptions: []Assumption{
				{"timestamp tolerance", fmt.Sprintf("%d minutes", int(DefaultTolerance.Minutes())), "WithTolerance"},
				{`"timestamp" in the body`, "present (the specification recommends it)", "WithTimestampField(false)"},
			},
		},
	}
}

// standardTypes are the Standard Webhooks types of both platforms' order
// events, each once.
func standardTypes() []string {
	var out []string
	for _, ev := range platform.Events(platform.Standard) {
		if t := platform.StandardType(ev); !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// WriteText writes f for a terminal: a heading, then one fact a line.
func (f Format) WriteText(w io.Writer) error {
	var b strings.Builder
	how := "--provider " + f.Provider
	if f.File != "" {
		how = "--provider-file " + f.File
	}
	fmt.Fprintf(&b, "%s (%s)\n  from: %s\n\n", f.Title, how, f.Source)
	fmt.Fprintf(&b, "  headers (and Content-Type: application/json):\n")
	for _, h := range f.Headers {
		fmt.Fprintf(&b, "    %s: %s (%s)\n", h.Name, h.Value, h.Sent)
	}
	for _, kv := range f.facts() {
		fmt.Fprintf(&b, "  %s: %s\n", kv[0], kv[1])
	}
	b.WriteString("  to accept a request:\n")
	for i, s := range f.Accept {
		fmt.Fprintf(&b, "    %d. %s\n", i+1, s)
	}
	if len(f.Assumptions) > 0 {
		b.WriteString("  not documented; orderhooks assumes (option to change it):\n")
		for _, a := range f.Assumptions {
			fmt.Fprintf(&b, "    %s: %s (%s)\n", a.What, a.Default, a.Option)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteMarkdown writes f as a Markdown section: a level-3 heading, a
// table of headers, the facts and the steps to accept a request. The
// descriptions are escaped, so "<webhook-id>" or "nonce || tag" read as
// written instead of as HTML or table cells.
func (f Format) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s (`%s`)\n\nFrom the %s.\n\n", f.Title, f.Provider, mdtext.Escape(f.Source))
	b.WriteString("| header | value | sent |\n|---|---|---|\n")
	for _, h := range f.Headers {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", h.Name, mdtext.Escape(h.Value), mdtext.Escape(h.Sent))
	}
	b.WriteString("\n")
	for _, kv := range f.facts() {
		fmt.Fprintf(&b, "- **%s**: %s\n", kv[0], mdtext.Escape(kv[1]))
	}
	b.WriteString("\nTo accept a request, a receiver:\n\n")
	for i, s := range f.Accept {
		fmt.Fprintf(&b, "%d. %s\n", i+1, mdtext.Escape(s))
	}
	if len(f.Assumptions) > 0 {
		b.WriteString("\n| not documented | orderhooks assumes | option |\n|---|---|---|\n")
		for _, a := range f.Assumptions {
			fmt.Fprintf(&b, "| %s | %s | `%s` |\n", mdtext.Escape(a.What), mdtext.Escape(a.Default), a.Option)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// facts are the one-line facts of f, in reading order.
func (f Format) facts() [][2]string {
	return [][2]string{
		{"body", f.Body}, {"secret", f.Secret}, {"key", f.Key}, {"signed input", f.SignedInput},
		{"digest", f.Digest}, {"encoding", f.Encoding}, {"events", f.Events}, {"order key", f.OrderKey},
		{"message id", f.MessageID}, {"event time", f.EventTime},
	}
}
