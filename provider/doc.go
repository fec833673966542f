// Package provider reads provider definitions: a webhook provider
// described as data, in a YAML or JSON file whose format is a JSON Schema
// (Schema; published as docs/provider.schema.json). A definition says
// what a provider's requests look like and how it delivers them:
//
//   - its events: names, payload schemas (inline, in a file next to the
//     definition, or built in), how a receiver tells them apart (a header,
//     a body field, or one URL per event), the entity key and the pointers
//     the state checks compare;
//   - signing: the header, the signed content as a template
//     ("{id}.{timestamp}.{body}"), one or more schemes (HMAC-SHA256,
//     HMAC-SHA512, Ed25519) with the secret's form, the key derivation,
//     the digest's encoding and how one signature is written ("v1,{sig}");
//   - an optional encryption envelope (AES-256-GCM, the Phasio shape);
//   - the message id and timestamp, the body's envelope and stamps;
//   - delivery: ordering, retries, timeout, duplicates;
//   - optionally a lifecycle: states, the events each transition emits
//     and the field changes it makes.
//
// The three built-in providers (Builtins: phasio, happycolis, standard)
// are definitions in this format, embedded (BuiltinFile prints one as
// written). Parse and Load check a definition completely — the format's
// schema, then the rules it cannot say (templates name variables their
// field offers, events are told apart, transitions name events) — and
// report every problem as one line "FILE:LINE: POINTER: message" (*Error,
// Problems). Check goes further without sending anything: schemas
// compile, payloads generated from them validate, lifecycles play.
//
// The package is data only: the wire package compiles a Definition into
// the profile that builds and verifies requests (wire.Compile).
package provider
