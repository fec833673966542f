package capture

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"modernc.org/sqlite"
)

// MaxBatch bounds how many writes one transaction commits.
const MaxBatch = 256

// GroupWait is how long the writer waits for more writes before it
// commits, when writes come concurrently (group commit): a delivery's
// answer waits up to this much longer, and each commit covers many.
const GroupWait = 500 * time.Microsecond

// writeReq is one write for the writer goroutine.
type writeReq struct {
	op   func(ctx context.Context, tx *sql.Tx, st *statements) (int64, error)
	id   int64
	err  error
	done chan struct{}
}

type statements struct {
	insert, forward *sql.Stmt
}

const insertSQL = `INSERT INTO deliveries (received_at, remote_addr, method, host, path, headers, body, provider, event,
	order_key, delivery_id, signature, decryption, schema_checked, violations, violation_count, verdict, reason, payload,
	redacted, status, outcome, answer, handled_ns, app_url, app_status, app_latency_ns, app_answer, app_error)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

const forwardSQL = `UPDATE deliveries SET app_url = ?, app_status = ?, app_latency_ns = ?, app_answer = ?, app_error = ? WHERE id = ?`

// Put stores a delivery and returns its id once it is committed: a
// delivery Put returned for is in the file, whatever happens to the
// process next (see Sync for power cuts). Headers are filtered (see
// Delivery.Header) and answers cut to WithExcerpt bytes; d is not
// changed. An error (the disk is full, the file read-only, the write took
// longer than DefaultPutTimeout, or ctx ended) means the delivery may not be
// stored: a receiver answers 503 so that the platform retries it.
func (s *Store) Put(ctx context.Context, d *Delivery) (int64, error) {
	if err := s.writable(); err != nil {
		return 0, err
	}
	row, err := s.row(d)
	if err != nil {
		return 0, err
	}
	return s.submit(ctx, func(ctx context.Context, tx *sql.Tx, st *statements) (int64, error) {
		res, err := tx.StmtContext(ctx, st.insert).ExecContext(ctx, row...)
		if err != nil {
			return 0, err
		}
		return res.LastInsertId()
	})
}

// SetForward records what the user's app answered delivery id.
func (s *Store) SetForward(ctx context.Context, id int64, f Forward) error {
	if err := s.writable(); err != nil {
		return err
	}
	_, err := s.submit(ctx, func(ctx context.Context, tx *sql.Tx, st *statements) (int64, error) {
		res, err := tx.StmtContext(ctx, st.forward).ExecContext(ctx, f.URL, f.Status, int64(f.Latency),
			excerpt(f.Answer, s.cfg.excerpt), f.Error, id)
		if err != nil {
			return 0, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return 0, fmt.Errorf("%w: %d", ErrNotFound, id)
		}
		return id, nil
	})
	return err
}

// writable says why the store cannot be written, if it cannot.
func (s *Store) writable() error {
	switch {
	case s.readOnly:
		return &Error{Path: s.path, Err: ErrReadOnly, Msg: "opened read-only"}
	case s.writeErr != nil:
		return s.writeErr
	}
	return nil
}

// row is the insert's arguments for d.
func (s *Store) row(d *Delivery) ([]any, error) {
	violations := []byte("[]")
	if len(d.Violations) > 0 {
		var err error
		if violations, err = json.Marshal(d.Violations); err != nil {
			return nil, err
		}
	}
	header, err := json.Marshal(s.storedHeader(d.Header))
	if err != nil {
		return nil, err
	}
	body := d.Body
	if body == nil {
		body = []byte{}
	}
	var payload any
	if d.Payload != nil {
		payload = d.Payload
	}
	f := d.Forward
	if f == nil {
		f = &Forward{}
	}
	at := d.ReceivedAt
	if at.IsZero() {
		at = s.cfg.now()
	}
	return []any{at.UnixNano(), d.RemoteAddr, d.Method, d.Host, d.Path, string(header), body, d.Provider, d.Event,
		d.Key, d.DeliveryID, string(d.Signature), string(d.Decryption), d.SchemaChecked, string(violations), len(d.Violations),
		string(d.Verdict()), d.Reason, payload, d.Redacted, d.Status, d.Outcome, excerpt(d.Answer, s.cfg.excerpt),
		int64(d.Handled), f.URL, f.Status, int64(f.Latency), excerpt(f.Answer, s.cfg.excerpt), f.Error}, nil
}

// submit hands a write to the writer and waits for its commit.
func (s *Store) submit(ctx context.Context, op func(context.Context, *sql.Tx, *statements) (int64, error)) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.put)
	defer cancel()
	req := &writeReq{op: op, done: make(chan struct{})}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return 0, ErrClosed
	}
	select {
	case s.reqs <- req:
		s.mu.RUnlock()
	case <-ctx.Done():
		s.mu.RUnlock()
		return 0, fmt.Errorf("%s: waiting to write: %w", s.path, ctx.Err())
	}
	select {
	case <-req.done:
		return req.id, req.err
	case <-ctx.Done():
		// The write may still be committed; the caller must treat the
		// delivery as not stored (a 503 gets it sent again).
		return 0, fmt.Errorf("%s: waiting for the write: %w", s.path, ctx.Err())
	}
}

// writer commits the writes in batches: one transaction for whatever is
// waiting, up to MaxBatch.
func (s *Store) writer() {
	defer close(s.done)
	var st *statements
	linger := time.NewTimer(time.Hour)
	linger.Stop()
	last := 0 // the previous batch's size
	for req := range s.reqs {
		batch := []*writeReq{req}
		waiting := false
	fill:
		for len(batch) < MaxBatch {
			select {
			case r, ok := <-s.reqs:
				if !ok {
					break fill
				}
				batch = append(batch, r)
				continue
			default:
			}
			// Nothing more is waiting. When deliveries come concurrently
			// (the last batch held several), wait a moment for those
			// under way: one commit for many.
			if last < 2 || waiting {
				break
			}
			waiting = true
			linger.Reset(GroupWait)
			select {
			case r, ok := <-s.reqs:
				linger.Stop() // no stale tick after Stop (Go 1.23 timers)
				if !ok {
					break fill
				}
				batch = append(batch, r)
			case <-linger.C:
				break fill
			}
		}
		last = len(batch)
		if st == nil {
			var err error
			if st, err = s.statements(); err != nil {
				fail(batch, s.writeError(err))
				continue
			}
		}
		if err := s.commit(batch, st); err != nil && len(batch) > 1 {
			// One write may have failed the others: each on its own.
			for _, r := range batch {
				r.err = nil
				if err := s.commit([]*writeReq{r}, st); err != nil {
					r.err = err
				}
			}
		} else if err != nil {
			batch[0].err = err
		}
		committed := false
		for _, r := range batch {
			committed = committed || r.err == nil
			close(r.done)
		}
		s.commits.Add(1)
		s.committed.Add(int64(len(batch)))
		if committed {
			s.feed.notify()
		}
	}
	if st != nil {
		st.insert.Close()
		st.forward.Close()
	}
}

func fail(batch []*writeReq, err error) {
	for _, r := range batch {
		r.err = err
		close(r.done)
	}
}

func (s *Store) statements() (*statements, error) {
	ins, err := s.wdb.Prepare(insertSQL)
	if err != nil {
		return nil, err
	}
	fwd, err := s.wdb.Prepare(forwardSQL)
	if err != nil {
		ins.Close()
		return nil, err
	}
	return &statements{insert: ins, forward: fwd}, nil
}

// commit runs the batch in one transaction; on any error nothing of it
// is committed and every request gets the error.
func (s *Store) commit(batch []*writeReq, st *statements) error {
	ctx := context.Background()
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return s.writeError(err)
	}
	for _, r := range batch {
		if r.id, r.err = r.op(ctx, tx, st); r.err != nil {
			_ = tx.Rollback() // the error above is the one to report
			var se *sqlite.Error
			if errors.As(r.err, &se) {
				r.err = s.writeError(r.err)
			}
			return r.err
		}
	}
	if err := tx.Commit(); err != nil {
		return s.writeError(err)
	}
	return nil
}

// feed tells watchers that deliveries were committed: each wait gets a
// channel closed at the next commit.
type feed struct {
	mu     sync.Mutex
	ch     chan struct{}
	closed bool
}

func newFeed() *feed { return &feed{ch: make(chan struct{})} }

func (f *feed) wait() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ch
}

func (f *feed) notify() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	close(f.ch)
	f.ch = make(chan struct{})
}

func (f *feed) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.closed {
		f.closed = true
		close(f.ch)
	}
}
