package capture

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/orderhooks/orderhooks/internal/errs"
	"github.com/orderhooks/orderhooks/schemas"
)

// Page sizes of List.
const (
	DefaultLimit = 50
	MaxLimit     = 1000
	// MaxTimeline bounds the deliveries Timeline returns for one key.
	MaxTimeline = 10000
)

// Filter selects deliveries. Zero fields select everything.
type Filter struct {
	Provider string
	Event    string
	Key      string
	// Verdict selects one verdict; VerdictSignature selects the three
	// signature verdicts.
	Verdict Verdict
	// Status selects one HTTP status of the receiver's answer;
	// StatusClass a class (2 for 2xx, 4 for 4xx…).
	Status      int
	StatusClass int
	// AppError selects the deliveries the user's app answered 4xx or 5xx,
	// or did not answer.
	AppError bool
}

// VerdictSignature selects every signature verdict in a Filter.
const VerdictSignature Verdict = "signature"

// ErrFilter is wrapped by Filter.Validate's errors.
var ErrFilter = errors.New("capture: bad filter")

// OptionError is Filter.Validate's error: the field (Verdict, Status,
// StatusClass), the value refused and what is expected; for Verdict the
// known verdicts, for a suggestion.
type OptionError = errs.OptionError

// Verdicts are the verdicts a Filter selects by, VerdictSignature
// included, in the order they are decided.
func Verdicts() []Verdict {
	return []Verdict{VerdictOK, VerdictSignature, VerdictSignatureMissing, VerdictSignatureBad, VerdictSignatureStale,
		VerdictDecryptionFailed, VerdictMalformed, VerdictSchemaInvalid, VerdictRejected}
}

// Validate refuses a filter that could select nothing for a wrong
// reason: an unknown verdict, a status outside 100–599, a status class
// outside 1–5. Any provider, event or key is a valid filter (a store
// holds the deliveries of definition files' providers too).
func (f Filter) Validate() error {
	bad := func(field, value, want string, known []string) error {
		return &OptionError{Package: "capture", Option: "Filter", Field: field, Value: value, Want: want, Known: known, Err: ErrFilter}
	}
	if f.Verdict != "" && !slices.Contains(Verdicts(), f.Verdict) {
		var known []string
		for _, v := range Verdicts() {
			known = append(known, string(v))
		}
		return bad("Verdict", string(f.Verdict), "not a verdict ("+strings.Join(known, ", ")+")", known)
	}
	if f.Status != 0 && (f.Status < 100 || f.Status > 599) {
		return bad("Status", strconv.Itoa(f.Status), "an HTTP status between 100 and 599", nil)
	}
	if f.StatusClass != 0 && (f.StatusClass < 1 || f.StatusClass > 5) {
		return bad("StatusClass", strconv.Itoa(f.StatusClass), "a status class from 1 (1xx) to 5 (5xx)", nil)
	}
	return nil
}

// Validate is f.Validate, and refuses a provider or an event of which the
// store holds no delivery (a misspelt name would list nothing and say
// nothing), suggesting the closest one it holds: the event among the
// events of the filter's provider, when it names one.
func (s *Store) Validate(ctx context.Context, f Filter) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if f.Provider != "" {
		held, err := s.providers(ctx)
		if err != nil {
			return err
		}
		if !slices.Contains(held, f.Provider) {
			return notHeld("Provider", f.Provider, "no delivery of this provider in the store", held)
		}
	}
	if f.Event != "" {
		held, err := s.events(ctx, f.Provider, f.Event)
		if err != nil {
			return err
		}
		if held != nil {
			want := "no delivery of this event in the store"
			if f.Provider != "" {
				want = "no " + f.Provider + " delivery of this event in the store"
			}
			return notHeld("Event", f.Event, want, held)
		}
	}
	return nil
}

// notHeld is Validate's error for a value of field the store holds no
// delivery of, saying what it holds (the first few).
func notHeld(field, value, want string, held []string) error {
	const shown = 8
	switch {
	case len(held) > shown:
		want += " (it holds " + strings.Join(held[:shown], ", ") + ", …)"
	case len(held) > 0:
		want += " (it holds " + strings.Join(held, ", ") + ")"
	}
	return &OptionError{Package: "capture", Option: "Filter", Field: field, Value: value, Want: want, Known: held, Err: ErrFilter}
}

// providers lists the providers the store holds deliveries of.
func (s *Store) providers(ctx context.Context) ([]string, error) {
	out, err := queryRows(ctx, s.db, scanOne[string], "SELECT DISTINCT provider FROM deliveries ORDER BY provider")
	if err != nil {
		return nil, s.readError(err)
	}
	return out, nil
}

// events returns nil when the store holds a delivery of event (of
// provider unless it is ""), else the events it holds (of provider), in
// order: the first query is one lookup in the event index, the second a
// walk of it that only a refused name pays for.
func (s *Store) events(ctx context.Context, provider, event string) ([]string, error) {
	where, args := "event != ''", []any(nil)
	if provider != "" {
		where, args = "event != '' AND provider = ?", []any{provider}
	}
	found, err := queryRows(ctx, s.db, scanOne[int], "SELECT 1 FROM deliveries WHERE "+where+" AND event = ? LIMIT 1", append(args, event)...)
	if err != nil {
		return nil, s.readError(err)
	}
	if len(found) > 0 {
		return nil, nil
	}
	// Not nil, also when the store holds no event: queryRows's promise.
	held, err := queryRows(ctx, s.db, scanOne[string], "SELECT DISTINCT event FROM deliveries WHERE "+where+" ORDER BY event", args...)
	if err != nil {
		return nil, s.readError(err)
	}
	return held, nil
}

// where returns the SQL condition and its arguments.
func (f Filter) where() (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, a ...any) {
		conds = append(conds, cond)
		args = append(args, a...)
	}
	if f.Provider != "" {
		add("provider = ?", f.Provider)
	}
	if f.Event != "" {
		add("event = ?", f.Event)
	}
	if f.Key != "" {
		add("order_key = ?", f.Key)
	}
	switch f.Verdict {
	case "":
	case VerdictSignature:
		add("verdict >= 'signature-' AND verdict < 'signature.'")
	default:
		add("verdict = ?", string(f.Verdict))
	}
	if f.Status != 0 {
		add("status = ?", f.Status)
	}
	if f.StatusClass != 0 {
		add("status >= ? AND status < ?", f.StatusClass*100, f.StatusClass*100+100)
	}
	if f.AppError {
		add("(app_error <> '' OR app_status >= 400)")
	}
	if len(conds) == 0 {
		return "1", nil
	}
	return strings.Join(conds, " AND "), args
}

// Page is one page of a list, newest first.
type Page struct {
	Deliveries []Summary `json:"deliveries"`
	// Next is the cursor of the next (older) page, for ListOptions.Before;
	// 0 when this page is the last.
	Next int64 `json:"next"`
}

// ListOptions page through a list.
type ListOptions struct {
	// Before lists the deliveries with ids below it (0: from the newest).
	Before int64
	// Limit is the page size (default DefaultLimit, at most MaxLimit).
	Limit int
}

const summaryColumns = `id, received_at, remote_addr, path, provider, event, order_key, delivery_id, verdict, signature,
	decryption, schema_checked, violation_count, redacted, status, outcome, handled_ns, length(body), app_status, app_latency_ns, app_error`

func scanSummary(rows rowScanner) (Summary, error) {
	var s Summary
	var at, handled, appLatency int64
	var verdict, sig, dec string
	err := rows.Scan(&s.ID, &at, &s.RemoteAddr, &s.Path, &s.Provider, &s.Event, &s.Key, &s.DeliveryID, &verdict, &sig,
		&dec, &s.SchemaChecked, &s.Violations, &s.Redacted, &s.Status, &s.Outcome, &handled, &s.Size, &s.AppStatus, &appLatency, &s.AppError)
	s.ReceivedAt = time.Unix(0, at).UTC()
	s.Verdict, s.Signature, s.Decryption = Verdict(verdict), Signature(sig), Decryption(dec)
	s.Handled, s.AppLatency = time.Duration(handled), time.Duration(appLatency)
	return s, err
}

// rowScanner is a row of a query: *sql.Rows or *sql.Row.
type rowScanner interface{ Scan(...any) error }

// scanOne scans a row of one column.
func scanOne[T any](row rowScanner) (T, error) {
	var v T
	err := row.Scan(&v)
	return v, err
}

// queryRows runs a query and scans each row with scan, in order; the
// list is empty, not nil, when no row is found.
func queryRows[T any](ctx context.Context, q queryer, scan func(rowScanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// summaries runs a query of summaryColumns.
func (s *Store) summaries(ctx context.Context, query string, args ...any) ([]Summary, error) {
	out, err := queryRows(ctx, s.db, scanSummary, query, args...)
	if err != nil {
		return nil, s.readError(err)
	}
	return out, nil
}

// deliveries runs a query of deliveryColumns.
func (s *Store) deliveries(ctx context.Context, query string, args ...any) ([]*Delivery, error) {
	out, err := queryRows(ctx, s.db, scanDelivery, query, args...)
	if err != nil {
		return nil, s.readError(err)
	}
	return out, nil
}

// List returns one page of the deliveries f selects, newest first.
func (s *Store) List(ctx context.Context, f Filter, o ListOptions) (*Page, error) {
	limit := o.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	where, args := f.where()
	if o.Before > 0 {
		where += " AND id < ?"
		args = append(args, o.Before)
	}
	list, err := s.summaries(ctx, "SELECT "+summaryColumns+" FROM deliveries WHERE "+where+" ORDER BY id DESC LIMIT ?",
		append(args, limit+1)...)
	if err != nil {
		return nil, err
	}
	p := &Page{Deliveries: list}
	if len(p.Deliveries) > limit {
		p.Deliveries = p.Deliveries[:limit]
		p.Next = p.Deliveries[limit-1].ID
	}
	return p, nil
}

// Count counts the deliveries f selects.
func (s *Store) Count(ctx context.Context, f Filter) (int64, error) {
	where, args := f.where()
	var n int64
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM deliveries WHERE "+where, args...).Scan(&n); err != nil {
		return 0, s.readError(err)
	}
	return n, nil
}

// LastID returns the newest delivery's id (0 for an empty store).
func (s *Store) LastID(ctx context.Context) (int64, error) {
	var id sql.NullInt64
	if err := s.db.QueryRowContext(ctx, "SELECT max(id) FROM deliveries").Scan(&id); err != nil {
		return 0, s.readError(err)
	}
	return id.Int64, nil
}

const deliveryColumns = `id, received_at, remote_addr, method, host, path, headers, body, provider, event, order_key,
	delivery_id, signature, decryption, schema_checked, violations, verdict, reason, payload, redacted, status, outcome,
	answer, handled_ns, app_url, app_status, app_latency_ns, app_answer, app_error`

func scanDelivery(rows rowScanner) (*Delivery, error) {
	d := &Delivery{}
	var at, handled, appLatency int64
	var header, violations, sig, dec, verdict string
	var f Forward
	err := rows.Scan(&d.ID, &at, &d.RemoteAddr, &d.Method, &d.Host, &d.Path, &header, &d.Body, &d.Provider, &d.Event,
		&d.Key, &d.DeliveryID, &sig, &dec, &d.SchemaChecked, &violations, &verdict, &d.Reason, &d.Payload, &d.Redacted,
		&d.Status, &d.Outcome, &d.Answer, &handled, &f.URL, &f.Status, &appLatency, &f.Answer, &f.Error)
	if err != nil {
		return nil, err
	}
	d.ReceivedAt = time.Unix(0, at).UTC()
	d.Signature, d.Decryption = Signature(sig), Decryption(dec)
	d.Malformed = Verdict(verdict) == VerdictMalformed
	d.Handled = time.Duration(handled)
	if err := json.Unmarshal([]byte(header), &d.Header); err != nil {
		return nil, fmt.Errorf("delivery %d: headers: %w", d.ID, err)
	}
	if d.Header == nil {
		d.Header = http.Header{}
	}
	var vs []schemas.Violation
	if err := json.Unmarshal([]byte(violations), &vs); err != nil {
		return nil, fmt.Errorf("delivery %d: violations: %w", d.ID, err)
	}
	if len(vs) > 0 {
		d.Violations = vs
	}
	if f.URL != "" || f.Status != 0 || f.Error != "" {
		f.Latency = time.Duration(appLatency)
		d.Forward = &f
	}
	return d, nil
}

// Get returns the delivery with id, or an error wrapping ErrNotFound.
func (s *Store) Get(ctx context.Context, id int64) (*Delivery, error) {
	d, err := scanDelivery(s.db.QueryRowContext(ctx, "SELECT "+deliveryColumns+" FROM deliveries WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %d", ErrNotFound, id)
	}
	if err != nil {
		return nil, s.readError(err)
	}
	return d, nil
}

// Timeline is every delivery of one order, in the order they arrived.
type Timeline struct {
	Key        string      `json:"key"`
	Deliveries []*Delivery `json:"deliveries"`
	// Truncated says there were more than MaxTimeline; the first ones
	// are kept.
	Truncated bool `json:"truncated,omitempty"`
}

// Timeline returns the deliveries of the order with key (of any provider
// unless provider is set), oldest first, bodies and payloads included.
func (s *Store) Timeline(ctx context.Context, provider, key string) (*Timeline, error) {
	where, args := Filter{Provider: provider, Key: key}.where()
	list, err := s.deliveries(ctx, "SELECT "+deliveryColumns+" FROM deliveries WHERE "+where+" ORDER BY id LIMIT ?",
		append(args, MaxTimeline+1)...)
	if err != nil {
		return nil, err
	}
	t := &Timeline{Key: key, Deliveries: list}
	if len(t.Deliveries) > MaxTimeline {
		t.Deliveries, t.Truncated = t.Deliveries[:MaxTimeline], true
	}
	return t, nil
}

// Each calls fn for every delivery f selects, oldest first, reading a
// batch at a time (exports and analyses of large stores stay small).
func (s *Store) Each(ctx context.Context, f Filter, fn func(*Delivery) error) error {
	where, args := f.where()
	return s.walk(ctx, deliveryColumns, where, args, 200, scanDelivery, fn)
}

// walk calls fn with each delivery of a query of columns where the
// condition holds, oldest first, reading size at a time.
func (s *Store) walk(ctx context.Context, columns, where string, args []any, size int, scan func(rowScanner) (*Delivery, error), fn func(*Delivery) error) error {
	var after int64
	for {
		batch, err := queryRows(ctx, s.db, scan, "SELECT "+columns+" FROM deliveries WHERE "+where+" AND id > ? ORDER BY id LIMIT ?",
			append(args, after, size)...)
		if err != nil {
			return s.readError(err)
		}
		if len(batch) == 0 {
			return nil
		}
		for _, d := range batch {
			if err := fn(d); err != nil {
				return err
			}
		}
		after = batch[len(batch)-1].ID
	}
}

// WatchInterval is how often Watch looks for deliveries another process
// stored; those Put through this Store are announced at once.
const WatchInterval = 500 * time.Millisecond

// Watch calls fn with the deliveries stored after the one with id after
// (0: from the first), in order, a batch at a time, then with each new
// batch as deliveries are stored, until ctx ends (Watch then returns nil)
// or fn returns an error (returned). A live page of deliveries is a Watch
// from LastID.
func (s *Store) Watch(ctx context.Context, after int64, fn func([]Summary) error) error {
	tick := time.NewTicker(WatchInterval)
	defer tick.Stop()
	for {
		wake := s.feed.wait()
		batch, err := s.summaries(ctx, "SELECT "+summaryColumns+" FROM deliveries WHERE id > ? ORDER BY id LIMIT ?", after, MaxLimit)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if len(batch) > 0 {
			if err := fn(batch); err != nil {
				return err
			}
			after = batch[len(batch)-1].ID
			if len(batch) == MaxLimit {
				continue // more waiting
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-tick.C:
		}
	}
}

// Payloads calls fn with every verified delivery f selects (one with a
// payload and an event name), oldest first, holding only what analyses of
// payloads read: ID, ReceivedAt, Provider, Event, Key, DeliveryID,
// Redacted and Payload. It reads much less than Each (no bodies, headers
// or answers), a batch at a time.
func (s *Store) Payloads(ctx context.Context, f Filter, fn func(*Delivery) error) error {
	where, args := f.where()
	return s.walk(ctx, payloadColumns, where+" AND payload IS NOT NULL AND event <> ''", args, 500, scanPayload, fn)
}

const payloadColumns = "id, received_at, provider, event, order_key, delivery_id, redacted, payload"

// scanPayload scans a row of payloadColumns.
func scanPayload(row rowScanner) (*Delivery, error) {
	d := &Delivery{}
	var at int64
	err := row.Scan(&d.ID, &at, &d.Provider, &d.Event, &d.Key, &d.DeliveryID, &d.Redacted, &d.Payload)
	d.ReceivedAt = time.Unix(0, at).UTC()
	return d, err
}

// PlatformEvent returns the platform and event name of a delivery's
// payload: its own for Phasio and HappyColis deliveries; for a Standard
// Webhooks delivery, the platform whose payload it carries (a HappyColis
// envelope, or a Phasio order) and that platform's event name.
func (d *Delivery) PlatformEvent() (provider, event string) { return platformEvent(d) }
