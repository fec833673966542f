package contracts

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/orderhooks/orderhooks/generator"
	"github.com/orderhooks/orderhooks/schemas"
)

// Names of the fields tolerates-unknown-fields adds.
const (
	unknownRootField   = "orderhooksExtension"
	unknownNestedField = "orderhooksExtra"
)

// runUnknownFields sends one order's lifecycle with undocumented fields
// added at the top and in nested objects, as platforms do when they extend
// a payload.
func runUnknownFields(se *Session) Result {
	evs, err := se.generate("unknown fields", se.suite.provider.scenarios[0], false)
	if err != nil {
		return errorResult(err)
	}
	order := orderEvents(evs)[0]
	extended := make([]*generator.Event, len(order))
	for i, ev := range order {
		e := *ev
		if e.Payload, err = addUnknownFields(ev.Payload); err != nil {
			return errorResult(err)
		}
		e.Variant, e.Label = "extended", "unknown fields added"
		extended[i] = &e
		if p := se.suite.provider; p.schemaDriven() {
			// A provider whose documented schema forbids undocumented
			// members (additionalProperties: false) never sends them.
			if s, err := p.schemaOf(e.Event); err == nil && s.ValidateJSON(e.Payload) != nil {
				return Result{Status: StatusSkip, Message: fmt.Sprintf("the provider's schema of %s forbids undocumented fields (additionalProperties: false), so it never sends them", e.Event)}
			}
		}
	}
	orders, all := se.sendOrders(extended, "unknown fields")
	return acceptAll(se, orders, all, "deliveries with unknown fields", "")
}

// runEdgeCases sends the generator's edge cases, one new order per case
// (every nullable field null, empty arrays, zero and huge amounts, 200
// parts or lines, long strings, non-Latin text).
func runEdgeCases(se *Session) Result {
	evs, err := se.generate("edge cases", "", true)
	if err != nil {
		return errorResult(err)
	}
	orders, all := se.sendOrders(evs, "edge cases")
	return acceptAll(se, orders, all, "edge-case deliveries", CheckEdgeCases)
}

// acceptAll passes when every delivery was answered 2xx; unless saveAs is
// "", the first failure is shrunk and saved for that check (WithSaveFailures).
func acceptAll(se *Session, orders [][]*delivery, all []*delivery, what, saveAs string) Result {
	r := Result{Deliveries: len(all)}
	var first *delivery
	bad, notSent := 0, 0
	for _, d := range all {
		switch {
		case d.accepted():
			continue
		case d.err == errNotSent:
			notSent++
			continue
		}
		bad++
		if first == nil {
			first = d
		}
		r.Evidence = append(r.Evidence, se.evidence(d, "2xx", d.got()))
	}
	if bad == 0 && notSent == 0 {
		r.Status = StatusPass
		r.Message = fmt.Sprintf("%d %s answered 2xx", len(all), what)
		return r
	}
	r.Status = StatusFail
	r.Message = fmt.Sprintf("%d of %d %s were not answered 2xx", bad, len(all), what)
	if notSent > 0 {
		r.Message = fmt.Sprintf("%d of %d %s sent were not answered 2xx; %d more were not sent (the run had stopped)", bad, len(all)-notSent, what, notSent)
	}
	if saveAs != "" && first != nil {
		se.saveFailures(saveAs, &r, orders, first)
	}
	return r
}

// addUnknownFields returns payload with an extra object at the root and an
// extra member in every object one or two levels below it (array elements
// count at the array's level, so parts[0] and body.lines[0] get one).
func addUnknownFields(payload []byte) ([]byte, error) {
	doc, err := schemas.Decode(payload)
	if err != nil {
		return nil, err
	}
	root, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("payload is not a JSON object")
	}
	var extend func(v any, depth int)
	extend = func(v any, depth int) {
		switch x := v.(type) {
		case map[string]any:
			for _, child := range x {
				if depth < 2 {
					extend(child, depth+1)
				}
			}
			if depth > 0 {
				x[unknownNestedField] = "undocumented field added by orderhooks"
			}
		case []any:
			for _, el := range x {
				extend(el, depth)
			}
		}
	}
	extend(root, 0)
	root[unknownRootField] = map[string]any{
		"note":    "undocumented object added by orderhooks",
		"version": json.Number("2"),
		"tags":    []any{"extra", json.Number("1"), nil},
	}
	return encodeJSON(root)
}

// encodeJSON writes v compactly without HTML escaping, as platforms do.
func encodeJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
