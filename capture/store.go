package capture

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/orderhooks/orderhooks/internal/redact"
	"github.com/orderhooks/orderhooks/pii"
)

// SchemaVersion is the version of the store's tables this package writes
// (SQLite's user_version). Older stores are migrated when opened for
// writing; newer ones are refused.
const SchemaVersion = 1

// currentVersion is SchemaVersion; tests of migrations change it.
var currentVersion = SchemaVersion

// applicationID marks an SQLite file as an orderhooks capture store
// (SQLite's application_id header field): "ohcs".
const applicationID = 0x6f686373

// Defaults, also the CLI's flag defaults.
const (
	// DefaultBusyTimeout is how long a statement waits for another
	// connection's lock (another process writing the same store).
	DefaultBusyTimeout = 10 * time.Second
	// DefaultPutTimeout bounds how long Put waits for its delivery to be
	// written; beyond, it returns an error (the receiver answers 503).
	DefaultPutTimeout = 5 * time.Second
	// DefaultExcerpt bounds the answer bodies kept (the receiver's and the
	// forwarded app's).
	DefaultExcerpt = 4 << 10
	// DefaultReaders bounds the connections reading the store at once:
	// each holds its own SQLite page cache (up to 2 MiB), so a page with
	// dozens of live feeds would otherwise hold dozens; more readers wait
	// their turn (queries take milliseconds).
	DefaultReaders = 4
)

// Errors. Every error of Open wraps ErrStore and names the file.
var (
	// ErrStore is wrapped by every error about the store file itself.
	ErrStore = errors.New("capture store")
	// ErrNotStore: the file is not an orderhooks capture store (not SQLite,
	// or another application's database). It is left untouched.
	ErrNotStore = errors.New("not an orderhooks capture store")
	// ErrCorrupt: the file claims to be a store but cannot be read as one.
	ErrCorrupt = errors.New("the store is damaged")
	// ErrNewerVersion: the store was written by a newer orderhooks.
	ErrNewerVersion = errors.New("the store was written by a newer orderhooks")
	// ErrFull: the disk, or the store's size limit (WithMaxBytes), is full.
	ErrFull = errors.New("the store is full")
	// ErrReadOnly: the store cannot be written (a read-only file or
	// directory, or OpenReadOnly).
	ErrReadOnly = errors.New("the store is read-only")
	// ErrClosed is returned by Put after Close.
	ErrClosed = errors.New("the store is closed")
	// ErrNotFound is returned for an unknown delivery id.
	ErrNotFound = errors.New("no such delivery")
)

// Error is a problem with the store file: its path, what is wrong (one of
// the errors above) and the detail.
type Error struct {
	Path string
	Err  error  // ErrNotStore, ErrCorrupt, ErrNewerVersion, ErrFull, ErrReadOnly…
	Msg  string // what was found, e.g. "tables: users, orders"
}

func (e *Error) Error() string {
	if e.Msg == "" {
		return e.Path + ": " + e.Err.Error()
	}
	return e.Path + ": " + e.Err.Error() + ": " + e.Msg
}

// Unwrap returns ErrStore and the specific error.
func (e *Error) Unwrap() []error { return []error{ErrStore, e.Err} }

// Sync says how hard each committed write is pushed to disk.
type Sync int

const (
	// SyncNormal (the default): WAL with synchronous=NORMAL. A delivery
	// Put returned for survives the process being killed at any moment;
	// an operating system crash or power cut may lose the log written
	// since the last checkpoint (up to CheckpointPages of it).
	SyncNormal Sync = iota
	// SyncFull: every commit is flushed to the disk (fsync) before Put
	// returns; survives a power cut too, at a cost of a few
	// milliseconds a batch.
	SyncFull
)

// String returns "normal" or "full".
func (y Sync) String() string {
	if y == SyncFull {
		return "full"
	}
	return "normal"
}

type config struct {
	busy     time.Duration
	put      time.Duration
	sync     Sync
	maxBytes int64
	drop     []string
	excerpt  int
	now      func() time.Time
	// checkpointPages is CheckpointPages; tests make it smaller.
	checkpointPages int
}

// Option configures Open.
type Option func(*config)

// WithBusyTimeout sets how long a statement waits for another process's
// lock on the store (default DefaultBusyTimeout).
func WithBusyTimeout(d time.Duration) Option { return func(c *config) { c.busy = d } }

// WithSync sets the durability of writes (default SyncNormal).
func WithSync(s Sync) Option { return func(c *config) { c.sync = s } }

// WithMaxBytes caps the store's size; a Put that would grow it beyond
// fails with ErrFull, as on a full disk (0, the default: no cap).
func WithMaxBytes(n int64) Option { return func(c *config) { c.maxBytes = n } }

// WithDropHeaders names more request headers whose values are never
// stored (tokens of the user's own), on top of Authorization,
// Proxy-Authorization and Cookie.
func WithDropHeaders(names ...string) Option {
	return func(c *config) { c.drop = append(c.drop, names...) }
}

// WithExcerpt bounds the answer bodies kept (default DefaultExcerpt).
func WithExcerpt(n int) Option { return func(c *config) { c.excerpt = n } }

// shown is how a store prints itself: its salt never (see redact.Shown).
type shown = redact.Shown

// Store is a capture store: every delivery a receiver got, in an SQLite
// database file. It is safe for concurrent use; writes go through one
// writer that commits them in batches, reads run beside it.
type Store struct {
	shown    // its salt [redacted] under fmt, JSON and slog
	path     string
	cfg      config
	db       *sql.DB // readers
	wdb      *sql.DB // the writer's one connection; nil when read-only
	readOnly bool
	sync     Sync  // as the writer's connection has it
	writeErr error // why a store opened to write cannot be written
	salt     []byte

	mu     sync.RWMutex // guards closed and sends on reqs
	closed bool
	reqs   chan *writeReq
	done   chan struct{}
	feed   *feed
	// commits and committed count the writer's transactions and the
	// writes they held, logPages the pages they wrote to the log,
	// checkpoints the writer's checkpoints (benchmarks report them).
	commits, committed, logPages, checkpoints atomic.Int64
	// beforeCheckpoint, when set (by tests), runs on the writer before
	// each checkpoint.
	beforeCheckpoint func()

	redactOnce sync.Once
	redactor   *pii.Redactor
	redactErr  error
}

// Path returns the store's file.
func (s *Store) Path() string { return s.path }

// Open opens the store at path for reading and writing, creating it
// (and nothing else: the directory must exist) when there is no file. A
// file that is not a capture store, is damaged, or was written by a newer
// orderhooks is refused with an *Error and never written to. An older
// store is migrated in one transaction.
func Open(path string, opts ...Option) (*Store, error) {
	return open(path, false, opts)
}

// OpenReadOnly opens an existing store for reading only: nothing is ever
// written, the file may be read-only, and a store being written by
// another process can be read at the same time.
func OpenReadOnly(path string, opts ...Option) (*Store, error) {
	return open(path, true, opts)
}

func open(path string, readOnly bool, opts []Option) (*Store, error) {
	keepAllocatorPages()
	cfg := config{busy: DefaultBusyTimeout, put: DefaultPutTimeout, excerpt: DefaultExcerpt, now: time.Now,
		checkpointPages: CheckpointPages}
	for _, o := range opts {
		o(&cfg)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, &Error{Path: path, Err: ErrNotStore, Msg: err.Error()}
	}
	s := &Store{shown: redact.Show("capture.Store", "path", path, "salt"), path: path, cfg: cfg, readOnly: readOnly}
	fresh, err := s.inspect(abs)
	if err != nil {
		return nil, err
	}
	if fresh && readOnly {
		msg := "no such file"
		if _, err := os.Stat(abs); err == nil {
			msg = "an empty file"
		}
		return nil, &Error{Path: path, Err: ErrNotStore, Msg: msg}
	}
	if !fresh {
		// A first look that cannot change anything (no lock, no
		// write-ahead log or shared-memory file made beside it): a file
		// that is not a store is refused before SQLite opens it for real.
		err := s.peek(abs, true)
		if errors.Is(err, ErrCorrupt) && hasLog(abs) {
			// With its write-ahead log beside it, a file the database
			// file alone looks damaged in may be a healthy store in the
			// middle of a checkpoint (the log's pages being copied into
			// the file, page 1 first, which then gives a size the file has
			// not grown to yet). The file with its log decides, read-only:
			// a connection that may write would fold the log into a
			// damaged file when it closes.
			err = s.peek(abs, false)
		}
		if err != nil {
			return nil, err
		}
	}
	s.db, err = sql.Open("sqlite", dsn(abs, s.readerParams()))
	if err != nil {
		return nil, &Error{Path: path, Err: ErrNotStore, Msg: err.Error()}
	}
	s.db.SetMaxOpenConns(DefaultReaders)
	if !readOnly {
		mode := "rw"
		if fresh {
			mode = "rwc"
		}
		if s.wdb, err = sql.Open("sqlite", dsn(abs, s.writerParams(mode))); err != nil {
			s.db.Close()
			return nil, &Error{Path: path, Err: ErrNotStore, Msg: err.Error()}
		}
		s.wdb.SetMaxOpenConns(1)
		s.wdb.SetMaxIdleConns(1)
		s.wdb.SetConnMaxLifetime(0)
		if err := s.prepare(fresh); errors.Is(err, ErrReadOnly) && !fresh {
			// A store that can be read but not written: it opens, and
			// every Put says why it fails (a receiver answers 503).
			s.wdb.Close()
			s.wdb, s.writeErr = nil, err
		} else if err != nil {
			s.db.Close()
			s.wdb.Close()
			return nil, err
		}
	}
	if err := s.loadMeta(); err != nil {
		s.closeDBs()
		return nil, err
	}
	s.feed = newFeed()
	if s.wdb != nil {
		s.reqs = make(chan *writeReq, 1024)
		s.done = make(chan struct{})
		go s.writer()
	}
	return s, nil
}

func (s *Store) readerParams() url.Values {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", s.cfg.busy.Milliseconds()))
	q.Add("_pragma", "query_only(1)")
	q.Set("mode", "ro")
	return q
}

func (s *Store) writerParams(mode string) url.Values {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", s.cfg.busy.Milliseconds()))
	sync := "NORMAL"
	if s.cfg.sync == SyncFull {
		sync = "FULL"
	}
	q.Add("_pragma", "synchronous("+sync+")")
	// The writer checkpoints the log itself, after answering (see
	// CheckpointPages), never SQLite at the end of a commit.
	q.Add("_pragma", "wal_autocheckpoint(0)")
	q.Set("_txlock", "immediate")
	q.Set("mode", mode)
	return q
}

// dsn is the SQLite URI of an absolute path with query parameters.
func dsn(abs string, q url.Values) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}
	return u.String() + "?" + q.Encode()
}

// sqliteMagic starts every SQLite database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// inspect checks the file before SQLite touches it: it reports whether
// the store is to be created (no file, or an empty one), and refuses
// anything that is not an SQLite database or is another application's.
func (s *Store) inspect(abs string) (fresh bool, err error) {
	st, err := os.Stat(abs)
	if errors.Is(err, os.ErrNotExist) {
		dir := filepath.Dir(abs)
		if link, err := os.Readlink(abs); err == nil {
			// A symbolic link to a file yet to be made: SQLite makes the
			// file where the link points.
			if !filepath.IsAbs(link) {
				link = filepath.Join(dir, link)
			}
			dir = filepath.Dir(link)
		}
		if _, err := os.Stat(dir); err != nil {
			return false, &Error{Path: s.path, Err: ErrNotStore, Msg: "its directory does not exist"}
		}
		return true, nil
	}
	if err != nil {
		return false, &Error{Path: s.path, Err: ErrNotStore, Msg: err.Error()}
	}
	if !st.Mode().IsRegular() {
		return false, &Error{Path: s.path, Err: ErrNotStore, Msg: "not a regular file"}
	}
	if st.Size() == 0 {
		return true, nil
	}
	f, err := os.Open(abs)
	if err != nil {
		return false, &Error{Path: s.path, Err: ErrNotStore, Msg: err.Error()}
	}
	defer f.Close()
	head := make([]byte, 100)
	n, _ := io.ReadFull(f, head)
	if n < len(sqliteMagic) || !bytes.Equal(head[:len(sqliteMagic)], sqliteMagic) {
		return false, &Error{Path: s.path, Err: ErrNotStore, Msg: "not an SQLite database"}
	}
	if n < 100 {
		return false, &Error{Path: s.path, Err: ErrCorrupt, Msg: "the database header is cut short"}
	}
	// The header's application id is a hint only (the newest one may be
	// in the write-ahead log): check is authoritative, after opening.
	if id := binary.BigEndian.Uint32(head[68:72]); id != 0 && id != applicationID {
		return false, &Error{Path: s.path, Err: ErrNotStore, Msg: fmt.Sprintf("an SQLite database of another application (application id %#x)", id)}
	}
	return false, nil
}

// peek runs check, and reads the salt, on a read-only view of the file:
// with immutable, of the database file alone, which cannot change
// anything (no lock, no write-ahead log or shared-memory file made beside
// it); without, of the file with its write-ahead log.
func (s *Store) peek(abs string, immutable bool) error {
	q := s.readerParams()
	if immutable {
		q = url.Values{}
		q.Set("mode", "ro")
		q.Set("immutable", "1")
	}
	db, err := sql.Open("sqlite", dsn(abs, q))
	if err != nil {
		return &Error{Path: s.path, Err: ErrNotStore, Msg: err.Error()}
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	if _, empty, err := s.check(ctx, db); err != nil || empty {
		return err
	}
	_, err = s.readSalt(ctx, db)
	return err
}

// hasLog reports whether a write-ahead log with frames in it lies beside
// the database file at abs.
func hasLog(abs string) bool {
	st, err := os.Stat(abs + "-wal")
	return err == nil && st.Mode().IsRegular() && st.Size() > 0
}

// check reads the store's identity and version with a read-only look.
func (s *Store) check(ctx context.Context, q queryer) (version int, empty bool, err error) {
	var app int64
	if err := q.QueryRowContext(ctx, "PRAGMA application_id").Scan(&app); err != nil {
		return 0, false, s.readError(err)
	}
	if err := q.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return 0, false, s.readError(err)
	}
	tables, err := queryRows(ctx, q, scanOne[string], "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
	if err != nil {
		return 0, false, s.readError(err)
	}
	switch {
	case app == 0 && len(tables) == 0:
		return 0, true, nil
	case app != applicationID:
		msg := "an SQLite database of another application"
		if len(tables) > 0 {
			msg += " (tables: " + strings.Join(tables, ", ") + ")"
		}
		return 0, false, &Error{Path: s.path, Err: ErrNotStore, Msg: msg}
	case version > currentVersion:
		return version, false, &Error{Path: s.path, Err: ErrNewerVersion,
			Msg: fmt.Sprintf("store version %d, this orderhooks reads versions up to %d: upgrade orderhooks", version, currentVersion)}
	case version < 1:
		return version, false, &Error{Path: s.path, Err: ErrCorrupt, Msg: fmt.Sprintf("store version %d", version)}
	}
	for _, t := range []string{"meta", "deliveries"} {
		if !slices.Contains(tables, t) {
			return version, false, &Error{Path: s.path, Err: ErrCorrupt, Msg: "table " + t + " is missing"}
		}
	}
	return version, false, nil
}

// readError classifies an error reading the file.
func (s *Store) readError(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
			// The file starts like SQLite (inspect checked): it is damaged.
			return &Error{Path: s.path, Err: ErrCorrupt, Msg: se.Error()}
		}
	}
	return &Error{Path: s.path, Err: ErrCorrupt, Msg: err.Error()}
}

// writeError classifies an error writing the file.
func (s *Store) writeError(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_FULL:
			return &Error{Path: s.path, Err: ErrFull, Msg: se.Error()}
		case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM:
			return &Error{Path: s.path, Err: ErrReadOnly, Msg: se.Error()}
		case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
			return &Error{Path: s.path, Err: ErrCorrupt, Msg: se.Error()}
		}
	}
	return fmt.Errorf("%s: writing: %w", s.path, err)
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// prepare checks the file through the writer's connection and creates or
// migrates the tables, in one transaction: a store that fails the checks
// is not written to.
func (s *Store) prepare(fresh bool) error {
	ctx := context.Background()
	conn, err := s.wdb.Conn(ctx)
	if err != nil {
		return s.openError(err, fresh)
	}
	defer conn.Close()
	// A read-only look first: nothing is written before the checks pass.
	version, _, err := s.check(ctx, conn)
	if err != nil {
		return err
	}
	if version == currentVersion {
		return nil // the usual case: nothing to write at all
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return s.openError(err, fresh)
	}
	defer tx.Rollback() // after Commit: a no-op
	version, empty, err := s.check(ctx, tx)
	if err != nil {
		return err
	}
	if !empty && version == currentVersion {
		return nil // migrated meanwhile by another process
	}
	if empty {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", applicationID)); err != nil {
			return s.writeError(err)
		}
	}
	for v := version; v < currentVersion; v++ {
		for _, stmt := range migrations[v] {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("%s: migrating the store to version %d: %w", s.path, v+1, s.writeError(err))
			}
		}
	}
	if empty {
		if _, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ('salt', ?), ('created', ?)",
			pii.NewSalt(), []byte(s.cfg.now().UTC().Format(time.RFC3339))); err != nil {
			return s.writeError(err)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", currentVersion)); err != nil {
		return s.writeError(err)
	}
	if err := tx.Commit(); err != nil {
		return s.writeError(err)
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA journal_mode = WAL"); err != nil {
		return s.writeError(err)
	}
	return nil
}

func (s *Store) openError(err error, fresh bool) error {
	if fresh {
		return s.writeError(err)
	}
	return s.readError(err)
}

// readSalt reads the store's salt from its meta table.
func (s *Store) readSalt(ctx context.Context, q queryer) ([]byte, error) {
	var salt []byte
	if err := q.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'salt'").Scan(&salt); err != nil {
		return nil, &Error{Path: s.path, Err: ErrCorrupt, Msg: "no salt in meta: " + err.Error()}
	}
	if len(salt) < pii.MinSaltSize {
		return nil, &Error{Path: s.path, Err: ErrCorrupt, Msg: "the salt in meta is too short"}
	}
	return salt, nil
}

// loadMeta reads the salt, and applies the size cap.
func (s *Store) loadMeta() error {
	ctx := context.Background()
	if s.readOnly {
		if _, _, err := s.check(ctx, s.db); err != nil {
			return err
		}
	}
	var err error
	if s.salt, err = s.readSalt(ctx, s.db); err != nil {
		return err
	}
	if s.wdb != nil {
		// What the connection does, not what was asked: the store says
		// what its writes survive.
		var level int
		if err := s.wdb.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&level); err != nil {
			return s.writeError(err)
		}
		if level >= 2 { // FULL, EXTRA
			s.sync = SyncFull
		}
	}
	if s.wdb != nil && s.cfg.maxBytes > 0 {
		var page int64
		if err := s.wdb.QueryRowContext(ctx, "PRAGMA page_size").Scan(&page); err != nil {
			return s.writeError(err)
		}
		if _, err := s.wdb.ExecContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", max(1, s.cfg.maxBytes/page))); err != nil {
			return s.writeError(err)
		}
	}
	return nil
}

// migrations[v] takes a store from version v to v+1.
var migrations = [][]string{
	0: {
		`CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID`,
		`CREATE TABLE deliveries (
			id              INTEGER PRIMARY KEY AUTOINCREMENT,
			received_at     INTEGER NOT NULL,
			remote_addr     TEXT NOT NULL DEFAULT '',
			method          TEXT NOT NULL DEFAULT '',
			host            TEXT NOT NULL DEFAULT '',
			path            TEXT NOT NULL DEFAULT '',
			headers         TEXT NOT NULL DEFAULT '{}',
			body            BLOB NOT NULL,
			provider        TEXT NOT NULL DEFAULT '',
			event           TEXT NOT NULL DEFAULT '',
			order_key       TEXT NOT NULL DEFAULT '',
			delivery_id     TEXT NOT NULL DEFAULT '',
			signature       TEXT NOT NULL DEFAULT '',
			decryption      TEXT NOT NULL DEFAULT '',
			schema_checked  INTEGER NOT NULL DEFAULT 0,
			violations      TEXT NOT NULL DEFAULT '[]',
			violation_count INTEGER NOT NULL DEFAULT 0,
			verdict         TEXT NOT NULL,
			reason          TEXT NOT NULL DEFAULT '',
			payload         BLOB,
			redacted        INTEGER NOT NULL DEFAULT 0,
			status          INTEGER NOT NULL DEFAULT 0,
			outcome         TEXT NOT NULL DEFAULT '',
			answer          BLOB,
			handled_ns      INTEGER NOT NULL DEFAULT 0,
			app_url         TEXT NOT NULL DEFAULT '',
			app_status      INTEGER NOT NULL DEFAULT 0,
			app_latency_ns  INTEGER NOT NULL DEFAULT 0,
			app_answer      BLOB,
			app_error       TEXT NOT NULL DEFAULT ''
		)`,
		`CREATE INDEX deliveries_provider ON deliveries (provider, id)`,
		`CREATE INDEX deliveries_event ON deliveries (event, id)`,
		`CREATE INDEX deliveries_key ON deliveries (order_key, id)`,
		`CREATE INDEX deliveries_delivery_id ON deliveries (delivery_id)`,
		`CREATE INDEX deliveries_verdict ON deliveries (verdict, id)`,
		`CREATE INDEX deliveries_status ON deliveries (status, id)`,
		`CREATE INDEX deliveries_app_error ON deliveries (id) WHERE app_error <> '' OR app_status >= 400`,
	},
}

// Sync returns the durability of the store's writes (WithSync), as the
// writer's connection to the file has it; SyncNormal for a store that
// cannot be written.
func (s *Store) Sync() Sync { return s.sync }

// Salt returns the store's salt: the key of its pseudonyms.
func (s *Store) Salt() []byte { return bytes.Clone(s.salt) }

// Redactor returns the store's redactor (package pii, keyed by the
// store's salt): the same personal value gets the same pseudonym in every
// delivery and export of the store.
func (s *Store) Redactor() (*pii.Redactor, error) {
	s.redactOnce.Do(func() { s.redactor, s.redactErr = pii.New(s.salt) })
	return s.redactor, s.redactErr
}

// Check runs SQLite's integrity check over the whole file (slow on a
// large store) and returns nil or an *Error wrapping ErrCorrupt with what
// it found.
func (s *Store) Check(ctx context.Context) error {
	lines, err := queryRows(ctx, s.db, scanOne[string], "PRAGMA integrity_check")
	if err != nil {
		return s.readError(err)
	}
	problems := slices.DeleteFunc(lines, func(l string) bool { return l == "ok" })
	if len(problems) > 0 {
		return &Error{Path: s.path, Err: ErrCorrupt, Msg: strings.Join(problems, "; ")}
	}
	return nil
}

// Close waits for the writes under way, then closes the file. Put
// returns ErrClosed afterwards.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	if s.reqs != nil {
		close(s.reqs)
	}
	s.mu.Unlock()
	if s.done != nil {
		<-s.done
	}
	s.feed.close()
	return s.closeDBs()
}

// closeDBs closes the readers first and the writer last: SQLite folds the
// write-ahead log into the database file, and removes it, when the last
// connection to the file closes, and only a connection that may write can
// do so. Closing the writer first left the newest deliveries in the log
// alone, so a copy of the .db file without its -wal missed them.
func (s *Store) closeDBs() error {
	var errs []error
	if err := s.db.Close(); err != nil {
		errs = append(errs, err)
	}
	if s.wdb != nil {
		if err := s.wdb.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// LooksLikeStore reports whether the file at path starts as an SQLite
// database does: commands that read records or payloads open such a file
// as a capture store (which Open or OpenReadOnly then checks for real).
func LooksLikeStore(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close() // read-only
	head := make([]byte, len(sqliteMagic))
	n, _ := io.ReadFull(f, head)
	return n == len(sqliteMagic) && bytes.Equal(head, sqliteMagic)
}
