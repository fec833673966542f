// Package emitter delivers generator events to receivers as the order
// platforms do.
//
// The wire formats themselves (profiles: sealing, signing, verifying) are
// package wire's, the verifying receiver package receiver's; a Target
// pairs a URL with a wire.Profile.
//
// Emitter is the delivery engine behind `orderhooks emit` and `orderhooks
// replay`: New(Targets, options…) then Run(ctx, generator.Source) or
// Replay(ctx, recording, ReplayOptions). It signs each event with its
// target's profile (OneTarget, or LoadTargets for one Phasio webhook per
// trigger), delivers with a fixed pool of workers (WithConcurrency), keeps
// the events of one order in order and never concurrent (each order is
// pinned to one worker; a HappyColis target, one strict FIFO queue, to one
// worker as a whole), retries connection errors, timeouts, 408, 429 and
// 5xx with exponential backoff and jitter or the answer's Retry-After,
// injects faults (WithFaults, reproducible with WithSeed), and writes one
// Record per attempt (WithRecord, read back with ReadRecords). Message ids
// are unique per delivery within a run and fresh in every run (the run's
// start time and, unless the clock is pinned with WithClock, random bits
// are mixed in), and kept by retries and duplicates. Run returns a
// Summary, also for an interrupted run; it judges the run (Passed): every
// valid delivery accepted, every forgery (tamper, bad-signature,
// wrong-key) rejected, with the forgeries' outcomes per fault and the
// deliveries without an answer counted by cause.
//
// Inputs are bounded (secret files 64 KiB, targets files 1 MiB, CA files
// 4 MiB, events lines 16 MiB, record lines 64 MiB); URL userinfo is
// redacted in every record and error.
package emitter
