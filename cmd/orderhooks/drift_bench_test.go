package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/orderhooks/orderhooks/capture"
	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/corpus"
	"github.com/orderhooks/orderhooks/internal/testkit"
)

// BenchmarkDrift runs `orderhooks drift` in-process over 10,000 payloads
// of both platforms (edge cases included), read from an events file and
// from a capture store, and reports payloads per second (reading, the
// analysis and the report) and the CPU time per payload (1e6 / cpu-µs is
// what one idle core does, whatever else shares the machine). Run on one
// core for the target (>= 20,000 payloads/s):
//
//	go test ./cmd/orderhooks -run '^$' -bench BenchmarkDrift -benchtime 5x -cpu 1
func BenchmarkDrift(b *testing.B) {
	const n = 10000
	evs, err := corpus.Clean(n, 21)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	var buf bytes.Buffer
	w := generator.NewEventWriter(&buf)
	for _, ev := range evs {
		if err := w.Write(ev); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	events := filepath.Join(dir, "events.jsonl")
	if err := os.WriteFile(events, buf.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	db := filepath.Join(dir, "capture.db")
	s, err := capture.Open(db)
	if err != nil {
		b.Fatal(err)
	}
	for i, ev := range evs {
		d := &capture.Delivery{ReceivedAt: ev.At, Method: "POST", Path: "/", Provider: ev.Provider, Event: ev.Event, Key: ev.OrderKey,
			DeliveryID: string(rune('a'+i%26)) + ev.OrderKey + ev.At.String(), Signature: capture.SignatureOK, Payload: ev.Payload, Status: 200}
		if _, err := s.Put(context.Background(), d); err != nil {
			b.Fatal(err)
		}
	}
	s.Close()
	for _, src := range []struct{ name, path string }{{"events", events}, {"store", db}} {
		b.Run(src.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := testkit.CPUTime()
			for range b.N {
				code := run(context.Background(), []string{"drift", src.path, "--json"}, &env{stdout: io.Discard, stderr: io.Discard, getenv: os.Getenv})
				if code != exitOK {
					b.Fatalf("exit %d", code)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "payloads/s")
			b.ReportMetric(float64((testkit.CPUTime()-cpu).Microseconds())/float64(n*b.N), "cpu-µs/payload")
		})
	}
}
