package jsonw

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/generator/decimal"
)

type item struct {
	Name string `json:"name"`
	N    int64  `json:"n"`
}

type model struct {
	S       string  `json:"s"`
	OptS    *string `json:"optS"`
	NilS    *string `json:"nilS"`
	I       int64   `json:"i"`
	OptI    *int64  `json:"optI"`
	B       bool    `json:"b"`
	Items   []item  `json:"items"`
	Ptrs    []*item `json:"ptrs"`
	Inner   item    `json:"inner"`
	NilIn   *item   `json:"nilIn"`
	Skip    string  `json:"-"`
	NoTag   string
	private string
	Last    json.RawMessage `json:"last"`
}

// TestStructLikeEncodingJSON: where encoding/json (HTML escaping off) and
// Struct agree on the rules, they write the same bytes.
func TestStructLikeEncodingJSON(t *testing.T) {
	s, i := "<a \"b\"\n\u2028>", int64(-42)
	m := model{S: "é\t\x01", OptS: &s, I: 7, OptI: &i, B: true,
		Items: []item{{"x", 1}, {"y", 2}}, Ptrs: []*item{{"z", 3}, nil},
		Inner: item{"in", 0}, Skip: "never", NoTag: "t", private: "p",
		Last: json.RawMessage(`{"k":[1,2]}`)}
	want := encodingJSON(m)
	if got := string(Struct(nil, &m)); got != want {
		t.Fatalf("Struct:\n%s\nwant\n%s", got, want)
	}
	if got := string(Struct([]byte("prefix"), &m)); got != "prefix"+want {
		t.Fatalf("Struct appends to b: %s", got)
	}
}

// TestStructRules: the rules where Struct differs from encoding/json.
func TestStructRules(t *testing.T) {
	type rules struct {
		NilList []item           `json:"nilList"`
		Empty   json.RawMessage  `json:"empty"`
		At      time.Time        `json:"at"`
		OptAt   *time.Time       `json:"optAt"`
		List    []time.Time      `json:"list"`
		Price   decimal.Decimal  `json:"price"`
		OptP    *decimal.Decimal `json:"optP"`
		Rate    decimal.Rate     `json:"rate"`
	}
	at := time.Date(2024, 3, 15, 11, 5, 0, 123456789, time.FixedZone("CET", 3600))
	p := decimal.Decimal(-1205)
	r := rules{At: at, OptAt: &at, List: []time.Time{at}, Price: 1999, OptP: &p, Rate: 2000}
	want := `{"nilList":[],"empty":null,"at":"2024-03-15T10:05:00.123Z","optAt":"2024-03-15T10:05:00.123Z",` +
		`"list":["2024-03-15T10:05:00.123Z"],"price":` + string(decimal.Decimal(1999).Append(nil)) +
		`,"optP":` + string(p.Append(nil)) + `,"rate":` + string(decimal.Rate(2000).Append(nil)) + `}`
	if got := string(Struct(nil, &r)); got != want {
		t.Fatalf("Struct:\n%s\nwant\n%s", got, want)
	}
	r.OptAt, r.OptP = nil, nil
	if got := string(Struct(nil, &r)); !json.Valid([]byte(got)) || !strings.Contains(got, `"optAt":null`) || !strings.Contains(got, `"optP":null`) {
		t.Fatalf("nil pointers: %s", got)
	}
}

func TestStructUnsupported(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("a float field did not panic")
		}
	}()
	Struct(nil, &struct{ F float64 }{1})
}

type node struct {
	Name string `json:"name"`
	Next *node  `json:"next"`
}

func TestStructRecursiveType(t *testing.T) {
	n := node{"a", &node{"b", nil}}
	if got, want := string(Struct(nil, &n)), `{"name":"a","next":{"name":"b","next":null}}`; got != want {
		t.Fatalf("%s, want %s", got, want)
	}
}

// TestStructEveryKind: each kind Struct writes, as a field, behind a
// pointer (nil and not), in a slice and in a nested struct, at offsets a
// mix of sizes gives, against encoding/json where the two agree.
func TestStructEveryKind(t *testing.T) {
	type name string
	type leaf struct {
		B    bool             `json:"b"`
		S    string           `json:"s"`
		I    int64            `json:"i"`
		N    name             `json:"n"`
		OptB *bool            `json:"optB"`
		OptS *string          `json:"optS"`
		OptI *int64           `json:"optI"`
		OptN *name            `json:"optN"`
		PP   **string         `json:"pp"`
		Raw  json.RawMessage  `json:"raw"`
		OptR *json.RawMessage `json:"optR"`
	}
	type tree struct {
		Flag   bool     `json:"flag"`
		Leaf   leaf     `json:"leaf"`
		Leaves []leaf   `json:"leaves"`
		Ptrs   []*leaf  `json:"ptrs"`
		Strs   []string `json:"strs"`
		Ints   []*int64 `json:"ints"`
		Names  []name   `json:"names"`
		Opt    *leaf    `json:"opt"`
		End    bool     `json:"end"`
	}
	b, s, i, n := true, "s\"\n", int64(-9), name("nm")
	ps := &s
	raw := json.RawMessage(`[1,{"a":null}]`)
	full := leaf{B: true, S: "x", I: 1 << 40, N: "y", OptB: &b, OptS: &s, OptI: &i, OptN: &n, PP: &ps, Raw: raw, OptR: &raw}
	empty := leaf{Raw: json.RawMessage(`0`)}
	for _, v := range []tree{
		{},
		{Flag: true, Leaf: full, Leaves: []leaf{full, empty, full}, Ptrs: []*leaf{nil, &full, &empty},
			Strs: []string{"a", "", "é"}, Ints: []*int64{&i, nil}, Names: []name{"p", "q"}, Opt: &full, End: true},
		{Leaf: empty, Leaves: []leaf{}, Ptrs: []*leaf{}, Strs: []string{}, Ints: []*int64{}, Names: []name{}, Opt: &empty},
	} {
		want := encodingJSON(v)
		if v.Leaves == nil { // Struct writes a nil list as [], encoding/json as null
			for _, k := range []string{"leaves", "ptrs", "strs", "ints", "names"} {
				want = strings.Replace(want, `"`+k+`":null`, `"`+k+`":[]`, 1)
			}
		}
		if got := string(Struct(nil, &v)); got != want {
			t.Errorf("Struct:\n%s\nwant\n%s", got, want)
		}
	}
}
