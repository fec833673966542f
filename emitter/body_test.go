package emitter

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/testkit"
	"github.com/orderhooks/orderhooks/internal/testkit/testwire"
	"github.com/orderhooks/orderhooks/wire"
)

// TestWorkerReusesBody: on the direct path a worker builds each body in
// the memory of the one before (it has been sent and recorded by then);
// through net/http, which may read a body after the answer, each body is
// new; and a worker whose profile sends the payload as the body (stamped,
// for HappyColis) keeps no buffer.
func TestWorkerReusesBody(t *testing.T) {
	t.Parallel()
	hc := testkit.Events(t, generator.ProviderHappyColis, 1)[0]
	hp := testwire.Profile(t, generator.ProviderHappyColis)
	he, err := New(OneTarget(hp, "http://127.0.0.1:1/hooks"))
	if err != nil {
		t.Fatal(err)
	}
	hw := newWorker(he, context.Background(), newStats(0), nil, nil, 1)
	for i := range 3 {
		req, err := hw.build(&job{ev: hc, id: "h" + string(rune('a'+i)), target: he.targets.Default})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := hp.Verify(req.Header, req.Body); err != nil || got.Event != hc.Event {
			t.Fatalf("happycolis body %d does not verify: %v", i, err)
		}
	}
	if hw.body != nil || !hw.noBody {
		t.Errorf("a HappyColis worker keeps a body buffer of %d bytes", cap(hw.body))
	}
	ev := testkit.Events(t, generator.ProviderPhasio, 1)[0]
	p := testwire.Profile(t, generator.ProviderPhasio)
	for _, direct := range []bool{true, false} {
		opts := []Option{}
		if !direct {
			opts = append(opts, WithClient(&http.Client{}))
		}
		e, err := New(OneTarget(p, "http://127.0.0.1:1/hooks"), opts...)
		if err != nil {
			t.Fatal(err)
		}
		w := newWorker(e, context.Background(), newStats(0), nil, nil, 1)
		var bodies [][]byte
		for i := range 3 {
			req, err := w.build(&job{ev: ev, id: "m" + string(rune('a'+i)), target: e.targets.Default})
			if err != nil {
				t.Fatal(err)
			}
			if got, err := p.Verify(req.Header, req.Body); err != nil || !bytes.Equal(got.Payload, ev.Payload) {
				t.Fatalf("direct %v: body %d does not verify to its payload: %v", direct, i, err)
			}
			bodies = append(bodies, req.Body)
		}
		// The first body sizes the buffer; the next ones are written in it.
		if shared := sameMemory(bodies[2], bodies[1]); shared != direct {
			t.Errorf("direct %v: second and third bodies in the same memory: %v", direct, shared)
		}
	}
}

// TestDirectBodiesAsRecorded: with a body buffer reused per worker, every
// attempt (retries and duplicates included) sends the bytes its record
// shows, and each sent body verifies to its own event's payload.
func TestDirectBodiesAsRecorded(t *testing.T) {
	t.Parallel()
	p := testwire.Profile(t, generator.ProviderPhasio)
	var mu sync.Mutex
	sent := map[string]int{}
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		sent[string(b)]++
		n++
		fail := n%4 == 0
		mu.Unlock()
		if fail {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	var rec bytes.Buffer
	e, err := New(OneTarget(p, srv.URL), WithConcurrency(2), WithRecord(&rec), WithBackoff(time.Millisecond), WithSeed(5),
		WithFaults(Faults{Duplicate: 0.3, Tamper: 0.1, WrongKey: 0.1, BadSignature: 0.1}))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := e.Run(context.Background(), generator.Source(func(yield func(*generator.Event) error) error {
		for _, ev := range testkit.Events(t, generator.ProviderPhasio, 60) {
			if err := yield(ev); err != nil {
				return err
			}
		}
		return nil
	}))
	if err != nil || sum.Retries == 0 || sum.Deliveries <= 60 {
		t.Fatalf("%v: %+v (want retries and duplicates)", err, sum)
	}
	attempts := 0
	err = ReadRecords(&rec, func(r *Record) error {
		attempts++
		body := string(r.Request.Body)
		if sent[body] == 0 {
			t.Errorf("delivery %d attempt %d: the recorded body was never sent", r.Delivery, r.Attempt)
		}
		sent[body]--
		for _, f := range r.Faults {
			if f != wire.FaultDuplicate {
				return nil // signed or sealed wrong on purpose
			}
		}
		got, err := p.Verify(http.Header(r.Request.Header), r.Request.Body)
		if err != nil || !bytes.Equal(got.Payload, r.Event.Payload) {
			t.Errorf("delivery %d attempt %d: the body sent does not verify to its event's payload: %v", r.Delivery, r.Attempt, err)
		}
		return nil
	})
	if err != nil || attempts != int(sum.Attempts) {
		t.Fatalf("%v: %d records for %d attempts", err, attempts, sum.Attempts)
	}
}
