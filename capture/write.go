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
const GroupWait = time.Millisecond

// CheckpointPages is how many pages the writer appends to the write-ahead
// log between two checkpoints (copies of the log into the database file,
// each of which syncs both to the disk). The writer checkpoints itself,
// once the deliveries of the commit that crossed it are answered: SQLite
// would checkpoint every 1,000 pages at the end of a commit, and the
// commit's deliveries waited for the syncs. With SyncNormal the log is
// synced at checkpoints only, so an operating system crash or power cut
// may lose up to this much log (4,000 pages of 4 KiB: 16 MiB).
const CheckpointPages = 4000

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
	last := 0  // the previous batch's size
	pages := 0 // appended to the log since the last checkpoint
	for req := range s.reqs {
		batch := []*writeReq{req}
		// When deliveries come concurrently (the last batch held
		// several), the batch stays open for GroupWait: those under way
		// join it, one commit for many.
		var window <-chan time.Time
		if last >= 2 {
			linger.Reset(GroupWait)
			window = linger.C
		}
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
			if window == nil {
				break
			}
			select {
			case r, ok := <-s.reqs:
				if !ok {
					break fill
				}
				batch = append(batch, r)
			case <-window:
				window = nil
			}
		}
		if window != nil {
			linger.Stop() // no stale tick after Stop (Go 1.23 timers)
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
		// The deliveries are answered; now the checkpoint, if it is due.
		// Writes coming meanwhile wait in reqs and go in the next commit.
		if n, err := s.pagesWritten(); err == nil {
			pages += n
			s.logPages.Add(int64(n))
		}
		if pages >= s.cfg.checkpointPages {
			pages = 0
			if s.beforeCheckpoint != nil {
				s.beforeCheckpoint()
			}
			s.checkpoint()
		}
	}
	if st != nil {
		st.insert.Close()
		st.forward.Close()
	}
}

// pagesWritten returns how many pages the writer's connection wrote to
// the log since it was last asked (SQLite's cache-write counter).
func (s *Store) pagesWritten() (int, error) {
	ctx := context.Background()
	conn, err := s.wdb.Conn(ctx) // the writer's one connection
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	var n int
	err = conn.Raw(func(dc any) error {
		st, ok := dc.(sqlite.DBStatus)
		if !ok {
			return fmt.Errorf("the SQLite driver's connection (%T) gives no status", dc)
		}
		var err error
		n, _, err = st.Status(sqlite.DBStatusCacheWrite, true)
		return err
	})
	return n, err
}

// checkpoint copies the write-ahead log into the database file, as far as
// no reader still needs its pages (PASSIVE: it waits for no one). The
// next commit after a complete one starts the log over from its
// beginning. A checkpoint that fails or stops short is tried again
// CheckpointPages later; the log holds the deliveries meanwhile.
func (s *Store) checkpoint() {
	var busy, frames, copied int64
	err := s.wdb.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied)
	if err == nil {
		s.checkpoints.Add(1)
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
