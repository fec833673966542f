// Package ctxrun lets a caller stop waiting for work that cannot stop
// part-way: decoding a large document or compiling its schemas is one call
// into encoding/json or the validator, which take no context. Do runs such
// work aside and returns as soon as the context is done, so that a
// command interrupted while it loads a specification exits at once.
package ctxrun

import "context"

// Do returns f's results, or ctx's error as soon as ctx is done, whichever
// comes first. When ctx ends first, f goes on to its end in its own
// goroutine and its results are dropped: f must be safe to finish
// unobserved (bounded, its effects confined to values the caller no longer
// reads, or idempotent like a sync.Once). With a nil ctx, or one that is
// never done, f runs in the caller's goroutine.
func Do[T any](ctx context.Context, f func() (T, error)) (T, error) {
	if ctx == nil || ctx.Done() == nil {
		return f()
	}
	if err := ctx.Err(); err != nil {
		var zero T
		return zero, err
	}
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}
