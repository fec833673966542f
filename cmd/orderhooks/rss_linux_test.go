package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// watchPeakRSS samples the peak resident set size (VmHWM) of a running
// process every millisecond until stop is called, which returns the
// largest value seen, in bytes. VmHWM is the peak of the program itself:
// getrusage's ru_maxrss of a child is not, it starts from the parent's
// peak (Go execs from a vfork that shares the test process's memory).
// A peak reached in the last millisecond before the process exits can be
// missed; the in-process allocation tests bound that part.
func watchPeakRSS(pid int) (stop func() int64) {
	var peak atomic.Int64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			if _, p, err := procRSS(pid); err == nil && p > peak.Load() {
				peak.Store(p)
			}
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	return func() int64 {
		close(done)
		<-finished
		return peak.Load()
	}
}

// procRSS reads the current and peak resident set size, in bytes, of a
// running process from /proc/PID/status.
func procRSS(pid int) (cur, peak int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %q: %w", k, v, err)
		}
		if k == "VmRSS" {
			cur = n << 10
		} else {
			peak = n << 10
		}
	}
	return cur, peak, sc.Err()
}
