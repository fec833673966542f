package jsonw

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"
	"unsafe"

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
	return encoderOf(reflect.TypeFor[T]())(b, unsafe.Pointer(v))
}

// An encoder appends the value of its type at p. Encoders read the
// values through pointers, with offsets and sizes that reflect gives once
// per type: a payload is written without a reflect.Value per field, which
// was most of the cost of writing one.
type encoder func(b []byte, p unsafe.Pointer) []byte

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

// kind is how a struct field is written: the common scalars in the loop
// itself, anything else by its encoder.
type kind uint8

const (
	other kind = iota
	str
	i64
	boolean
	dec
)

func kindOf(t reflect.Type) kind {
	switch t {
	case decType:
		return dec
	case rawType, timeType, rateType:
		return other
	}
	switch t.Kind() {
	case reflect.String:
		return str
	case reflect.Int64:
		return i64
	case reflect.Bool:
		return boolean
	}
	return other
}

// scalar appends the value of kind k (not other) at p.
func scalar(b []byte, k kind, p unsafe.Pointer) []byte {
	switch k {
	case str:
		return String(b, *(*string)(p))
	case i64:
		return Int(b, *(*int64)(p))
	case boolean:
		return Bool(b, *(*bool)(p))
	}
	return (*(*decimal.Decimal)(p)).Append(b)
}

func newEncoder(t reflect.Type) encoder {
	switch t {
	case rawType:
		return func(b []byte, p unsafe.Pointer) []byte { return Raw(b, *(*json.RawMessage)(p)) }
	case timeType:
		return func(b []byte, p unsafe.Pointer) []byte { return TimeMillis(b, *(*time.Time)(p)) }
	case rateType:
		return func(b []byte, p unsafe.Pointer) []byte { return (*(*decimal.Rate)(p)).Append(b) }
	}
	if k := kindOf(t); k != other {
		return func(b []byte, p unsafe.Pointer) []byte { return scalar(b, k, p) }
	}
	switch t.Kind() {
	case reflect.Pointer:
		elem := lazy(t.Elem())
		return func(b []byte, p unsafe.Pointer) []byte {
			q := *(*unsafe.Pointer)(p)
			if q == nil {
				return Null(b)
			}
			return elem()(b, q)
		}
	case reflect.Slice:
		elem, size := lazy(t.Elem()), t.Elem().Size()
		return func(b []byte, p unsafe.Pointer) []byte {
			h := (*sliceHeader)(p)
			item := elem()
			b = append(b, '[')
			for i := range h.len {
				if i > 0 {
					b = append(b, ',')
				}
				b = item(b, unsafe.Add(h.data, uintptr(i)*size))
			}
			return append(b, ']')
		}
	case reflect.Struct:
		return structEncoder(t)
	}
	panic(fmt.Sprintf("jsonw: %s: unsupported type", t))
}

// sliceHeader is the layout of a slice.
type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

// lazy finds t's encoder on first use, so that a type may refer to itself.
func lazy(t reflect.Type) func() encoder {
	return sync.OnceValue(func() encoder { return encoderOf(t) })
}

func structEncoder(t reflect.Type) encoder {
	type field struct {
		offset uintptr
		// key is the member's name quoted, with its colon, and the comma
		// before it but for the first member: every field is written.
		key string
		// kind is the field's, or its element's when ptr; enc writes the
		// others.
		kind kind
		ptr  bool
		enc  encoder
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
		fd := field{offset: f.Offset, key: sep + string(Key(nil, key)), kind: kindOf(f.Type)}
		if fd.kind == other && f.Type.Kind() == reflect.Pointer {
			fd.kind, fd.ptr = kindOf(f.Type.Elem()), true
		}
		if fd.kind == other {
			fd.ptr, fd.enc = false, newEncoder(f.Type)
		}
		fields = append(fields, fd)
	}
	return func(b []byte, p unsafe.Pointer) []byte {
		b = append(b, '{')
		for i := range fields {
			f := &fields[i]
			b = append(b, f.key...)
			v := unsafe.Add(p, f.offset)
			switch {
			case f.kind == other:
				b = f.enc(b, v)
			case !f.ptr:
				b = scalar(b, f.kind, v)
			case *(*unsafe.Pointer)(v) == nil:
				b = Null(b)
			default:
				b = scalar(b, f.kind, *(*unsafe.Pointer)(v))
			}
		}
		return append(b, '}')
	}
}
