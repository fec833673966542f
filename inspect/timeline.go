package inspect

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/orderhooks/orderhooks/capture"
	"github.com/orderhooks/orderhooks/wire"
)

var errEnough = errors.New("enough")

type mark struct{ Text, Class string }

// snapshot is one delivery of an order's timeline.
type snapshot struct {
	N            int
	ID           int64
	URL          string
	At           time.Time
	Provider     string
	Event        string
	DeliveryID   string
	EventTime    string
	Verdict      string
	VerdictClass string
	Status       int
	StatusClass  string
	Outcome      string
	Marks        []mark
	// First says this is the first snapshot: Fields counts its fields.
	First  bool
	Fields int
	// Changes are the fields that differ from the snapshot before.
	Changes []change
	Note    string
}

type timelinePage struct {
	base
	Key, Provider string
	Snapshots     []snapshot
	Truncated     bool
	Scenario      string // export URL (redacted)
	ScenarioRaw   string
	NoEventTime   bool
	Duplicates    int
	OutOfOrder    int
}

// timeline serves every delivery of one order in arrival order, each
// snapshot compared with the one before, duplicates and out-of-order
// arrivals marked.
func (in *Inspector) timeline(w http.ResponseWriter, r *http.Request) {
	key, provider := r.PathValue("key"), r.URL.Query().Get("provider")
	p := &timelinePage{base: in.base("Order "+key, "timeline"), Key: key, Provider: provider}
	// Each, not Store.Timeline, and one delivery at a time: Timeline
	// holds up to capture.MaxTimeline deliveries in memory, bodies
	// included; this keeps only each snapshot's summary and changes (and
	// the last payload's leaves), and stops at MaxTimeline.
	var tb timelineBuilder
	err := in.store.Each(r.Context(), capture.Filter{Provider: provider, Key: key}, func(d *capture.Delivery) error {
		if len(tb.out) == MaxTimeline {
			p.Truncated = true
			return errEnough
		}
		tb.add(d)
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		in.storeError(w, r, err)
		return
	}
	if len(tb.out) == 0 {
		in.notFound(w, r, "There is no delivery of order "+strconv.Quote(key)+" in this store.")
		return
	}
	p.Snapshots = tb.out
	for _, s := range p.Snapshots {
		for _, m := range s.Marks {
			switch m.Text {
			case markDuplicate:
				p.Duplicates++
			case markOutOfOrder:
				p.OutOfOrder++
			}
		}
		if s.Provider == wire.ProviderPhasio {
			p.NoEventTime = true
		}
	}
	q := url.Values{}
	if provider != "" {
		q.Set("provider", provider)
	}
	p.Scenario = "/orders/" + url.PathEscape(key) + "/scenario?" + q.Encode()
	q.Set("raw", "1")
	p.ScenarioRaw = "/orders/" + url.PathEscape(key) + "/scenario?" + q.Encode()
	in.render(w, r, http.StatusOK, "timeline", p)
}

const (
	markDuplicate  = "duplicate"
	markOutOfOrder = "out of order"
)

// timelineBuilder lays out an order's deliveries one at a time, in
// arrival order: each verified payload compared with the last one applied
// before it (a duplicate is not applied).
type timelineBuilder struct {
	out         []snapshot
	seen        map[string]int
	prevPtrs    []string
	prevVals    map[string]string
	prevPayload []byte
	havePrev    bool
	newest      time.Time
}

// add appends the snapshot of the next delivery; it keeps nothing of d
// but the payload last applied.
func (tb *timelineBuilder) add(d *capture.Delivery) {
	if tb.seen == nil {
		tb.seen = map[string]int{}
	}
	s := snapshot{N: len(tb.out) + 1, ID: d.ID, URL: "/deliveries/" + strconv.FormatInt(d.ID, 10), At: d.ReceivedAt,
		Provider: d.Provider, Event: d.Event, DeliveryID: d.DeliveryID, Status: d.Status, StatusClass: statusClass(d.Status),
		Outcome: d.Outcome, Verdict: string(d.Verdict())}
	s.VerdictClass = "ok"
	if d.Verdict() != capture.VerdictOK {
		s.VerdictClass = "bad"
	}
	duplicate := false
	if n, ok := tb.seen[d.DeliveryID]; ok && d.DeliveryID != "" {
		duplicate = true
		s.Marks = append(s.Marks, mark{markDuplicate, "warn"})
		s.Note = "Message id already received as #" + strconv.Itoa(n) + "."
	} else if d.Outcome == "duplicate" {
		duplicate = true
		s.Marks = append(s.Marks, mark{markDuplicate, "warn"})
	}
	if d.DeliveryID != "" && !duplicate {
		tb.seen[d.DeliveryID] = s.N
	}
	if at := eventTime(d); !at.IsZero() {
		s.EventTime = at.UTC().Format(time.RFC3339)
		if at.Before(tb.newest) && !duplicate {
			s.Marks = append(s.Marks, mark{markOutOfOrder, "bad"})
			s.Note = "Its event time is before " + tb.newest.UTC().Format(time.RFC3339) + ", already received: a receiver must not apply it over the newer snapshot."
		}
		if at.After(tb.newest) {
			tb.newest = at
		}
	} else if d.Outcome == "stale" {
		s.Marks = append(s.Marks, mark{markOutOfOrder, "bad"})
	}
	switch {
	case d.Payload == nil:
		s.Note = "No verified payload (" + s.Verdict + "): nothing to compare."
	case tb.havePrev && bytes.Equal(d.Payload, tb.prevPayload):
		// A redelivery: nothing to walk.
		if s.Note == "" {
			s.Note = "Same payload as the snapshot before."
		}
	default:
		ptrs, vals, ok := leaves(d.Payload, len(tb.prevPtrs)) // the last snapshot's size
		switch {
		case !ok:
			s.Note = "The payload is too large or not JSON: not compared."
		case !tb.havePrev:
			s.First, s.Fields = true, len(ptrs)
		default:
			s.Changes = diff(tb.prevPtrs, tb.prevVals, ptrs, vals)
			if len(s.Changes) == 0 && s.Note == "" {
				s.Note = "Same payload as the snapshot before."
			}
		}
		if ok && !duplicate {
			tb.prevPtrs, tb.prevVals, tb.prevPayload, tb.havePrev = ptrs, vals, d.Payload, true
		}
	}
	tb.out = append(tb.out, s)
}

// eventTime is the time the platform says the event happened, where the
// wire carries one: HappyColis header.date, Standard Webhooks
// webhook-timestamp. Phasio carries none.
func eventTime(d *capture.Delivery) time.Time {
	switch d.Provider {
	case wire.ProviderHappyColis:
		var env struct {
			Header struct {
				Date string `json:"date"`
			} `json:"header"`
		}
		if json.Unmarshal(d.Payload, &env) == nil {
			if t, err := time.Parse(time.RFC3339Nano, env.Header.Date); err == nil {
				return t
			}
		}
	case wire.ProviderStandard:
		if n, err := strconv.ParseInt(d.Header.Get(wire.StandardTimestampHeader), 10, 64); err == nil {
			return time.Unix(n, 0)
		}
	}
	return time.Time{}
}
