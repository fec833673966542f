// Package progress draws a live status line on a terminal: the line is
// redrawn in place with a carriage return at a fixed interval and ended
// with a newline when the work is done. Off a terminal it writes nothing,
// so logs and pipes stay clean, unless the work is long enough to want a
// plain line per interval in a CI log (Lines).
package progress

import (
	"io"
	"strings"
	"sync"
	"time"
)

// Line is a status line being redrawn; Stop ends it.
type Line struct {
	w     io.Writer
	text  func() string
	mu    sync.Mutex
	width int  // length of the last text drawn, to blank leftovers
	plain bool // a line per interval (Lines), not a redrawn one
	stop  chan struct{}
	done  chan struct{}
}

// Start redraws text() on w every interval until Stop. When tty is false
// (or w is nil) the Line is inert: nothing is ever written.
func Start(w io.Writer, tty bool, every time.Duration, text func() string) *Line {
	l := &Line{w: w, text: text, stop: make(chan struct{}), done: make(chan struct{})}
	if !tty || w == nil {
		close(l.done)
		l.w = nil
		return l
	}
	go l.loop(every)
	return l
}

// Lines writes text() and a newline on w every interval, and once more at
// Stop: the progress of a long run in a log, where a redrawn line would
// pile up carriage returns. A nil w writes nothing.
func Lines(w io.Writer, every time.Duration, text func() string) *Line {
	l := &Line{w: w, text: text, plain: true, stop: make(chan struct{}), done: make(chan struct{})}
	if w == nil {
		close(l.done)
		return l
	}
	go l.loop(every)
	return l
}

func (l *Line) loop(every time.Duration) {
	defer close(l.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			l.draw()
		case <-l.stop:
			return
		}
	}
}

// draw writes "\r" and the text, padded with spaces over a longer previous text.
func (l *Line) draw() {
	s := l.text()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.plain {
		_, _ = io.WriteString(l.w, s+"\n") // a lost progress line is harmless
		return
	}
	pad := max(l.width-len(s), 0)
	l.width = len(s)
	_, _ = io.WriteString(l.w, "\r"+s+strings.Repeat(" ", pad)) // a lost progress line is harmless
}

// Stop draws the final text and ends the line with a newline. It may be
// called more than once.
func (l *Line) Stop() {
	if l.w == nil {
		return
	}
	select {
	case <-l.stop:
		return
	default:
		close(l.stop)
	}
	<-l.done
	l.draw()
	if !l.plain {
		_, _ = io.WriteString(l.w, "\n")
	}
}
