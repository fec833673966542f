package generator

import (
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// ErrShard is wrapped by ParseShard's errors.
var ErrShard = errors.New("generator: bad shard")

// MaxShards bounds a Shard's Count.
const MaxShards = 1 << 16

// Shard is one of Count disjoint parts of a run, counted from 0 as
// Kubernetes numbers the pods of an Indexed Job (JOB_COMPLETION_INDEX):
// the orders whose key hashes to Index. Every event of an order goes to
// the same shard, so an order's whole lifecycle stays in one part, and
// the n shards of a run together hold exactly the events of the run
// itself (same keys, events, payloads and seqs), whichever machines run
// them. The zero Shard is the whole run.
//
// The hash is FNV-1a (64 bits) of the order key, modulo Count: stable
// across versions, platforms and processes.
type Shard struct {
	Index, Count int
}

// ParseShard reads "i/n" (0 ≤ i < n ≤ MaxShards), as --shard takes it.
func ParseShard(s string) (Shard, error) {
	is, ns, ok := strings.Cut(s, "/")
	i, ierr := strconv.Atoi(is)
	n, nerr := strconv.Atoi(ns)
	switch {
	case !ok || ierr != nil || nerr != nil:
		return Shard{}, fmt.Errorf("%w %q: want INDEX/COUNT, e.g. 0/4 (indexes count from 0)", ErrShard, s)
	case n < 1 || n > MaxShards:
		return Shard{}, fmt.Errorf("%w %q: the count must be between 1 and %d", ErrShard, s, MaxShards)
	case i < 0 || i >= n:
		return Shard{}, fmt.Errorf("%w %q: the index counts from 0 to %d", ErrShard, s, n-1)
	}
	return Shard{Index: i, Count: n}, nil
}

// String is "i/n", or "" for the whole run.
func (s Shard) String() string {
	if s.Whole() {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// Whole reports whether the shard is the whole run (the zero Shard or 0/1).
func (s Shard) Whole() bool { return s.Count <= 1 }

// Has reports whether the order with this key belongs to the shard.
func (s Shard) Has(orderKey string) bool {
	if s.Whole() {
		return true
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(orderKey)) // never fails
	return h.Sum64()%uint64(s.Count) == uint64(s.Index)
}

// Filter returns the events of src that belong to the shard, unchanged
// (their seqs are the whole run's). Every shard reads all of src: a
// generator generates each order in every shard, because an order's id
// and times depend on the orders before it, and only the shard's own
// events are passed on.
func (s Shard) Filter(src Source) Source {
	if s.Whole() {
		return src
	}
	return func(yield func(*Event) error) error {
		return src(func(ev *Event) error {
			if !s.Has(ev.OrderKey) {
				return nil
			}
			return yield(ev)
		})
	}
}
