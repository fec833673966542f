package contracts

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/orderhooks/orderhooks/emitter"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/splitmix"
	"github.com/orderhooks/orderhooks/schemas"
)

// Reconciliation defaults.
const (
	// DefaultReconcileOrders caps the orders a Reconciler follows: beyond
	// it, it follows a uniform sample of them (by a hash of the key), so
	// its memory stays bounded however long the run (some 200 bytes per
	// order followed).
	DefaultReconcileOrders = 100_000
	// DefaultReconcileConcurrency is how many probes run at once.
	DefaultReconcileConcurrency = 8
	// DefaultSampleEvery is how often an order is probed during the run.
	DefaultSampleEvery = time.Second
)

// ReconcileOptions configure a Reconciler.
type ReconcileOptions struct {
	// Probe is the GET URL of an order's state, containing {orderKey}: an
	// absolute URL, or a path resolved against Base.
	Probe string
	// Base resolves a Probe path (the receiver's URL); may be nil.
	Base *url.URL
	// Compare replaces the provider's default compared pointers, as
	// WithCompare does for the suite ("PTR" or "SNAPSHOT_PTR=PROBE_PTR").
	Compare []string
	// Client sends the probes (default: a client with Timeout).
	Client *http.Client
	// Timeout bounds each probe (default DefaultTimeout).
	Timeout time.Duration
	// Concurrency bounds the probes in flight (default
	// DefaultReconcileConcurrency).
	Concurrency int
	// MaxOrders caps the orders followed (default DefaultReconcileOrders).
	MaxOrders int
	// SampleEvery is how often Sample probes one settled order while the
	// run goes on (default DefaultSampleEvery).
	SampleEvery time.Duration
}

// Reconciler follows what a receiver acknowledged during an emitter run
// (it is an emitter.Observer) and then probes each order's state and
// compares it with the newest snapshot the receiver acknowledged, on the
// pointers the state checks compare (WithCompare): an order whose state is
// missing was lost, one whose state differs was misapplied. It keeps, per
// order, only the seq and the compared values of that snapshot, for at most
// MaxOrders orders (a uniform sample beyond); see Reconcile.
type Reconciler struct {
	cmps        []Comparison
	probe       prober
	concurrency int
	max         int
	every       time.Duration

	mu       sync.Mutex
	orders   map[string]followed
	inflight map[string]int
	// threshold: an order is followed when its key's hash is at most this.
	threshold uint64
	sampled   int
	suspects  []Disagreement // sampled during the run and disagreeing
}

// followed is what the reconciliation keeps of an order: the newest
// acknowledged snapshot's seq and its compared values.
type followed struct {
	seq    int64
	values string // JSON: per compared pointer, [value] or [] (absent)
	// entity is the generator's entity of the first delivery followed
	// (generator.Event.Entity); shared is set once a delivery of another
	// entity carried the same key.
	entity int
	shared bool
}

// sharedReason says why an order whose key other entities shared is not
// judged.
const sharedReason = "not judged: other generated orders of the run were sent with this key (the key's schema allows too few distinct values for the run), so the probe cannot tell whose state it reads; widen the key's schema or name another key (events.key)"

// Reconciliation is what Reconcile found.
type Reconciliation struct {
	// Probe is the probe template, Compared the compared pointers.
	Probe    string   `json:"probe"`
	Compared []string `json:"compared"`
	// Orders counts the orders probed: every order with an acknowledged
	// delivery, or a uniform sample of them (Sampled) when there were
	// more than the cap.
	Orders int `json:"orders"`
	// Share is the fraction of the run's orders followed (1: all).
	Share float64 `json:"share"`
	// Agree counts the orders whose state matched the newest snapshot
	// acknowledged.
	Agree int `json:"agree"`
	// Lost are the orders the probe did not find (404 or 410), Misapplied
	// those whose state differs, Unverified those the probe could not
	// read (no answer, another status, not JSON): all three fail.
	Lost       []Disagreement `json:"lost"`
	Misapplied []Disagreement `json:"misapplied"`
	Unverified []Disagreement `json:"unverified"`
	// Shared are the orders whose key other generated orders of the run
	// were sent with (a key schema allowing fewer values than the run has
	// orders): the probe cannot tell whose state it reads, so they are not
	// judged, neither agreeing nor failing.
	Shared []Disagreement `json:"shared"`
	// DuringRun counts the orders probed while the run went on (Sample),
	// and Suspects those of them that disagreed at the time (each is
	// probed again by Reconcile, whose verdict counts).
	DuringRun int            `json:"duringRun"`
	Suspects  []Disagreement `json:"suspects,omitempty"`
	// Skipped says why no order was probed after the run, if none was.
	Skipped string `json:"skipped,omitempty"`
}

// Disagreement is one order whose state is not what was acknowledged.
type Disagreement struct {
	Key string `json:"orderKey"`
	// Status is the probe's HTTP status (0: no answer).
	Status int `json:"status"`
	// Differences are "POINTER: expected X, got Y", for a misapplied order.
	Differences []string `json:"differences,omitempty"`
	// Error says why the probe could not read the state.
	Error string `json:"error,omitempty"`
}

// Passed reports whether every order probed agreed.
func (r *Reconciliation) Passed() bool {
	return len(r.Lost) == 0 && len(r.Misapplied) == 0 && len(r.Unverified) == 0 && r.Skipped == ""
}

// NewReconciler returns a Reconciler of p's orders. The probe template
// and compared pointers are checked as the suite checks them.
func NewReconciler(p Provider, o ReconcileOptions) (*Reconciler, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	ptrs := p.compare
	if o.Compare != nil {
		ptrs = o.Compare
	}
	if len(ptrs) == 0 {
		return nil, &OptionError{Package: "contracts", Option: "ReconcileOptions", Field: "Compare", Want: "no pointers to compare: the provider names none", Err: ErrConfig}
	}
	r := &Reconciler{concurrency: o.Concurrency, max: o.MaxOrders, every: o.SampleEvery,
		orders: map[string]followed{}, inflight: map[string]int{}, threshold: math.MaxUint64}
	for _, spec := range ptrs {
		c, err := ParseComparison(spec)
		if err != nil {
			return nil, err
		}
		r.cmps = append(r.cmps, c)
	}
	base := o.Base
	if base == nil {
		base = &url.URL{}
	}
	pr, err := newProber(o.Probe, base, o.Client)
	if err != nil {
		return nil, err
	}
	if pr.template != o.Probe && base.Host == "" {
		return nil, fmt.Errorf("%w %q: give an absolute URL (no receiver URL to resolve the path against)", ErrProbe, o.Probe)
	}
	pr.timeout = o.Timeout
	if pr.timeout <= 0 {
		pr.timeout = DefaultTimeout
	}
	if pr.client == nil {
		pr.client = &http.Client{Timeout: pr.timeout}
	}
	r.probe = *pr
	if r.concurrency <= 0 {
		r.concurrency = DefaultReconcileConcurrency
	}
	if r.max <= 0 {
		r.max = DefaultReconcileOrders
	}
	if r.every <= 0 {
		r.every = DefaultSampleEvery
	}
	return r, nil
}

// Sending notes a delivery in flight: its order is not sampled until it
// ends.
func (r *Reconciler) Sending(ev *generator.Event) {
	r.mu.Lock()
	r.inflight[ev.OrderKey]++
	r.mu.Unlock()
}

// Delivered follows an acknowledged valid delivery's snapshot, unless its
// order already has a newer one (a reordered delivery).
func (r *Reconciler) Delivered(d emitter.Delivered) {
	key := d.Event.OrderKey
	var values string
	if d.OK() && sampleHash(key) <= r.currentThreshold() {
		values = r.values(d.Event.Payload)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if n := r.inflight[key] - 1; n > 0 {
		r.inflight[key] = n
	} else {
		delete(r.inflight, key)
	}
	f, seen := r.orders[key]
	if seen && f.entity != d.Event.Entity && !f.shared {
		f.shared = true // judged per entity: a key two entities share is not
		r.orders[key] = f
	}
	if !d.OK() {
		return
	}
	if sampleHash(key) > r.threshold || values == "" {
		return
	}
	if seen && f.seq > d.Event.Seq && f.entity == d.Event.Entity {
		return
	}
	if !seen {
		f.entity = d.Event.Entity
	}
	f.seq, f.values = d.Event.Seq, values
	r.orders[key] = f
	for len(r.orders) > r.max {
		r.threshold -= r.threshold / 10
		for k := range r.orders {
			if sampleHash(k) > r.threshold {
				delete(r.orders, k)
			}
		}
	}
}

func (r *Reconciler) currentThreshold() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.threshold
}

// values encodes a snapshot's compared values; "" when the payload is not
// JSON (the generator's always is).
func (r *Reconciler) values(payload []byte) string {
	snap, err := schemas.Decode(payload)
	if err != nil {
		return ""
	}
	vals := snapshotValues(r.cmps, snap)
	enc := make([]any, len(vals))
	for i, v := range vals {
		enc[i] = []any{}
		if v.ok {
			enc[i] = []any{v.v}
		}
	}
	b, err := encodeJSON(enc)
	if err != nil {
		return ""
	}
	return string(b)
}

// decodeValues reads back what values wrote.
func decodeValues(s string) ([]snapValue, error) {
	doc, err := schemas.Decode([]byte(s))
	if err != nil {
		return nil, err
	}
	list, _ := doc.([]any)
	out := make([]snapValue, len(list))
	for i, item := range list {
		if one, _ := item.([]any); len(one) == 1 {
			out[i] = snapValue{v: one[0], ok: true}
		}
	}
	return out, nil
}

// sampleHash spreads order keys over 64 bits for the follow sample
// (independently of the shard hash, which is FNV-1a alone).
func sampleHash(key string) uint64 {
	h := fnv.New64a()
	_, _ = io.WriteString(h, key)
	return splitmix.Mix(h.Sum64())
}

// Sample probes one settled order (no delivery of it in flight) every
// SampleEvery until ctx ends, and notes those that disagree with the
// newest acknowledged snapshot, unless a delivery of the order started or
// ended meanwhile. Call it in its own goroutine during the run.
func (r *Reconciler) Sample(ctx context.Context) {
	t := time.NewTicker(r.every)
	defer t.Stop()
	pr := r.probe // a prober per goroutine: it counts silences
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		key, f, ok := r.settled()
		if !ok {
			continue
		}
		d, agree := r.check(ctx, &pr, key, f)
		if ctx.Err() != nil {
			return
		}
		r.mu.Lock()
		if now, still := r.orders[key]; still && now == f && r.inflight[key] == 0 {
			r.sampled++
			if !agree && len(r.suspects) < maxListed {
				r.suspects = append(r.suspects, d)
			}
		}
		r.mu.Unlock()
	}
}

// maxListed bounds the suspects kept from the samples during a run.
const maxListed = 1000

// settled picks a followed order with no delivery in flight.
func (r *Reconciler) settled() (string, followed, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, f := range r.orders {
		if r.inflight[k] == 0 && !f.shared {
			return k, f, true
		}
	}
	return "", followed{}, false
}

// check probes one order and compares its state with f.
func (r *Reconciler) check(ctx context.Context, pr *prober, key string, f followed) (Disagreement, bool) {
	res := pr.get(ctx, key)
	d := Disagreement{Key: key, Status: res.status}
	if res.err != nil {
		d.Error = res.err.Error()
		return d, false
	}
	want, err := decodeValues(f.values)
	if err != nil || len(want) != len(r.cmps) {
		d.Error = "internal: the followed values do not decode" // a bug
		return d, false
	}
	for _, m := range compareValues(r.cmps, want, res.state) {
		d.Differences = append(d.Differences, m.String())
	}
	return d, len(d.Differences) == 0
}

// Reconcile probes every followed order, at most Concurrency at once,
// each within the timeout, and sorts them into agreeing, lost, misapplied
// and unverified (each list in key order). When ctx ends first, the
// orders not probed yet count as unverified and ctx's error is returned
// with the partial Reconciliation.
func (r *Reconciler) Reconcile(ctx context.Context) (*Reconciliation, error) {
	r.mu.Lock()
	keys := make([]string, 0, len(r.orders))
	var shared []Disagreement
	for k, f := range r.orders {
		if f.shared {
			shared = append(shared, Disagreement{Key: k, Error: sharedReason})
			continue
		}
		keys = append(keys, k)
	}
	orders := make(map[string]followed, len(r.orders))
	for k, f := range r.orders {
		orders[k] = f
	}
	share := float64(r.threshold) / math.MaxUint64
	rec := &Reconciliation{Probe: r.probe.template, Orders: len(keys), Share: share, DuringRun: r.sampled,
		Suspects: slices.Clone(r.suspects), Lost: []Disagreement{}, Misapplied: []Disagreement{}, Unverified: []Disagreement{},
		Shared: []Disagreement{}}
	rec.Shared = append(rec.Shared, shared...)
	if len(keys) == 0 && len(shared) > 0 {
		// Nothing judged is no pass.
		rec.Skipped = fmt.Sprintf("all %d orders followed share keys with other orders of the run: %s", len(shared), sharedReason)
	}
	r.mu.Unlock()
	for _, c := range r.cmps {
		rec.Compared = append(rec.Compared, c.String())
	}
	slices.Sort(keys)
	work := make(chan string)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range min(r.concurrency, max(len(keys), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pr := r.probe
			for key := range work {
				d, agree := r.check(ctx, &pr, key, orders[key])
				mu.Lock()
				switch {
				case agree:
					rec.Agree++
				case d.Status == http.StatusNotFound || d.Status == http.StatusGone:
					d.Error = ""
					rec.Lost = append(rec.Lost, d)
				case d.Error != "":
					rec.Unverified = append(rec.Unverified, d)
				default:
					rec.Misapplied = append(rec.Misapplied, d)
				}
				mu.Unlock()
			}
		}()
	}
	var err error
	for i, k := range keys {
		if ctx.Err() != nil {
			for _, k := range keys[i:] {
				rec.Unverified = append(rec.Unverified, Disagreement{Key: k, Error: "not probed: interrupted"})
			}
			err = ctx.Err()
			break
		}
		select {
		case work <- k:
		case <-ctx.Done():
			for _, k := range keys[i:] {
				rec.Unverified = append(rec.Unverified, Disagreement{Key: k, Error: "not probed: interrupted"})
			}
			err = ctx.Err()
		}
		if err != nil {
			break
		}
	}
	close(work)
	wg.Wait()
	for _, l := range [][]Disagreement{rec.Lost, rec.Misapplied, rec.Unverified, rec.Shared} {
		slices.SortFunc(l, func(a, b Disagreement) int { return strings.Compare(a.Key, b.Key) })
	}
	if err != nil {
		return rec, fmt.Errorf("contracts: reconciliation interrupted: %w", err)
	}
	return rec, nil
}

// WriteText writes the reconciliation as a few lines: the counts, then
// each disagreeing order (at most limit of each kind; 0: all).
func (r *Reconciliation) WriteText(w io.Writer, limit int) error {
	var b strings.Builder
	if r.Skipped != "" {
		fmt.Fprintf(&b, "reconciliation skipped: %s\n", r.Skipped)
		_, err := io.WriteString(w, b.String())
		return err
	}
	sample := ""
	if r.Share < 1 {
		sample = fmt.Sprintf(" (a uniform sample: %.3g%% of the orders)", 100*r.Share)
	}
	fmt.Fprintf(&b, "reconciled %d orders%s with GET %s on %s: %d agree, %d lost, %d misapplied, %d not verified",
		r.Orders, sample, r.Probe, strings.Join(r.Compared, ","), r.Agree, len(r.Lost), len(r.Misapplied), len(r.Unverified))
	if len(r.Shared) > 0 {
		fmt.Fprintf(&b, ", %d not judged (a key other orders of the run were sent with)", len(r.Shared))
	}
	b.WriteString("\n")
	list := func(what string, ds []Disagreement, line func(Disagreement) string) {
		for i, d := range ds {
			if limit > 0 && i == limit {
				fmt.Fprintf(&b, "  … and %d more %s orders (all in --json)\n", len(ds)-limit, what)
				break
			}
			fmt.Fprintf(&b, "  %s order %s%s\n", what, d.Key, line(d))
		}
	}
	list("lost", r.Lost, func(d Disagreement) string { return fmt.Sprintf(": acknowledged, but the probe answered %d", d.Status) })
	list("misapplied", r.Misapplied, func(d Disagreement) string { return ": " + strings.Join(d.Differences, "; ") })
	list("unverified", r.Unverified, func(d Disagreement) string { return ": " + d.Error })
	list("shared-key", r.Shared, func(d Disagreement) string { return ": " + d.Error })
	if r.DuringRun > 0 {
		fmt.Fprintf(&b, "sampled %d orders during the run, %d disagreeing at the time\n", r.DuringRun, len(r.Suspects))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ErrReconcileMerge is wrapped by MergeReconciliations' errors.
var ErrReconcileMerge = errors.New("contracts: reconciliations that cannot be merged")

// MergeReconciliations adds up the reconciliations of the shards of a
// run (see emitter.MergeSummaries): counts added, lists joined in key
// order. Their probes and compared pointers must agree.
func MergeReconciliations(rs ...*Reconciliation) (*Reconciliation, error) {
	out := &Reconciliation{Lost: []Disagreement{}, Misapplied: []Disagreement{}, Unverified: []Disagreement{}, Shared: []Disagreement{}}
	var orders float64
	for i, r := range rs {
		if i == 0 {
			out.Probe, out.Compared = r.Probe, r.Compared
		} else if r.Probe != out.Probe || !slices.Equal(r.Compared, out.Compared) {
			return nil, fmt.Errorf("%w: reconciliation %d probes %s on %s, the first %s on %s", ErrReconcileMerge, i+1,
				r.Probe, strings.Join(r.Compared, ","), out.Probe, strings.Join(out.Compared, ","))
		}
		out.Orders += r.Orders
		if r.Share > 0 {
			orders += float64(r.Orders) / r.Share
		}
		out.Agree += r.Agree
		out.Lost = append(out.Lost, r.Lost...)
		out.Misapplied = append(out.Misapplied, r.Misapplied...)
		out.Unverified = append(out.Unverified, r.Unverified...)
		out.Shared = append(out.Shared, r.Shared...)
		out.DuringRun += r.DuringRun
		out.Suspects = append(out.Suspects, r.Suspects...)
		if r.Skipped != "" && out.Skipped == "" {
			out.Skipped = r.Skipped
		}
	}
	out.Share = 1
	if orders > 0 && float64(out.Orders) < orders {
		out.Share = float64(out.Orders) / orders
	}
	for _, l := range [][]Disagreement{out.Lost, out.Misapplied, out.Unverified, out.Shared, out.Suspects} {
		slices.SortFunc(l, func(a, b Disagreement) int { return strings.Compare(a.Key, b.Key) })
	}
	return out, nil
}
