package jsonform

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/generator"
)

// docs are documents with what the forms and runtimes treat specially.
var docs = []string{
	`{"orderId":50065,"name":"Fábrica Ünïcode 製造 ✓","path":"a/b","price":12.5,"total":80.00,"tags":[],"x":{},"n":null,"ok":true}`,
	`{"header":{"type":"order/created","date":"2025-06-15T08:00:02.174Z"},"body":{"total":24.79,"lines":[{"price":9.40,"qty":2}],"comment":"Liberté \ud83d\ude00 \"q\" \\ \/ \u0001 \u007f \u2028"}}`,
	`[0,-0,1e21,1e-7,123456789012345678901,0.1,1E2,5e-324,1.7976931348623157e308,-12.340,100,1e16,1e15,0.0001,0.00001,3.0e-5]`,
	`{"b":1,"2":2,"1":3,"01":4,"b":5,"4294967295":6,"4294967294":7}`,
	`"just a string"`,
	`  {"payload" : "AAECAwQF-_x"}  `,
}

// decode reads a document with every number as a float64, the value
// the forms must keep.
func decode(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	return v
}

// TestFormsKeepTheValue: every form is valid JSON of the same value, and
// changes the bytes exactly where it says.
func TestFormsKeepTheValue(t *testing.T) {
	for _, f := range Forms {
		for i, doc := range docs {
			out, err := f.Apply([]byte(doc))
			if err != nil {
				t.Fatalf("%s doc %d: %v", f.Name, i, err)
			}
			if !reflect.DeepEqual(decode(t, out), decode(t, []byte(doc))) {
				t.Errorf("%s doc %d changed the value:\n%s\n%s", f.Name, i, doc, out)
			}
		}
	}
	first := []byte(docs[0])
	want := map[string]string{
		"spaced":           `{"orderId": 50065, "name": `,
		"indented":         "{\n  \"orderId\": 50065,\n  \"name\"",
		"unicode-escaped":  `"F\u00e1brica \u00dcn\u00efcode \u88fd\u9020 \u2713"`,
		"escaped-slash":    `"path":"a\/b"`,
		"trailing-zero":    `"price":12.50,"total":80.000,`,
		"key-order":        `{"ok":true,"n":null,"x":{},"tags":[],"total":80.00,`,
		"trailing-newline": docs[0] + "\n",
	}
	for _, f := range Forms {
		out, _ := f.Apply(first)
		if w, ok := want[f.Name]; !ok || !strings.Contains(string(out), w) {
			t.Errorf("%s: %s\nwant it to contain %s", f.Name, out, w)
		}
	}
	// A form with nothing to change leaves the document as it was.
	plain := []byte(`{"a":1}`)
	for _, name := range []string{"unicode-escaped", "escaped-slash", "trailing-zero"} {
		f := Forms[indexOf(name)]
		if out, _ := f.Apply(plain); !bytes.Equal(out, plain) {
			t.Errorf("%s changed %s into %s", name, plain, out)
		}
	}
}

func indexOf(name string) int {
	for i, f := range Forms {
		if f.Name == name {
			return i
		}
	}
	panic(name)
}

func TestSyntaxErrors(t *testing.T) {
	for _, bad := range []string{``, `{`, `{"a"}`, `[1,]`, `"\x"`, `01`, `1.`, `{"a":1} x`, "\"\x01\"", `tru`, "\"\xff\""} {
		if _, err := Compact([]byte(bad)); !errors.Is(err, ErrSyntax) {
			t.Errorf("%q: %v, want ErrSyntax", bad, err)
		}
		if _, err := Node([]byte(bad)); !errors.Is(err, ErrSyntax) {
			t.Errorf("Node %q: %v, want ErrSyntax", bad, err)
		}
	}
}

func TestShortNumbers(t *testing.T) {
	got, err := ShortNumbers([]byte(`{"a":80.00,"b":1.50,"c":7,"d":-0.0,"e":2.5e3,"f":"80.00"}`))
	if err != nil || string(got) != `{"a":80,"b":1.5,"c":7,"d":0,"e":2500,"f":"80.00"}` {
		t.Errorf("got %s, %v", got, err)
	}
	// Node and Python write such a document back unchanged (numbers-wise).
	n, _ := Node(got)
	if string(n) != string(got) {
		t.Errorf("Node rewrote %s into %s", got, n)
	}
}

func TestSetString(t *testing.T) {
	got, err := SetString([]byte(`{"body":{"comment":null,"total":80.00}}`), []string{"body", "comment"}, `a/b "é"`)
	if err != nil || string(got) != `{"body":{"comment":"a/b \"é\"","total":80.00}}` {
		t.Errorf("got %s, %v", got, err)
	}
	if got, _ := SetString([]byte(`{"a":1}`), []string{"b"}, "x"); string(got) != `{"a":1,"b":"x"}` {
		t.Errorf("added member: %s", got)
	}
	if _, err := SetString([]byte(`{"a":1}`), []string{"a", "b"}, "x"); err == nil {
		t.Error("a path through a number was accepted")
	}
}

// runtimes runs each document through a real interpreter, one per line.
var runtimes = []struct {
	name string
	cmd  []string
	emul func([]byte) ([]byte, error)
}{
	{"node", []string{"node", "-e", `require("readline").createInterface({input: process.stdin}).on("line", l => console.log(JSON.stringify(JSON.parse(l))))`}, Node},
	{"python3", []string{"python3", "-c", "import json,sys\nfor l in sys.stdin:\n    print(json.dumps(json.loads(l)))"}, Python},
}

// TestRuntimesMatchTheRealInterpreters cross-checks Node and Python
// against node and python3 on tricky documents. Without an interpreter
// the test is skipped, except under CI=true where it fails.
func TestRuntimesMatchTheRealInterpreters(t *testing.T) {
	var lines []string
	for _, provider := range []string{generator.ProviderPhasio, generator.ProviderHappyColis} {
		g, err := generator.New(provider, generator.WithEdge(), generator.WithSeed(3))
		if err != nil {
			t.Fatal(err)
		}
		if err := g.Run(func(ev *generator.Event) error { lines = append(lines, string(ev.Payload)); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range docs {
		c, err := Compact([]byte(d))
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, string(c))
	}
	for _, rt := range runtimes {
		t.Run(rt.name, func(t *testing.T) {
			if _, err := exec.LookPath(rt.cmd[0]); err != nil {
				if os.Getenv("CI") == "true" {
					t.Fatalf("%s is required under CI=true: %v", rt.cmd[0], err)
				}
				t.Skipf("%s not installed", rt.cmd[0])
			}
			cmd := exec.Command(rt.cmd[0], rt.cmd[1:]...)
			cmd.Stdin = strings.NewReader(strings.Join(lines, "\n") + "\n")
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s: %v", rt.name, err)
			}
			got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
			if len(got) != len(lines) {
				t.Fatalf("%d lines back for %d", len(got), len(lines))
			}
			for i, l := range lines {
				emul, err := rt.emul([]byte(l))
				if err != nil {
					t.Fatal(err)
				}
				if string(emul) != got[i] {
					t.Errorf("doc %d:\n%s: %s\nours:   %s", i, rt.name, got[i], emul)
				}
			}
		})
	}
}
