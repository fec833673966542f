// Package capture keeps every delivery a receiver gets in a capture
// store, an SQLite database file (modernc.org/sqlite: pure Go, no cgo, the
// driver the example receivers already use), and reads it back: lists,
// single deliveries, an order's timeline, a live feed, exports in the
// emitter's record format, and scenarios made of captured lifecycles.
//
// # What is stored
//
// Per delivery (Delivery): arrival time, remote address, method, host,
// path, the request headers, the raw body byte for byte, the provider,
// event, order key and message id verification found, the verdict
// (signature ok, bad, missing or stale; decryption ok or failed; schema
// violations with their pointers), the decrypted payload, the receiver's
// answer (status, outcome, body excerpt, handling time) and, for
// forwarding, the app's answer (SetForward). Authorization,
// Proxy-Authorization and Cookie are removed before anything is stored
// (WithDropHeaders removes more); signature headers are kept, being no
// secret, so that a stored body can be verified again. Redaction is the
// writer's choice: a receiver that redacts at write time stores the
// redacted payload, the body rebuilt from it and Redacted true (the
// store's Redactor keys the pseudonyms by the store's own salt).
//
// # Durability and concurrency
//
// The file is in WAL mode and every write goes through one writer
// goroutine that commits what is waiting in one transaction (up to
// MaxBatch): Put returns once its delivery is committed, so a delivery Put
// returned nil for survives the process being killed at any moment
// (TestDurability SIGKILLs a writing process and checks every
// acknowledged delivery and PRAGMA integrity_check, killing it at random
// points and during checkpoints); SyncFull makes it survive a power cut
// too. The writer checkpoints the write-ahead log itself, every
// CheckpointPages pages, once the deliveries of a commit are answered. Readers run beside the writer; other processes
// may read the file while it is written (OpenReadOnly). A full disk, a
// size cap (WithMaxBytes) or a read-only file make Put fail (ErrFull,
// ErrReadOnly) so that the receiver answers 503 and the platform retries;
// reading goes on.
//
// The file is checked before it is written: a file that is not SQLite,
// another application's database, a damaged store or one written by a
// newer orderhooks is refused with an *Error naming the file and the
// problem, and left as it was. The tables are versioned (SQLite's
// user_version, SchemaVersion) and migrated in one transaction.
//
// # Reading
//
// List pages newest first with a cursor (ListOptions.Before) and filters
// (provider, event, key, verdict, status, app errors); Get returns one
// delivery whole; Timeline an order's deliveries in arrival order; Count
// counts; Each walks a selection oldest first; Watch feeds new deliveries
// as they are committed (at once for this process's Puts, within
// WatchInterval for another process's), for a live page.
//
// Export writes JSONL in the emitter's record format (emitter.Record), so
// `orderhooks replay` sends captured traffic again, exactly (the captured
// bytes and signatures) or re-signed; with ExportOptions.Redact the
// payloads carry the store's pseudonyms and the requests are rebuilt
// (Resign) or left out. ScenarioFromCaptures and Store.Scenario turn an
// order's captured lifecycle into an editable scenario file.
//
// # Numbers
//
// Measured on the reference 2-core machine while other builds ran
// (go test ./capture -run '^$' -bench . -cpu 2):
//
//   - BenchmarkPut: about 10,500 Phasio deliveries stored per second from
//     concurrent writers (16 per core), with SyncNormal and SyncFull
//     alike (a batch shares one flush);
//   - a Phasio delivery (a 2–6 part order, encrypted body and decrypted
//     payload both kept, headers, answer) takes about 6.6 KB of file:
//     66 MB per 10,000 deliveries;
//   - BenchmarkQuery100k, on 100,000 deliveries: the first page of the
//     list, filtered or not, under 1 ms; an order's timeline with its
//     payloads under 0.5 ms; a delivery 0.1 ms.
package capture
