package emitter

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/input"
	"github.com/orderhooks/orderhooks/internal/redact"
	"github.com/orderhooks/orderhooks/wire"
)

// ErrRecordFormat is wrapped by ReadRecords for lines that are not records.
var ErrRecordFormat = errors.New("emitter: bad record line")

// Record is one attempt of one delivery, as WithRecord writes it: one JSON
// object per line, written and flushed when the attempt ends. Deliveries
// that were never sent (blocked, invalid) have one record with Attempt 0.
// A record holds signatures but never a secret (not even one a receiver
// echoes, when the Target's Secret is known), nor the values of extra or
// credential headers (see Redacted).
type Record struct {
	// Time is when the attempt started.
	Time time.Time `json:"time"`
	// Delivery numbers the run's deliveries from 1 (a duplicate is a
	// delivery of its own, with the same ID).
	Delivery int64 `json:"delivery"`
	// ID is the message id (HappyColis messageId, webhook-id,
	// X-Orderhooks-Delivery), the same on every attempt and duplicate.
	ID string `json:"id"`
	// Attempt counts from 1; 0 means the delivery was not sent.
	Attempt int    `json:"attempt"`
	URL     string `json:"url"`
	// Event is the generator event, its payload the plaintext before
	// encryption or enveloping (seq, order key and event name are in it).
	Event *generator.Event `json:"event"`
	// Faults are the faults injected into this delivery.
	Faults []wire.Fault `json:"faults,omitempty"`
	// Delay is how long the delay fault held the delivery back.
	Delay time.Duration `json:"delayNs,omitempty"`
	// Request is what went on the wire (headers as the engine set them).
	Request *RecordedRequest `json:"request,omitempty"`
	// Response is what came back; nil when nothing did.
	Response *RecordedResponse `json:"response,omitempty"`
	// Latency of the attempt.
	Latency time.Duration `json:"latencyNs"`
	// Error says why the attempt got no response, or why the delivery was
	// not sent.
	Error string `json:"error,omitempty"`
}

// Redacted stands in a record for the value of a header given with
// WithHeader (tokens travel there) and of Authorization,
// Proxy-Authorization and Cookie. Signature headers are kept: an exact
// replay resends them.
const Redacted = redact.Mark

// recordedHeader is h as a record shows it: the values of extra's headers
// and of credential headers replaced by Redacted. h itself is returned
// when nothing is hidden, the usual case: no copy per attempt.
func recordedHeader(h, extra http.Header) http.Header {
	out, copied := h, false
	for k, vs := range h {
		if _, ok := extra[k]; !ok && !redact.CredentialHeader(k) {
			continue
		}
		if !copied {
			out, copied = h.Clone(), true
		}
		red := make([]string, len(vs))
		for i := range red {
			red[i] = Redacted
		}
		out[k] = red
	}
	return out
}

// unredact makes a recorded header, which the caller owns, fit to send
// again, in place: redacted headers dropped, then extra's (the current
// WithHeader) set over it. It returns h (a new header when h is nil).
func unredact(h, extra http.Header) http.Header {
	out := h
	if out == nil {
		out = http.Header{}
	}
	for k, vs := range out {
		if slices.Contains(vs, Redacted) {
			delete(out, k)
		}
	}
	for k, vs := range extra {
		out[k] = slices.Clone(vs)
	}
	return out
}

// RecordedRequest is a request as sent, redacted (see Redacted).
type RecordedRequest struct {
	Header http.Header `json:"header"`
	Body   Bytes       `json:"body"`
}

// RecordedResponse is a response, its body bounded by DefaultMaxResponseBody.
type RecordedResponse struct {
	Status    int         `json:"status"`
	Header    http.Header `json:"header,omitempty"`
	Body      Bytes       `json:"body"`
	Truncated bool        `json:"truncated,omitempty"`
}

// recordedResponse is resp as a record shows it: a receiver that echoes
// the target's secret or the value of an extra header (WithHeader:
// tokens), in any usual encoding (redact.SecretForms), in its body or
// headers has it replaced by "[secret]".
func recordedResponse(resp *Response, secret string, extra http.Header) *RecordedResponse {
	r := &RecordedResponse{Status: resp.Status, Header: resp.Header, Body: resp.Body, Truncated: resp.Truncated}
	var secrets []string
	if secret != "" {
		secrets = append(secrets, secret)
	}
	for _, vs := range extra {
		for _, v := range vs {
			// "Bearer TOKEN": the token may come back alone.
			secrets = append(secrets, v, v[strings.LastIndexByte(v, ' ')+1:])
		}
	}
	if len(secrets) == 0 {
		return r
	}
	r.Body = Bytes(redact.Secrets(string(resp.Body), secrets...))
	r.Header = resp.Header.Clone()
	for _, vs := range r.Header {
		for i, v := range vs {
			vs[i] = redact.Secrets(v, secrets...)
		}
	}
	return r
}

// Bytes is a body in a record: a JSON string when it is valid UTF-8 (all
// JSON bodies), else {"base64":"…"}, so every byte survives the round trip.
type Bytes []byte

// MarshalJSON implements json.Marshaler.
func (b Bytes) MarshalJSON() ([]byte, error) {
	if utf8.Valid(b) {
		return json.Marshal(string(b))
	}
	return json.Marshal(struct {
		Base64 string `json:"base64"`
	}{base64.StdEncoding.EncodeToString(b)})
}

// UnmarshalJSON implements json.Unmarshaler.
func (b *Bytes) UnmarshalJSON(data []byte) error {
	if len(data) > 0 && data[0] == '{' {
		var v struct {
			Base64 string `json:"base64"`
		}
		if err := json.Unmarshal(data, &v); err != nil {
			return err
		}
		raw, err := base64.StdEncoding.DecodeString(v.Base64)
		*b = raw
		return err
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	*b = Bytes(s)
	return nil
}

// recorder writes records one line at a time, flushed at once, so a run
// stopped at any point leaves complete JSONL. The first write error is
// kept and stops recording.
type recorder struct {
	mu  sync.Mutex
	w   *bufio.Writer
	buf bytes.Buffer
	enc *json.Encoder
	err error
}

func newRecorder(w io.Writer) *recorder {
	r := &recorder{w: bufio.NewWriterSize(w, 64<<10)}
	r.enc = json.NewEncoder(&r.buf)
	r.enc.SetEscapeHTML(false)
	return r
}

func (r *recorder) write(rec *Record) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return
	}
	r.buf.Reset()
	if r.err = r.enc.Encode(rec); r.err != nil {
		r.err = fmt.Errorf("emitter: record: %w", r.err)
		return
	}
	if _, r.err = r.w.Write(r.buf.Bytes()); r.err == nil {
		r.err = r.w.Flush()
	}
	if r.err != nil {
		r.err = fmt.Errorf("emitter: record: %w", r.err)
	}
}

func (r *recorder) error() error {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// ReadRecords calls fn for every record of a recording (JSONL written by
// WithRecord), in file order. Blank lines are skipped; errors name the
// line. A line is at most 64 MiB (an event, its request and a bounded
// response) and valid UTF-8.
func ReadRecords(r io.Reader, fn func(*Record) error) error {
	return readNumberedRecords(r, func(rec *Record, _ int) error { return fn(rec) })
}

// readNumberedRecords is ReadRecords giving fn each record's line number too.
func readNumberedRecords(r io.Reader, fn func(rec *Record, line int) error) error {
	err := input.EachLine(r, input.RecordLine, func(b []byte, n int) error {
		rec, err := parseRecord(b)
		if err != nil {
			return fmt.Errorf("%w: line %d: %s", ErrRecordFormat, n, input.JSONError(err))
		}
		return fn(rec, n)
	})
	if ie := (*input.Error)(nil); errors.As(err, &ie) && !errors.Is(err, ErrRecordFormat) {
		return fmt.Errorf("%w: %w", ErrRecordFormat, err)
	}
	return err // fn's, a read error, or an interrupted read
}

func parseRecord(b []byte) (*Record, error) {
	rec, ok := scanRecord(b)
	if !ok {
		rec = &Record{}
		if err := json.Unmarshal(b, rec); err != nil {
			return nil, err
		}
	}
	if rec.Event == nil || rec.Event.Event == "" || len(rec.Event.Payload) == 0 {
		return nil, errors.New("event with its event name and payload is required")
	}
	if rec.Delivery < 1 {
		return nil, errors.New("delivery must be a positive number")
	}
	return rec, nil
}
