package contracts

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

// TB is the part of *testing.T (or *testing.B) that Test uses, with S the
// type itself so subtests get the same type. Tests of Test pass a fake.
type TB[S any] interface {
	Helper()
	Name() string
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Logf(format string, args ...any)
	Skip(args ...any)
	Run(name string, f func(S)) bool
}

// Test runs the whole contract suite against target as subtests of t named
// after the checks, in the style of net/http/httptest:
//
//	func TestReceiverContract(t *testing.T) {
//		contracts.Test(t, myHandler, contracts.Phasio(secret), contracts.WithProbe("/orders/{orderKey}"))
//	}
//
// The target is an http.Handler (called in-process, deliveries POSTed to
// "/"; use HandlerAt for another path), a Target, or a URL string. A check
// that passes is an ok subtest; one that fails (or is inconclusive) calls
// Errorf with its message, evidence and how to rerun it alone, after the
// root cause of the failures when one is found (said once); a warning is logged; a
// skipped check skips its subtest. A configuration error or an unreachable
// target stops t with Fatalf. Test returns the report, e.g. to write it
// with WriteJUnit; it is nil when no check ran.
func Test[S TB[S]](t S, target any, p Provider, opts ...Option) *Report {
	t.Helper()
	se, err := start(context.Background(), target, p, opts, true)
	if err != nil {
		t.Fatalf("%v", err)
		return nil
	}
	defer se.Close()
	said := map[string]bool{}
	for _, c := range se.suite.checks {
		t.Run(c.Name, func(st S) {
			st.Helper()
			r := se.Check(c.Name)
			// A root cause is said once, in the first subtest it explains.
			var diagnosis []string
			for _, d := range se.diagnose() {
				if !said[d.Cause] && r.Status != StatusPass {
					said[d.Cause] = true
					diagnosis = append(diagnosis, "diagnosis: "+d.Message)
				}
			}
			if len(diagnosis) > 0 {
				r.Message = strings.Join(diagnosis, "\n") + "\n" + r.Message
			}
			switch r.Status {
			case StatusPass:
				st.Logf("%s", r.Message)
			case StatusWarn:
				st.Logf("warn: %s", r.Message)
			case StatusSkip:
				st.Skip(r.Message)
			default:
				st.Errorf("%s", failureText(r, st.Name(), se.suite.cfg.seed))
			}
		})
	}
	return se.Report()
}

// failureText is a failed check's message, its evidence one per line and
// how to rerun it alone: the subtest, or the check with the same seed.
func failureText(r Result, testName string, seed int64) string {
	var b strings.Builder
	b.WriteString(r.Message)
	for _, e := range r.Evidence {
		b.WriteString("\n  ")
		b.WriteString(e.String())
	}
	for _, path := range r.Saved {
		b.WriteString("\n  saved: " + path)
	}
	fmt.Fprintf(&b, "\n  rerun alone: go test -run '%s'", runPattern(testName))
	fmt.Fprintf(&b, "\n  or with contracts.WithOnly(%q), contracts.WithSeed(%d)", r.Name, seed)
	if r.Reproduce != "" {
		b.WriteString("\n  or: " + r.Reproduce)
	}
	return b.String()
}

// runPattern anchors each level of a subtest name for go test -run.
func runPattern(name string) string {
	levels := strings.Split(name, "/")
	for i, l := range levels {
		levels[i] = "^" + regexp.QuoteMeta(l) + "$"
	}
	return strings.Join(levels, "/")
}
