package wire

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/provider"
)

// TestFormatOf: a definition file's wire format is read from its
// sections (the shop: HMAC-SHA512 over "{timestamp}.{body}", its id
// header with the evt_ prefix, its topic header, its key and time); and
// every header the built-ins' definitions send is one their curated
// descriptions (Formats, the source of help wire and the wire formats
// page) name, so those cannot drift from the definitions.
func TestFormatOf(t *testing.T) {
	shop, err := provider.Load(filepath.Join("..", "testdata", "providers", "shop.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	f := FormatOf(shop, "shop.yaml")
	headers := map[string]string{}
	for _, h := range f.Headers {
		headers[h.Name] = h.Value
	}
	for name, want := range map[string]string{"Shop-Signature": "HMAC-SHA512", "Shop-Event-Id": "evt_", "Shop-Topic": "event"} {
		if !strings.Contains(headers[name], want) {
			t.Errorf("header %s: %q, want it to say %s", name, headers[name], want)
		}
	}
	for got, want := range map[string]string{f.Digest: "HMAC-SHA512", f.SignedInput: "{timestamp}.{body}", f.OrderKey: "/id",
		f.MessageID: "Shop-Event-Id", f.EventTime: "/updatedAt (rfc3339)", f.Key: "the base64-decoded bytes after shsec_"} {
		if got != want {
			t.Errorf("%q, want %q", got, want)
		}
	}
	if !strings.Contains(f.Events, "header Shop-Topic: order/created") || len(f.Accept) < 3 {
		t.Errorf("events %q, %d steps", f.Events, len(f.Accept))
	}
	var b strings.Builder
	if err := f.WriteText(&b); err != nil || !strings.Contains(b.String(), "(--provider-file shop.yaml)") {
		t.Errorf("text: %v\n%s", err, b.String())
	}
	for _, curated := range Formats() {
		def := provider.MustBuiltin(curated.Provider)
		named := map[string]bool{}
		for _, h := range curated.Headers {
			named[strings.ToLower(h.Name)] = true
		}
		for _, h := range FormatOf(def, "").Headers {
			if !named[strings.ToLower(h.Name)] {
				t.Errorf("%s: its definition sends %s, which its description does not name", curated.Provider, h.Name)
			}
		}
	}
}
