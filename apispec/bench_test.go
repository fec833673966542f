package apispec_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/apispec"
)

// tenMB writes a document of at least 10 MB made of GitHub's webhooks
// description: its webhooks and component schemas copied under new names
// (the references renamed with them) until the file, indented as GitHub's
// is, reaches the size.
func tenMB(tb testing.TB) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "specs", "github-webhooks-api.github.com.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		tb.Fatal(err)
	}
	hooks := doc["webhooks"].(map[string]any)
	comps := doc["components"].(map[string]any)
	schemas := comps["schemas"].(map[string]any)
	part, _ := json.Marshal(map[string]any{"webhooks": hooks, "schemas": schemas})
	var out []byte
	for n := 1; len(out) < 10<<20; n++ {
		prefix := fmt.Sprintf("c%d-", n)
		renamed := bytes.ReplaceAll(part, []byte(`"#/components/schemas/`), []byte(`"#/components/schemas/`+prefix))
		var cp struct{ Webhooks, Schemas map[string]any }
		if err := json.Unmarshal(renamed, &cp); err != nil {
			tb.Fatal(err)
		}
		for k, v := range cp.Webhooks {
			hooks[prefix+k] = v
		}
		for k, v := range cp.Schemas {
			schemas[prefix+k] = v
		}
		if out, err = json.MarshalIndent(doc, "", "  "); err != nil {
			tb.Fatal(err)
		}
	}
	p := filepath.Join(tb.TempDir(), "ten-mb.json")
	if err := os.WriteFile(p, out, 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

// BenchmarkLoadTenMB imports a document of 10 MB or more (GitHub's,
// copied; see tenMB): in this process for the time per import, and once in
// a child process of its own for its peak resident memory (VmHWM), the
// figures docs/benchmarks.md holds against the targets (< 5 s, < 300 MB).
//
//	go test -run XXX -bench LoadTenMB -benchtime 3x ./apispec
func BenchmarkLoadTenMB(b *testing.B) {
	p := tenMB(b)
	st, _ := os.Stat(p)
	b.SetBytes(st.Size())
	var events int
	for b.Loop() {
		s, err := apispec.Load(p, apispec.Options{})
		if err != nil {
			b.Fatal(err)
		}
		events = len(s.Events)
	}
	b.ReportMetric(float64(events), "events")
	b.ReportMetric(float64(st.Size())/1e6, "doc-MB")
	if runtime.GOOS != "linux" {
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestLoadChild$", "-test.v")
	cmd.Env = append(os.Environ(), "APISPEC_CHILD_LOAD="+p)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("child: %v\n%s", err, out)
	}
	var peakKB, ms float64
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "child-load:"); ok {
			f := strings.Fields(rest)
			peakKB, _ = strconv.ParseFloat(f[0], 64)
			ms, _ = strconv.ParseFloat(f[1], 64)
		}
	}
	if peakKB == 0 {
		b.Fatalf("no measure from the child:\n%s", out)
	}
	b.ReportMetric(peakKB/1024, "peak-RSS-MB")
	b.ReportMetric(ms, "child-ms")
}

// TestLoadChild is BenchmarkLoadTenMB's child: it imports the document
// named by APISPEC_CHILD_LOAD once and prints its peak resident memory
// (kB) and the time taken (ms). Without the variable it does nothing.
func TestLoadChild(t *testing.T) {
	p := os.Getenv("APISPEC_CHILD_LOAD")
	if p == "" {
		t.Skip("run by BenchmarkLoadTenMB")
	}
	start := time.Now()
	s, err := apispec.Load(p, apispec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb := strings.Fields(rest)[0]
			fmt.Printf("child-load: %s %d %d\n", kb, took.Milliseconds(), len(s.Events))
		}
	}
	runtime.KeepAlive(s)
}

// BenchmarkDecodeTenMB is the peer of BenchmarkLoadTenMB: encoding/json
// decoding the same document into map[string]any, the least any importer
// does.
func BenchmarkDecodeTenMB(b *testing.B) {
	p := tenMB(b)
	data, err := os.ReadFile(p)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			b.Fatal(err)
		}
	}
}
