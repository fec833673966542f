package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/jsonscan"
)

// Check proves what can be proved without sending: every event's schema
// compiles; for the events without a named generator, a payload generated
// from the schema validates and holds the entity key. Problems are
// reported like Parse's.
func (d *Definition) Check(ctx context.Context) error {
	ps := &problems{file: d.source, data: d.data}
	for _, e := range d.events {
		if err := ctx.Err(); err != nil {
			return err
		}
		s, err := e.Schema()
		if err != nil {
			var pe *Error
			if errors.As(err, &pe) {
				ps.list = append(ps.list, pe)
			} else {
				ps.addErr(e.Pointer()+"/schema", err)
			}
			continue
		}
		if d.f.Generator != "" {
			continue // the named generator makes and checks its payloads
		}
		payload, err := s.Generate(1)
		if err != nil {
			ps.add(e.Pointer()+"/schema", "no payload can be generated: %v", err)
			continue
		}
		if err := s.Check(payload); err != nil {
			ps.add(e.Pointer()+"/schema", "a generated payload does not validate: %v", err)
			continue
		}
		if len(e.Key) > 0 && !hasAny(payload, e.Key) {
			ps.add(e.Pointer(), "the schema gives no value at the entity key %v: make it required", e.Key)
		}
	}
	if l := d.f.Lifecycle; l != nil && len(l.Transitions) > 0 && !d.anyError(ps) {
		d.checkScenarios(ctx, ps)
	}
	return ps.err()
}

// anyError reports whether the events' schemas had problems already.
func (d *Definition) anyError(ps *problems) bool { return len(ps.list) > 0 }

// checkScenarios plays every scenario of a data lifecycle once: the
// first payload generated from its event's schema, each later one the
// transition applied to the one before; every payload must validate and
// hold the transition's state.
func (d *Definition) checkScenarios(ctx context.Context, ps *problems) {
	l := d.f.Lifecycle
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, sc := range l.Scenarios {
		var prev []byte
		for k, step := range sc.Steps {
			if ctx.Err() != nil {
				return
			}
			ptr := fmt.Sprintf("/lifecycle/scenarios/%d/steps/%d", i, k)
			t, _, _ := d.Transition(step)
			ev := d.byName[t.Emits]
			s, err := ev.Schema()
			if err != nil {
				ps.addErr(ptr, err)
				return
			}
			if prev == nil {
				if prev, err = s.Generate(int64(i + 1)); err != nil {
					ps.add(ptr, "no payload of %s can be generated: %v", ev.Name, err)
					break
				}
			}
			doc, _ := decodeJSON(prev)
			payload, err := d.Apply(step, prev, TransitionValues{
				Time: at.Add(time.Duration(k) * time.Minute), Seq: int64(k + 1), Key: KeyOf(doc, ev.Key),
				Gen: func(p string) (json.RawMessage, error) { return genAt(s, int64(i*1000+k), p) },
			})
			if err != nil {
				ps.add(ptr, "%v", err)
				break
			}
			if err := s.Check(payload); err != nil {
				ps.add(ptr, "after %s, the %s payload does not validate: %v", step, ev.Name, err)
				break
			}
			prev = payload
		}
	}
}

// genAt generates a payload and returns its value at ptr.
func genAt(s *EventSchema, seed int64, ptr string) (json.RawMessage, error) {
	p, err := s.Generate(seed)
	if err != nil {
		return nil, err
	}
	doc, err := decodeOrdered(p)
	if err != nil {
		return nil, err
	}
	v, ok := lookupOrdered(doc, ptr)
	if !ok {
		return nil, fmt.Errorf("the schema generates nothing at %s", ptr)
	}
	return appendOrdered(nil, v), nil
}

// hasAny reports whether the JSON document has a value at one of ptrs.
func hasAny(doc []byte, ptrs []string) bool {
	v, err := decodeJSON(doc)
	if err != nil {
		return false
	}
	for _, p := range ptrs {
		if x, ok := lookup(v, p); ok && x != nil {
			return true
		}
	}
	return false
}

// KeyOfJSON is KeyOf on a document's JSON text, read in place: the
// value at the first of ptrs present, as text, as encoding/json would
// decode it (the last of duplicate members counts). "" when none is there
// or doc is not JSON.
func KeyOfJSON(doc []byte, ptrs []string) string {
	var sc jsonscan.Scanner
	for _, p := range ptrs {
		ptr, err := jsonptr.Parse(p)
		if err != nil {
			continue
		}
		sc.Reset(doc)
		v := findJSON(&sc, ptr)
		if sc.End(); sc.Err() != nil {
			return ""
		}
		if v.key {
			return v.text
		}
	}
	return ""
}

// found is what findJSON found at a pointer: key is true for a string
// or a number (text is then its decoded text).
type found struct {
	key  bool
	text string
}

// findJSON reads one value and returns what is at p within it.
func findJSON(sc *jsonscan.Scanner, p jsonptr.Pointer) found {
	if len(p) == 0 {
		switch sc.Peek() {
		case jsonscan.String:
			raw, esc, _ := sc.String()
			return found{key: true, text: jsonscan.Text(raw, esc)}
		case jsonscan.Number:
			raw, _ := sc.Number()
			return found{key: true, text: string(raw)}
		}
		sc.Skip()
		return found{}
	}
	var v found
	switch sc.Peek() {
	case jsonscan.Object:
		sc.BeginObject()
		for {
			k, esc, ok := sc.NextKey()
			if !ok {
				return v
			}
			if (!esc && string(k) == p[0]) || (esc && jsonscan.Text(k, true) == p[0]) {
				v = findJSON(sc, p[1:]) // the last of duplicates counts
			} else {
				sc.Skip()
			}
		}
	case jsonscan.Array:
		want, ok := jsonptr.Index(p[0], math.MaxInt, false)
		sc.BeginArray()
		for i := 0; sc.NextItem(); i++ {
			if ok && i == want {
				v = findJSON(sc, p[1:])
			} else {
				sc.Skip()
			}
		}
		return v
	}
	sc.Skip()
	return v
}

// KeyOf finds the entity key of a decoded payload: the value at the
// first of ptrs present, as text ("" when none is).
func KeyOf(doc any, ptrs []string) string {
	for _, p := range ptrs {
		if v, ok := lookup(doc, p); ok {
			switch v := v.(type) {
			case string:
				return v
			case fmt.Stringer: // json.Number
				return v.String()
			case float64:
				return strconv.FormatFloat(v, 'f', -1, 64)
			}
		}
	}
	return ""
}
