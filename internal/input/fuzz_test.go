package input

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"unicode/utf8"
)

// FuzzLines: whatever the stream and limit, every line handed out is
// within the limit, valid UTF-8 and free of newlines, line numbers only
// grow, and refusals are *Error values.
func FuzzLines(f *testing.F) {
	for _, s := range []string{"a\nb\r\n\nc", "\ufefflong line\n", "x\xffy\n", "", "\n\n\n"} {
		f.Add([]byte(s), uint8(4))
	}
	f.Fuzz(func(t *testing.T, data []byte, limit uint8) {
		l := NewLines(bytes.NewReader(data), "fuzz", Limit{"line", int64(limit)})
		last := 0
		for {
			line, err := l.Next()
			if err == io.EOF {
				return
			}
			if l.Line() <= last {
				t.Fatalf("line number %d after %d", l.Line(), last)
			}
			last = l.Line()
			var ie *Error
			if err != nil {
				if !errors.As(err, &ie) || ie.Line != l.Line() {
					t.Fatalf("error %v", err)
				}
				continue
			}
			if len(line) > int(limit) || !utf8.Valid(line) || bytes.IndexByte(line, '\n') >= 0 {
				t.Fatalf("line %d %q with limit %d", l.Line(), line, limit)
			}
		}
	})
}
