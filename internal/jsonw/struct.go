package jsonw

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/orderhooks/orderhooks/generator/decimal"
)

// Struct appends *v as a compact JSON object: its exported fields in
// declaration order, each named by its json tag (the field's name when it
// has none; "-" leaves it out). Values are written as this package's
// functions write them: strings with String, int64 with Int, bools with
// Bool, decimal.Decimal and decimal.Rate with their Append, time.Time with
// TimeMillis, json.RawMessage with Raw, a nil pointer as null, a slice as
// an array ([] when it is nil), a struct as an object. So a payload model's
// field list is written once, in its struct, and the document order is the
// declaration order. Struct panics on a field of any other type, which is a
// mistake in the model, not in its data.
func Struct[T any](b []byte, v *T) []byte {
	return encoderOf(reflect.TypeFor[T]())(b, reflect.ValueOf(v).Elem())
}

type encoder func(b []byte, v reflect.Value) []byte

var (
	encoders sync.Map // reflect.Type → encoder
	rawType  = reflect.TypeFor[json.RawMessage]()
	timeType = reflect.TypeFor[time.Time]()
	decType  = reflect.TypeFor[decimal.Decimal]()
	rateType = reflect.TypeFor[decimal.Rate]()
)

func encoderOf(t reflect.Type) encoder {
	if e, ok := encoders.Load(t); ok {
		return e.(encoder)
	}
	e, _ := encoders.LoadOrStore(t, newEncoder(t))
	return e.(encoder)
}

func newEncoder(t reflect.Type) encoder {
	switch t {
	case rawType:
		return func(b []byte, v reflect.Value) []byte { return Raw(b, v.Bytes()) }
	case timeType:
		return func(b []byte, v reflect.Value) []byte {
			if v.CanAddr() { // no copy to an interface
				return TimeMillis(b, *v.Addr().Interface().(*time.Time))
			}
			return TimeMillis(b, v.Interface().(time.Time))
		}
	case decType:
		return func(b []byte, v reflect.Value) []byte { return decimal.Decimal(v.Int()).Append(b) }
	case rateType:
		return func(b []byte, v reflect.Value) []byte { return decimal.Rate(v.Int()).Append(b) }
	}
	switch t.Kind() {
	case reflect.String:
		return func(b []byte, v reflect.Value) []byte { return String(b, v.String()) }
	case reflect.Int64:
		return func(b []byte, v reflect.Value) []byte { return Int(b, v.Int()) }
	case reflect.Bool:
		return func(b []byte, v reflect.Value) []byte { return Bool(b, v.Bool()) }
	case reflect.Pointer:
		elem := lazy(t.Elem())
		return func(b []byte, v reflect.Value) []byte {
			if v.IsNil() {
				return Null(b)
			}
			return elem()(b, v.Elem())
		}
	case reflect.Slice:
		elem := lazy(t.Elem())
		return func(b []byte, v reflect.Value) []byte {
			item := elem()
			b = append(b, '[')
			for i := range v.Len() {
				b = Comma(b)
				b = item(b, v.Index(i))
			}
			return append(b, ']')
		}
	case reflect.Struct:
		return structEncoder(t)
	}
	panic(fmt.Sprintf("jsonw: %s: unsupported type", t))
}

// lazy finds t's encoder on first use, so that a type may refer to itself.
func lazy(t reflect.Type) func() encoder {
	return sync.OnceValue(func() encoder { return encoderOf(t) })
}

func structEncoder(t reflect.Type) encoder {
	type field struct {
		index int
		// key is the member's name quoted, with its colon, and the comma
		// before it but for the first member: every field is written.
		key string
		enc encoder
	}
	var fields []field
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		key, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch key {
		case "-":
			continue
		case "":
			key = f.Name
		}
		sep := ","
		if len(fields) == 0 {
			sep = ""
		}
		fields = append(fields, field{i, sep + string(Key(nil, key)), newEncoder(f.Type)})
	}
	return func(b []byte, v reflect.Value) []byte {
		b = append(b, '{')
		for _, f := range fields {
			b = append(b, f.key...)
			b = f.enc(b, v.Field(f.index))
		}
		return append(b, '}')
	}
}
