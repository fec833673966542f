package textw

import "testing"

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
