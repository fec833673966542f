package emitter

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/internal/testkit/testwire"
	"github.com/orderhooks/orderhooks/wire"
)

// sawServer verifies with p and keeps what arrived, by message id.
type sawServer struct {
	mu     sync.Mutex
	bodies map[string][][]byte
	heads  map[string]http.Header
	url    string
}

func startSawServer(t *testing.T, p wire.Profile, failFirst bool) *sawServer {
	s := &sawServer{bodies: map[string][][]byte{}, heads: map[string]http.Header{}}
	srv := hookServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		if _, err := p.Verify(r.Header, body); err != nil {
			t.Errorf("verify: %v", err)
		}
		id := r.Header.Get(wire.DeliveryHeader)
		s.mu.Lock()
		defer s.mu.Unlock()
		s.bodies[id] = append(s.bodies[id], body)
		s.heads[id] = r.Header
		if failFirst && len(s.bodies[id]) == 1 {
			w.WriteHeader(http.StatusInternalServerError)
		}
	})
	s.url = srv.URL
	return s
}

// recordRun delivers evs (each first attempt failing) and returns the recording.
func recordRun(t *testing.T, evs []*generator.Event) []byte {
	t.Helper()
	p := testwire.Profile(t, generator.ProviderPhasio)
	srv := startSawServer(t, p, true)
	var rec bytes.Buffer
	sum, err := newTestEmitter(t, OneTarget(p, srv.url), WithRecord(&rec)).Run(context.Background(), testkit.Source(evs))
	if err != nil || sum.Retries != len(evs) {
		t.Fatalf("recording run: %v, %+v", err, sum)
	}
	return rec.Bytes()
}

func TestReplay(t *testing.T) {
	t.Parallel()
	evs := testkit.Lifecycles(t, generator.ProviderPhasio, "phasio/quote-to-paid", 3)
	recording := recordRun(t, evs)
	firstBody := map[string][]byte{}
	for _, r := range readRecords(t, recording) {
		if r.Attempt == 1 {
			firstBody[r.ID] = r.Request.Body
		}
	}
	var events bytes.Buffer
	ew := generator.NewEventWriter(&events)
	for _, ev := range evs {
		if err := ew.Write(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := ew.Flush(); err != nil {
		t.Fatal(err)
	}
	key, updated := evs[0].OrderKey, 0
	for _, ev := range evs {
		if ev.Event == generator.PhasioOrderUpdated {
			updated++
		}
	}
	tests := []struct {
		name   string
		input  []byte
		o      ReplayOptions
		want   int
		exact  bool // bodies must equal the recorded first attempts
		filter func(*generator.Event) bool
	}{
		{"recording fresh", recording, ReplayOptions{}, len(evs), false, nil},
		{"recording exact", recording, ReplayOptions{Exact: true}, len(evs), true, nil},
		{"events file", events.Bytes(), ReplayOptions{}, len(evs), false, nil},
		{"order", recording, ReplayOptions{Order: key}, -1, false, func(ev *generator.Event) bool { return ev.OrderKey == key }},
		{"event", events.Bytes(), ReplayOptions{Event: generator.PhasioOrderUpdated}, updated, false, nil},
		{"from seq", recording, ReplayOptions{FromSeq: 5, Exact: true}, len(evs) - 4, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startSawServer(t, testwire.Profile(t, generator.ProviderPhasio), false)
			// Other nonces than the recording run's seeded profile.
			p, err := wire.NewPhasio(testkit.PhasioSecret, wire.WithRand(testkit.Rand(9)))
			if err != nil {
				t.Fatal(err)
			}
			sum, err := newTestEmitter(t, OneTarget(p, srv.url)).Replay(context.Background(), bytes.NewReader(tt.input), tt.o)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if tt.filter != nil {
				want = 0
				for _, ev := range evs {
					if tt.filter(ev) {
						want++
					}
				}
			}
			if sum.Deliveries != want || sum.OK != want || len(srv.bodies) != want || want == 0 {
				t.Fatalf("summary %+v, server saw %d messages; want %d", sum, len(srv.bodies), want)
			}
			for id, bodies := range srv.bodies {
				if _, known := firstBody[id]; !known {
					t.Fatalf("message id %s is not the recorded one", id)
				}
				if same := bytes.Equal(bodies[0], firstBody[id]); same != tt.exact {
					t.Fatalf("message %s: body equal to the recorded one: %v, want %v", id, same, tt.exact)
				}
			}
		})
	}
}

func TestReplaySpeed(t *testing.T) {
	t.Parallel()
	evs := testkit.Events(t, generator.ProviderPhasio, 3)
	var events bytes.Buffer
	ew := generator.NewEventWriter(&events)
	for i, ev := range evs {
		ev.At = testkit.Time.Add(time.Duration(i) * time.Second)
		if err := ew.Write(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := ew.Flush(); err != nil {
		t.Fatal(err)
	}
	p := testwire.Profile(t, generator.ProviderPhasio)
	srv := startSawServer(t, p, false)
	e := newTestEmitter(t, OneTarget(p, srv.url))
	for _, tt := range []struct {
		speed    float64
		min, max time.Duration
	}{{20, 90 * time.Millisecond, 5 * time.Second}, {0, 0, 90 * time.Millisecond}} {
		start := time.Now()
		sum, err := e.Replay(context.Background(), bytes.NewReader(events.Bytes()), ReplayOptions{Speed: tt.speed})
		el := time.Since(start)
		if err != nil || sum.OK != 3 {
			t.Fatalf("speed %v: %v %+v", tt.speed, err, sum)
		}
		if el < tt.min || (tt.speed != 0 && el > tt.max) {
			t.Fatalf("speed %v: took %s, want between %s and %s (2s of events)", tt.speed, el, tt.min, tt.max)
		}
	}
}

func TestReplayErrors(t *testing.T) {
	t.Parallel()
	p := testwire.Profile(t, generator.ProviderPhasio)
	e := newTestEmitter(t, OneTarget(p, "http://127.0.0.1:1"))
	var events bytes.Buffer
	ew := generator.NewEventWriter(&events)
	if err := ew.Write(testkit.Events(t, generator.ProviderPhasio, 1)[0]); err != nil {
		t.Fatal(err)
	}
	if err := ew.Flush(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		input string
		o     ReplayOptions
		want  error
	}{
		{"exact events", events.String(), ReplayOptions{Exact: true}, ErrOptions},
		{"negative speed", events.String(), ReplayOptions{Speed: -1}, ErrOptions},
		{"not json", "hello\n", ReplayOptions{}, ErrRecordFormat},
		{"bad record", `{"delivery":1,"event":{"seq":1}}` + "\n", ReplayOptions{}, ErrRecordFormat},
		{"bad event line", events.String() + "{\"seq\":2}\n", ReplayOptions{}, generator.ErrEventFormat},
		{"no such order", events.String(), ReplayOptions{Order: "no-such-order"}, ErrNoMatch},
		{"no such event", events.String(), ReplayOptions{Event: generator.PhasioQuoteConverted}, ErrNoMatch},
		{"seq too high", events.String(), ReplayOptions{FromSeq: 99}, ErrNoMatch},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Replay(context.Background(), strings.NewReader(tt.input), tt.o)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Replay: %v, want %v", err, tt.want)
			}
			// CheckReplay finds the same without sending (the target is a closed port).
			if cerr := CheckReplay(strings.NewReader(tt.input), tt.o); !errors.Is(cerr, tt.want) || cerr.Error() != err.Error() {
				t.Fatalf("CheckReplay: %v, want %v", cerr, err)
			}
		})
	}
	var nm *NoMatchError
	if err := CheckReplay(strings.NewReader(events.String()), ReplayOptions{FromSeq: 99}); !errors.As(err, &nm) || nm.Filter != "FromSeq" || nm.Seen[0] != "1" {
		t.Fatalf("CheckReplay: %#v, want the FromSeq filter and the highest seq", err)
	}
	if err := CheckReplay(strings.NewReader(events.String()), ReplayOptions{FromSeq: 1}); err != nil {
		t.Fatalf("CheckReplay of a matching filter: %v", err)
	}
	exactOnly := newTestEmitter(t, Targets{Default: &Target{URL: "http://127.0.0.1:1"}})
	if _, err := exactOnly.Replay(context.Background(), strings.NewReader(events.String()), ReplayOptions{}); !errors.Is(err, ErrTargets) {
		t.Fatalf("fresh replay without a profile: %v, want ErrTargets", err)
	}
}

func TestBytesRoundTrip(t *testing.T) {
	t.Parallel()
	for _, b := range [][]byte{[]byte(`{"a":1}`), {0xff, 0x00, 'x'}, {}} {
		j, err := Bytes(b).MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		var got Bytes
		if err := got.UnmarshalJSON(j); err != nil || !bytes.Equal(got, b) {
			t.Fatalf("%q -> %s -> %q, %v", b, j, got, err)
		}
	}
}

func FuzzReadRecords(f *testing.F) {
	f.Add([]byte(`{"time":"2025-06-15T08:00:00Z","delivery":1,"id":"x","attempt":1,"url":"http://h","event":{"seq":1,"provider":"phasio","event":"ORDER","orderKey":"1","at":"2025-06-15T08:00:00Z","payload":{"a":1}},"request":{"header":{"A":["b"]},"body":{"base64":"/w=="}}}`))
	f.Add([]byte("\n\n{}\n"))
	f.Add([]byte(`{"delivery":0,"event":{"event":"E","payload":1}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = ReadRecords(bytes.NewReader(data), func(r *Record) error {
			if r.Event == nil || r.Delivery < 1 {
				t.Fatalf("accepted a record without event or delivery: %+v", r)
			}
			return nil
		})
	})
}

func FuzzParseTargets(f *testing.F) {
	f.Add([]byte("ORDER: {url: http://127.0.0.1:1/a, secret: env:S}\ndefault: {url: https://x.test, secret: env:S}\n"))
	f.Add([]byte(`{"ORDER_UPDATED": {"url": "http://h", "secret": "env:S"}}`))
	f.Add([]byte("ORDER: [\n"))
	getenv := func(string) string { return testkit.PhasioSecret }
	f.Fuzz(func(t *testing.T, data []byte) {
		if bytes.Contains(data, []byte("file:")) {
			return // a fuzzer must not read the machine's files (or wait on /dev/stdin)
		}
		tg, err := ParseTargets("fuzz.yaml", data, generator.ProviderPhasio, getenv)
		if err != nil {
			if !errors.Is(err, ErrTargets) || strings.Contains(err.Error(), testkit.PhasioSecret) {
				t.Fatalf("error %v", err)
			}
			return
		}
		if err := tg.check(); err != nil {
			t.Fatalf("parsed targets fail their check: %v", err)
		}
	})
}

// TestCountLines: a scanner on top sees each line's number, blank lines,
// long lines and a last line without newline included.
func TestCountLines(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 200<<10)
	r, line := CountLines(strings.NewReader("a\n\nb\n" + long + "\nc"))
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	var got []int
	for sc.Scan() {
		if sc.Text() != "" {
			got = append(got, line())
		}
	}
	if want := []int{1, 3, 4, 5}; !slices.Equal(got, want) || sc.Err() != nil {
		t.Fatalf("lines %v (%v), want %v", got, sc.Err(), want)
	}
}

// TestReplayOtherPlatform stops at the first event the profile cannot carry.
func TestReplayOtherPlatform(t *testing.T) {
	t.Parallel()
	hc := testkit.Lifecycles(t, generator.ProviderHappyColis, "happycolis/fulfilment", 1)
	var buf bytes.Buffer
	w := generator.NewEventWriter(&buf)
	for _, ev := range hc {
		if err := w.Write(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	srv := hookServer(t, func(http.ResponseWriter, *http.Request, []byte) {})
	e := newTestEmitter(t, OneTarget(testwire.Profile(t, generator.ProviderPhasio), srv.URL))
	sum, err := e.Replay(context.Background(), io.MultiReader(strings.NewReader("\n"), &buf), ReplayOptions{})
	var pe *ProviderError
	if !errors.As(err, &pe) || !errors.Is(err, ErrProviderMismatch) || pe.Line != 2 || pe.Provider != generator.ProviderHappyColis || sum.Deliveries != 0 {
		t.Fatalf("%v (%+v), want a ProviderError on line 2 and nothing sent", err, sum)
	}
	// The same events as a recording, after blank lines: the line is the file's.
	var rec bytes.Buffer
	for i, ev := range hc {
		line, err := json.Marshal(&Record{Delivery: int64(i + 1), ID: fmt.Sprint("msg-", i), Attempt: 1, URL: srv.URL, Event: ev})
		if err != nil {
			t.Fatal(err)
		}
		rec.Write(append(line, '\n'))
	}
	sum, err = e.Replay(context.Background(), io.MultiReader(strings.NewReader("\n  \n\n"), &rec), ReplayOptions{})
	if !errors.As(err, &pe) || pe.Line != 4 || pe.Provider != generator.ProviderHappyColis || sum.Deliveries != 0 {
		t.Fatalf("recording: %v (%+v), want a ProviderError on line 4 and nothing sent", err, sum)
	}
}

// TestRecordRedactsHeaders: tokens given as extra headers, and credential
// headers, never reach the record; signatures do, and an exact replay
// sends them with the current extra headers.
func TestRecordRedactsHeaders(t *testing.T) {
	t.Parallel()
	const token, apiKey = "Bearer tok-4f1d", "key-77aa"
	evs := testkit.Lifecycles(t, generator.ProviderPhasio, "phasio/quote-to-paid", 1)
	p := testwire.Profile(t, generator.ProviderPhasio)
	var mu sync.Mutex
	var auth []string
	srv := hookServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		if _, err := p.Verify(r.Header, body); err != nil {
			t.Errorf("verify: %v", err)
		}
		mu.Lock()
		defer mu.Unlock()
		auth = append(auth, r.Header.Get("Authorization")+"|"+r.Header.Get("X-Api-Key"))
	})
	extra := http.Header{"Authorization": {token}, "X-Api-Key": {apiKey}}
	var rec bytes.Buffer
	if _, err := newTestEmitter(t, OneTarget(p, srv.URL), WithHeader(extra), WithRecord(&rec)).Run(context.Background(), testkit.Source(evs)); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(rec.Bytes(), []byte("tok-4f1d")) || bytes.Contains(rec.Bytes(), []byte(apiKey)) {
		t.Fatalf("a header secret is in the record:\n%.400s", rec.Bytes())
	}
	for _, r := range readRecords(t, rec.Bytes()) {
		if h := r.Request.Header; h.Get("Authorization") != Redacted || h.Get("X-Api-Key") != Redacted || h.Get(wire.PhasioSignatureHeader) == "" {
			t.Fatalf("recorded headers %v: want extra headers redacted, the signature kept", h)
		}
	}
	recording := slices.Clone(rec.Bytes())
	auth = nil
	sum, err := newTestEmitter(t, OneTarget(p, srv.URL), WithHeader(http.Header{"Authorization": {token}})).
		Replay(context.Background(), bytes.NewReader(recording), ReplayOptions{Exact: true})
	if err != nil || sum.OK != len(evs) {
		t.Fatalf("exact replay: %v %+v", err, sum)
	}
	for _, a := range auth {
		if a != token+"|" {
			t.Fatalf("exact replay sent Authorization|X-Api-Key %q, want the current -H and no redacted value", a)
		}
	}
}

// rawServer keeps the bytes of each request as they came off the
// connection (request line, headers, body), by message id, and answers
// 204.
type rawServer struct {
	mu   sync.Mutex
	raw  map[string][]string
	addr string
}

func startRawServer(t *testing.T) *rawServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	s := &rawServer{raw: map[string][]string{}, addr: ln.Addr().String()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(t, c)
		}
	}()
	return s
}

func (s *rawServer) serve(t *testing.T, c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	for {
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		var head bytes.Buffer
		id, n := "", 0
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return // the sender closed the connection
			}
			head.WriteString(line)
			if line == "\r\n" {
				break
			}
			k, v, _ := strings.Cut(strings.TrimRight(line, "\r\n"), ": ")
			switch http.CanonicalHeaderKey(k) {
			case wire.DeliveryHeader:
				id = v
			case "Content-Length":
				if n, err = strconv.Atoi(v); err != nil {
					t.Errorf("Content-Length %q", v)
					return
				}
			}
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(r, body); err != nil {
			t.Errorf("body: %v", err)
			return
		}
		s.mu.Lock()
		s.raw[id] = append(s.raw[id], head.String()+string(body))
		s.mu.Unlock()
		if _, err := c.Write([]byte("HTTP/1.1 204 No Content\r\n\r\n")); err != nil {
			return
		}
	}
}

// take returns what arrived so far, each message's requests sorted, and
// forgets it.
func (s *rawServer) take() map[string][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.raw
	s.raw = map[string][]string{}
	for _, rs := range out {
		slices.Sort(rs)
	}
	return out
}

// TestReplayExactWireBytes: the receiver gets from an exact replay the
// very bytes the recorded run sent it (request line, headers in their
// order, body), tampered bodies, bad signatures and duplicates included.
func TestReplayExactWireBytes(t *testing.T) {
	t.Parallel()
	srv := startRawServer(t)
	url := "http://" + srv.addr + "/hooks?shop=1"
	p := testwire.Profile(t, generator.ProviderPhasio)
	evs := testkit.Lifecycles(t, generator.ProviderPhasio, "phasio/quote-to-paid", 4)
	var rec bytes.Buffer
	sum, err := newTestEmitter(t, OneTarget(p, url), WithRecord(&rec), WithConcurrency(3),
		WithFaults(Faults{Duplicate: 0.2, Tamper: 0.2, BadSignature: 0.2})).Run(context.Background(), testkit.Source(evs))
	if err != nil || sum.Faults[wire.FaultDuplicate] == 0 || sum.Faults[wire.FaultTamper] == 0 || sum.Faults[wire.FaultBadSignature] == 0 {
		t.Fatalf("recorded run: %v %+v", err, sum)
	}
	sent := srv.take()
	sum, err = newTestEmitter(t, OneTarget(p, url), WithConcurrency(3)).
		Replay(context.Background(), bytes.NewReader(rec.Bytes()), ReplayOptions{Exact: true})
	if err != nil {
		t.Fatalf("exact replay: %v %+v", err, sum)
	}
	again := srv.take()
	if len(sent) != len(evs) || len(again) != len(sent) {
		t.Fatalf("%d messages sent, %d replayed; want %d", len(sent), len(again), len(evs))
	}
	for id, want := range sent {
		if got := again[id]; !slices.Equal(got, want) {
			t.Fatalf("message %s: replayed\n%q\nwant\n%q", id, got, want)
		}
	}
}
