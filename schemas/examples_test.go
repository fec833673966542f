package schemas_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/schemas"
)

// examples maps each payload extracted from the seeds to the schemas it must
// satisfy, loose and strict.
var examples = []struct {
	file, seed string
	schemas    []string
}{
	{"phasio-order-created.json", "001", []string{schemas.PhasioOrder, schemas.PhasioOrderStrict}},
	{"phasio-order-updated.json", "000", []string{schemas.PhasioOrder, schemas.PhasioOrderStrict}},
	{"phasio-quote-converted.json", "002", []string{
		schemas.PhasioOrder, schemas.PhasioOrderStrict, schemas.PhasioQuoteConverted, schemas.PhasioQuoteConvertedStrict,
	}},
	{"happycolis-order-updated.json", "003", []string{schemas.HappyColisOrderEvent, schemas.HappyColisOrderEventStrict}},
}

func readExample(t testing.TB, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "examples", file))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readSeed returns the seed document whose file name starts with prefix.
func readSeed(t testing.TB, prefix string) string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join("testdata", "seeds", prefix+"_*.txt"))
	if err != nil || len(m) != 1 {
		t.Fatalf("seed %s: %v (matches %v)", prefix, err, m)
	}
	b, err := os.ReadFile(m[0])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestExamplesValidate(t *testing.T) {
	for _, ex := range examples {
		doc := readExample(t, ex.file)
		for _, name := range ex.schemas {
			t.Run(ex.file+"/"+name, func(t *testing.T) {
				if err := schemas.Validate(name, doc); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// TestExamplesAreFromSeeds guards the examples against drifting from the
// seeds: each must appear byte for byte in its seed document.
func TestExamplesAreFromSeeds(t *testing.T) {
	for _, ex := range examples {
		t.Run(ex.file, func(t *testing.T) {
			doc := bytes.TrimSuffix(readExample(t, ex.file), []byte("\n"))
			if !strings.Contains(readSeed(t, ex.seed), string(doc)) {
				t.Fatalf("%s is not a verbatim extract of seed %s", ex.file, ex.seed)
			}
		})
	}
}
