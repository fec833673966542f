package jsonw

import (
	"bytes"
	"encoding/json"
	"strings"
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

// TestStringEveryByte: each byte value, and the runes that need a look
// (U+2028, U+2029, a cut or invalid sequence), at every offset of strings
// shorter and longer than the eight bytes String skips at a time.
func TestStringEveryByte(t *testing.T) {
	var odd []string
	for c := range 256 {
		odd = append(odd, string([]byte{byte(c)}))
	}
	odd = append(odd, "\u2028", "\u2029", "é", "東", "🔧", "\xe2\x80", "\xed\xa0\x80", "\xf0\x9f\x94")
	for _, o := range odd {
		for n := 0; n <= 19; n++ {
			for at := 0; at <= n; at++ {
				s := strings.Repeat("aZ09-_+/=~", 2)[:n]
				s = s[:at] + o + s[at:]
				if got, want := string(String(nil, s)), encodingJSON(s); got != want {
					t.Fatalf("String(%q) = %s, want %s", s, got, want)
				}
			}
		}
	}
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
