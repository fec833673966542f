package contracts_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/orderhooks/orderhooks/schemas"
	"github.com/orderhooks/orderhooks/wire"
)

// flaw is one way testReceiver can be broken; the zero value is correct.
type flaw int

const (
	correct              flaw = iota
	acceptsAnySignature       // answers 200 to deliveries that fail verification
	failsRedelivery           // answers 500 to a message id it has seen
	appliesDuplicates         // no dedup: a redelivery is counted again
	appliesStale              // no ordering: an older snapshot overwrites a newer one
	slow                      // sleeps slowDelay before answering a delivery
	rejectsUnknownFields      // validates payloads against the strict schemas
	always500                 // answers 500 to every request
	always200                 // answers 200 {"ok":true} to every request
	badResponseBody           // answers 2xx with a body that is not JSON
)

// slowDelay makes every delivery slower than an SLO of half of it, however
// fast the machine: a sleep, not a race.
const slowDelay = 5 * time.Millisecond

// testReceiver is a small hand-written receiver, independent of
// receiver.Receiver except for the profile's signature check: it stores the
// newest snapshot per order with the number of deliveries applied, ignores
// redeliveries by message id and older snapshots by their time, and serves
// GET /orders/{key}.
type testReceiver struct {
	profile  wire.Profile
	provider string // payload provider, for the strict schemas
	flaw     flaw

	mu     sync.Mutex
	seen   map[string]bool
	orders map[string]*storedOrder
}

type storedOrder struct {
	snapshot map[string]any
	at       time.Time
	applied  int
}

func newTestReceiver(profile wire.Profile, payloads string, f flaw) *testReceiver {
	return &testReceiver{profile: profile, provider: payloads, flaw: f, seen: map[string]bool{}, orders: map[string]*storedOrder{}}
}

func (rv *testReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case rv.flaw == always500:
		http.Error(w, "internal error", http.StatusInternalServerError)
	case rv.flaw == always200:
		answer(w, http.StatusOK, `{"ok":true}`)
	case r.Method == http.MethodGet:
		rv.get(w, r)
	case r.Method == http.MethodPost:
		rv.post(w, r)
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func answer(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func (rv *testReceiver) post(w http.ResponseWriter, r *http.Request) {
	if rv.flaw == slow {
		time.Sleep(slowDelay)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		answer(w, http.StatusBadRequest, `{"ok":false}`)
		return
	}
	got, err := rv.profile.Verify(r.Header, body)
	switch {
	case errors.Is(err, wire.ErrMalformedBody):
		answer(w, http.StatusBadRequest, `{"ok":false,"error":"malformed body"}`)
		return
	case err != nil && rv.flaw == acceptsAnySignature:
		answer(w, http.StatusOK, `{"ok":true}`)
		return
	case err != nil:
		answer(w, http.StatusUnauthorized, `{"ok":false,"error":"unauthorized"}`)
		return
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(got.Payload))
	dec.UseNumber() // order ids print as they came, not as 2.2e+07
	if err := dec.Decode(&doc); err != nil {
		answer(w, http.StatusBadRequest, `{"ok":false,"error":"not a JSON object"}`)
		return
	}
	if rv.flaw == rejectsUnknownFields {
		if err := rv.strict(got.Event, got.Payload); err != nil {
			answer(w, http.StatusBadRequest, `{"ok":false,"error":"unknown field"}`)
			return
		}
	}
	status := rv.apply(got, doc)
	if rv.flaw == badResponseBody && status == http.StatusOK {
		answer(w, status, "thanks!")
		return
	}
	answer(w, status, fmt.Sprintf(`{"ok":%t}`, status == http.StatusOK))
}

// strict validates a payload against its strict schema, which forbids
// undocumented fields.
func (rv *testReceiver) strict(event string, payload []byte) error {
	if rv.profile.Name() == wire.ProviderStandard { // "order.updated" carrying a Phasio order
		event = strings.ToUpper(strings.ReplaceAll(event, ".", "_"))
	}
	name, err := schemas.ForEvent(rv.provider, event, true)
	if err != nil {
		return err
	}
	s, err := schemas.Get(name)
	if err != nil {
		return err
	}
	return s.ValidateJSON(payload)
}

// apply stores a verified snapshot and returns the status to answer.
func (rv *testReceiver) apply(got *wire.Received, doc map[string]any) int {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	if got.ID != "" && rv.seen[got.ID] {
		switch rv.flaw {
		case failsRedelivery:
			return http.StatusInternalServerError
		case appliesDuplicates:
		default:
			return http.StatusOK
		}
	}
	if got.ID != "" {
		rv.seen[got.ID] = true
	}
	key := orderKeyOf(doc)
	o := rv.orders[key]
	if o == nil {
		o = &storedOrder{}
		rv.orders[key] = o
	}
	if o.snapshot != nil && got.Time.Before(o.at) && rv.flaw != appliesStale {
		return http.StatusOK
	}
	o.snapshot, o.at = doc, got.Time
	o.applied++
	return http.StatusOK
}

// orderKeyOf is the Phasio orderId or the HappyColis body.id.
func orderKeyOf(doc map[string]any) string {
	if id, ok := doc["orderId"]; ok {
		return fmt.Sprint(id)
	}
	if body, ok := doc["body"].(map[string]any); ok {
		return fmt.Sprint(body["id"])
	}
	return ""
}

// get serves GET /orders/{key}: the snapshot with the deliveries applied.
func (rv *testReceiver) get(w http.ResponseWriter, r *http.Request) {
	var key string
	if _, err := fmt.Sscanf(r.URL.Path, "/orders/%s", &key); err != nil {
		http.NotFound(w, r)
		return
	}
	rv.mu.Lock()
	defer rv.mu.Unlock()
	o := rv.orders[key]
	if o == nil {
		http.NotFound(w, r)
		return
	}
	state := map[string]any{"appliedDeliveries": o.applied}
	for k, v := range o.snapshot {
		state[k] = v
	}
	b, _ := json.Marshal(state)
	answer(w, http.StatusOK, string(b))
}
