package contracts_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/contracts"
	"github.com/orderhooks/orderhooks/provider"
	"github.com/orderhooks/orderhooks/receiver"
	"github.com/orderhooks/orderhooks/wire"
)

// TestRepeatedKeysAreNoSecurityFailure: when a definition's schema lets
// the generated entities share keys (here an enum of two order ids), a
// correct receiver's probe finds a forgery's order because an earlier
// valid delivery made it. That proves nothing about the forgery: the
// rejection stands and the message says the probe cannot tell, where it
// used to be a "security failure".
func TestRepeatedKeysAreNoSecurityFailure(t *testing.T) {
	def := shopVariant(t, func(f *provider.File) {
		for i := range f.Events.List {
			in := f.Events.List[i].Schema.Inline
			out := bytes.Replace(in, []byte(`"pattern":"^ord_[0-9a-f]{12}$"`), []byte(`"enum":["ord_000000000001","ord_000000000002"]`), 1)
			if bytes.Equal(in, out) {
				t.Fatal("the shop's id schema changed: adapt the test")
			}
			f.Events.List[i].Schema.Inline = out
		}
	})
	p, err := wire.Compile(def, shopSecret)
	if err != nil {
		t.Fatal(err)
	}
	rv, err := receiver.New(p)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := contracts.NewProviderFromDefinition(def, shopSecret)
	if err != nil {
		t.Fatal(err)
	}
	r := contracts.Test(noFailTB{t}, rv, cp, contracts.WithOnly(append([]string{contracts.CheckValidLifecycle}, signatureChecks...)...),
		contracts.WithProbe("/orders/{orderKey}"))
	cannotTell := 0
	for _, name := range signatureChecks {
		c := r.Result(name)
		if c.Status != contracts.StatusPass {
			t.Errorf("%s: %s %q, want a pass (the receiver rejects every forgery)", name, c.Status, c.Message)
		}
		if strings.Contains(c.Message, "the probe cannot tell") {
			cannotTell++
		}
	}
	if cannotTell == 0 {
		t.Error("no check met a repeated key: the test proves nothing")
	}
}
