package wire

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
)

// parityCase is one profile with options, and the events it sends.
type parityCase struct {
	name     string
	provider string
	events   string // the generator whose events it sends
	secrets  []string
	opts     func() []Option
}

func parityCases() []parityCase {
	std2, _ := NewSecret(ProviderStandard, testkit.Rand(5))
	clock := func() time.Time { return testkit.Time }
	return []parityCase{
		{"phasio", ProviderPhasio, ProviderPhasio, nil, func() []Option { return nil }},
		{"phasio-nonce16", ProviderPhasio, ProviderPhasio, nil, func() []Option { return []Option{WithNonceSize(16)} }},
		{"phasio-nonce-last", ProviderPhasio, ProviderPhasio, nil, func() []Option { return []Option{WithLayout(LayoutNonceLast)} }},
		{"phasio-padded", ProviderPhasio, ProviderPhasio, nil, func() []Option { return []Option{WithPadding(true)} }},
		{"phasio-field", ProviderPhasio, ProviderPhasio, nil, func() []Option { return []Option{WithBodyField("data")} }},
		{"phasio-decoded-key", ProviderPhasio, ProviderPhasio, nil, func() []Option { return []Option{WithHMACKey(HMACKeyDecoded)} }},
		{"phasio-bare", ProviderPhasio, ProviderPhasio, nil, func() []Option {
			return []Option{WithTriggerHeader(false), WithDeliveryHeader(false), WithDefaultTrigger(generator.PhasioQuoteConverted)}
		}},
		{"happycolis", ProviderHappyColis, ProviderHappyColis, nil, func() []Option { return nil }},
		{"happycolis-ids", ProviderHappyColis, ProviderHappyColis, nil, func() []Option {
			return []Option{WithOrganizationID("org-1"), WithWebhookID("hook-1")}
		}},
		{"standard-phasio", ProviderStandard, ProviderPhasio, nil, func() []Option { return []Option{WithClock(clock)} }},
		{"standard-happycolis", ProviderStandard, ProviderHappyColis, nil, func() []Option { return []Option{WithClock(clock)} }},
		{"standard-rotation", ProviderStandard, ProviderPhasio, []string{testkit.StandardSecret, std2}, func() []Option { return []Option{WithClock(clock)} }},
		{"standard-no-timestamp", ProviderStandard, ProviderHappyColis, nil, func() []Option {
			return []Option{WithClock(clock), WithTimestampField(false), WithTolerance(time.Minute)}
		}},
	}
}

// parityFaults are every fault, and one no profile knows.
var parityFaults = []Fault{FaultNone, FaultDuplicate, FaultReorder, FaultDelay, FaultTamper, FaultBadSignature,
	FaultWrongKey, FaultMissingSignature, FaultStaleTimestamp, FaultMalformedBody, "melt"}

// parityRecord is what one Build and Verify gave.
type parityRecord struct {
	Case, Event, Fault string
	BuildError         string            `json:",omitempty"`
	Header             map[string]string `json:",omitempty"`
	Body               string            `json:",omitempty"`
	Verdict            string            `json:",omitempty"`
	Received           string            `json:",omitempty"`
}

// TestParity builds every event of each case with every fault, from one
// seeded random source per case, and verifies each request: headers,
// bodies, errors and verdicts must be the ones in
// testdata/TestParity.golden.json, which the hand-written Phasio,
// HappyColis and Standard Webhooks profiles wrote before the profiles
// were compiled from the built-in definitions. Same bytes on the wire,
// same answers.
func TestParity(t *testing.T) {
	var out []parityRecord
	for _, pc := range parityCases() {
		secrets := pc.secrets
		if secrets == nil {
			secrets = []string{testkit.Secret(pc.provider)}
		}
		p, err := New(pc.provider, secrets, append(pc.opts(), WithRand(testkit.Rand(11)))...)
		if err != nil {
			t.Fatalf("%s: %v", pc.name, err)
		}
		for i, ev := range testkit.Events(t, pc.events, 3) {
			msg := &Message{Event: ev, ID: fmt.Sprintf("msg-%d", i), Time: testkit.Time}
			for _, f := range parityFaults {
				rec := parityRecord{Case: pc.name, Event: fmt.Sprintf("%d %s", i, ev.Event), Fault: string(f)}
				req, err := p.Build(msg, f)
				if err != nil {
					rec.BuildError = sentinel(err)
					out = append(out, rec)
					continue
				}
				rec.Header = map[string]string{}
				for k, v := range req.Header {
					rec.Header[k] = strings.Join(v, "\n")
				}
				rec.Body = digest(req.Body)
				if len(req.Body) < 200 {
					rec.Body = string(req.Body)
				}
				rc, err := p.Verify(req.Header, req.Body)
				if err != nil {
					rec.Verdict = sentinel(err)
				} else {
					rec.Verdict = "ok"
					rec.Received = fmt.Sprintf("%s %s %s %s", rc.Event, rc.ID, rc.Time.UTC().Format(time.RFC3339Nano), digest(rc.Payload))
				}
				out = append(out, rec)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Case < out[j].Case })
	testkit.GoldenJSON(t, out, "")
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return fmt.Sprintf("sha256:%s (%d bytes)", hex.EncodeToString(sum[:8]), len(b))
}

// sentinel names the Err* an error wraps: the verdict, whatever the
// wording of its detail.
func sentinel(err error) string {
	for _, s := range []error{ErrMissingSignature, ErrSignatureMismatch, ErrDecrypt, ErrPayloadTooShort, ErrStaleTimestamp,
		ErrMalformedBody, ErrBadSecret, ErrBadMessage, ErrFaultNotApplicable} {
		if errors.Is(err, s) {
			return Reason(s)
		}
	}
	return "unexpected: " + err.Error()
}
