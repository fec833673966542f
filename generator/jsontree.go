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
func lookup(root any, toks []string) (any, bool) { return jsonptr.Get(root, toks) }

// setAt sets the value at toks: an object member is replaced or appended,
// an array item replaced, or appended at index len or "-". It returns the
// new root.
func setAt(root any, toks []string, val any) (any, error) {
	root, err := jsontree.Set(root, toks, val)
	if err != nil {
		return root, fmt.Errorf("%w: %w", ErrPointer, err)
	}
	return root, nil
}

// removeAt removes the member or array item at toks.
func removeAt(root any, toks []string) (any, error) {
	if len(toks) == 0 {
		return root, fmt.Errorf("%w: cannot remove the whole payload", ErrPointer)
	}
	root, err := jsontree.Remove(root, toks)
	if err != nil {
		return root, fmt.Errorf("%w: %w", ErrPointer, err)
	}
	return root, nil
}

func joinPointer(toks []string) string { return jsonptr.Pointer(toks).String() }
