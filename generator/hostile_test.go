package generator

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// aliasBomb is a scenario file of about size bytes whose steps' names are
// n aliases of one large scalar.
func aliasBomb(scalar, n int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "version: 1\nname: &big %s\nprovider: phasio\nsteps:\n", strings.Repeat("x", scalar))
	for range n {
		b.WriteString("  - {event: ORDER, action: create-quote, name: *big}\n")
	}
	return []byte(b.String())
}

// TestScenarioAliasBomb: 2,000 (and 20,000) aliases of a 1 MiB scalar in a
// 1.1 MB file would expand to gigabytes; the expansion is bounded in bytes,
// so parsing fails at once with a message naming the limit, allocating a
// small multiple of the limit (the time is measured by
// BenchmarkScenarioAliasBomb, the process's peak memory by the CLI test).
func TestScenarioAliasBomb(t *testing.T) {
	for _, n := range []int{2_000, 20_000} {
		data := aliasBomb(1<<20, n)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := ParseScenario(data, "bomb.yaml")
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrScenario) || !strings.Contains(err.Error(), "beyond the scenario expansion limit of 16 MiB") {
			t.Fatalf("%d aliases: %v", n, err)
		}
		// The 2,000-alias file is the documented bound; 20,000 aliases cost
		// yaml's own parsing of 20,000 mappings on top.
		if alloc := after.TotalAlloc - before.TotalAlloc; n == 2_000 && alloc > 100<<20 {
			t.Fatalf("%d aliases: parsing allocated %d MiB, want under 100", n, alloc>>20)
		}
	}
	// A file over the 4 MiB scenario limit is refused before it is parsed.
	path := filepath.Join(t.TempDir(), "huge.yaml")
	if err := os.WriteFile(path, aliasBomb(5<<20, 1), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadScenario(path); !errors.Is(err, ErrScenario) || !strings.Contains(err.Error(), "larger than the scenario file limit of 4 MiB") {
		t.Fatalf("huge file: %v", err)
	}
	if _, err := LoadScenario(t.TempDir()); !errors.Is(err, ErrUnknownScenario) {
		t.Fatalf("directory without extension: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "dir.yaml")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadScenario(dir); !errors.Is(err, ErrScenario) || !strings.Contains(err.Error(), "is a directory") {
		t.Fatalf("directory: %v", err)
	}
}

func BenchmarkScenarioAliasBomb(b *testing.B) {
	data := aliasBomb(1<<20, 2_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseScenario(data, "bomb.yaml"); err == nil {
			b.Fatal("the alias bomb parsed")
		}
	}
}

func TestReadEventsHostile(t *testing.T) {
	valid := `{"seq":1,"provider":"phasio","event":"ORDER","orderKey":"1","at":"2025-06-15T08:00:00Z","payload":{}}`
	for _, tt := range []struct{ name, in, want string }{
		{"bom", "\ufeff" + valid + "\n", ""},
		{"object for a string", `{"seq":1,"provider":"phasio","event":{"x":1},"payload":{}}`, "line 1: /event: expected a string, got an object"},
		{"string seq", "\n" + `{"seq":"1","provider":"phasio","event":"ORDER","payload":{}}`, "line 2: /seq: expected an integer, got a string"},
		{"bad time", `{"seq":1,"provider":"phasio","event":"ORDER","at":"noon","payload":{}}`, `line 1: "noon" is not an RFC 3339 time`},
		{"invalid utf-8", valid + "\n" + "{\"seq\":2,\"provider\":\"ph\xe9sio\"}", "line 2 column 24: invalid UTF-8"},
		{"long line", valid + "\n" + strings.Repeat(" ", 17<<20) + "\n", "line 2: longer than the line limit of 16 MiB"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n := 0
			err := ReadEvents(strings.NewReader(tt.in), func(Event) error { n++; return nil })
			if tt.want == "" {
				if err != nil || n != 1 {
					t.Fatalf("%d events, %v", n, err)
				}
				return
			}
			if !errors.Is(err, ErrEventFormat) || !strings.HasSuffix(err.Error(), tt.want) {
				t.Fatalf("got %v, want ErrEventFormat ending %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "Go struct") || strings.Contains(err.Error(), "bufio") {
				t.Fatalf("internal wording: %v", err)
			}
		})
	}
}

// TestHugeOrders: --orders at the top of the int range used to overflow
// into zero runs (no events, no error); it now streams, and the count of
// events saturates.
func TestHugeOrders(t *testing.T) {
	s, err := LoadScenario("phasio/batch-update")
	if err != nil {
		t.Fatal(err)
	}
	g, err := New(ProviderPhasio, WithScenario(s), WithOrders(math.MaxInt))
	if err != nil {
		t.Fatal(err)
	}
	if g.Events() != math.MaxInt64 {
		t.Fatalf("Events() = %d, want saturated", g.Events())
	}
	stop := errors.New("enough")
	n := 0
	if err := g.Run(func(*Event) error {
		if n++; n == 50 {
			return stop
		}
		return nil
	}); err != stop || n != 50 {
		t.Fatalf("%d events, %v: want a stream stopped after 50", n, err)
	}
	g, _ = New(ProviderPhasio, WithScenario(s), WithOrders(7))
	got := 0
	_ = g.Run(func(*Event) error { got++; return nil })
	if int64(got) != g.Events() {
		t.Fatalf("Events() = %d, Run gave %d", g.Events(), got)
	}
}

func TestStartRange(t *testing.T) {
	for _, tt := range []struct {
		start time.Time
		ok    bool
	}{
		{MinStart, true}, {MaxStart, true},
		{MinStart.Add(-time.Second), false},
		{time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), false},
	} {
		_, err := New(ProviderPhasio, WithStart(tt.start))
		if (err == nil) != tt.ok || (err != nil && (!errors.Is(err, ErrOptions) || !strings.Contains(err.Error(), "between 1970"))) {
			t.Errorf("start %s: %v", tt.start, err)
		}
	}
	// A scenario whose steps run past the year 9999 stops there with a
	// message, instead of writing a time JSON cannot hold.
	sc := "version: 1\nname: t\nprovider: phasio\nsteps:\n  - {event: ORDER, action: create-quote}\n"
	for range 40 {
		sc += "  - {event: ORDER_UPDATED, action: notify, after: 2000000h}\n"
	}
	s, err := ParseScenario([]byte(sc), "long.yaml")
	if err != nil {
		t.Fatal(err)
	}
	g, err := New(ProviderPhasio, WithScenario(s), WithStart(MaxStart))
	if err != nil {
		t.Fatal(err)
	}
	err = g.Run(func(ev *Event) error {
		if ev.At.Year() > 9999 {
			t.Fatalf("event at %s", ev.At)
		}
		return nil
	})
	if !errors.Is(err, ErrScenario) || !strings.Contains(err.Error(), "after the year 9999") {
		t.Fatalf("got %v", err)
	}
}
