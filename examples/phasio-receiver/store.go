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

// Store keeps orders in SQLite. Deliveries are recorded by key so a
// redelivery is acknowledged without being applied twice; orders are
// upserted by orderId because every Phasio webhook carries the full state.
type Store struct {
	db *sql.DB
}

const schema = `
CREATE TABLE IF NOT EXISTS deliveries (
	delivery_key TEXT PRIMARY KEY,
	order_id     INTEGER NOT NULL,
	trigger      TEXT NOT NULL,
	received_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS orders (
	order_id                   INTEGER PRIMARY KEY,
	quote_number               TEXT NOT NULL,
	order_number               TEXT,
	customer_organisation_id   INTEGER NOT NULL,
	customer_organisation_name TEXT NOT NULL,
	payment_status             TEXT,
	kanban_column_name         TEXT,
	kanban_column_sequence     INTEGER,
	currency                   TEXT NOT NULL,
	total_price                REAL,
	part_count                 INTEGER NOT NULL,
	snapshot                   TEXT NOT NULL,
	updated_at                 TEXT NOT NULL
);`

// OpenStore opens (creating if needed) the database at path; ":memory:"
// gives a private in-memory database.
func OpenStore(path string) (*Store, error) {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return nil, err
	}
	// One connection serialises writers (SQLite allows one at a time anyway)
	// and keeps an in-memory database shared by every request.
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

// Apply records the delivery and upserts the order in one transaction. It
// reports applied=false when deliveryKey was seen before.
func (s *Store) Apply(ctx context.Context, deliveryKey, trigger string, o *Order, snapshot []byte, now time.Time) (applied bool, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx,
		`INSERT INTO deliveries (delivery_key, order_id, trigger, received_at) VALUES (?, ?, ?, ?)
		 ON CONFLICT (delivery_key) DO NOTHING`,
		deliveryKey, o.OrderID, trigger, now.UTC().Format(time.RFC3339Nano))
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO orders (order_id, quote_number, order_number, customer_organisation_id,
			customer_organisation_name, payment_status, kanban_column_name, kanban_column_sequence,
			currency, total_price, part_count, snapshot, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (order_id) DO UPDATE SET
			quote_number = excluded.quote_number,
			order_number = excluded.order_number,
			customer_organisation_id = excluded.customer_organisation_id,
			customer_organisation_name = excluded.customer_organisation_name,
			payment_status = excluded.payment_status,
			kanban_column_name = excluded.kanban_column_name,
			kanban_column_sequence = excluded.kanban_column_sequence,
			currency = excluded.currency,
			total_price = excluded.total_price,
			part_count = excluded.part_count,
			snapshot = excluded.snapshot,
			updated_at = excluded.updated_at`,
		o.OrderID, o.QuoteNumber, o.OrderNumber, o.CustomerOrganisationID,
		o.CustomerOrganisationName, o.PaymentStatus, o.KanbanColumnName, o.KanbanColumnSequence,
		o.Pricing.Currency, o.Pricing.TotalPrice, len(o.Parts), string(snapshot), now.UTC().Format(time.RFC3339Nano))
	if err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// errNotFound is returned by Order for an unknown order id.
var errNotFound = errors.New("order not found")

// Order returns the latest stored state of an order.
func (s *Store) Order(ctx context.Context, id int64) (*Order, error) {
	var snapshot string
	err := s.db.QueryRowContext(ctx, `SELECT snapshot FROM orders WHERE order_id = ?`, id).Scan(&snapshot)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	var o Order
	if err := json.Unmarshal([]byte(snapshot), &o); err != nil {
		return nil, fmt.Errorf("order %d: stored snapshot: %w", id, err)
	}
	return &o, nil
}

// Deliveries counts recorded deliveries (for tests and metrics).
func (s *Store) Deliveries(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM deliveries`).Scan(&n)
	return n, err
}
