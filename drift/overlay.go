package drift

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"sort"
	"strings"

	"github.com/orderhooks/orderhooks/internal/jsonptr"
	"github.com/orderhooks/orderhooks/internal/shape"
	"github.com/orderhooks/orderhooks/schemas"
)

// Overlay returns the schema overlay that makes the analysed payloads
// valid: JSON Patch operations against the loose schemas (their strict
// variants derive from them), applied with schemas.Overlay.Apply. Per
// finding:
//
//   - undocumented: the field is added to the object's properties, typed
//     by what it held, with a description saying where it was seen and an
//     example (redacted as in the report);
//   - null and type: the type admits what was seen (and an enum on the
//     same schema object the values seen);
//   - missing: the field is no longer required;
//   - enum: the values seen are added (verbatim: an overlay must match
//     what is sent), or the enum is removed when there were more than
//     MaxValues distinct ones;
//   - format, pattern: the keyword is removed;
//   - range: a number bound moves to the smallest or largest value seen;
//     a length or item-count bound is removed.
//
// Findings no operation can cover (a number beyond the validator's
// limits, a schema that admits nothing) are returned as uncovered. The
// overlay is nil when there is nothing to patch.
func (r *Report) Overlay() (*schemas.Overlay, []Finding) {
	b := &overlayBuilder{plans: map[string]*nodePlan{}}
	var uncovered []Finding
	for _, e := range r.Events {
		for _, f := range e.Findings {
			if !b.cover(e, f) {
				uncovered = append(uncovered, f)
			}
		}
	}
	if len(b.plans) == 0 {
		return nil, uncovered
	}
	o := &schemas.Overlay{Version: schemas.OverlayVersion, Patches: map[string][]schemas.PatchOp{},
		Description: fmt.Sprintf("What %s analysed payloads held beyond the documented schemas (orderhooks drift).", thousands(r.Payloads))}
	for _, k := range slices.Sorted(maps.Keys(b.plans)) {
		p := b.plans[k]
		o.Patches[p.schema] = append(o.Patches[p.schema], p.ops()...)
	}
	return o, uncovered
}

// nodePlan collects what one schema object needs.
type nodePlan struct {
	schema, ptr string // loose schema name, pointer of the schema object
	node        *shape.Node
	types       shape.Types // to admit
	enum        []string    // JSON values to add
	dropEnum    bool
	remove      map[string]bool   // keywords to remove
	bounds      map[string]string // keyword → new number
	required    map[string]bool   // to drop
	props       map[string]json.RawMessage
}

type overlayBuilder struct {
	plans map[string]*nodePlan
}

func (b *overlayBuilder) plan(n *shape.Node) *nodePlan {
	loose := strings.TrimSuffix(n.Schema, "-strict")
	k := loose + "#" + n.Pointer
	p, ok := b.plans[k]
	if !ok {
		p = &nodePlan{schema: loose, ptr: n.Pointer, node: n, remove: map[string]bool{}, bounds: map[string]string{},
			required: map[string]bool{}, props: map[string]json.RawMessage{}}
		b.plans[k] = p
	}
	return p
}

// cover plans the operations for one finding; false when none can.
func (b *overlayBuilder) cover(e *EventReport, f Finding) bool {
	if len(f.nodes) == 0 {
		return false
	}
	covered := false
	for _, n := range f.nodes {
		if n.Never {
			continue
		}
		p := b.plan(n)
		switch f.Kind {
		case KindNull, KindType:
			seen := typesOf(f.Types)
			if n.Types&shape.TypeNumber != 0 {
				seen &^= shape.TypeInteger // a number admits integers
			}
			if n.Types != 0 && seen&^n.Types != 0 {
				p.types |= seen
			}
			if n.Enum != nil || n.Const != nil {
				p.addEnum(f)
			}
		case KindEnum:
			p.addEnum(f)
		case KindMissing:
			p.required[lastToken(f.Pointer)] = true
		case KindFormat:
			p.remove["format"] = true
		case KindPattern:
			p.remove["pattern"] = true
		case KindRange:
			p.relax(f)
		case KindUndocumented:
			p.props[lastToken(f.Pointer)] = undocumentedSchema(e, f)
		}
		covered = true
	}
	return covered
}

func (p *nodePlan) addEnum(f Finding) {
	if f.OtherValues > 0 {
		p.dropEnum = true
		return
	}
	for _, raw := range f.raw {
		if !slices.Contains(p.enum, raw) {
			p.enum = append(p.enum, raw)
		}
	}
}

// relax moves the bounds of a range finding.
func (p *nodePlan) relax(f Finding) {
	n := p.node
	if f.Min != "" {
		if n.Minimum != nil && lessThan(f.Min, n.Minimum.RatString()) {
			p.bounds["minimum"] = f.Min
		}
		if n.ExclusiveMinimum != nil {
			p.remove["exclusiveMinimum"] = true
			p.bounds["minimum"] = f.Min
		}
		if n.Maximum != nil && lessThan(n.Maximum.RatString(), f.Max) {
			p.bounds["maximum"] = f.Max
		}
		if n.ExclusiveMaximum != nil {
			p.remove["exclusiveMaximum"] = true
			p.bounds["maximum"] = f.Max
		}
		return
	}
	for _, k := range []struct {
		on  bool
		key string
	}{{n.MinLength >= 0, "minLength"}, {n.MaxLength >= 0, "maxLength"}, {n.MinItems >= 0, "minItems"}, {n.MaxItems >= 0, "maxItems"}} {
		if k.on {
			p.remove[k.key] = true
		}
	}
}

// lessThan compares two numbers (JSON numbers or big.Rat strings) exactly.
func lessThan(a, b string) bool {
	x, okx := new(big.Rat).SetString(a)
	y, oky := new(big.Rat).SetString(b)
	return okx && oky && x.Cmp(y) < 0
}

func typesOf(names []string) shape.Types {
	var t shape.Types
	for _, n := range names {
		t |= shape.TypeOf(n)
	}
	return t
}

func lastToken(ptr string) string {
	toks, _ := jsonptr.Parse(ptr) // the analyzer's own pointers
	if len(toks) == 0 {
		return ""
	}
	return toks[len(toks)-1]
}

// undocumentedSchema describes an undocumented field from what it held.
func undocumentedSchema(e *EventReport, f Finding) json.RawMessage {
	type schema struct {
		Description string            `json:"description"`
		Type        any               `json:"type,omitempty"`
		Examples    []json.RawMessage `json:"examples,omitempty"`
	}
	s := schema{Description: fmt.Sprintf("Not in the platform's documentation: seen in %s of %s %s %s payloads (orderhooks drift).",
		thousands(f.Deliveries), thousands(f.Of), e.Provider, e.Event)}
	if len(f.Types) == 1 {
		s.Type = f.Types[0]
	} else if len(f.Types) > 1 {
		s.Type = f.Types
	}
	if f.Example != nil && json.Valid([]byte(f.Example.Value)) {
		s.Examples = []json.RawMessage{json.RawMessage(f.Example.Value)}
	}
	b, _ := json.Marshal(s) // plain data: always encodes
	return b
}

// ops are the plan's operations, in a fixed order.
func (p *nodePlan) ops() []schemas.PatchOp {
	var ops []schemas.PatchOp
	at := func(kw string) string { return p.ptr + "/" + jsonptr.Escape(kw) }
	n := p.node
	if p.types != 0 {
		t := n.Types | p.types
		if t&shape.TypeNumber != 0 {
			t &^= shape.TypeInteger // number admits integers
		}
		names := t.Names()
		var v []byte
		if len(names) == 1 {
			v, _ = json.Marshal(names[0])
		} else {
			v, _ = json.Marshal(names)
		}
		ops = append(ops, schemas.PatchOp{Op: "replace", Path: at("type"), Value: v})
	}
	switch {
	case p.dropEnum && n.Enum != nil:
		ops = append(ops, schemas.PatchOp{Op: "remove", Path: at("enum")})
	case p.dropEnum && n.Const != nil:
		ops = append(ops, schemas.PatchOp{Op: "remove", Path: at("const")})
	case len(p.enum) > 0 && n.Const != nil:
		vals := []string{mustJSON(*n.Const)}
		vals = append(vals, p.enum...)
		ops = append(ops, schemas.PatchOp{Op: "remove", Path: at("const")},
			schemas.PatchOp{Op: "add", Path: at("enum"), Value: json.RawMessage("[" + strings.Join(vals, ",") + "]")})
	case len(p.enum) > 0 && n.Enum != nil:
		sort.Strings(p.enum)
		for _, v := range p.enum {
			ops = append(ops, schemas.PatchOp{Op: "add", Path: at("enum") + "/-", Value: json.RawMessage(v)})
		}
	}
	if len(p.required) > 0 {
		keep := []string{}
		for _, r := range n.Required {
			if !p.required[r] {
				keep = append(keep, r)
			}
		}
		v, _ := json.Marshal(keep)
		ops = append(ops, schemas.PatchOp{Op: "replace", Path: at("required"), Value: v})
	}
	for _, kw := range slices.Sorted(maps.Keys(p.remove)) {
		ops = append(ops, schemas.PatchOp{Op: "remove", Path: at(kw)})
	}
	for _, kw := range slices.Sorted(maps.Keys(p.bounds)) {
		op := "replace"
		if (kw == "minimum" && n.Minimum == nil) || (kw == "maximum" && n.Maximum == nil) {
			op = "add"
		}
		ops = append(ops, schemas.PatchOp{Op: op, Path: at(kw), Value: json.RawMessage(p.bounds[kw])})
	}
	for _, name := range slices.Sorted(maps.Keys(p.props)) {
		ops = append(ops, schemas.PatchOp{Op: "add", Path: at("properties") + "/" + jsonptr.Escape(name), Value: p.props[name]})
	}
	return ops
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
