package schemas_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"sort"
	"testing"

	"github.com/orderhooks/orderhooks/schemas"
)

// phasioSeeds pairs each Phasio seed with its example and the schemas its
// table is checked against.
var phasioSeeds = []struct {
	seed, example string
	schemas       []string
	// quoteRules marks the Quote Converted schemas, whose rules replace the
	// table's nullability for paymentStatus and orderNumber.
	quoteRules bool
}{
	{"000", "phasio-order-updated.json", []string{schemas.PhasioOrder, schemas.PhasioOrderStrict}, false},
	{"001", "phasio-order-created.json", []string{schemas.PhasioOrder, schemas.PhasioOrderStrict}, false},
	{"002", "phasio-quote-converted.json", []string{schemas.PhasioQuoteConverted, schemas.PhasioQuoteConvertedStrict}, true},
}

// wrongType is a value of another JSON type for each documented type.
var wrongType = map[string]any{
	"number":  "1",
	"string":  json.Number("1"),
	"boolean": "true",
	"array":   map[string]any{},
	"object":  []any{},
}

// countField names the fields issue 3 types as integers: ids, quantities
// and sequences.
var countField = regexp.MustCompile(`(^id|Id|^quantity|Quantity|^sequence|Sequence)$`)

// TestSeedTablesMatchExamples checks the table parser against the seeds
// themselves: each table's fields are exactly the keys of its object in the
// seed's example, so no row is missed or invented.
func TestSeedTablesMatchExamples(t *testing.T) {
	for _, s := range phasioSeeds {
		t.Run(s.seed, func(t *testing.T) {
			fields := parseSeedTables(t, readSeed(t, s.seed))
			doc := decodeFresh(t, readExample(t, s.example))
			byTable := map[string][]string{}
			for _, f := range fields {
				_, key := splitPointer(f.Pointer)
				byTable[f.Table] = append(byTable[f.Table], key)
			}
			for table, keys := range byTable {
				var got []string
				for k := range object(t, doc, tableAt[table]) {
					got = append(got, k)
				}
				sort.Strings(got)
				sort.Strings(keys)
				if !slices.Equal(got, keys) {
					t.Errorf("%s: table fields %v, example keys %v", table, keys, got)
				}
			}
		})
	}
}

// TestPhasioMutations is generated from the seed tables: for every documented
// field, null is valid exactly when the field is nullable, and deleting it,
// giving it a wrong type, a negative number or (for ids, quantities and
// sequences) a fraction is invalid with a violation at the field's pointer.
func TestPhasioMutations(t *testing.T) {
	for _, s := range phasioSeeds {
		doc := readExample(t, s.example)
		for _, f := range parseSeedTables(t, readSeed(t, s.seed)) {
			for _, name := range s.schemas {
				t.Run(s.seed+"/"+name+f.Pointer, func(t *testing.T) {
					nullable := f.Nullable
					// Deleting paymentStatus also sends the Quote Converted
					// rule down its UNPAID branch, so other pointers may show.
					only := !s.quoteRules
					if s.quoteRules && (f.Pointer == "/paymentStatus" || f.Pointer == "/orderNumber") {
						// paymentStatus is an enum without null; the example is
						// PAID, so orderNumber must be a string.
						nullable = false
					}

					v := decodeFresh(t, doc)
					set(t, v, f.Pointer, nil)
					if nullable {
						expectValid(t, name, v)
					} else {
						expectOnlyAt(t, name, v, f.Pointer)
					}

					v = decodeFresh(t, doc)
					remove(t, v, f.Pointer)
					expectAt(t, name, v, f.Pointer, only)

					v = decodeFresh(t, doc)
					set(t, v, f.Pointer, wrongType[f.Type])
					expectOnlyAt(t, name, v, f.Pointer)

					if f.Type != "number" {
						return
					}
					v = decodeFresh(t, doc)
					set(t, v, f.Pointer, json.Number("-1"))
					expectOnlyAt(t, name, v, f.Pointer)

					_, key := splitPointer(f.Pointer)
					v = decodeFresh(t, doc)
					set(t, v, f.Pointer, json.Number("1.5"))
					if countField.MatchString(key) {
						expectOnlyAt(t, name, v, f.Pointer)
					} else {
						expectValid(t, name, v)
					}
				})
			}
		}
	}
}

// expectAt fails unless v is invalid with a violation at p (and, when only,
// nowhere else).
func expectAt(t testing.TB, name string, v any, p string, only bool) {
	t.Helper()
	if only {
		expectOnlyAt(t, name, v, p)
		return
	}
	vs := violations(t, name, v)
	if !slices.ContainsFunc(vs, func(x schemas.Violation) bool { return x.Pointer == p }) {
		t.Fatalf("%s: violations %v, want one at %s", name, vs, p)
	}
}

// TestPhasioFormats checks the typed strings issue 3 asks for.
func TestPhasioFormats(t *testing.T) {
	doc := readExample(t, "phasio-order-created.json")
	tests := []struct {
		pointer string
		value   string
		valid   bool
	}{
		{"/parts/0/specificationId", "550e8400-e29b-41d4-a716-446655440000", true},
		{"/parts/0/specificationId", "550e8400e29b41d4a716446655440000", false},
		{"/parts/0/specificationId", "part-1", false},
		{"/pricing/currency", "EUR", true},
		{"/pricing/currency", "usd", false},
		{"/pricing/currency", "EURO", false},
		{"/shipping/address/country", "DE", true},
		{"/shipping/address/country", "DEU", false},
		{"/shipping/address/country", "de", false},
		{"/createdDate", "2025-06-15T10:30:00", true},
		{"/createdDate", "2025-06-15T10:30:00.123", true},
		{"/createdDate", "2025-06-15T10:30:00Z", true},
		{"/createdDate", "2025-06-15T10:30:00+02:00", true},
		{"/createdDate", "2025-06-15", false},
		{"/createdDate", "2025-06-15 10:30:00", false},
		{"/createdDate", "2025-13-15T10:30:00", false},
		{"/pricing/paymentDueDate", "2025-07-15", true},
		{"/pricing/paymentDueDate", "2025-02-30", false},
		{"/pricing/paymentDueDate", "2025-07-15T00:00:00", false},
	}
	for _, tt := range tests {
		for _, name := range []string{schemas.PhasioOrder, schemas.PhasioOrderStrict} {
			t.Run(name+tt.pointer+"="+tt.value, func(t *testing.T) {
				v := decodeFresh(t, doc)
				set(t, v, tt.pointer, tt.value)
				if tt.valid {
					expectValid(t, name, v)
				} else {
					expectOnlyAt(t, name, v, tt.pointer)
				}
			})
		}
	}
}

// TestPhasioSequenceStartsAtOne: production steps are 1-based.
func TestPhasioSequenceStartsAtOne(t *testing.T) {
	v := decodeFresh(t, readExample(t, "phasio-order-created.json"))
	set(t, v, "/parts/0/productionSteps/0/sequence", json.Number("0"))
	expectOnlyAt(t, schemas.PhasioOrder, v, "/parts/0/productionSteps/0/sequence")
}

// TestQuoteConvertedRules: paymentStatus is UNPAID, CONFIRMED or PAID, and
// orderNumber is null exactly when it is UNPAID (seed 002).
func TestQuoteConvertedRules(t *testing.T) {
	doc := readExample(t, "phasio-quote-converted.json")
	enum := []any{"UNPAID", "CONFIRMED", "PAID"}
	for _, status := range []any{"UNPAID", "CONFIRMED", "PAID", "PARTIALLY_PAID", "paid", nil} {
		for _, number := range []any{nil, "ORD-001"} {
			known := slices.Contains(enum, status)
			valid := known && (status == "UNPAID") == (number == nil)
			for _, name := range []string{schemas.PhasioQuoteConverted, schemas.PhasioQuoteConvertedStrict} {
				t.Run(fmtCase(name, status, number), func(t *testing.T) {
					v := decodeFresh(t, doc)
					set(t, v, "/paymentStatus", status)
					set(t, v, "/orderNumber", number)
					vs := violations(t, name, v)
					if valid != (vs == nil) {
						t.Fatalf("valid=%v, want %v: %v", vs == nil, valid, vs)
					}
					// An unknown status may also send orderNumber down the
					// CONFIRMED/PAID branch; a known one only breaks orderNumber.
					for _, x := range vs {
						if x.Pointer != "/orderNumber" && (known || x.Pointer != "/paymentStatus") {
							t.Fatalf("violation %v outside the fields the rule is about", x)
						}
					}
				})
			}
			// The shared order schema has no such rules.
			v := decodeFresh(t, doc)
			set(t, v, "/paymentStatus", status)
			set(t, v, "/orderNumber", number)
			expectValid(t, schemas.PhasioOrder, v)
		}
	}
	for _, actor := range []any{"MANUFACTURER", "CUSTOMER", nil, "ADMIN"} {
		t.Run(fmtCase("actorType", actor, nil), func(t *testing.T) {
			v := decodeFresh(t, doc)
			set(t, v, "/actorType", actor)
			if actor == "ADMIN" {
				expectOnlyAt(t, schemas.PhasioQuoteConverted, v, "/actorType")
			} else {
				expectValid(t, schemas.PhasioQuoteConverted, v)
			}
		})
	}
}

func fmtCase(name string, a, b any) string {
	s, _ := json.Marshal([]any{a, b})
	return name + "/" + string(s)
}
