// Package apispec reads the events of the webhook descriptions vendors
// publish: OpenAPI 3.1 documents (each entry of webhooks whose post
// operation takes a JSON request body is an event) and AsyncAPI 3.0
// documents (each message of an operation whose action is send, with its
// payload schema).
//
// Load reads a document (YAML or JSON) and the documents its $refs reach:
// local references ("#/components/schemas/Pet"), files relative to the
// referring document ("schemas/pet.yaml#/Pet"), and — only when
// Options.AllowRemote says so — http and https URLs, fetched with a
// timeout and a size limit. Every $ref an event needs (path items,
// request bodies, parameters, channels, messages, and every schema its
// payload schema reaches) is resolved while loading, so a document that
// refers to something missing is refused at once with the place of the
// $ref. Reference chains, nesting, document sizes and counts are bounded;
// cycles end.
//
// The result, a *Spec, lists the Events (name, operationId, summary,
// channel and address, the declared header values, the location of the
// payload schema) and serves the documents it read as JSON (Spec.Load),
// which is what generator/schemagen and the validator need to compile a
// payload schema where it stands. Package provider turns a Spec into a
// definition's events (events.import), so the whole contract suite runs
// against the vendor's own description.
//
// Problems are *Error values, one line each: "FILE:LINE: POINTER: message",
// FILE being the document the problem is in.
//
// # Why no OpenAPI library
//
// The package walks the parsed document itself: the parts an importer
// needs are a few members and references, and a general OpenAPI model
// (pb33f/libopenapi was measured) needed more than 300 MB to load a 10 MB
// document. Loading a 10 MB document here is measured by
// BenchmarkLoadTenMB (docs/benchmarks.md).
package apispec
