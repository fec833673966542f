package main

import (
	"context"
	"io"

	"github.com/spf13/pflag"

	"github.com/orderhooks/orderhooks/capture"
)

// bindReplayStore binds the flag of replaying a capture store.
func bindReplayStore(fs *pflag.FlagSet, redact *bool) {
	fs.BoolVar(redact, "redact", false, "a capture store: send the payloads with personal data replaced by the store's pseudonyms")
}

// storeRecords returns the records of a capture store named as replay's
// FILE, read straight from it (what capture export writes), or nil when
// path is not a store. stop ends the reading.
func storeRecords(ctx context.Context, redact bool, path string) (r io.Reader, stop func(), err error) {
	if path == "-" || !capture.LooksLikeStore(path) {
		if redact {
			return nil, nil, usageErrorf("--redact applies to a capture store, and %s is not one", path)
		}
		return nil, nil, nil
	}
	s, err := openStoreReadOnly(path, path)
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, err := s.Export(ctx, pw, capture.ExportOptions{Redact: redact})
		pw.CloseWithError(err)
	}()
	return pr, func() {
		cancel()
		_ = pr.Close() // unblocks a pending write
		<-done
		_ = s.Close() // read-only
	}, nil
}
