package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/platform"
	"github.com/orderhooks/orderhooks/internal/testkit"
)

// testProfile returns the named profile with the test secret, a seeded
// random source and (standard) a clock at testkit.Time.
func testProfile(t testing.TB, name string) Profile {
	t.Helper()
	opts := []Option{WithRand(testkit.Rand(1))}
	if name == ProviderStandard {
		opts = append(opts, WithClock(testkit.Clock))
	}
	p, err := New(name, []string{testkit.Secret(name)}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// profileCases pairs each profile with the events it sends: Standard
// Webhooks carries either platform's payloads.
func profileCases(t *testing.T) []struct {
	profile string
	events  []*generator.Event
} {
	phasio := testkit.Events(t, generator.ProviderPhasio, 3)
	hc := testkit.Events(t, generator.ProviderHappyColis, 3)
	return []struct {
		profile string
		events  []*generator.Event
	}{
		{generator.ProviderPhasio, phasio},
		{generator.ProviderHappyColis, hc},
		{ProviderStandard, phasio},
		{ProviderStandard, hc},
	}
}

// TestBuildVerifyFaults builds every event with every fault and checks
// Verify's verdict: request-level faults fail with their sentinel,
// delivery-level ones (and none) verify to the event's payload.
func TestBuildVerifyFaults(t *testing.T) {
	faults := []struct {
		fault Fault
		want  error
	}{
		{FaultNone, nil},
		{FaultDuplicate, nil},
		{FaultReorder, nil},
		{FaultDelay, nil},
		{FaultTamper, ErrSignatureMismatch},
		{FaultBadSignature, ErrSignatureMismatch},
		{FaultWrongKey, ErrSignatureMismatch},
		{FaultMissingSignature, ErrMissingSignature},
		{FaultMalformedBody, ErrMalformedBody},
		{FaultStaleTimestamp, ErrStaleTimestamp},
	}
	for _, pc := range profileCases(t) {
		p := testProfile(t, pc.profile)
		for _, f := range faults {
			t.Run(pc.profile+"/"+pc.events[0].Provider+"/"+string(f.fault), func(t *testing.T) {
				for i, ev := range pc.events {
					msg := &Message{Event: ev, ID: "msg-" + string(rune('a'+i)), Time: testkit.Time}
					req, err := p.Build(msg, f.fault)
					if f.fault == FaultStaleTimestamp && pc.profile != ProviderStandard {
						if !errors.Is(err, ErrFaultNotApplicable) {
							t.Fatalf("Build: %v, want ErrFaultNotApplicable", err)
						}
						return
					}
					if err != nil {
						t.Fatalf("Build: %v", err)
					}
					if req.Fault != f.fault || !bytes.Equal(req.Plaintext, ev.Payload) {
						t.Fatalf("request fault %q, plaintext %.40s…", req.Fault, req.Plaintext)
					}
					if f.fault == FaultTamper && !json.Valid(req.Body) {
						t.Fatalf("tampered body is not JSON: %s", req.Body)
					}
					got, err := p.Verify(req.Header, req.Body)
					if f.want != nil {
						if !errors.Is(err, f.want) {
							t.Fatalf("Verify: %v, want %v", err, f.want)
						}
						continue
					}
					if err != nil {
						t.Fatalf("Verify: %v", err)
					}
					checkReceived(t, pc.profile, msg, got)
				}
			})
		}
	}
}

// checkReceived compares a verified delivery with the message sent.
func checkReceived(t *testing.T, profile string, msg *Message, got *Received) {
	t.Helper()
	wantEvent, wantPayload, wantID := msg.Event.Event, []byte(msg.Event.Payload), msg.ID
	switch profile {
	case generator.ProviderHappyColis:
		stamped, err := stampPayload(msg.Event.Payload, []stampField{{jsonptr.Pointer{"header", "messageId"}, msg.ID}})
		if err != nil {
			t.Fatal(err)
		}
		wantPayload = stamped
		if !got.Time.Equal(msg.Event.At) {
			t.Errorf("time %s, want header.date %s", got.Time, msg.Event.At)
		}
	case ProviderStandard:
		wantEvent = platform.StandardType(msg.Event.Event)
		if !got.Time.Equal(msg.Time) {
			t.Errorf("time %s, want %s", got.Time, msg.Time)
		}
	}
	if got.Event != wantEvent || got.ID != wantID || !bytes.Equal(got.Payload, wantPayload) {
		t.Errorf("got event %q id %q payload %.60s…; want %q %q %.60s…", got.Event, got.ID, got.Payload, wantEvent, wantID, wantPayload)
	}
}

// TestBuildDeterministic: the same random source gives the same bytes, and
// faults that draw randomness draw different bytes for different sources.
func TestBuildDeterministic(t *testing.T) {
	phasio := testkit.Events(t, generator.ProviderPhasio, 1)[0]
	hc := testkit.Events(t, generator.ProviderHappyColis, 1)[0]
	for _, name := range []string{generator.ProviderPhasio, generator.ProviderHappyColis, ProviderStandard} {
		msg := &Message{Event: phasio, ID: "m1", Time: testkit.Time}
		if name == generator.ProviderHappyColis {
			msg.Event = hc
		}
		for _, fault := range []Fault{FaultNone, FaultWrongKey, FaultBadSignature} {
			t.Run(name+"/"+string(fault), func(t *testing.T) {
				a, b := testProfile(t, name), testProfile(t, name)
				ra, err := a.Build(msg, fault)
				if err != nil {
					t.Fatal(err)
				}
				rb, _ := b.Build(msg, fault)
				if !bytes.Equal(ra.Body, rb.Body) || !equalHeaders(ra.Header, rb.Header) {
					t.Fatalf("same seed, different requests:\n%v %s\n%v %s", ra.Header, ra.Body, rb.Header, rb.Body)
				}
				if fault == FaultNone && name != generator.ProviderPhasio {
					return // nothing random to vary
				}
				again, _ := a.Build(msg, fault)
				if bytes.Equal(ra.Body, again.Body) && equalHeaders(ra.Header, again.Header) {
					t.Fatal("the next Build drew no fresh randomness")
				}
			})
		}
	}
}

func equalHeaders(a, b map[string][]string) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// TestBuildBadMessage rejects messages without an event, payload or id.
func TestBuildBadMessage(t *testing.T) {
	ev := &generator.Event{Seq: 3, Event: generator.HappyColisUpdated, Payload: []byte(`{"header":{},"body":{}}`)}
	tests := []struct {
		name    string
		profile string
		msg     *Message
		want    error
	}{
		{"nil message", generator.ProviderPhasio, nil, ErrBadMessage},
		{"no event", generator.ProviderPhasio, &Message{ID: "x"}, ErrBadMessage},
		{"no payload", generator.ProviderPhasio, &Message{Event: &generator.Event{}}, ErrBadMessage},
		{"happycolis without id", generator.ProviderHappyColis, &Message{Event: ev}, ErrBadMessage},
		{"standard without id", ProviderStandard, &Message{Event: ev, Time: testkit.Time}, ErrBadMessage},
		{"happycolis payload not an envelope", generator.ProviderHappyColis,
			&Message{ID: "x", Event: &generator.Event{Payload: []byte(`[1]`)}}, ErrBadMessage},
		{"unknown fault", generator.ProviderPhasio, &Message{Event: ev}, ErrFaultNotApplicable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fault := FaultNone
			if tt.want == ErrFaultNotApplicable {
				fault = "melt"
			}
			_, err := testProfile(t, tt.profile).Build(tt.msg, fault)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Build: %v, want %v", err, tt.want)
			}
		})
	}
}

// TestProfileByName builds each profile and rejects wrong secret counts
// and unknown providers.
func TestProfileByName(t *testing.T) {
	tests := []struct {
		provider string
		secrets  []string
		want     error
	}{
		{generator.ProviderPhasio, []string{testkit.PhasioSecret}, nil},
		{generator.ProviderHappyColis, []string{testkit.HappyColisSecret}, nil},
		{ProviderStandard, []string{testkit.StandardSecret, testkit.StandardSecret}, nil},
		{generator.ProviderPhasio, []string{testkit.PhasioSecret, testkit.PhasioSecret}, ErrBadSecret},
		{generator.ProviderHappyColis, nil, ErrBadSecret},
		{ProviderStandard, nil, ErrBadSecret},
		{"shopify", []string{"x"}, ErrUnknownProvider},
	}
	for _, tt := range tests {
		t.Run(tt.provider, func(t *testing.T) {
			p, err := New(tt.provider, tt.secrets, WithRand(testkit.Rand(2)))
			if !errors.Is(err, tt.want) {
				t.Fatalf("err %v, want %v", err, tt.want)
			}
			if err == nil && p.Name() != tt.provider {
				t.Fatalf("Name %q, want %q", p.Name(), tt.provider)
			}
		})
	}
}

// TestReason strips the package prefix of any wrapped sentinel.
func TestReason(t *testing.T) {
	if got := Reason(ErrSignatureMismatch); got != "signature mismatch" {
		t.Errorf("Reason = %q", got)
	}
	if got := Reason(errors.Join(ErrMalformedBody)); got != "malformed body" {
		t.Errorf("Reason = %q", got)
	}
}

// TestBuildInBuf: a body Build makes (Phasio's sealed payload, the
// Standard Webhooks envelope) is written in Message.Buf when it has room,
// with the same bytes as without it, and costs one allocation less; a
// Buf without room is left alone.
func TestBuildInBuf(t *testing.T) {
	faults := []Fault{FaultNone, FaultTamper, FaultBadSignature, FaultWrongKey, FaultMissingSignature, FaultMalformedBody}
	for _, pc := range profileCases(t) {
		makes := pc.profile != generator.ProviderHappyColis
		for _, f := range faults {
			t.Run(pc.profile+"/"+pc.events[0].Provider+"/"+string(f), func(t *testing.T) {
				plain, inBuf, small := testProfile(t, pc.profile), testProfile(t, pc.profile), testProfile(t, pc.profile)
				buf, tiny := make([]byte, 0, 64<<10), make([]byte, 0, 16)
				for i, ev := range pc.events {
					msg := Message{Event: ev, ID: "msg-" + string(rune('a'+i)), Time: testkit.Time}
					want, err := plain.Build(&msg, f)
					if err != nil {
						t.Fatal(err)
					}
					withBuf := msg
					withBuf.Buf = buf
					got, err := inBuf.Build(&withBuf, f)
					if err != nil {
						t.Fatal(err)
					}
					withTiny := msg
					withTiny.Buf = tiny
					gotTiny, err := small.Build(&withTiny, f)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got.Body, want.Body) || !bytes.Equal(gotTiny.Body, want.Body) {
						t.Fatalf("body with Buf differs:\n%.80s\n%.80s\nwant %.80s", got.Body, gotTiny.Body, want.Body)
					}
					if g, w := fmt.Sprint(got.Header), fmt.Sprint(want.Header); g != w {
						t.Fatalf("headers with Buf %s, want %s", g, w)
					}
					if shared := len(got.Body) > 0 && &got.Body[0] == &buf[:1][0]; shared != makes {
						t.Fatalf("body in Buf: %v, want %v", shared, makes)
					}
					if len(gotTiny.Body) > 0 && &gotTiny.Body[0] == &tiny[:1][0] {
						t.Fatal("body written in a Buf without room")
					}
				}
			})
		}
	}
	for _, name := range []string{generator.ProviderPhasio, ProviderStandard} {
		p := testProfile(t, name)
		msg := &Message{Event: testkit.Events(t, generator.ProviderPhasio, 1)[0], ID: "m1", Time: testkit.Time}
		without := testing.AllocsPerRun(50, func() { _, _ = p.Build(msg, FaultNone) })
		msg.Buf = make([]byte, 0, 64<<10)
		with := testing.AllocsPerRun(50, func() { _, _ = p.Build(msg, FaultNone) })
		if with != without-1 {
			t.Errorf("%s: %v allocations with Buf, %v without: want one less", name, with, without)
		}
	}
}
