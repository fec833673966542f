package contracts_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/schemas"
)

// sampleReport has one check of every status, evidence, a saved file and a
// reproducing command, and characters that need escaping in XML and JSON.
func sampleReport() *contracts.Report {
	return &contracts.Report{
		Provider: "phasio",
		Target:   "http://127.0.0.1:8080/webhooks?a=1&b=<2>",
		Seed:     42,
		Checks: []contracts.Result{
			{Name: contracts.CheckValidLifecycle, Status: contracts.StatusPass, Message: "24 deliveries of 8 orders answered 2xx", Deliveries: 24, Duration: 120 * time.Millisecond},
			{
				Name: contracts.CheckBadSignature, Status: contracts.StatusFail, Deliveries: 1, Duration: 3 * time.Millisecond,
				Message: "security failure: accepted (200) a delivery with a wrong signature, so forged or corrupted webhooks get processed",
				Evidence: []contracts.Evidence{{
					DeliveryID: "6f1c2a4e-0000-4000-8000-000000000001",
					Request:    "POST ORDER order 12345 (phasio/quote-to-paid step created, fault bad-signature)",
					Status:     200, Response: `{"ok":true,"note":"<&>"}`, Expected: "4xx", Got: "200",
				}},
				Reproduce: "orderhooks verify --provider phasio --url http://127.0.0.1:8080/webhooks --secret env:ORDERHOOKS_SECRET --only rejects-bad-signature --seed 42",
				Saved:     []string{"failures/accepts-edge-cases-seed42-order-1.json"},
			},
			{Name: contracts.CheckStaleSnapshot, Status: contracts.StatusWarn, Message: "Phasio payloads carry no version"},
			{Name: contracts.CheckStateMatches, Status: contracts.StatusSkip, Message: "needs a probe of the receiver's state (--probe)"},
			{
				Name: contracts.CheckWrongKey, Status: contracts.StatusInconclusive, Deliveries: 1, Duration: 2 * time.Millisecond,
				Message: "inconclusive: the receiver rejects valid deliveries too (control answered 401)",
				Evidence: []contracts.Evidence{{
					DeliveryID: "6f1c2a4e-0000-4000-8000-000000000002",
					Request:    "POST ORDER order 12346 (phasio/quote-to-paid step quote)",
					Status:     401, Response: `{"error":"signature mismatch"}`, Expected: "2xx (a valid control delivery)", Got: "401",
				}},
			},
			{Name: contracts.CheckEdgeCases, Status: contracts.StatusInterrupted, Message: "interrupted: the run was interrupted", Deliveries: 3},
			{Name: contracts.CheckSLO, Status: contracts.StatusSkip, Message: "not run: the run was interrupted"},
		},
		Preflight: []contracts.Evidence{{
			DeliveryID: "6f1c2a4e-0000-4000-8000-000000000000",
			Request:    "POST ORDER order 12340 (phasio/quote-to-paid step quote)",
			Status:     200, Response: `{"ok":true}`, Expected: "an answer", Got: "200",
		}},
		Stopped: &contracts.Stop{Reason: contracts.StopInterrupted, Message: "the run was interrupted"},
		Diagnosis: []contracts.Diagnosis{{
			Cause:   "decoded-key",
			Message: "valid deliveries got 401 but one signed with the decoded key bytes was accepted: your receiver keys the HMAC with the decoded key",
		}},
		Summary: contracts.Summary{Total: 7, Passed: 1, Failed: 1, Warned: 1, Skipped: 2, Inconclusive: 1, Interrupted: 1, Duration: 1500 * time.Millisecond},
	}
}

func TestWriteText(t *testing.T) {
	for _, color := range []bool{false, true} {
		var b bytes.Buffer
		if err := sampleReport().WriteText(&b, color); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(b.String(), "\x1b["); got != color {
			t.Errorf("color %v: output has ANSI escapes: %v", color, got)
		}
		if !color {
			testkit.Golden(t, "TestWriteText.golden.txt", b.Bytes())
		}
	}
}

func TestWriteJSONValidatesAgainstReportSchema(t *testing.T) {
	schema, err := schemas.Compile("contracts/report", contracts.ReportSchema)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := sampleReport().WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if err := schema.ValidateJSON(b.Bytes()); err != nil {
		t.Fatalf("report breaks its schema: %v\n%s", err, b.Bytes())
	}
	testkit.Golden(t, "TestWriteJSON.golden.json", b.Bytes())
	// A definition's run names the definition (--provider-file, --spec).
	def := sampleReport()
	def.Provider = "github"
	var d bytes.Buffer
	if err := def.WriteJSON(&d); err != nil {
		t.Fatal(err)
	}
	if err := schema.ValidateJSON(d.Bytes()); err != nil {
		t.Errorf("a definition's report breaks the schema: %v", err)
	}

	var back struct {
		Seed   int64 `json:"seed"`
		Checks []struct {
			Name     string               `json:"name"`
			Status   string               `json:"status"`
			Evidence []contracts.Evidence `json:"evidence"`
		} `json:"checks"`
		Summary map[string]float64 `json:"summary"`
	}
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Seed != 42 || len(back.Checks) != 7 || back.Checks[4].Status != "inconclusive" || back.Summary["inconclusive"] != 1 || back.Checks[1].Evidence[0].Status != 200 || back.Summary["failed"] != 1 || back.Summary["durationMs"] != 1500 {
		t.Errorf("report read back as %+v", back)
	}
}

// TestReportSchemaRejects proves the schema can fail: documents that break
// the report's shape are rejected at the right pointer.
func TestReportSchemaRejects(t *testing.T) {
	schema := schemas.MustCompile("contracts/report", contracts.ReportSchema)
	var b bytes.Buffer
	if err := sampleReport().WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, from, to, pointer string
	}{
		{"unknown status", `"status": "warn"`, `"status": "maybe"`, "/checks/2/status"},
		{"seed as string", `"seed": 42`, `"seed": "42"`, "/seed"},
		{"not a provider name", `"provider": "phasio"`, `"provider": "Stripe Inc"`, "/provider"},
		{"unknown stop reason", `"reason": "interrupted"`, `"reason": "bored"`, "/stopped/reason"},
		{"diagnosis without cause", `"cause": "decoded-key",`, ``, "/diagnosis/0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := strings.Replace(b.String(), tt.from, tt.to, 1)
			if doc == b.String() {
				t.Fatalf("%q not found in the report", tt.from)
			}
			err := schema.ValidateJSON([]byte(doc))
			if err == nil || !strings.Contains(err.Error(), tt.pointer) {
				t.Fatalf("got %v, want a violation at %s", err, tt.pointer)
			}
		})
	}
}

// junitDoc is how CI systems read JUnit XML.
type junitDoc struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Suites   []struct {
		Name       string `xml:"name,attr"`
		Tests      int    `xml:"tests,attr"`
		Failures   int    `xml:"failures,attr"`
		Properties []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"properties>property"`
		Cases []struct {
			Name    string `xml:"name,attr"`
			Time    string `xml:"time,attr"`
			Failure *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
			} `xml:"error"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
			SystemOut string `xml:"system-out"`
		} `xml:"testcase"`
		SystemOut string `xml:"system-out"`
	} `xml:"testsuite"`
}

func TestWriteJUnitParsesBack(t *testing.T) {
	var b bytes.Buffer
	if err := sampleReport().WriteJUnit(&b); err != nil {
		t.Fatal(err)
	}
	testkit.Golden(t, "TestWriteJUnit.golden.xml", b.Bytes())
	var doc junitDoc
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("JUnit output is not XML: %v", err)
	}
	// The inconclusive check fails the run; the interrupted one is an error.
	if doc.Tests != 7 || doc.Failures != 2 || doc.Errors != 1 || doc.Skipped != 2 || len(doc.Suites) != 1 {
		t.Fatalf("counts: %+v", doc)
	}
	s := doc.Suites[0]
	if s.Name != "orderhooks verify phasio" || len(s.Cases) != 7 {
		t.Fatalf("suite %q with %d cases", s.Name, len(s.Cases))
	}
	props := map[string]string{}
	for _, p := range s.Properties {
		props[p.Name] = p.Value
	}
	if props["seed"] != "42" || props["target"] != "http://127.0.0.1:8080/webhooks?a=1&b=<2>" {
		t.Errorf("properties %v", props)
	}
	fail := s.Cases[1]
	if fail.Name != contracts.CheckBadSignature || fail.Failure == nil ||
		!strings.Contains(fail.Failure.Message, "security failure") ||
		!strings.Contains(fail.Failure.Text, `{"ok":true,"note":"<&>"}`) ||
		!strings.Contains(fail.Failure.Text, "--only rejects-bad-signature --seed 42") {
		t.Errorf("failure case %+v", fail)
	}
	if s.Cases[0].Failure != nil || s.Cases[0].Skipped != nil || s.Cases[0].Time != "0.120" {
		t.Errorf("passing case %+v", s.Cases[0])
	}
	if !strings.Contains(s.Cases[2].SystemOut, "warning: Phasio") || s.Cases[2].Failure != nil {
		t.Errorf("warning case %+v", s.Cases[2])
	}
	if s.Cases[3].Skipped == nil || !strings.Contains(s.Cases[3].Skipped.Message, "--probe") {
		t.Errorf("skipped case %+v", s.Cases[3])
	}
	if c := s.Cases[4]; c.Failure == nil || c.Failure.Type != "inconclusive" || !strings.Contains(c.Failure.Text, "got 401") {
		t.Errorf("inconclusive case %+v", c)
	}
	if c := s.Cases[5]; c.Error == nil || c.Error.Type != "interrupted" || c.Failure != nil {
		t.Errorf("interrupted case %+v", c)
	}
	if !strings.Contains(s.SystemOut, "diagnosis: valid deliveries got 401") || !strings.Contains(s.SystemOut, "stopped: the run was interrupted") {
		t.Errorf("suite system-out %q", s.SystemOut)
	}
}
