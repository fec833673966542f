package receiver

import (
	"sync"
	"time"

	"github.com/orderhooks/orderhooks/wire"
)

// store is a Receiver's state: the newest snapshot per order and a bounded
// window of recent message ids. Snapshots are kept for every order seen
// (one per order); only the id window is bounded.
type store struct {
	mu     sync.Mutex
	orders map[string]snapshot
	ids    recentIDs
	gen    uint64
}

// change is what one apply did to an order's snapshot, so that undo can
// take it back.
type change struct {
	key  string
	gen  uint64 // 0: apply stored no snapshot
	prev snapshot
	had  bool
}

type snapshot struct {
	payload []byte
	at      time.Time
	gen     uint64 // which apply stored it
}

func newStore(window int) *store {
	if window < 1 {
		window = 1
	}
	return &store{
		orders: map[string]snapshot{},
		ids:    recentIDs{set: make(map[string]struct{}, window), ring: make([]string, window)},
	}
}

// seen reports whether id was applied (or found stale) before.
func (s *store) seen(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ids.has(id)
}

// apply remembers the message id and stores the snapshot under key unless
// the id was seen meanwhile (duplicate) or the stored snapshot is newer
// (stale). Snapshots without a time (Phasio) are never stale: arrival order
// is all a receiver has.
func (s *store) apply(rc *wire.Received, key string) (Outcome, change) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rc.ID != "" {
		if s.ids.has(rc.ID) {
			return Duplicate, change{}
		}
		s.ids.add(rc.ID)
	}
	if key == "" {
		return Applied, change{}
	}
	old, had := s.orders[key]
	if had && !rc.Time.IsZero() && rc.Time.Before(old.at) {
		return Stale, change{}
	}
	s.gen++
	s.orders[key] = snapshot{payload: rc.Payload, at: rc.Time, gen: s.gen}
	return Applied, change{key: key, gen: s.gen, prev: old, had: had}
}

// undo takes back the snapshot an apply stored, unless a later apply
// replaced it meanwhile: the order is again as it was before.
func (s *store) undo(c change) {
	if c.gen == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.orders[c.key]; !ok || cur.gen != c.gen {
		return
	}
	if c.had {
		s.orders[c.key] = c.prev
	} else {
		delete(s.orders, c.key)
	}
}

func (s *store) get(key string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap, ok := s.orders[key]
	return snap.payload, ok
}

func (s *store) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.orders)
}

// recentIDs remembers the last len(ring) ids: a ring buffer for eviction
// order and a set for lookups.
type recentIDs struct {
	set  map[string]struct{}
	ring []string
	next int
}

func (r *recentIDs) has(id string) bool {
	_, ok := r.set[id]
	return ok
}

func (r *recentIDs) add(id string) {
	if old := r.ring[r.next]; old != "" {
		delete(r.set, old)
	}
	r.ring[r.next] = id
	r.set[id] = struct{}{}
	r.next = (r.next + 1) % len(r.ring)
}

// forget drops id from the window of seen ids, so that a redelivery of
// it is applied again.
func (s *store) forget(id string) {
	if id == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.ids.set, id)
}
