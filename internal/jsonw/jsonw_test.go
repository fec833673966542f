package jsonw

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// encodingJSON is how encoding/json writes v with HTML escaping off, the
// reference String and Struct must match byte for byte.
func encodingJSON(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

func TestString(t *testing.T) {
	for _, s := range []string{"", "plain", `quote " back \ slash`, "tab\tnew\nline\r", "\x00\x1f\x7f", "<&>", "é 東京 🔧", "\u2028\u2029", "bad \xff utf8", "\xed\xa0\x80"} {
		if got, want := string(String(nil, s)), encodingJSON(s); got != want {
			t.Errorf("String(%q) = %s, want %s", s, got, want)
		}
	}
}

func TestObject(t *testing.T) {
	b := append([]byte(nil), '{')
	b = Key(b, "a")
	b = Int(b, -1)
	b = Key(b, "b")
	b = append(b, '[')
	b = Comma(b)
	b = Bool(b, true)
	b = Comma(b)
	b = Null(b)
	b = append(b, ']')
	b = Key(b, "t")
	b = TimeMillis(b, time.Date(2024, 3, 15, 11, 5, 0, 0, time.FixedZone("CET", 3600)))
	b = append(b, '}')
	if want := `{"a":-1,"b":[true,null],"t":"2024-03-15T10:05:00.000Z"}`; string(b) != want {
		t.Fatalf("%s, want %s", b, want)
	}
}

func FuzzString(f *testing.F) {
	f.Add("a\"b\\c\n\u2028\xff")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(String(nil, s)), encodingJSON(s); got != want {
			t.Fatalf("String(%q) = %s, want %s", s, got, want)
		}
	})
}
