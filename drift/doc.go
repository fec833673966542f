// Package drift compares real payloads with the schemas and reports how
// the platform's traffic differs from its documentation: per event and
// JSON pointer, with counts and one redacted example each.
//
//	a, _ := drift.New()
//	for each payload: a.Add("phasio", "ORDER_UPDATED", payload, "delivery 42")
//	r := a.Report()
//	r.WriteText(os.Stdout, drift.TextOptions{Unseen: true})
//	overlay, uncovered := r.Overlay()
//
// # What is reported
//
// Findings, in the order a receiver breaks on them (Kinds): a null where
// the schema allows none; a value of another type; a required field
// missing; a value outside the documented enum; a string not of its
// format or pattern; a number, length or item count out of bounds; a
// field the documentation does not list (payloads are compared with the
// strict schemas). Each finding counts the payloads that show it out of
// the event's payloads ("/parts/*/material: "PA12-GB" in 41 of 220
// deliveries"), lists the distinct deviating values, and names the
// schema rules broken.
//
// Beside the findings, which are drift (Report.HasDrift): the documented
// fields no payload held, with the sample size, so that their absence can
// be judged; and what every field held (types, numbers' range, strings'
// lengths, item counts, the values of documented fields that are not
// personal).
//
// Examples and listed values are redacted: documented fields that are not
// personal are shown as sent; fields the schemas annotate x-personal as
// pseudonyms (package pii); undocumented and free-form values by their
// shape only (letters x, digits 9), since nothing says what they hold.
// Their numbers are shown.
//
// # Overlays
//
// Report.Overlay turns the findings into a schemas.Overlay: JSON Patch
// operations against the loose schemas that make the analysed payloads
// valid (a field added to the documented properties with its observed
// type and an example, a value added to an enum, null admitted, a field
// no longer required, a format removed). Applied (schemas.Overlay.Apply),
// it gives a schema set that validates what the platform really sends;
// analysing the same payloads with it (WithSchemas) reports no drift.
//
// # How it is fast and why it is right
//
// The analysis reads each payload once, in place (internal/jsonscan),
// along the compiled schemas (internal/shape), without decoding it into a
// tree or running the validator: about 35,000 payloads a second on one
// core of the reference machine (BenchmarkAdd, payloads of 4.7 KB on
// average, both platforms, edge cases included) against about 4,700 for
// the strict validator alone on the same payloads (BenchmarkValidatorPeer,
// same run). Formats and patterns are checked by the validator's own
// functions (UUIDs by an equivalent check that does not allocate), and
// TestAgreesWithValidator holds the analysis to the validator: on clean,
// drifted and hand-broken payloads it finds a violation exactly where
// jsonschema v6 finds one. Schema keywords it does not implement (anyOf,
// oneOf, not, patternProperties, …) are refused at New with ErrSchema
// rather than ignored.
//
// Memory is bounded by the fields of the traffic, not its volume: each
// field keeps counters, its extremes and at most MaxValues distinct
// values.
package drift
