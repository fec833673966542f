package provider

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/orderhooks/orderhooks/apispec"
	"github.com/orderhooks/orderhooks/schemas"
)

// payloadPointers refuses the pointers a definition names into payloads
// (entity keys, compared pointers, snapshot times, free-text fields, the
// lifecycle's state and its transitions' set and remove pointers) that
// the payload schema of an event they apply to does not declare
// (apispec.Schema.Declares): a snapshot time the payloads never carry
// makes ignores-stale-snapshot fail a receiver that is right, a compared
// pointer to nowhere makes the state checks compare nothing. A schema
// that does not read, or a reference the walk cannot follow, is left to
// Check.
func (c *checker) payloadPointers() {
	d := c.d
	ev := d.f.Events
	if ev == nil {
		return
	}
	g := &pointerProblems{byPlace: map[string]int{}}
	schemaOf := map[string]func(string) bool{}
	declares := func(e *Event) func(string) bool {
		if e.imp != nil {
			return e.imp.ev.Declares
		}
		s := e.SchemaSource
		key := s.Builtin + "\x00" + s.Ref + "\x00" + string(s.Inline)
		if f, ok := schemaOf[key]; ok {
			return f
		}
		f := c.readSchema(s)
		if f == nil {
			f = func(string) bool { return true } // Check reports why it does not read
		}
		schemaOf[key] = f
		return f
	}
	for _, e := range d.events {
		has := declares(e)
		// where a field of e is written: at e itself (rule every), or
		// in the events section or events.import for all its events.
		place := func(field string, given bool) (string, rule) {
			switch {
			case given && e.imp == nil:
				return e.Pointer() + "/" + field, own
			case e.imp != nil && field == "key" && len(ev.Import.Key) > 0,
				e.imp != nil && field == "compare" && len(ev.Import.Compare) > 0:
				return "/events/import/" + field, some
			}
			return "/events/" + field, some
		}
		var es EventSpec
		if e.imp == nil {
			es = ev.List[e.index]
		}
		at, r := place("key", len(es.Key) > 0)
		for j, k := range e.Key {
			kat := at
			if len(e.Key) > 1 {
				kat += "/" + strconv.Itoa(j)
			}
			g.add(kat, fmt.Sprintf("entity key %q", k), e.Name, func() bool { return has(k) }, r)
		}
		at, r = place("compare", len(es.Compare) > 0)
		for j, cmp := range e.Compare {
			snap, _, _ := strings.Cut(cmp, "=")
			g.add(at+"/"+strconv.Itoa(j), fmt.Sprintf("compared pointer %q", snap), e.Name, func() bool { return has(snap) }, r)
		}
		if t := e.Time; t != nil && !t.None && t.Pointer != "" {
			at, r := place("time", es.Time != nil)
			g.add(at+"/pointer", fmt.Sprintf("snapshot time %q", t.Pointer), e.Name, func() bool { return has(t.Pointer) }, max(r, every))
		}
		if e.FreeText != "" {
			at, r := place("freeText", es.FreeText != "")
			g.add(at, fmt.Sprintf("free-text field %q", e.FreeText), e.Name, func() bool { return has(e.FreeText) }, max(r, every))
		}
	}
	if l := d.f.Lifecycle; l != nil {
		for i, t := range l.Transitions {
			e := d.byName[t.Emits]
			if e == nil {
				continue
			}
			has := declares(e)
			if l.State != "" {
				g.add("/lifecycle/state", fmt.Sprintf("state %q", l.State), e.Name, func() bool { return has(l.State) }, every)
			}
			at := fmt.Sprintf("/lifecycle/transitions/%d", i)
			for _, ptr := range t.Set.Keys {
				g.add(at+"/set/"+escape(ptr), strconv.Quote(ptr), e.Name, func() bool { return has(ptr) }, every)
			}
			for j, ptr := range t.Remove {
				g.add(fmt.Sprintf("%s/remove/%d", at, j), strconv.Quote(ptr), e.Name, func() bool { return has(ptr) }, every)
			}
		}
	}
	for _, p := range g.list {
		if msg, ok := p.problem(); ok {
			c.add(p.at, "%s", msg)
		}
	}
}

// readSchema reads a listed event's schema for Declares; nil when it does
// not read (Check reports why).
func (c *checker) readSchema(s SchemaSource) func(string) bool {
	var (
		sc  *apispec.Schema
		err error
	)
	switch {
	case s.Builtin != "":
		src, serr := schemas.SourceOf(s.Builtin)
		if serr != nil {
			return nil
		}
		sc, err = apispec.ReadSchema(src, s.Builtin, "")
	case s.Ref != "":
		file, frag, _ := strings.Cut(s.Ref, "#")
		if file == "" {
			return nil
		}
		doc, rerr := c.d.readRef(file)
		if rerr != nil {
			return nil
		}
		sc, err = apispec.ReadSchema(doc, file, unescapeFragment(frag))
	case len(s.Inline) > 0:
		sc, err = apispec.ReadSchema(s.Inline, c.d.source, "")
	default:
		return nil
	}
	if err != nil {
		return nil
	}
	return sc.Declares
}

// rule says which of the events a pointer applies to must declare it.
type rule int8

const (
	// some: a pointer of the events section (entity keys, compared
	// pointers) must be declared by one of its events at least: events
	// of several shapes share it, and those without a value there are
	// judged without it (a key the payload lacks makes the state checks
	// inconclusive for that entity, a compared pointer absent from the
	// snapshot and the probed state compares equal).
	some rule = iota
	// every: each event must declare it (a snapshot time, a free-text
	// field, the lifecycle's state and its transitions' pointers), as
	// one missing from an event's payloads makes a check judge that
	// event wrongly.
	every
	// own: written at the event itself, which must declare it.
	own
)

// pointerProblems gathers, for each place a payload pointer is written,
// the events it applies to and those whose payload schema does not
// declare it.
type pointerProblems struct {
	list    []*pointerPlace
	byPlace map[string]int
}

type pointerPlace struct {
	at      string
	what    string // `entity key "/id"`
	rule    rule
	applies []string
	lacking []string
}

// add notes whether event's payload schema declares what is written at
// at (asking declared only when the answer counts).
func (g *pointerProblems) add(at, what, event string, declared func() bool, r rule) {
	k := at + "\x00" + what
	i, ok := g.byPlace[k]
	if !ok {
		i = len(g.list)
		g.byPlace[k] = i
		g.list = append(g.list, &pointerPlace{at: at, what: what, rule: r})
	}
	p := g.list[i]
	if slices.Contains(p.applies, event) {
		return
	}
	satisfied := p.rule == some && len(p.lacking) < len(p.applies) // one event declares it
	p.applies = append(p.applies, event)
	if !satisfied && !declared() {
		p.lacking = append(p.lacking, event)
	}
}

// problem is the message of a place whose pointer the rule refuses.
func (p *pointerPlace) problem() (string, bool) {
	switch {
	case len(p.lacking) == 0:
		return "", false
	case p.rule == own:
		return p.what + " is not a property the event's payload schema declares", true
	case p.rule == every || len(p.applies) == 1:
		return p.what + " is not a property " + schemasOf(p.lacking), true
	case len(p.lacking) == len(p.applies):
		return p.what + " is not a property any of " + strings.TrimSuffix(schemasOf(p.lacking), " declare") + " declares", true
	}
	return "", false
}

// schemasOf names the payload schemas of events, with the verb.
func schemasOf(events []string) string {
	const shown = 3
	switch {
	case len(events) == 1:
		return "the payload schema of " + events[0] + " declares"
	case len(events) <= shown:
		return "the payload schemas of " + strings.Join(events[:len(events)-1], ", ") + " and " + events[len(events)-1] + " declare"
	}
	return fmt.Sprintf("the payload schemas of %d events (%s, and %d more) declare", len(events), strings.Join(events[:shown], ", "), len(events)-shown)
}
