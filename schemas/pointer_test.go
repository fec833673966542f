package schemas_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/schemas"
)

// decodeFresh decodes doc anew, so each mutation starts from the original.
func decodeFresh(t testing.TB, doc []byte) any {
	t.Helper()
	v, err := schemas.Decode(doc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// splitPointer splits a JSON pointer into its parent and last segment.
func splitPointer(p string) (parent, last string) {
	i := strings.LastIndexByte(p, '/')
	return p[:i], p[i+1:]
}

// lookup returns the value at pointer p (no escaping: test pointers are plain).
func lookup(t testing.TB, v any, p string) any {
	t.Helper()
	for _, seg := range strings.Split(p, "/")[1:] {
		switch c := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = c[seg]; !ok {
				t.Fatalf("%s: no member %q", p, seg)
			}
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i >= len(c) {
				t.Fatalf("%s: no element %q", p, seg)
			}
			v = c[i]
		default:
			t.Fatalf("%s: cannot descend into %T", p, v)
		}
	}
	return v
}

// object returns the object at pointer p.
func object(t testing.TB, v any, p string) map[string]any {
	t.Helper()
	o, ok := lookup(t, v, p).(map[string]any)
	if !ok {
		t.Fatalf("%s is not an object", p)
	}
	return o
}

// set replaces the object member at p.
func set(t testing.TB, v any, p string, val any) {
	t.Helper()
	parent, key := splitPointer(p)
	object(t, v, parent)[key] = val
}

// remove deletes the object member at p.
func remove(t testing.TB, v any, p string) {
	t.Helper()
	parent, key := splitPointer(p)
	delete(object(t, v, parent), key)
}

// objectPointers lists the pointer of every object in v, root first.
func objectPointers(v any, at string) []string {
	var out []string
	switch c := v.(type) {
	case map[string]any:
		out = append(out, at)
		for k, e := range c {
			out = append(out, objectPointers(e, at+"/"+k)...)
		}
	case []any:
		for i, e := range c {
			out = append(out, objectPointers(e, at+"/"+strconv.Itoa(i))...)
		}
	}
	return out
}

// memberPointers lists the pointer of every object member in v.
func memberPointers(v any, at string) []string {
	var out []string
	switch c := v.(type) {
	case map[string]any:
		for k, e := range c {
			out = append(out, at+"/"+k)
			out = append(out, memberPointers(e, at+"/"+k)...)
		}
	case []any:
		for i, e := range c {
			out = append(out, memberPointers(e, at+"/"+strconv.Itoa(i))...)
		}
	}
	return out
}

// violations validates v and returns the violations (nil when valid).
func violations(t testing.TB, name string, v any) []schemas.Violation {
	t.Helper()
	err := schemas.MustGet(name).Validate(v)
	if err == nil {
		return nil
	}
	ve, ok := err.(*schemas.ValidationError)
	if !ok {
		t.Fatalf("%s: got %T %v, want *ValidationError", name, err, err)
	}
	if len(ve.Violations) == 0 {
		t.Fatalf("%s: ValidationError without violations", name)
	}
	return ve.Violations
}

// expectOnlyAt fails unless v is invalid and every violation names pointer p.
func expectOnlyAt(t testing.TB, name string, v any, p string) {
	t.Helper()
	vs := violations(t, name, v)
	if vs == nil {
		t.Fatalf("%s: valid, want a violation at %s", name, p)
	}
	for _, x := range vs {
		if x.Pointer != p {
			t.Fatalf("%s: violation %v, want only violations at %s (all: %v)", name, x, p, vs)
		}
	}
}

// expectValid fails if v is invalid.
func expectValid(t testing.TB, name string, v any) {
	t.Helper()
	if vs := violations(t, name, v); vs != nil {
		t.Fatalf("%s: %v", name, vs)
	}
}
