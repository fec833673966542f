package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	_ "modernc.org/sqlite" // pure-Go SQLite driver, registered as "sqlite"
)

// Store keeps orders in SQLite. Messages are recorded by messageId (a
// redelivery keeps it), and an order is only replaced by a snapshot whose
// header.date is not older than the stored one, because the queue may hand
// over an older state after a newer one.
type Store struct {
	db *sql.DB
}

const schema = `
CREATE TABLE IF NOT EXISTS messages (
	message_id  TEXT PRIMARY KEY,
	order_id    TEXT NOT NULL,
	type        TEXT NOT NULL,
	received_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS orders (
	order_id      TEXT PRIMARY KEY,
	state         TEXT NOT NULL,
	locked        INTEGER NOT NULL,
	currency      TEXT NOT NULL,
	total         REAL NOT NULL,
	line_count    INTEGER NOT NULL,
	snapshot_date TEXT NOT NULL,
	snapshot      TEXT NOT NULL
);`

// OpenStore opens (creating if needed) the database at path; ":memory:"
// gives a private in-memory database.
func OpenStore(path string) (*Store, error) {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	for _, stmt := range []string{"PRAGMA journal_mode=WAL", "PRAGMA busy_timeout=5000", schema} {
		if _, err := db.Exec(stmt); err != nil {
			db.Close()
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
	}
	return &Store{db: db}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Outcome says what Apply did with a message.
type Outcome string

// Outcomes of Apply.
const (
	Applied   Outcome = "applied"
	Duplicate Outcome = "duplicate" // messageId seen before
	Stale     Outcome = "stale"     // older than the stored snapshot
)

// Apply records the message and upserts the order in one transaction.
func (s *Store) Apply(ctx context.Context, env *Envelope, body []byte, now time.Time) (Outcome, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx,
		`INSERT INTO messages (message_id, order_id, type, received_at) VALUES (?, ?, ?, ?)
		 ON CONFLICT (message_id) DO NOTHING`,
		env.Header.MessageID, env.Body.ID, env.Header.Type, now.UTC().Format(time.RFC3339Nano))
	if err != nil {
		return "", err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return Duplicate, err
	}
	// RFC 3339 in UTC with fixed nanoseconds sorts as text.
	date := env.Header.Date.UTC().Format("2006-01-02T15:04:05.000000000Z")
	res, err = tx.ExecContext(ctx, `
		INSERT INTO orders (order_id, state, locked, currency, total, line_count, snapshot_date, snapshot)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (order_id) DO UPDATE SET
			state = excluded.state,
			locked = excluded.locked,
			currency = excluded.currency,
			total = excluded.total,
			line_count = excluded.line_count,
			snapshot_date = excluded.snapshot_date,
			snapshot = excluded.snapshot
		WHERE excluded.snapshot_date >= orders.snapshot_date`,
		env.Body.ID, env.Body.State, env.Body.Locked, env.Body.Currency, env.Body.Total,
		len(env.Body.Lines), date, string(body))
	if err != nil {
		return "", err
	}
	outcome := Applied
	if n, err := res.RowsAffected(); err != nil {
		return "", err
	} else if n == 0 {
		outcome = Stale
	}
	return outcome, tx.Commit()
}

// errNotFound is returned by Order for an unknown order id.
var errNotFound = errors.New("order not found")

// Order returns the latest stored message for an order.
func (s *Store) Order(ctx context.Context, id string) (*Envelope, error) {
	var snapshot string
	err := s.db.QueryRowContext(ctx, `SELECT snapshot FROM orders WHERE order_id = ?`, id).Scan(&snapshot)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	var env Envelope
	if err := json.Unmarshal([]byte(snapshot), &env); err != nil {
		return nil, fmt.Errorf("order %s: stored snapshot: %w", id, err)
	}
	return &env, nil
}
