package contracts

import (
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strconv"

	"github.com/orderhooks/orderhooks/internal/jsonptr"
)

// ErrPointer is wrapped by errors about JSON pointers given in options.
var ErrPointer = wrapConfig("contracts: bad JSON pointer")

// parsePointer parses a JSON pointer given in an option.
func parsePointer(p string) (jsonptr.Pointer, error) {
	toks, err := jsonptr.Parse(p)
	if err != nil {
		return nil, fmt.Errorf("%w %w", ErrPointer, err)
	}
	return toks, nil
}

// jsonEqual compares decoded JSON values, numbers by value so 102 equals
// 102.00 (receivers re-encode what they store).
func jsonEqual(a, b any) bool {
	switch x := a.(type) {
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		rx, okx := new(big.Rat).SetString(string(x))
		ry, oky := new(big.Rat).SetString(string(y))
		if !okx || !oky {
			return x == y
		}
		return rx.Cmp(ry) == 0
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !jsonEqual(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !jsonEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	default:
		return a == b
	}
}

// compactJSON renders a decoded value for evidence, bounded in length.
func compactJSON(v any, present bool) string {
	if !present {
		return "(absent)"
	}
	b, err := encodeJSON(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return excerpt(b)
}

// difference is one place where two JSON documents differ.
type difference struct {
	path string // JSON pointer
	a, b string // compact values, "(absent)" when missing
}

// diffJSON lists up to limit differences between a and b, depth first with
// object keys sorted, so evidence names the exact pointers that changed.
func diffJSON(a, b any, path string, limit int) []difference {
	var out []difference
	var walk func(a, b any, aok, bok bool, path string)
	walk = func(a, b any, aok, bok bool, path string) {
		if len(out) >= limit {
			return
		}
		ma, isMapA := a.(map[string]any)
		mb, isMapB := b.(map[string]any)
		if aok && bok && isMapA && isMapB {
			keys := make([]string, 0, len(ma)+len(mb))
			for k := range ma {
				keys = append(keys, k)
			}
			for k := range mb {
				if _, ok := ma[k]; !ok {
					keys = append(keys, k)
				}
			}
			sort.Strings(keys)
			for _, k := range keys {
				va, oka := ma[k]
				vb, okb := mb[k]
				walk(va, vb, oka, okb, jsonptr.Join(path, k))
			}
			return
		}
		la, isListA := a.([]any)
		lb, isListB := b.([]any)
		if aok && bok && isListA && isListB && len(la) == len(lb) {
			for i := range la {
				walk(la[i], lb[i], true, true, path+"/"+strconv.Itoa(i))
			}
			return
		}
		if aok != bok || !jsonEqual(a, b) {
			if path == "" {
				path = "/"
			}
			out = append(out, difference{path, compactJSON(a, aok), compactJSON(b, bok)})
		}
	}
	walk(a, b, true, true, path)
	return out
}
