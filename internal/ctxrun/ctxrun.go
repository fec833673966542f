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
	_, v, err := Go(f).Wait(ctx)
	return v, err
}

// Aside is a call running in its own goroutine, started by Go.
type Aside[T any] struct {
	done     chan result[T]
	r        result[T]
	returned bool
}

type result[T any] struct {
	v   T
	err error
}

// Go starts f in its own goroutine. The caller waits for it with Wait,
// as long as it likes: f may be left to finish unobserved, as with Do.
func Go[T any](f func() (T, error)) *Aside[T] {
	a := &Aside[T]{done: make(chan result[T], 1)}
	go func() {
		v, err := f()
		a.done <- result[T]{v, err}
	}()
	return a
}

// Wait returns true and f's results once f has returned, or false and
// ctx's error as soon as ctx is done first. It may be called again (not
// concurrently) to go on waiting, for instance with a grace period after
// asking f to stop; once f has returned, every call returns its results.
func (a *Aside[T]) Wait(ctx context.Context) (bool, T, error) {
	if !a.returned {
		select {
		case a.r = <-a.done:
			a.returned = true
		case <-ctx.Done():
			var zero T
			return false, zero, ctx.Err()
		}
	}
	return true, a.r.v, a.r.err
}
