package generator

import (
	"errors"
	"fmt"

	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/jsontree"
)

// The payload patches of scenarios and drift work on an order-preserving
// JSON tree, so a patched payload keeps the documented field order: values
// are nil, bool, json.Number, string, []any and *object.

// ErrPointer is wrapped when a JSON pointer does not resolve in a payload.
var ErrPointer = errors.New("generator: JSON pointer")

func decodeTree(data []byte) (any, error) { return jsontree.Decode(data, 0) }

func encodeTree(b []byte, v any) []byte { return jsontree.Append(b, v) }

func mapTree(v any, leaf func(any) any) any { return jsontree.Map(v, leaf) }

func same(v any) any { return v }

func errPointerf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrPointer}, args...)...)
}

// splitPointer parses an RFC 6901 pointer into unescaped tokens; the
// whole payload ("") is no place a scenario step can set or remove.
func splitPointer(p string) ([]string, error) {
	if p == "" || p[0] != '/' {
		return nil, fmt.Errorf("%w %q: must start with /", ErrPointer, p)
	}
	toks, err := jsonptr.Parse(p)
	if err != nil {
		return nil, fmt.Errorf("%w %w", ErrPointer, err)
	}
	return toks, nil
}

// lookup returns the value at the pointer's tokens.
func lookup(root any, toks []string) (any, bool) { return jsontree.Get(root, toks) }

func arrayIndex(tok string, n int) (int, bool) { return jsonptr.Index(tok, n, true) }

// setAt sets the value at toks: an object member is replaced or appended,
// an array item replaced, or appended at index len or "-". It returns the
// new root.
func setAt(root any, toks []string, val any) (any, error) {
	if len(toks) == 0 {
		return val, nil
	}
	parent, ok := lookup(root, toks[:len(toks)-1])
	if !ok {
		return root, fmt.Errorf("%w: no parent for %s", ErrPointer, joinPointer(toks))
	}
	last := toks[len(toks)-1]
	switch x := parent.(type) {
	case *jsontree.Object:
		x.Set(last, val)
		return root, nil
	case []any:
		i, ok := arrayIndex(last, len(x))
		if !ok {
			return root, fmt.Errorf("%w: %s: no such array index", ErrPointer, joinPointer(toks))
		}
		if i < len(x) {
			x[i] = val
			return root, nil
		}
		return setAt(root, toks[:len(toks)-1], append(x, val))
	}
	return root, fmt.Errorf("%w: %s: parent is not an object or array", ErrPointer, joinPointer(toks))
}

// removeAt removes the member or array item at toks.
func removeAt(root any, toks []string) (any, error) {
	if len(toks) == 0 {
		return root, fmt.Errorf("%w: cannot remove the whole payload", ErrPointer)
	}
	parent, ok := lookup(root, toks[:len(toks)-1])
	last := toks[len(toks)-1]
	switch x := parent.(type) {
	case *jsontree.Object:
		if ok && x.Remove(last) {
			return root, nil
		}
	case []any:
		if i, okIdx := arrayIndex(last, len(x)); ok && okIdx && i < len(x) {
			return setAt(root, toks[:len(toks)-1], append(x[:i:i], x[i+1:]...))
		}
	}
	return root, fmt.Errorf("%w: %s: nothing to remove", ErrPointer, joinPointer(toks))
}

func joinPointer(toks []string) string { return jsonptr.Pointer(toks).String() }
