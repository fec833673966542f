package schemagen_test

import (
	"encoding/json"
	"regexp"
	"testing"

	"github.com/orderhooks/orderhooks/generator/schemagen"
)

// TestPatterns checks the regex generator on the constructs JSON Schema
// documents use: every string matches, and strings vary.
func TestPatterns(t *testing.T) {
	for _, p := range []string{
		`^[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}$`,         // IBAN-like
		`^\+[1-9]\d{6,14}$`,                        // E.164
		`^(?:[a-z0-9-]+\.)+[a-z]{2,}$`,             // host names
		`^#[0-9a-fA-F]{6}$`,                        // colours
		`^(ORD|INV|CRN)-\d{4,6}(-[A-Z])?$`,         // alternation, optional group
		`^\w+@\w+\.\w{2,3}$`,                       // classes
		`^[^\s@]+@[^\s@]+$`,                        // negated classes
		`(?i)^sku_[a-z]{3}$`,                       // case folding
		`^\p{Lu}\p{Ll}+$`,                          // unicode classes
		`^.{3}x*\.?$`,                              // any char
		`^v\d+\.\d+\.\d+(-(alpha|beta|rc)\.\d+)?$`, // semver-like
		`abc`, // unanchored
	} {
		t.Run(p, func(t *testing.T) {
			re := regexp.MustCompile(p)
			schema, _ := json.Marshal(map[string]any{"type": "string", "pattern": p})
			g, err := schemagen.New(schema)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for seed := int64(0); seed < 100; seed++ {
				b, err := g.Generate(seed)
				if err != nil {
					t.Fatal(err)
				}
				var s string
				if err := json.Unmarshal(b, &s); err != nil {
					t.Fatal(err)
				}
				if !re.MatchString(s) {
					t.Fatalf("%q does not match", s)
				}
				seen[s] = true
			}
			if p != `abc` && len(seen) < 10 {
				t.Errorf("only %d distinct strings", len(seen))
			}
		})
	}
}
