package sweep

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestSize(t *testing.T) {
	tests := []struct {
		long, value string
		want        int
		err         bool
	}{
		{"", "", 10, false},
		{"1", "", 1000, false},
		{"", "7", 7, false},
		{"1", "7", 7, false},
		{"", "0", 0, true},
		{"", "x", 0, true},
	}
	for _, tt := range tests {
		t.Setenv(Env, tt.long)
		t.Setenv("SWEEP_TEST_SIZE", tt.value)
		got, err := Size("SWEEP_TEST_SIZE", 10, 1000)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("%s=%q SWEEP_TEST_SIZE=%q: got %d, %v; want %d (error %v)", Env, tt.long, tt.value, got, err, tt.want, tt.err)
		}
	}
}

func TestCovered(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cover.out")
	profile := "mode: set\n" +
		"example.com/p/a.go:3.10,5.2 2 1\n" +
		"example.com/p/a.go:5.2,7.3 1 0\n" +
		"example.com/p/b.go:1.1,2.2 1 0\n" +
		"example.com/p/b.go:1.1,2.2 1 1\n" // the same block from another test binary
	if err := os.WriteFile(path, []byte(profile), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := covered(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"example.com/p/a.go:3.10,5.2": true, "example.com/p/b.go:1.1,2.2": true}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("covered: %v, want %v", got, want)
	}
	if err := os.WriteFile(path, []byte("mode: set\nexample.com/p/a.go:3.10,5.2 2\n"), 0o600); err == nil {
		if _, err := covered(path); err == nil {
			t.Error("a malformed profile line was accepted")
		}
	}
}
