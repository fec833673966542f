package input

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
)

// Lines reads a stream one line at a time, each line within a limit and
// checked for UTF-8, in memory proportional to the longest accepted line
// (never to the stream). A byte order mark before the first line is
// dropped.
type Lines struct {
	br    *bufio.Reader
	name  string
	limit Limit
	line  int
	buf   []byte
	eof   bool
	// skip: the line Next refused as too long has not been read to its
	// end yet; the next call reads past it first.
	skip bool
}

// NewLines returns a line reader of r; name ("" to let the caller name
// the input) and limit appear in its errors.
func NewLines(r io.Reader, name string, limit Limit) *Lines {
	return &Lines{br: bufio.NewReaderSize(r, 64<<10), name: name, limit: limit}
}

// Next returns the next line without its "\n" or "\r\n", valid until the
// next call, and io.EOF after the last line. A line over the limit or not
// valid UTF-8 gives an *Error (ErrTooLarge, ErrEncoding), as soon as the
// limit is passed; a caller that goes on calling Next gets the line after
// it (so an endless line, /dev/zero say, costs nothing to refuse). Other
// read errors are returned as they are.
func (l *Lines) Next() ([]byte, error) {
	if l.skip {
		l.skip = false
		if err := l.skipLine(); err != nil {
			return nil, err
		}
	}
	if l.eof {
		return nil, io.EOF
	}
	l.buf = l.buf[:0]
	tooLong := false
	for {
		chunk, err := l.br.ReadSlice('\n')
		if int64(len(l.buf)+len(chunk)) > l.limit.Bytes+2 { // +2: the line ending is not part of the line
			tooLong, l.buf = true, l.buf[:0]
			l.skip = errors.Is(err, bufio.ErrBufferFull)
			if err == io.EOF {
				l.eof = true
			}
			break
		}
		l.buf = grow(l.buf, len(chunk))
		l.buf = append(l.buf, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == io.EOF {
			l.eof = true
			if len(l.buf) == 0 && !tooLong && len(chunk) == 0 {
				return nil, io.EOF
			}
		} else if err != nil {
			return nil, err
		}
		break
	}
	l.line++
	if tooLong {
		return nil, &Error{Input: l.name, Line: l.line, Limit: l.limit, Err: ErrTooLarge}
	}
	text := bytes.TrimSuffix(bytes.TrimSuffix(l.buf, []byte{'\n'}), []byte{'\r'})
	if int64(len(text)) > l.limit.Bytes {
		return nil, &Error{Input: l.name, Line: l.line, Limit: l.limit, Err: ErrTooLarge}
	}
	if l.line == 1 {
		text = bytes.TrimPrefix(text, bom)
	}
	if err := CheckUTF8(text, l.name, l.line); err != nil {
		return nil, err
	}
	return text, nil
}

// grow makes room for n more bytes by doubling, not by append's 1.25
// for large slices: a long line is copied a few times, not dozens.
func grow(b []byte, n int) []byte {
	if cap(b)-len(b) >= n {
		return b
	}
	nb := make([]byte, len(b), max(2*cap(b), len(b)+n))
	copy(nb, b)
	return nb
}

// skipLine reads to the end of the current line.
func (l *Lines) skipLine() error {
	for {
		_, err := l.br.ReadSlice('\n')
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == io.EOF:
			l.eof = true
			return nil
		default:
			return err
		}
	}
}

// Reader returns the rest of the stream, from after the line Next
// returned last, unread by Lines.
func (l *Lines) Reader() io.Reader { return l.br }

// Line is the number (from 1) of the line Next returned last.
func (l *Lines) Line() int { return l.line }

// Rest reads what is left of the stream, up to limit (its UTF-8 is for
// the caller to check, document by document).
func (l *Lines) Rest(limit Limit) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(l.br, limit.Bytes+1))
	if err != nil {
		return nil, &Error{Input: l.name, Err: err}
	}
	if int64(len(data)) > limit.Bytes {
		return nil, &Error{Input: l.name, Limit: limit, Err: ErrTooLarge}
	}
	return data, nil
}

// Interruptible returns a reader of r whose Read returns ctx's error as
// soon as ctx is done, even while r's own Read is blocked (an idle stdin
// or pipe): Ctrl-C must stop a command waiting for input. The blocked Read
// is left to finish on its own; at most one chunk is read ahead. A
// regular file, whose reads never wait for a writer, is read directly,
// its context checked before each read.
func Interruptible(ctx context.Context, r io.Reader) io.Reader {
	if f, ok := r.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			return &ctxFileReader{ctx: ctx, f: f}
		}
	}
	return &ctxReader{ctx: ctx, r: r}
}

type ctxFileReader struct {
	ctx context.Context
	f   *os.File
}

func (c *ctxFileReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.f.Read(p)
}

type ctxReader struct {
	ctx     context.Context
	r       io.Reader
	results chan chunk
	pending []byte
	err     error
}

type chunk struct {
	b   []byte
	err error
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if len(c.pending) > 0 {
		n := copy(p, c.pending)
		c.pending = c.pending[n:]
		return n, nil
	}
	if c.err != nil {
		return 0, c.err
	}
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	if c.results == nil {
		c.results = make(chan chunk)
		go c.pump()
	}
	select {
	case ch := <-c.results:
		n := copy(p, ch.b)
		c.pending = ch.b[n:]
		c.err = ch.err
		if n == 0 && ch.err != nil {
			return 0, ch.err
		}
		return n, nil
	case <-c.ctx.Done():
		return 0, c.ctx.Err()
	}
}

// pump reads r until an error, handing each chunk over when asked.
func (c *ctxReader) pump() {
	for {
		buf := make([]byte, 32<<10)
		n, err := c.r.Read(buf)
		select {
		case c.results <- chunk{buf[:n], err}:
		case <-c.ctx.Done():
			return
		}
		if err != nil {
			return
		}
	}
}

// EachLine calls fn with every non-blank line of r, white space trimmed,
// and its number, each line within limit. It returns fn's first error, an
// *Error for a line over the limit or not UTF-8, or a read error (an
// interrupted read among them).
func EachLine(r io.Reader, limit Limit, fn func(line []byte, n int) error) error {
	lines := NewLines(r, "", limit)
	for {
		b, err := lines.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if b = bytes.TrimSpace(b); len(b) > 0 {
			if err := fn(b, lines.Line()); err != nil {
				return err
			}
		}
	}
}
