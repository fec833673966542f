package inspect

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/capture"
)

// quoteReference is quoteShown's meaning, written the slow, plain way,
// for strings short enough to be shown whole ("" for others).
func quoteReference(s string) string {
	if len([]rune(s)) > maxStringShown {
		return ""
	}
	q, _ := json.Marshal(s)
	return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(q))
}

// FuzzQuoteShown: the fast path of plain strings quotes as json.Marshal
// does (with <, > and & left for the page to escape).
func FuzzQuoteShown(f *testing.F) {
	for _, s := range []string{"", "plain", `quo"te`, `back\slash`, "tab\t", "<script>&", "é ü 日本", "\u2028\u2029", "\x7f", "\xff\xfe", "a\x00b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := quoteReference(s)
		if want == "" {
			return // longer than shown: cut, tested below
		}
		if got := quoteShown(s); got != want {
			t.Errorf("quoteShown(%q) = %s, want %s", s, got, want)
		}
	})
}

func TestQuoteShownCuts(t *testing.T) {
	t.Parallel()
	s := strings.Repeat("é", maxStringShown+5)
	got := quoteShown(s)
	if !strings.HasPrefix(got, `"`+strings.Repeat("é", maxStringShown)+`"`) || !strings.HasSuffix(got, "… (2005 characters)") {
		t.Errorf("quoteShown of %d characters = …%s", maxStringShown+5, got[len(got)-40:])
	}
}

// TestVerdictChoices: the verdict filter offers every verdict a store
// filters by, each once, and "any verdict" first.
func TestVerdictChoices(t *testing.T) {
	t.Parallel()
	var offered []string
	for _, c := range verdicts[1:] {
		offered = append(offered, c.Value)
	}
	var known []string
	for _, v := range capture.Verdicts() {
		known = append(known, string(v))
	}
	slices.Sort(offered)
	slices.Sort(known)
	if verdicts[0].Value != "" || !slices.Equal(offered, known) {
		t.Errorf("offered %v after %q; the store filters by %v", offered, verdicts[0].Value, known)
	}
}
