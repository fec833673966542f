package input

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	small := Limit{"test file", 16}
	for _, tt := range []struct {
		name    string
		path    string
		want    string
		wantErr error
		wantMsg string
	}{
		{"plain", write("plain", "abc\n"), "abc\n", nil, ""},
		{"bom dropped", write("bom", "\ufeffabc"), "abc", nil, ""},
		{"at the limit", write("limit", strings.Repeat("x", 16)), strings.Repeat("x", 16), nil, ""},
		{"over the limit", write("big", strings.Repeat("x", 17)), "", ErrTooLarge, "big: larger than the test file limit of 16 bytes"},
		{"directory", dir, "", ErrDirectory, "is a directory, not a file"},
		{"missing", filepath.Join(dir, "nope"), "", os.ErrNotExist, "nope: no such file or directory"},
		{"invalid utf-8", write("latin1", "ok\nd\xe9j\xe0\n"), "", ErrEncoding, "latin1:2:2: invalid UTF-8"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadFile(tt.path, small)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if !strings.HasSuffix(err.Error(), tt.wantMsg) || strings.Contains(err.Error(), "open ") {
					t.Fatalf("message %q, want it to end with %q (and not to repeat the operation)", err, tt.wantMsg)
				}
				return
			}
			if string(got) != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLines(t *testing.T) {
	in := "\ufefffirst\r\n" + strings.Repeat("y", 40) + "\n\nbad \xff byte\nlast"
	l := NewLines(strings.NewReader(in), "in.jsonl", Limit{"line", 20})
	type got struct {
		text string
		line int
		err  error
	}
	var gots []got
	for {
		b, err := l.Next()
		if err == io.EOF {
			break
		}
		gots = append(gots, got{string(b), l.Line(), err})
	}
	want := []got{{"first", 1, nil}, {"", 2, ErrTooLarge}, {"", 3, nil}, {"", 4, ErrEncoding}, {"last", 5, nil}}
	if len(gots) != len(want) {
		t.Fatalf("got %d lines %+v, want %d", len(gots), gots, len(want))
	}
	for i, w := range want {
		if gots[i].text != w.text || gots[i].line != w.line || !errors.Is(gots[i].err, w.err) {
			t.Errorf("line %d: got %+v, want %+v", i+1, gots[i], w)
		}
	}
	if msg := gots[1].err.Error(); msg != "in.jsonl:2: longer than the line limit of 20 bytes" {
		t.Errorf("message %q", msg)
	}
}

// TestLinesMemory reads a line far over the limit: it is skipped without
// being held (the buffer stays near the limit).
func TestLinesMemory(t *testing.T) {
	huge := io.MultiReader(io.LimitReader(zeros{}, 50<<20), strings.NewReader("\nnext\n"))
	l := NewLines(huge, "", Limit{"line", 1 << 10})
	if _, err := l.Next(); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
	if cap(l.buf) > 1<<20 {
		t.Fatalf("buffer grew to %d bytes for a skipped line", cap(l.buf))
	}
	if b, err := l.Next(); err != nil || string(b) != "next" {
		t.Fatalf("after the long line: %q %v", b, err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '0'
	}
	return len(p), nil
}

// TestInterruptible: a read blocked on an idle pipe returns when the
// context ends.
func TestInterruptible(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Close()
	defer pr.Close()
	ctx, cancel := context.WithCancel(context.Background())
	r := Interruptible(ctx, pr)
	if _, err := pw.Write([]byte("hello\n")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 3)
	if n, err := r.Read(buf); err != nil || string(buf[:n]) != "hel" {
		t.Fatalf("first read %q %v", buf[:n], err)
	}
	if n, err := r.Read(buf); err != nil || string(buf[:n]) != "lo\n" {
		t.Fatalf("second read %q %v", buf[:n], err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := r.Read(buf) // the pipe is idle
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Read still blocked 10s after cancel")
	}
}

func TestJoinAndTruncate(t *testing.T) {
	var ps []string
	for range 1000 {
		ps = append(ps, "p")
	}
	if got := Join(ps, "; "); got != strings.Repeat("p; ", 10)+"… and 990 more" {
		t.Fatalf("Join: %q", got)
	}
	if got := Join(ps[:3], ", "); got != "p, p, p" {
		t.Fatalf("Join: %q", got)
	}
	long := strings.Repeat("é", 5000)
	got := Truncate(long)
	if len(got) > maxMessage+40 || !strings.HasSuffix(got, "more bytes)") || !strings.Contains(got, "é…") {
		t.Fatalf("Truncate: %d bytes ending %q", len(got), got[len(got)-30:])
	}
	if Truncate("short") != "short" {
		t.Fatal("Truncate changed a short message")
	}
}

func TestJSONError(t *testing.T) {
	var ev struct {
		Seq   int64           `json:"seq"`
		Event string          `json:"event"`
		At    time.Time       `json:"at"`
		Inner struct{ N int } `json:"inner"`
	}
	for _, tt := range []struct{ doc, want string }{
		{`{"event":{}}`, "/event: expected a string, got an object"},
		{`{"seq":"1"}`, "/seq: expected an integer, got a string"},
		{`{"inner":{"N":true}}`, "/inner/N: expected an integer, got a bool"},
		{`{"at":"yesterday"}`, `"yesterday" is not an RFC 3339 time`},
		{`[1]`, "/: expected an object, got an array"},
	} {
		err := json.Unmarshal([]byte(tt.doc), &ev)
		if got := JSONError(err); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.doc, got, tt.want)
		}
	}
}

// TestInterruptibleFile: a regular file is read whole, and not once its
// context has ended.
func TestInterruptibleFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lines.jsonl")
	want := strings.Repeat("a line of the file\n", 10_000)
	if err := os.WriteFile(path, []byte(want), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx, cancel := context.WithCancel(context.Background())
	r := Interruptible(ctx, f)
	head := make([]byte, 100)
	if _, err := io.ReadFull(r, head); err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(r)
	if err != nil || string(head)+string(rest) != want {
		t.Fatalf("read %d bytes (%v), want the %d of the file", len(head)+len(rest), err, len(want))
	}
	cancel()
	if n, err := r.Read(head); n != 0 || !errors.Is(err, context.Canceled) {
		t.Fatalf("read after cancel: %d, %v; want 0, context.Canceled", n, err)
	}
}
