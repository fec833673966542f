package textw

import (
	"errors"
	"testing"
	"time"
)

func TestCount(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{
		{0, "0 deliveries"},
		{1, "1 delivery"},
		{2, "2 deliveries"},
		{-1, "-1 deliveries"},
		{10000, "10000 deliveries"},
	} {
		if got := Count(tc.n, "delivery", "deliveries"); got != tc.want {
			t.Errorf("Count(%d) = %q, want %q", tc.n, got, tc.want)
		}
		if got := Count(int(tc.n), "delivery", "deliveries"); got != tc.want {
			t.Errorf("Count(int %d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestPlural(t *testing.T) {
	for n, want := range map[int]string{0: "payloads", 1: "payload", 2: "payloads"} {
		if got := Plural(n, "payload", "payloads"); got != want {
			t.Errorf("Plural(%d) = %q, want %q", n, got, want)
		}
	}
}

type failAfter struct {
	n      int
	writes int
}

func (w *failAfter) Write(b []byte) (int, error) {
	w.writes++
	if w.writes > w.n {
		return 0, errors.New("disk full")
	}
	return len(b), nil
}

func TestPrinterKeepsFirstError(t *testing.T) {
	w := &failAfter{n: 1}
	p := &Printer{W: w}
	p.Printf("%d\n", 1)
	if p.Err != nil {
		t.Fatalf("first write: %v", p.Err)
	}
	p.Printf("%d\n", 2)
	p.Printf("%d\n", 3)
	if p.Err == nil || p.Err.Error() != "disk full" {
		t.Fatalf("Err = %v, want disk full", p.Err)
	}
	if w.writes != 2 {
		t.Errorf("%d writes, want 2: nothing is written after the first error", w.writes)
	}
}

func TestMillis(t *testing.T) {
	for d, want := range map[time.Duration]string{
		420 * time.Microsecond:  "0.42 ms",
		9999 * time.Microsecond: "10.00 ms",
		12 * time.Millisecond:   "12 ms",
		999 * time.Millisecond:  "999 ms",
		1200 * time.Millisecond: "1.20 s",
		90 * time.Second:        "90.00 s",
	} {
		if got := Millis(d); got != want {
			t.Errorf("Millis(%v) = %q, want %q", d, got, want)
		}
	}
}
