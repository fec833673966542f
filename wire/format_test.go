package wire

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/mdtext"
	"github.com/orderhooks/orderhooks/internal/testkit"
)

// TestFormatsMatchRequests: the headers a Format lists are exactly those
// Build sets (Content-Type aside), and those sent "always" are on every
// request; the rendered text names each header and each step.
func TestFormatsMatchRequests(t *testing.T) {
	formats := Formats()
	if len(formats) != len(Providers()) {
		t.Fatalf("%d formats for %d profiles", len(formats), len(Providers()))
	}
	for i, f := range formats {
		if f.Provider != Providers()[i] {
			t.Fatalf("format %d is %s, want %s", i, f.Provider, Providers()[i])
		}
		payloads := generator.ProviderPhasio
		if f.Provider == ProviderHappyColis {
			payloads = generator.ProviderHappyColis
		}
		ev := testkit.Events(t, payloads, 1)[0]
		req, err := testProfile(t, f.Provider).Build(&Message{Event: ev, ID: "00000000-0000-4000-8000-000000000001", Time: testkit.Time}, FaultNone)
		if err != nil {
			t.Fatal(err)
		}
		var listed []string
		for _, h := range f.Headers {
			name := http.CanonicalHeaderKey(h.Name)
			listed = append(listed, name)
			if h.Sent == "always" && req.Header.Get(name) == "" {
				t.Errorf("%s: %s is listed as always sent but Build does not set it", f.Provider, name)
			}
		}
		for name := range req.Header {
			if name != "Content-Type" && !slices.Contains(listed, name) {
				t.Errorf("%s: Build sets %s, which the format does not list", f.Provider, name)
			}
		}
		var text, md bytes.Buffer
		if err := f.WriteText(&text); err != nil {
			t.Fatal(err)
		}
		if err := f.WriteMarkdown(&md); err != nil {
			t.Fatal(err)
		}
		for _, s := range append(listed, f.Accept...) {
			if !strings.Contains(text.String(), s) && !strings.Contains(text.String(), strings.ToLower(s)) {
				t.Errorf("%s: the text does not say %q", f.Provider, s)
			}
			if !strings.Contains(md.String(), mdtext.Escape(s)) {
				t.Errorf("%s: the Markdown does not say %q", f.Provider, s)
			}
		}
	}
}

// TestFormatsGolden pins the rendered formats (help wire and the docs).
func TestFormatsGolden(t *testing.T) {
	var text, md bytes.Buffer
	for i, f := range Formats() {
		if i > 0 {
			text.WriteString("\n")
			md.WriteString("\n")
		}
		_ = f.WriteText(&text)
		_ = f.WriteMarkdown(&md)
	}
	testkit.Golden(t, "TestFormatsGolden.golden.txt", text.Bytes())
	testkit.Golden(t, "TestFormatsGolden.golden.md", md.Bytes())
}
