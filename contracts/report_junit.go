package contracts

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// junitSuites is the JUnit XML layout CI systems (GitHub, GitLab, Jenkins)
// read: one testsuite per run, one testcase per check.
type junitSuites struct {
	XMLName xml.Name `xml:"testsuites"`
	Name    string   `xml:"name,attr"`
	junitCounts
	Suites []junitSuite `xml:"testsuite"`
}

// junitCounts are the counts and the time of the run, which the run's
// testsuites and its one testsuite both carry.
type junitCounts struct {
	Tests    int    `xml:"tests,attr"`
	Failures int    `xml:"failures,attr"`
	Errors   int    `xml:"errors,attr"`
	Skipped  int    `xml:"skipped,attr"`
	Time     string `xml:"time,attr"`
}

type junitSuite struct {
	Name string `xml:"name,attr"`
	junitCounts
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
	SystemOut  string          `xml:"system-out,omitempty"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure"`
	Error     *junitMessage `xml:"error"`
	Skipped   *junitMessage `xml:"skipped"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the report as JUnit XML. Failures carry their evidence
// and reproducing command; an inconclusive check is a <failure> of type
// inconclusive (the receiver rejected its valid control); an interrupted
// check is an <error> of type interrupted, never a failure; warnings pass
// with the explanation in system-out; skips (checks not run included) are
// <skipped>. A run that ended before any check (Report.Error) has one
// <error> testcase named "orderhooks" with the reason. The preflight, why
// the run stopped and the diagnosis are in the suite's properties and
// system-out.
func (r *Report) WriteJUnit(w io.Writer) error {
	s := r.Summary
	suite := junitSuite{
		Name: "orderhooks verify " + r.Provider,
		junitCounts: junitCounts{Tests: s.Total, Failures: s.Failed + s.Inconclusive, Errors: s.Interrupted, Skipped: s.Skipped,
			Time: seconds(s.Duration)},
		Properties: []junitProperty{
			{"provider", r.Provider},
			{"target", r.Target},
			{"seed", fmt.Sprint(r.Seed)},
		},
	}
	var out strings.Builder
	for _, p := range r.Preflight {
		suite.Properties = append(suite.Properties, junitProperty{"preflight", p.Request + ": got " + p.Got})
	}
	if r.Stopped != nil {
		suite.Properties = append(suite.Properties, junitProperty{"stopped", r.Stopped.Message})
		fmt.Fprintf(&out, "stopped: %s\n", r.Stopped.Message)
	}
	for _, d := range r.Diagnosis {
		fmt.Fprintf(&out, "diagnosis: %s\n", d.Message)
	}
	suite.SystemOut = out.String()
	if r.Error != "" {
		suite.Tests++
		suite.Errors++
		suite.Cases = append(suite.Cases, junitCase{Name: "orderhooks", Classname: "orderhooks." + r.Provider, Time: seconds(0),
			Error: &junitMessage{Message: r.Error, Type: "error"}})
	}
	for _, c := range r.Checks {
		tc := junitCase{Name: c.Name, Classname: "orderhooks." + r.Provider, Time: seconds(c.Duration)}
		switch c.Status {
		case StatusFail, StatusInconclusive:
			tc.Failure = &junitMessage{Message: c.Message, Type: string(c.Status), Text: details(c)}
		case StatusInterrupted:
			tc.Error = &junitMessage{Message: c.Message, Type: string(c.Status)}
		case StatusSkip:
			tc.Skipped = &junitMessage{Message: c.Message}
		case StatusWarn:
			tc.SystemOut = "warning: " + c.Message + "\n" + details(c)
		}
		suite.Cases = append(suite.Cases, tc)
	}
	doc := junitSuites{Name: "orderhooks", junitCounts: suite.junitCounts, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// details is the plain-text body of a failure: evidence, saved files, command.
func details(c Result) string {
	var b strings.Builder
	for _, e := range c.Evidence {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	for _, f := range c.Saved {
		fmt.Fprintf(&b, "saved: %s\n", f)
	}
	if c.Reproduce != "" {
		fmt.Fprintf(&b, "reproduce: %s\n", c.Reproduce)
	}
	return b.String()
}

func seconds(d time.Duration) string {
	return fmt.Sprintf("%.3f", d.Seconds())
}
