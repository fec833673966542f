package inspect

import (
	"bytes"
	"context"
	"encoding/json"
	"log"
	"net/http"
	"strconv"
	"time"

	"github.com/orderhooks/orderhooks/capture"
)

// heartbeat keeps a quiet feed's connection open through proxies and
// finds clients that went away.
const heartbeat = 15 * time.Second

// feedWriteTimeout bounds each write of a live feed: a client that stops
// reading for that long is dropped (a browser reconnects and catches up
// from its last event id).
const feedWriteTimeout = 30 * time.Second

// maxBacklog bounds how many older deliveries a feed sends when it starts
// (a client that asks for everything since id 0 gets the newest ones).
const maxBacklog = capture.MaxLimit

// events streams the deliveries stored after ?after=ID (or the
// Last-Event-ID a reconnecting browser sends) that the filter in the
// query selects, as server-sent events: each event is a delivery's row,
// rendered by the list's own template, oldest first.
func (in *Inspector) events(w http.ResponseWriter, r *http.Request) {
	var ff filterForm
	f, err := ff.parse(r.URL.Query())
	if err != nil {
		in.plainError(w, http.StatusBadRequest, err.Error())
		return
	}
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	if id, err := strconv.ParseInt(r.Header.Get("Last-Event-ID"), 10, 64); err == nil {
		after = id
	}
	last, err := in.store.LastID(r.Context())
	if err != nil {
		in.plainError(w, http.StatusInternalServerError, "the store could not be read")
		return
	}
	after = max(after, last-maxBacklog, 0)
	select {
	case in.streams <- struct{}{}:
		defer func() { <-in.streams }()
	default:
		w.Header().Set("Retry-After", "5")
		in.plainError(w, http.StatusServiceUnavailable, "too many live feeds open")
		return
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		in.plainError(w, http.StatusInternalServerError, "streaming unsupported")
		return
	}
	// A feed lives as long as its client, not as long as the server
	// lets a request be read or answered: net/http ends a handler's
	// context when the server's read deadline (ReadTimeout) passes, and
	// fails its writes after the write deadline (WriteTimeout). The
	// feed clears the first and sets the second before each write.
	// (Servers that cannot, such as a recorder's, say ErrNotSupported.)
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	write := func(b []byte) error {
		_ = rc.SetWriteDeadline(time.Now().Add(feedWriteTimeout))
		_, err := w.Write(b)
		return err
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	// A first comment tells the browser the feed is open.
	if write([]byte(": live\nretry: 2000\n\n")) != nil {
		return
	}
	flusher.Flush()

	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	batches := make(chan []capture.Summary)
	go func() {
		defer close(batches)
		err := in.store.Watch(ctx, after, func(b []capture.Summary) error {
			select {
			case batches <- b:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		if err != nil && ctx.Err() == nil {
			// The browser reconnects (retry) and catches up from its
			// last event id.
			log.Printf("inspect: live feed: %v", err)
		}
	}()
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	var buf bytes.Buffer
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := write([]byte(": heartbeat\n\n")); err != nil {
				return
			}
			flusher.Flush()
		case b, ok := <-batches:
			if !ok {
				return
			}
			// One event at a time through the response's own buffer: a
			// batch of hundreds is never held rendered (32 feeds at once).
			sent := false
			for i := range b {
				if !matches(f, &b[i]) {
					continue
				}
				buf.Reset()
				if err := writeEvent(&buf, &b[i]); err != nil {
					return
				}
				if err := write(buf.Bytes()); err != nil {
					return
				}
				sent = true
			}
			if sent {
				flusher.Flush()
			}
		}
	}
}

// writeEvent writes one delivery as an event: its id, and its row as
// HTML (escaped by the template) in a JSON object, which holds no raw
// newline to break the stream.
func writeEvent(buf *bytes.Buffer, s *capture.Summary) error {
	var html bytes.Buffer
	if err := rowTemplate().Execute(&html, newRow(s)); err != nil {
		return err
	}
	data, err := json.Marshal(struct {
		ID   int64  `json:"id"`
		HTML string `json:"html"`
	}{s.ID, html.String()})
	if err != nil {
		return err
	}
	buf.WriteString("id: " + strconv.FormatInt(s.ID, 10) + "\nevent: delivery\ndata: ")
	buf.Write(data)
	buf.WriteString("\n\n")
	return nil
}
