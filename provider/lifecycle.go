package provider

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/jsontree"
)

// TransitionValues are what a transition's templates refer to.
type TransitionValues struct {
	// Time is the event's time ({time}, {time.unix}).
	Time time.Time
	// Seq numbers the entity's events from 1 ({seq}).
	Seq int64
	// Key is the entity key ({key}).
	Key string
	// Gen returns a fresh JSON value for the pointer from the event's
	// schema ({gen}); nil: {gen} is an error.
	Gen func(ptr string) (json.RawMessage, error)
}

// Transition returns the lifecycle transition called name.
func (d *Definition) Transition(name string) (*Transition, int, bool) {
	if d.f.Lifecycle == nil {
		return nil, 0, false
	}
	for i := range d.f.Lifecycle.Transitions {
		if t := &d.f.Lifecycle.Transitions[i]; t.Name == name {
			return t, i, true
		}
	}
	return nil, 0, false
}

// Apply makes the payload transition name emits from the entity's
// previous snapshot prev: the lifecycle's state pointer set to the
// transition's to state (unless the transition sets it itself), its set
// values written and its remove pointers removed, every other member kept
// in its place. The result is compact
// JSON; checking it against the emitted event's schema is the caller's.
func (d *Definition) Apply(name string, prev []byte, v TransitionValues) ([]byte, error) {
	t, i, ok := d.Transition(name)
	if !ok {
		return nil, fmt.Errorf("%w: no transition %q", ErrDefinition, name)
	}
	doc, err := decodeOrdered(prev)
	if err != nil {
		return nil, fmt.Errorf("provider: transition %s: previous snapshot: %w", name, err)
	}
	prevDoc, _ := decodeOrdered(prev)
	if st := d.f.Lifecycle.State; st != "" {
		if _, own := t.Set.Get(st); !own {
			if doc, err = setAt(doc, st, t.To); err != nil {
				return nil, fmt.Errorf("provider: transition %s: state %s: %w", name, st, err)
			}
		}
	}
	for j, ptr := range t.Set.Keys {
		val := json.RawMessage(t.Set.Vals[j])
		if tm := d.tmpl[fmt.Sprintf("/lifecycle/transitions/%d/set/%s", i, escape(ptr))]; tm != nil {
			if val, err = renderValue(tm, ptr, prevDoc, v); err != nil {
				return nil, fmt.Errorf("provider: transition %s: set %s: %w", name, ptr, err)
			}
		}
		nv, err := decodeOrdered(val)
		if err != nil {
			return nil, fmt.Errorf("provider: transition %s: set %s: %w", name, ptr, err)
		}
		if doc, err = setAt(doc, ptr, nv); err != nil {
			return nil, fmt.Errorf("provider: transition %s: set %s: %w", name, ptr, err)
		}
	}
	for _, ptr := range t.Remove {
		doc = removeAt(doc, ptr)
	}
	return appendOrdered(nil, doc), nil
}

// renderValue renders a set template to a JSON value: a template that is
// one variable alone gives that variable's JSON value (a number for
// {time.unix} and {seq}, the value itself for {prev:/PTR} and {gen}),
// any other the rendered string.
func renderValue(tm *Template, ptr string, prev any, v TransitionValues) (json.RawMessage, error) {
	raw := func(p Part) (json.RawMessage, error) {
		switch p.Var {
		case "time":
			b, _ := json.Marshal(v.Time.UTC().Format(time.RFC3339Nano))
			return b, nil
		case "time.unix":
			return json.RawMessage(strconv.FormatInt(v.Time.Unix(), 10)), nil
		case "seq":
			return json.RawMessage(strconv.FormatInt(v.Seq, 10)), nil
		case "key":
			b, _ := json.Marshal(v.Key)
			return b, nil
		case "prev":
			x, ok := lookupOrdered(prev, p.Arg)
			if !ok {
				return nil, fmt.Errorf("the previous snapshot has no %s", p.Arg)
			}
			return appendOrdered(nil, x), nil
		case "gen":
			if v.Gen == nil {
				return nil, fmt.Errorf("{gen}: %w", ErrTemplateValue)
			}
			return v.Gen(ptr)
		}
		return nil, fmt.Errorf("{%s}: %w", p.Var, ErrTemplateValue)
	}
	if p, ok := tm.Only(); ok && len(p.Filters) == 0 {
		return raw(p)
	}
	s, err := tm.Render(func(p Part) (string, error) {
		r, err := raw(p)
		if err != nil {
			return "", err
		}
		var str string
		if json.Unmarshal(r, &str) == nil {
			return str, nil
		}
		return string(r), nil
	})
	if err != nil {
		return nil, err
	}
	return json.Marshal(s)
}

// decodeOrdered decodes JSON keeping members in order (*jsontree.Object)
// and numbers as written.
func decodeOrdered(b []byte) (any, error) { return jsontree.Decode(b, 512) }

// appendOrdered writes a decoded value as compact JSON.
func appendOrdered(b []byte, v any) []byte { return jsontree.Append(b, v) }

// lookupOrdered finds the value at ptr in an ordered tree.
func lookupOrdered(doc any, ptr string) (any, bool) {
	p, err := jsonptr.Parse(ptr)
	if err != nil {
		return nil, false
	}
	return jsonptr.Get(doc, p)
}

// setAt sets the value at ptr, creating the objects missing on the way
// (a transition may fill in an optional object the payload lacked).
func setAt(doc any, ptr string, val any) (any, error) {
	p, err := jsonptr.Parse(ptr)
	if err != nil {
		return nil, err
	}
	for i := 1; i < len(p); i++ {
		if _, ok := jsonptr.Get(doc, p[:i]); !ok {
			if doc, err = jsontree.Set(doc, p[:i], &jsontree.Object{}); err != nil {
				return nil, err
			}
		}
	}
	return jsontree.Set(doc, p, val)
}

// removeAt removes the member or item at ptr, if there is one.
func removeAt(doc any, ptr string) any {
	p, err := jsonptr.Parse(ptr)
	if err != nil || len(p) == 0 {
		return doc
	}
	if out, err := jsontree.Remove(doc, p); err == nil {
		return out
	}
	return doc
}
