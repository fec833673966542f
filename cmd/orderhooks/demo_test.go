package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderhooks/orderhooks/generator"
)

// TestDemo runs the demo end to end: it must pass its own contract suite,
// leave complete recordings, and never print a secret.
func TestDemo(t *testing.T) {
	t.Parallel() // after the sequential tests (the docs test changes directory)
	dir := t.TempDir()
	out, errOut, code := runCmd(t, "", "demo", "--dir", dir)
	if code != exitOK {
		t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{"phasio contract suite", "happycolis contract suite", "Recordings", "accepts-valid-lifecycle"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	for _, p := range demoProviders {
		secret, err := os.ReadFile(filepath.Join(dir, p+".secret"))
		if err != nil {
			t.Fatal(err)
		}
		if s := strings.TrimSpace(string(secret)); strings.Contains(out+errOut, s) {
			t.Errorf("the %s secret appears in the output", p)
		}
		if info, err := os.Stat(filepath.Join(dir, p+".secret")); err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("%s.secret: mode %v, %v; want 0600", p, info.Mode().Perm(), err)
		}
		for _, f := range []string{p + "-sent.jsonl", p + "-received.jsonl"} {
			if n := jsonLines(t, filepath.Join(dir, f)); n < 10 {
				t.Errorf("%s: %d records, want at least 10", f, n)
			}
		}
	}
}

// jsonLines counts the lines of a JSONL file, failing on any that is not
// a JSON object.
func jsonLines(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	n := 0
	for sc.Scan() {
		var v map[string]any
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("%s:%d: %v", path, n+1, err)
		}
		n++
	}
	return n
}

func TestDemoUsage(t *testing.T) {
	_, errOut, code := runCmd(t, "", "demo", "--orders", "0")
	if code != exitUsage || !strings.Contains(errOut, "--orders") {
		t.Fatalf("exit %d, stderr %q; want 2 naming --orders", code, errOut)
	}
}

// TestDemoOrderKeysUnique: the demo's scenarios never share an order,
// whatever --orders and --seed (the demo refused to start for any
// --orders of 5 or more with the default seed). The default run tries the
// default seed; ORDERHOOKS_LONG=1 (.ci/run) seeds 1 to 20.
func TestDemoOrderKeysUnique(t *testing.T) {
	t.Parallel() // after the sequential tests (the docs test changes directory)

	seeds := []int64{1} // contracts.DefaultSeed, the demo's
	if os.Getenv("ORDERHOOKS_LONG") != "" {
		seeds = seeds[:0]
		for s := int64(1); s <= 20; s++ {
			seeds = append(seeds, s)
		}
	}
	for _, p := range demoProviders {
		for _, n := range []int{1, 5, 20, 200} {
			for _, seed := range seeds {
				src, err := demoSource(p, seed, n)
				if err != nil {
					t.Fatal(err)
				}
				owner := map[string]string{}
				err = src(func(ev *generator.Event) error {
					if o, ok := owner[ev.OrderKey]; ok && o != ev.Scenario {
						t.Fatalf("%s --orders %d --seed %d: %s and %s share order %s", p, n, seed, o, ev.Scenario, ev.OrderKey)
					}
					owner[ev.OrderKey] = ev.Scenario
					return nil
				})
				if err != nil {
					t.Fatalf("%s --orders %d --seed %d: %v", p, n, seed, err)
				}
			}
		}
	}
}

// TestDemoOrders runs the demo end to end for several --orders and
// --seed (TestDemo runs the default 3): 5 with the default seed and 1 with
// another; ORDERHOOKS_LONG=1 (.ci/run) runs every --orders of 1, 5, 20 and
// 200 with every seed from 1 to 20.
func TestDemoOrders(t *testing.T) {
	t.Parallel() // after the sequential tests (the docs test changes directory)
	type run struct {
		orders int
		seed   int64
	}
	runs := []run{{5, 1}, {1, 3}}
	if os.Getenv("ORDERHOOKS_LONG") != "" {
		runs = runs[:0]
		for _, n := range []int{1, 5, 20, 200} {
			for s := int64(1); s <= 20; s++ {
				runs = append(runs, run{n, s})
			}
		}
	}
	for _, r := range runs {
		t.Run(fmt.Sprintf("orders %d seed %d", r.orders, r.seed), func(t *testing.T) {
			out, errOut, code := runCmd(t, "", "demo", "--orders", fmt.Sprint(r.orders), "--seed", fmt.Sprint(r.seed), "--dir", t.TempDir())
			if code != exitOK {
				t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
		})
	}
}
