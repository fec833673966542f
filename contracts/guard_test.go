package contracts

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// TestCheckPanicIsAFailure: a check that panics (a bug) fails with its
// reason; the run and its report go on.
func TestCheckPanicIsAFailure(t *testing.T) {
	saved := registry
	defer func() { registry = saved }()
	registry = append(append([]check(nil), saved...), check{Check{Name: "panics", Description: "a bug"}, func(*Session) Result { panic("boom") }})
	p, err := NewProvider(ProviderHappyColis, "hc-guard-test-secret")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	se, err := s.Start(context.Background(), Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
	if err != nil {
		t.Fatal(err)
	}
	r := se.Check("panics")
	if r.Status != StatusFail || !strings.Contains(r.Message, "internal error") || !strings.Contains(r.Message, "boom") {
		t.Fatalf("%+v", r)
	}
	if got := se.Report().Checks; len(got) != 1 || got[0].Name != "panics" {
		t.Fatalf("report %+v", got)
	}
}
