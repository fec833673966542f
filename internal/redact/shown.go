package redact

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
)

// Shown is how a value that holds a secret (a key, a token, a salt, a
// password in a URL) shows itself: its type and the fields safe to show,
// each secret as Mark. fmt's verbs (%v, %+v, %#v, %s, %d, %x, …), String,
// GoString, JSON and slog all show the same fields, never the value's
// own.
//
// A type constructed by a function embeds it under an unexported alias
// (type shown = redact.Shown), so its methods become the type's; a type
// built as a literal returns one from its own methods.
type Shown struct {
	typ    string
	fields []field
}

type field struct{ name, value string }

// Show returns how typ shows itself: its fields as name, value pairs, in
// order (a missing last value is Mark).
func Show(typ string, fields ...string) Shown {
	s := Shown{typ: typ}
	for i := 0; i < len(fields); i += 2 {
		f := field{name: fields[i], value: Mark}
		if i+1 < len(fields) {
			f.value = fields[i+1]
		}
		s.fields = append(s.fields, f)
	}
	return s
}

// String is TYPE{name: value, …}.
func (s Shown) String() string { return s.text(false) }

// GoString is TYPE{name:"value", …}.
func (s Shown) GoString() string { return s.text(true) }

func (s Shown) text(quoted bool) string {
	var b strings.Builder
	b.WriteString(s.typ)
	b.WriteByte('{')
	for i, f := range s.fields {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(f.name)
		if quoted {
			b.WriteString(":" + strconv.Quote(f.value))
		} else {
			b.WriteString(": " + f.value)
		}
	}
	b.WriteByte('}')
	return b.String()
}

// Format writes GoString for %#v, a quoted String for %q, and String for
// every other verb: fmt never reaches the fields.
func (s Shown) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprint(f, s.GoString())
	case verb == 'q':
		fmt.Fprint(f, strconv.Quote(s.String()))
	default:
		fmt.Fprint(f, s.String())
	}
}

// MarshalJSON is {"type":TYPE,"name":"value",…}.
func (s Shown) MarshalJSON() ([]byte, error) {
	typ, _ := json.Marshal(s.typ)
	b := append([]byte(`{"type":`), typ...)
	for _, f := range s.fields {
		name, _ := json.Marshal(f.name)
		value, _ := json.Marshal(f.value)
		b = append(append(append(append(b, ','), name...), ':'), value...)
	}
	return append(b, '}'), nil
}

// LogValue is a group of the fields, the type first.
func (s Shown) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("type", s.typ)}
	for _, f := range s.fields {
		attrs = append(attrs, slog.String(f.name, f.value))
	}
	return slog.GroupValue(attrs...)
}
