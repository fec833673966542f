// Package specexport describes a provider's webhooks as the API
// description formats other tools read: an OpenAPI 3.1 document (a
// webhooks entry per event: its method, the JSON request body, the
// headers as header parameters, 2xx responses) or an AsyncAPI 3.0
// document (a send operation per event, a channel per event or per
// receiver URL, messages with payload and headers schemas, HTTP
// bindings).
//
// Export takes any provider.Definition: a built-in, a definition file, or
// one imported from a document (provider.FromSpec). The body schema is the
// body on the wire: the payload, in the definition's envelope (Standard
// Webhooks' {type, timestamp, data}), or the sealed string of an
// encrypting definition (Phasio's {"payload": "..."}), whose description
// says how it is sealed. The signature, message id and timestamp headers
// say in words how requests are signed — the signed content, each scheme's
// algorithm, key derivation and encoding — without a secret.
//
// Payload schemas become components/schemas entries, one per schema
// location their $refs reach (other documents, $defs, $anchors, embedded
// resources), with every $ref rewritten to #/components/schemas/NAME and
// the identifiers dropped, so nothing resolves against a base URI. OpenAPI
// keeps JSON Schema 2020-12; for AsyncAPI (whose schema format is a
// superset of draft-07) the 2020-12 keywords are rewritten in draft-07's
// terms, and a keyword with no such form is refused as an *Error naming
// where the schema is written.
//
// Read back with package apispec (orderhooks --spec), an exported
// document gives the same events with the same payload schemas. The
// package's tests validate the documents with the official parsers
// (@asyncapi/parser, and the OpenAPI Initiative's JSON Schema for 3.1).
package specexport
