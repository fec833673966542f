package input

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"
)

// JSONError words an encoding/json decoding error for the author of the
// document rather than for a Go programmer: "/event: expected a string,
// got an object" instead of "cannot unmarshal object into Go struct field
// Event.event of type string". Other errors are returned as their text.
func JSONError(err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	var pe *time.ParseError
	switch {
	case errors.As(err, &te):
		at := "/"
		if te.Field != "" {
			at = "/" + strings.ReplaceAll(te.Field, ".", "/")
		}
		return fmt.Sprintf("%s: expected %s, got %s", at, kindName(te.Type), article(te.Value))
	case errors.As(err, &se):
		return fmt.Sprintf("not JSON at byte %d: %s", se.Offset, se.Error())
	case errors.As(err, &pe):
		return fmt.Sprintf("%q is not an RFC 3339 time", pe.Value)
	}
	return err.Error()
}

// NotJSON words why a document could not be read as JSON: "not JSON at
// byte N: …" for a syntax error (encoding/json's or jsonscan's), "not
// JSON: …" with the reason otherwise (an unexpected end, say).
func NotJSON(err error) string {
	msg := JSONError(err)
	if strings.HasPrefix(msg, "not JSON") {
		return msg
	}
	return "not JSON: " + msg
}

// kindName names what a Go type holds in JSON terms.
func kindName(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	if t == reflect.TypeOf(time.Time{}) {
		return "an RFC 3339 time string"
	}
	if t == reflect.TypeOf(json.RawMessage{}) {
		return "a JSON value"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Pointer:
		return kindName(t.Elem())
	}
	return "another type"
}

// article puts "a" or "an" before encoding/json's name of a JSON value
// ("object", "number 1.5", "string").
func article(v string) string {
	if v == "" {
		return "another value"
	}
	if strings.ContainsRune("aeiou", rune(v[0])) {
		return "an " + v
	}
	return "a " + v
}
