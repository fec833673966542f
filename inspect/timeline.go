package inspect

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/orderhooks/orderhooks/capture"
	"github.com/orderhooks/orderhooks/wire"
)

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

var errEnough = errors.New("enough")

// timeline serves every delivery of one order in arrival order, each
// snapshot compared with the one before, duplicates and out-of-order
// arrivals marked.
func (in *Inspector) timeline(w http.ResponseWriter, r *http.Request) {
	key, provider := r.PathValue("key"), r.URL.Query().Get("provider")
	p := &timelinePage{base: in.base("Order "+key, "timeline"), Key: key, Provider: provider}
	var ds []*capture.Delivery
	err := in.store.Each(r.Context(), capture.Filter{Provider: provider, Key: key}, func(d *capture.Delivery) error {
		if len(ds) == MaxTimeline {
			p.Truncated = true
			return errEnough
		}
		ds = append(ds, d)
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		in.storeError(w, r, err)
		return
	}
	if len(ds) == 0 {
		in.notFound(w, r, "There is no delivery of order "+strconv.Quote(key)+" in this store.")
		return
	}
	p.Snapshots = snapshots(ds)
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

// snapshots lays out an order's deliveries: each verified payload compared
// with the last one applied before it (a duplicate is not applied).
func snapshots(ds []*capture.Delivery) []snapshot {
	out := make([]snapshot, 0, len(ds))
	seen := map[string]int{}
	var prevPtrs []string
	var prevVals map[string]string
	havePrev := false
	var newest time.Time
	for i, d := range ds {
		s := snapshot{N: i + 1, ID: d.ID, URL: "/deliveries/" + strconv.FormatInt(d.ID, 10), At: d.ReceivedAt,
			Provider: d.Provider, Event: d.Event, DeliveryID: d.DeliveryID, Status: d.Status, StatusClass: statusClass(d.Status),
			Outcome: d.Outcome, Verdict: string(d.Verdict())}
		s.VerdictClass = "ok"
		if d.Verdict() != capture.VerdictOK {
			s.VerdictClass = "bad"
		}
		duplicate := false
		if n, ok := seen[d.DeliveryID]; ok && d.DeliveryID != "" {
			duplicate = true
			s.Marks = append(s.Marks, mark{markDuplicate, "warn"})
			s.Note = "Message id already received as #" + strconv.Itoa(n) + "."
		} else if d.Outcome == "duplicate" {
			duplicate = true
			s.Marks = append(s.Marks, mark{markDuplicate, "warn"})
		}
		if d.DeliveryID != "" && !duplicate {
			seen[d.DeliveryID] = s.N
		}
		if at := eventTime(d); !at.IsZero() {
			s.EventTime = at.UTC().Format(time.RFC3339)
			if at.Before(newest) && !duplicate {
				s.Marks = append(s.Marks, mark{markOutOfOrder, "bad"})
				s.Note = "Its event time is before " + newest.UTC().Format(time.RFC3339) + ", already received: a receiver must not apply it over the newer snapshot."
			}
			if at.After(newest) {
				newest = at
			}
		} else if d.Outcome == "stale" {
			s.Marks = append(s.Marks, mark{markOutOfOrder, "bad"})
		}
		if d.Payload == nil {
			s.Note = "No verified payload (" + s.Verdict + "): nothing to compare."
			out = append(out, s)
			continue
		}
		ptrs, vals, ok := leaves(d.Payload)
		switch {
		case !ok:
			s.Note = "The payload is too large or not JSON: not compared."
		case !havePrev:
			s.First, s.Fields = true, len(ptrs)
		default:
			s.Changes = diff(prevPtrs, prevVals, ptrs, vals)
			if len(s.Changes) == 0 && s.Note == "" {
				s.Note = "Same payload as the snapshot before."
			}
		}
		if ok && !duplicate {
			prevPtrs, prevVals, havePrev = ptrs, vals, true
		}
		out = append(out, s)
	}
	return out
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
