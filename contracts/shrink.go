package contracts

import (
	"context"
	"sort"
)

// DefaultShrinkBudget bounds how many candidates the shrinker sends for one
// failure; each try costs the receiver a few requests.
const DefaultShrinkBudget = 150

// shrinker minimises a failing case by trying smaller candidates, keeping
// each one that is still valid and still fails. Candidates are tried in a
// fixed order (object keys sorted), so the same failure shrinks the same way.
type shrinker struct {
	budget int // predicate calls left
	tries  int
	// valid reports whether a candidate is still a document the platform
	// could send (schema-valid), so the failure keeps its meaning.
	valid func(doc any) bool
	// fails reports whether the receiver still fails on the candidate.
	fails func(ctx context.Context, doc any) (bool, error)
	err   error
	root  *any
}

// try evaluates the current tree, which the caller has mutated in place.
func (s *shrinker) try(ctx context.Context) bool {
	if s.err != nil || s.budget <= 0 || !s.valid(*s.root) {
		return false
	}
	s.budget--
	s.tries++
	ok, err := s.fails(ctx, *s.root)
	if err != nil {
		s.err = err
		return false
	}
	return ok
}

// shrinkValue minimises a decoded JSON document (json.Number numbers) in
// place: arrays lose chunks of elements (all, then halves down to single
// ones), object members are removed or else set to null, then children are
// visited. Passes repeat until one shrinks nothing or the budget is spent.
func (s *shrinker) shrinkValue(ctx context.Context, root *any) {
	s.root = root
	for s.err == nil && s.budget > 0 {
		accepted := 0
		s.walk(ctx, func() any { return *root }, func(v any) { *root = v }, &accepted)
		if accepted == 0 {
			return
		}
	}
}

// walk shrinks the value in one slot of the tree, then its children.
func (s *shrinker) walk(ctx context.Context, get func() any, set func(any), accepted *int) {
	switch x := get().(type) {
	case []any:
		x = s.shrinkArray(ctx, x, set, accepted)
		for i := range x {
			s.walk(ctx, func() any { return x[i] }, func(v any) { x[i] = v }, accepted)
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if s.shrinkMember(ctx, x, k) {
				*accepted++
				continue
			}
			s.walk(ctx, func() any { return x[k] }, func(v any) { x[k] = v }, accepted)
		}
	}
}

// shrinkMember tries removing x[k], then setting it to null.
func (s *shrinker) shrinkMember(ctx context.Context, x map[string]any, k string) bool {
	v := x[k]
	delete(x, k)
	if s.try(ctx) {
		return true
	}
	x[k] = v
	if v == nil {
		return false
	}
	x[k] = nil
	if s.try(ctx) {
		return true
	}
	x[k] = v
	return false
}

// shrinkArray removes chunks of x: the whole array, then halves, quarters
// and so on down to single elements.
func (s *shrinker) shrinkArray(ctx context.Context, x []any, set func(any), accepted *int) []any {
	for size := len(x); size >= 1; size /= 2 {
		for start := 0; start+size <= len(x); {
			cand := make([]any, 0, len(x)-size)
			cand = append(append(cand, x[:start]...), x[start+size:]...)
			set(cand)
			if s.try(ctx) {
				x = cand
				*accepted++
				continue
			}
			set(x)
			start += size
		}
	}
	return x
}

// shrinkList minimises a list of items (events of a case) with the same
// rules as arrays, keeping the last item, which is the one that fails.
func shrinkList[T any](ctx context.Context, s *shrinker, items []T, fails func(context.Context, []T) (bool, error)) []T {
	if len(items) < 2 {
		return items
	}
	prefix := make([]any, len(items)-1)
	for i := range prefix {
		prefix[i] = i
	}
	var root any = prefix
	last := items[len(items)-1]
	pick := func(doc any) []T {
		idx := doc.([]any)
		out := make([]T, 0, len(idx)+1)
		for _, i := range idx {
			out = append(out, items[i.(int)])
		}
		return append(out, last)
	}
	sub := &shrinker{
		budget: s.budget,
		valid:  func(any) bool { return true },
		fails:  func(ctx context.Context, doc any) (bool, error) { return fails(ctx, pick(doc)) },
		root:   &root,
	}
	accepted := 0
	sub.shrinkArray(ctx, prefix, func(v any) { root = v }, &accepted)
	s.budget, s.tries, s.err = sub.budget, s.tries+sub.tries, sub.err
	return pick(root)
}
