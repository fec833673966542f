// Package schemas holds the JSON Schemas (draft 2020-12) of the order
// webhook payloads that orderhooks generates, sends and checks, derived field
// by field from the platforms' published documentation (the seeds under
// testdata/seeds), embedded in the binary, compiled once and safe for
// concurrent use.
//
// Schemas:
//   - phasio/order: the order payload of Order Created (ORDER) and Order
//     Updated (ORDER_UPDATED). Unknown extra fields are allowed.
//   - phasio/quote-converted: the order payload plus the Quote Converted
//     rules (paymentStatus UNPAID, CONFIRMED or PAID; orderNumber null
//     exactly when UNPAID).
//   - happycolis/order-event: the {header, body} envelope of HappyColis
//     order/* webhooks.
//   - phasio/order-strict, phasio/quote-converted-strict and
//     happycolis/order-event-strict: the same with additionalProperties
//     false on every object, to prove the generator invents nothing. They
//     are not files: they are derived from the loose documents when the
//     package loads, so each payload has one source of truth, and
//     Schema.Source returns the derived document.
//
// Validation errors are *ValidationError values (wrapping
// ErrInvalidDocument) listing every violation with its JSON pointer
// (/parts/0/quantity) and a plain message; a missing or unknown field is
// reported at its own pointer. Compile gives other packages the same
// behaviour for their own file formats.
//
// ReadDocuments splits a stream into documents (JSONL, or JSON documents
// spanning lines) with their line numbers and positioned *SyntaxError
// values; LineOf finds the line a pointer's value starts on (LinesOf, those of
// many pointers in one pass over the document), so tools can
// print violations as FILE:LINE: POINTER: MESSAGE.
package schemas
