package contracts

import (
	"slices"

	"github.com/orderhooks/orderhooks/wire"
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
	// Options names the options that change what the check sends or
	// judges, of WithProbe, WithCompare, WithSLO, WithResponseSchema and
	// WithSaveFailures; New refuses one that no selected check uses.
	Options []string
}

// Options that only some checks use (Check.Options).
var (
	probeOptions  = []string{"WithProbe", "WithCompare"}
	saveOptions   = []string{"WithSaveFailures"}
	rejectOptions = []string{"WithProbe"}
)

// check is a Check with its implementation.
type check struct {
	Check
	run func(se *Session) Result
}

// registry lists the checks in run order: acceptance first, so an
// unreachable or rejecting receiver shows up at the top of the report.
var registry = []check{
	{Check{CheckValidLifecycle, "every event of the provider's built-in lifecycles is answered 2xx within the timeout", false, saveOptions}, runValidLifecycle},
	{Check{CheckMissingSignature, "a delivery without its signature header is answered 4xx (with a probe: and its order is not applied)", false, rejectOptions}, rejectsFault(wire.FaultMissingSignature)},
	{Check{CheckBadSignature, "a delivery with a wrong signature is answered 4xx (with a probe: and its order is not applied)", false, rejectOptions}, rejectsFault(wire.FaultBadSignature)},
	{Check{CheckTamperedPayload, "a payload changed after signing is answered 4xx (with a probe: and its order is not applied)", false, rejectOptions}, rejectsFault(wire.FaultTamper)},
	{Check{CheckWrongKey, "a delivery signed (Phasio: and encrypted) with another secret is answered 4xx (with a probe: and its order is not applied)", false, rejectOptions}, rejectsFault(wire.FaultWrongKey)},
	{Check{CheckStaleTimestamp, "a delivery timestamped outside the 5-minute tolerance is answered 4xx (standard profile) (with a probe: and its order is not applied)", false, rejectOptions}, rejectsFault(wire.FaultStaleTimestamp)},
	{Check{CheckMalformedBody, "a body that is not the documented JSON shape is answered 4xx, not 2xx or 5xx (with a probe: and its order is not applied)", false, rejectOptions}, rejectsFault(wire.FaultMalformedBody)},
	{Check{CheckUnknownFields, "a valid payload with extra, undocumented fields is accepted", false, nil}, runUnknownFields},
	{Check{CheckRawBody, "the same delivery in other legal JSON forms (spaces, indentation, escapes, 12.50, key order, a trailing newline), signed as sent, is accepted: the signature is checked over the raw bytes", false, nil}, runRawBody},
	{Check{CheckEdgeCases, "edge-case payloads (nulls, empty arrays, huge orders, non-Latin text) are accepted", false, saveOptions}, runEdgeCases},
	{Check{CheckDuplicates, "a redelivery with the same ids is answered 2xx and leaves the probed state unchanged", false, probeOptions}, runDuplicates},
	{Check{CheckStaleSnapshot, "an older snapshot arriving after a newer one does not overwrite the probed state", true, probeOptions}, runStaleSnapshot},
	{Check{CheckStateMatches, "after each lifecycle the probed state matches the last snapshot on the compared pointers", true, probeOptions}, runStateMatches},
	{Check{CheckSLO, "p99 latency of accepted deliveries is under the SLO", false, []string{"WithSLO"}}, runSLO},
	{Check{CheckResponseContract, "every 2xx response body validates against the response schema", false, []string{"WithResponseSchema"}}, runResponseContract},
}

// Checks lists every check in run order.
func Checks() []Check {
	out := make([]Check, len(registry))
	for i, c := range registry {
		out[i] = c.Check
		out[i].Options = slices.Clone(c.Options)
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
func checkNames(option string, names []string) error {
	for _, n := range names {
		if _, ok := lookup(n); !ok {
			known := make([]string, len(registry))
			for i, c := range registry {
				known[i] = c.Name
			}
			return &OptionError{Package: "contracts", Option: option, Value: n, Want: "not a check", Known: known, Err: ErrUnknownCheck}
		}
	}
	return nil
}
