package contracts

import (
	"fmt"
	"github.com/orderhooks/orderhooks/emitter"
	"strings"
)

// Check names, stable across releases: reports, --only and --skip use them.
const (
	CheckValidLifecycle   = "accepts-valid-lifecycle"
	CheckMissingSignature = "rejects-missing-signature"
	CheckBadSignature     = "rejects-bad-signature"
	CheckTamperedPayload  = "rejects-tampered-payload"
	CheckWrongKey         = "rejects-wrong-key"
	CheckStaleTimestamp   = "rejects-stale-timestamp"
	CheckMalformedBody    = "rejects-malformed-body"
	CheckUnknownFields    = "tolerates-unknown-fields"
	CheckRawBody          = "verifies-raw-body"
	CheckEdgeCases        = "accepts-edge-cases"
	CheckDuplicates       = "idempotent-duplicates"
	CheckStaleSnapshot    = "ignores-stale-snapshot"
	CheckStateMatches     = "state-matches-snapshot"
	CheckSLO              = "responds-within-slo"
	CheckResponseContract = "response-contract"
)

// Check describes one check of the suite.
type Check struct {
	// Name is the stable name used in reports and in WithOnly/WithSkip.
	Name string
	// Description says in one line what the check proves.
	Description string
	// NeedsProbe is true when the check reports skip without WithProbe.
	NeedsProbe bool
}

// check is a Check with its implementation.
type check struct {
	Check
	run func(se *Session) Result
}

// registry lists the checks in run order: acceptance first, so an
// unreachable or rejecting receiver shows up at the top of the report.
var registry = []check{
	{Check{CheckValidLifecycle, "every event of the provider's built-in lifecycles is answered 2xx within the timeout", false}, runValidLifecycle},
	{Check{CheckMissingSignature, "a delivery without its signature header is answered 4xx", false}, rejectsFault(emitter.FaultMissingSignature)},
	{Check{CheckBadSignature, "a delivery with a wrong signature is answered 4xx", false}, rejectsFault(emitter.FaultBadSignature)},
	{Check{CheckTamperedPayload, "a payload changed after signing is answered 4xx", false}, rejectsFault(emitter.FaultTamper)},
	{Check{CheckWrongKey, "a delivery signed (Phasio: and encrypted) with another secret is answered 4xx", false}, rejectsFault(emitter.FaultWrongKey)},
	{Check{CheckStaleTimestamp, "a delivery timestamped outside the 5-minute tolerance is answered 4xx (standard profile)", false}, rejectsFault(emitter.FaultStaleTimestamp)},
	{Check{CheckMalformedBody, "a body that is not the documented JSON shape is answered 4xx, not 2xx or 5xx", false}, rejectsFault(emitter.FaultMalformedBody)},
	{Check{CheckUnknownFields, "a valid payload with extra, undocumented fields is accepted", false}, runUnknownFields},
	{Check{CheckRawBody, "the same delivery in other legal JSON forms (spaces, indentation, escapes, 12.50, key order, a trailing newline), signed as sent, is accepted: the signature is checked over the raw bytes", false}, runRawBody},
	{Check{CheckEdgeCases, "edge-case payloads (nulls, empty arrays, huge orders, non-Latin text) are accepted", false}, runEdgeCases},
	{Check{CheckDuplicates, "a redelivery with the same ids is answered 2xx and leaves the probed state unchanged", false}, runDuplicates},
	{Check{CheckStaleSnapshot, "an older snapshot arriving after a newer one does not overwrite the probed state", true}, runStaleSnapshot},
	{Check{CheckStateMatches, "after each lifecycle the probed state matches the last snapshot on the compared pointers", true}, runStateMatches},
	{Check{CheckSLO, "p99 latency of accepted deliveries is under the SLO", false}, runSLO},
	{Check{CheckResponseContract, "every 2xx response body validates against the response schema", false}, runResponseContract},
}

// Checks lists every check in run order.
func Checks() []Check {
	out := make([]Check, len(registry))
	for i, c := range registry {
		out[i] = c.Check
	}
	return out
}

// lookup returns the registered check called name.
func lookup(name string) (check, bool) {
	for _, c := range registry {
		if c.Name == name {
			return c, true
		}
	}
	return check{}, false
}

// checkNames validates names against the registry (for WithOnly/WithSkip).
func checkNames(names []string) error {
	for _, n := range names {
		if _, ok := lookup(n); !ok {
			known := make([]string, len(registry))
			for i, c := range registry {
				known[i] = c.Name
			}
			return fmt.Errorf("%w %q (known: %s)", ErrUnknownCheck, n, strings.Join(known, ", "))
		}
	}
	return nil
}
