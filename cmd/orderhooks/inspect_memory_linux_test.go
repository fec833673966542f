package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/capture"
	"github.com/orderhooks/orderhooks/internal/testkit/capturekit"
)

// inspectMaxRSS is the most resident memory `orderhooks inspect` may use
// over a store of 100,000 deliveries.
const inspectMaxRSS = 100 << 20

// TestLongInspectMemory measures the peak resident memory (VmHWM) of a
// real `orderhooks inspect` process over a store of 100,000 deliveries
// (INSPECT_STORE=N changes the size; about 650 MB of file) while it
// serves what people do at once: 32 live feeds (the most it serves) that
// each start from the beginning, list pages with every filter and cursor,
// 300 order timelines (one of 500 deliveries, the most a timeline shows),
// 300 deliveries and their bodies, and a receiver storing 2,000 more
// deliveries meanwhile, from the moment every feed is open. It must stay
// under 100 MB, and every feed must get every one of those deliveries,
// once and in order, after its backlog. ORDERHOOKS_LONG=1
// runs it (.ci/run does):
//
//	ORDERHOOKS_LONG=1 go test -count=1 -run '^TestLongInspectMemory$' -v ./cmd/orderhooks
func TestLongInspectMemory(t *testing.T) {
	if os.Getenv("ORDERHOOKS_LONG") == "" {
		t.Skip("writes a 650 MB store; set ORDERHOOKS_LONG=1")
	}
	n := 100000
	if v := os.Getenv("INSPECT_STORE"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	path := filepath.Join(t.TempDir(), "capture.db")
	s, err := capture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	keys := capturekit.Fill(t, s, n)
	hot := capturekit.New(t)
	for _, d := range capturekit.Mixed(t, hot)[:1] {
		for i := range 500 {
			again := *d
			again.Key, again.DeliveryID = "hot-order", "hot-"+strconv.Itoa(i)
			capturekit.Put(t, s, &again)
		}
	}
	st, _ := os.Stat(path)
	t.Logf("stored %d deliveries in %v (%d MB)", n+500, time.Since(start).Round(time.Second), st.Size()>>20)

	u, cmd, stderr := startInspect(t, nil, "--store", path, "--listen", "127.0.0.1:0")
	time.Sleep(200 * time.Millisecond)
	base, _, err := procRSS(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	stop := watchPeakRSS(cmd.Process.Pid)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Minute}
	fetch := func(p string) (int, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u+p, nil)
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		_, err = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, err
	}
	// 32 live feeds, each sent the newest deliveries first, then kept open.
	const stored = 2000 // by the receiver, while the feeds are open
	first, err := s.LastID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var feeds sync.WaitGroup
	feedCtx, stopFeeds := context.WithCancel(ctx)
	logs := make([]feedLog, 32)
	var open sync.WaitGroup // each feed done with its backlog
	open.Add(len(logs))
	for i := range logs {
		feeds.Add(1)
		go func() {
			defer feeds.Done()
			l := &logs[i]
			backlog := sync.OnceFunc(open.Done)
			defer backlog()
			req, _ := http.NewRequestWithContext(feedCtx, http.MethodGet, u+"events?after=0", nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Errorf("feed %d: %v", i, err)
				return
			}
			defer resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("feed %d: status %d", i, resp.StatusCode)
				return
			}
			sc := bufio.NewScanner(resp.Body)
			sc.Buffer(make([]byte, 64<<10), 1<<20)
			for sc.Scan() {
				if v, ok := strings.CutPrefix(sc.Text(), "id: "); ok {
					id, _ := strconv.ParseInt(v, 10, 64)
					if l.add(id) == capture.MaxLimit {
						backlog()
					}
				}
			}
			if err := sc.Err(); err != nil && feedCtx.Err() == nil {
				t.Errorf("feed %d: %v", i, err)
			}
			if feedCtx.Err() == nil {
				t.Errorf("feed %d ended while open", i)
			}
		}()
	}
	// A receiver goes on storing, once every feed is open (has its
	// backlog): then every feed must get every delivery it stores.
	var writer sync.WaitGroup
	writer.Add(1)
	go func() {
		defer writer.Done()
		opened := make(chan struct{})
		asked := time.Now()
		go func() { open.Wait(); close(opened) }()
		select {
		case <-opened:
			t.Logf("every feed sent its backlog within %v", time.Since(asked).Round(time.Millisecond))
		case <-time.After(3 * time.Minute):
			t.Error("the feeds did not all open (send their backlog) within 3 minutes")
			return
		}
		more := capturekit.Mixed(t, hot)
		for i := range stored {
			d := *more[i%len(more)]
			if _, err := s.Put(ctx, &d); err != nil {
				t.Error(err)
				return
			}
			if i%100 == 0 {
				time.Sleep(50 * time.Millisecond)
			}
		}
	}()
	var pages []string
	for _, q := range []string{"", "provider=phasio", "provider=happycolis&verdict=schema-invalid", "verdict=signature", "status=5xx",
		"app=error", "event=ORDER_UPDATED", "limit=500", "before=" + strconv.Itoa(n/2) + "&limit=500", "before=100&limit=500"} {
		pages = append(pages, "?"+q)
	}
	for i := range 300 {
		pages = append(pages, "orders/"+keys[(i*7919)%len(keys)], fmt.Sprintf("deliveries/%d", 1+(i*104729)%n), fmt.Sprintf("deliveries/%d/body", 1+(i*15485863)%n))
		if i%30 == 0 {
			pages = append(pages, "orders/hot-order")
		}
	}
	work := make(chan string)
	var workers sync.WaitGroup
	for range 8 {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for p := range work {
				if status, err := fetch(p); err != nil || status != 200 {
					t.Errorf("GET /%s: %d %v", p, status, err)
				}
			}
		}()
	}
	served := time.Now()
	for _, p := range pages {
		work <- p
	}
	close(work)
	workers.Wait()
	writer.Wait()
	took := time.Since(served)
	// The feeds catch up with the writer (slowly on a busy machine).
	last, err := s.LastID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		behind := false
		for i := range logs {
			behind = behind || logs[i].last() < last
		}
		if !behind {
			break
		}
	}
	caughtUp := time.Since(served)
	stopFeeds()
	feeds.Wait()
	peak := stop()
	cur, _, _ := procRSS(cmd.Process.Pid)
	cmd.Process.Signal(syscall.SIGINT)
	if code := waitExit(t, cmd, 30*time.Second); code != 0 {
		t.Errorf("exit %d: %s", code, stderr.String())
	}
	got := 0
	for i := range logs {
		got += len(logs[i].ids)
	}
	t.Logf("%d pages in %v (8 at a time), %d live events over 32 feeds (all sent after %v); RSS at start %d MiB, peak %d MiB, at the end %d MiB",
		len(pages), took.Round(time.Millisecond), got, caughtUp.Round(time.Millisecond), base>>20, peak>>20, cur>>20)
	if peak > inspectMaxRSS {
		t.Errorf("peak RSS %d MiB, want under %d", peak>>20, inspectMaxRSS>>20)
	}
	if strings.Contains(stderr.String(), "live feed") {
		t.Errorf("stderr: %.2000s", stderr.String())
	}
	// Each feed: its backlog (the newest deliveries when it opened, all
	// older than the receiver's), then every delivery the receiver stored,
	// each once, in order.
	from := first - capture.MaxLimit + 1
	for i := range logs {
		ids := logs[i].ids
		if err := consecutive(ids, from, last); err != nil {
			t.Errorf("feed %d: %d events: %v", i, len(ids), err)
		}
	}
}

// feedLog is the event ids one live feed received.
type feedLog struct {
	mu  sync.Mutex
	ids []int64
}

// add records an id and returns how many the feed received.
func (l *feedLog) add(id int64) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ids = append(l.ids, id)
	return len(l.ids)
}

func (l *feedLog) last() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.ids) == 0 {
		return 0
	}
	return l.ids[len(l.ids)-1]
}

// consecutive says how ids differ from from, from+1, …, to.
func consecutive(ids []int64, from, to int64) error {
	for i, id := range ids {
		if want := from + int64(i); id != want {
			return fmt.Errorf("event %d is delivery %d, want %d (missing or repeated)", i, id, want)
		}
	}
	if n := int64(len(ids)); n != to-from+1 {
		return fmt.Errorf("the last event is delivery %d, want %d", from+n-1, to)
	}
	return nil
}
