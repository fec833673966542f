package emitter

import (
	"net/http"
	"strconv"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/jsonscan"
	"github.com/orderhooks/orderhooks/wire"
)

// scanRecord reads a record line in one pass (internal/jsonscan) instead
// of encoding/json's two (a validity scan, then the decoding) and a third
// and fourth over each body. A replay spends most of its time reading
// records, so this is its hot path. It handles the lines WithRecord
// writes; on anything else (a key spelled in another case, a null, a
// number with a fraction, a base64 body, invalid UTF-8) it returns ok
// false and the caller decodes the line with encoding/json, whose result
// and errors stay the reference: FuzzScanRecord holds the two equal.
func scanRecord(line []byte) (rec *Record, ok bool) {
	r := recordScanner{s: jsonscan.New(line), data: line}
	// One allocation for the record and the values its pointers usually
	// point to.
	p := &recordParts{}
	r.parts = p
	rec = &p.rec
	if !r.record(rec) || !r.s.End() {
		return nil, false
	}
	return rec, true
}

type recordScanner struct {
	s     *jsonscan.Scanner
	data  []byte
	parts *recordParts // where the first event, request and response go
}

// recordParts holds a record and what its pointer fields point to.
type recordParts struct {
	rec  Record
	ev   generator.Event
	req  RecordedRequest
	resp RecordedResponse
}

// members calls member for each key of an object; it fails on a null or
// another kind, or when member does. The key is the line's bytes: a key
// compared with constants needs no string of its own.
func (r *recordScanner) members(member func(key []byte) bool) bool {
	if r.s.Peek() != jsonscan.Object || !r.s.BeginObject() {
		return false
	}
	for {
		raw, esc, ok := r.s.NextKey()
		if !ok {
			return r.s.Err() == nil
		}
		if esc || !member(raw) {
			return false
		}
	}
}

func (r *recordScanner) record(rec *Record) bool {
	return r.members(func(key []byte) bool {
		switch string(key) {
		case "time":
			return r.time(&rec.Time)
		case "delivery":
			return r.int64(&rec.Delivery)
		case "id":
			return r.str(&rec.ID)
		case "attempt":
			var n int64
			ok := r.int64(&n) && int64(int(n)) == n
			rec.Attempt = int(n)
			return ok
		case "url":
			return r.str(&rec.URL)
		case "event":
			if rec.Event == nil { // a repeated key fills the same value, as encoding/json does
				rec.Event = &r.parts.ev
			}
			return r.event(rec.Event)
		case "faults":
			return r.faults(&rec.Faults)
		case "delayNs":
			return r.duration(&rec.Delay)
		case "request":
			if rec.Request == nil {
				rec.Request = &r.parts.req
			}
			return r.members(func(key []byte) bool {
				switch string(key) {
				case "header":
					return r.header(&rec.Request.Header)
				case "body":
					return r.bytes(&rec.Request.Body)
				}
				return r.known(key)
			})
		case "response":
			if rec.Response == nil {
				rec.Response = &r.parts.resp
			}
			return r.members(func(key []byte) bool {
				switch string(key) {
				case "status":
					var n int64
					ok := r.int64(&n) && int64(int(n)) == n
					rec.Response.Status = int(n)
					return ok
				case "header":
					return r.header(&rec.Response.Header)
				case "body":
					return r.bytes(&rec.Response.Body)
				case "truncated":
					return r.bool(&rec.Response.Truncated)
				}
				return r.known(key)
			})
		case "latencyNs":
			return r.duration(&rec.Latency)
		case "error":
			return r.str(&rec.Error)
		}
		return r.known(key)
	})
}

func (r *recordScanner) event(ev *generator.Event) bool {
	return r.members(func(key []byte) bool {
		switch string(key) {
		case "seq":
			return r.int64(&ev.Seq)
		case "provider":
			return r.str(&ev.Provider)
		case "event":
			return r.str(&ev.Event)
		case "orderKey":
			return r.str(&ev.OrderKey)
		case "at":
			return r.time(&ev.At)
		case "payload":
			if k := r.s.Peek(); k == jsonscan.Null || k == jsonscan.Invalid {
				return false
			}
			start := r.s.Pos()
			if !r.s.Skip() {
				return false
			}
			ev.Payload = append([]byte(nil), r.data[start:r.s.Pos()]...)
			return true
		case "scenario":
			return r.str(&ev.Scenario)
		case "step":
			return r.str(&ev.Step)
		case "variant":
			return r.str(&ev.Variant)
		case "label":
			return r.str(&ev.Label)
		}
		return r.known(key)
	})
}

// known skips the value of a key no field has. encoding/json matches keys
// without regard to case, so a key that could be a field's in another
// spelling is left to it.
func (r *recordScanner) known(key []byte) bool {
	for i := 0; i < len(key); i++ {
		if c := key[i]; c >= 'A' && c <= 'Z' || c >= 0x80 {
			return false
		}
	}
	switch string(key) {
	case "time", "delivery", "id", "attempt", "url", "event", "faults", "delayns", "request", "response", "latencyns",
		"error", "seq", "provider", "orderkey", "at", "payload", "scenario", "step", "variant", "label", "header",
		"body", "status", "truncated":
		return false
	}
	return r.s.Skip()
}

func (r *recordScanner) str(into *string) bool {
	if r.s.Peek() != jsonscan.String {
		return false
	}
	raw, esc, ok := r.s.String()
	*into = jsonscan.Text(raw, esc)
	return ok
}

func (r *recordScanner) int64(into *int64) bool {
	if r.s.Peek() != jsonscan.Number {
		return false
	}
	raw, ok := r.s.Number()
	if !ok {
		return false
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	*into = n
	return err == nil
}

func (r *recordScanner) duration(into *time.Duration) bool {
	var n int64
	ok := r.int64(&n)
	*into = time.Duration(n)
	return ok
}

func (r *recordScanner) bool(into *bool) bool {
	switch r.s.Peek() {
	case jsonscan.True, jsonscan.False:
		k, ok := r.s.Literal()
		*into = k == jsonscan.True
		return ok
	}
	return false
}

// time parses a string as time.Time's UnmarshalJSON does.
func (r *recordScanner) time(into *time.Time) bool {
	if r.s.Peek() != jsonscan.String {
		return false
	}
	start := r.s.Pos()
	if _, _, ok := r.s.String(); !ok {
		return false
	}
	return into.UnmarshalJSON(r.data[start:r.s.Pos()]) == nil
}

// bytes reads a body written as a JSON string (the {"base64": …} form is
// left to encoding/json).
func (r *recordScanner) bytes(into *Bytes) bool {
	if r.s.Peek() != jsonscan.String {
		return false
	}
	raw, esc, ok := r.s.String()
	*into = jsonscan.AppendText(Bytes{}, raw, esc) // empty, not nil, as encoding/json makes it
	return ok
}

func (r *recordScanner) faults(into *[]wire.Fault) bool {
	if r.s.Peek() != jsonscan.Array || !r.s.BeginArray() {
		return false
	}
	out := []wire.Fault{}
	for r.s.NextItem() {
		var f string
		if !r.str(&f) {
			return false
		}
		out = append(out, wire.Fault(f))
	}
	*into = out
	return r.s.Err() == nil
}

func (r *recordScanner) header(into *http.Header) bool {
	h := *into
	if h == nil {
		h = http.Header{}
	}
	// The values of every name share one array; each name's slice is
	// capped, so an append to one cannot reach the next.
	var values []string
	ok := r.members(func(key []byte) bool {
		if r.s.Peek() != jsonscan.Array || !r.s.BeginArray() {
			return false
		}
		if values == nil {
			values = make([]string, 0, 8)
		}
		from := len(values)
		for r.s.NextItem() {
			var v string
			if !r.str(&v) {
				return false
			}
			values = append(values, v)
		}
		h[string(key)] = values[from:len(values):len(values)]
		return r.s.Err() == nil
	})
	*into = h
	return ok
}
